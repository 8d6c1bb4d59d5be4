#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel_errors.sh - when the kernel refuses, the user reads the kernel's
# reason, never libnl's "Unspecific failure": a full bridge says it is at
# the kernel's limit, the kernel's own text (extended ACK) is shown with its
# errno, and nothing is left behind.
# Usage: kernel_errors.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

# a Linux bridge's ports, at most (port numbers 1-1023; netdev/bridge.h)
BRIDGE_MAX_PORTS=1023

# fill_bridge() - bridge NAME with BRIDGE_MAX_PORTS ports: persistent taps
# fill0, fill1, ... made by ip in one batch (not tw*: no_tap_left and the
# broker's scan pass them by)
fill_bridge() {
	local br=$1 i
	make_bridge "$br"
	for ((i = 0; i < BRIDGE_MAX_PORTS; i++)); do
		echo "tuntap add fill$i mode tap"
		echo "link set fill$i master $br"
	done >"$TMP/fill.batch"
	ip -batch "$TMP/fill.batch" >/dev/null
	[ "$(port_count "$br")" = "$BRIDGE_MAX_PORTS" ] ||
		fail "$br has $(port_count "$br") ports, not $BRIDGE_MAX_PORTS"
}

# port_count() - how many ports bridge NAME has
port_count() {
	ip -o link show master "$1" | wc -l
}

t_a_full_bridge_says_it_is_at_the_kernels_limit() {
	fill_bridge twbr0
	write_acl "allow twbr0"
	run_like_qemu twbr0
	expect_refused "cannot add tw[0-9]+ to twbr0: bridge twbr0 has $BRIDGE_MAX_PORTS ports, the kernel's limit$"
	[ "$(port_count twbr0)" = "$BRIDGE_MAX_PORTS" ] ||
		fail "twbr0 has $(port_count twbr0) ports after the refusal"
	# a port freed, the next tap joins
	ip link del fill7
	run_like_qemu twbr0
	[ "$RC" = 0 ] || fail "helper failed ($RC) with a port free: $(cat "$TMP/err")"
	no_tap_left
}

t_a_full_bridge_says_so_through_the_broker() {
	make_user tw-alice
	fill_bridge twbr0
	printf '%s\n' "[network lab]" "bridge=twbr0" "allow-users=tw-alice" \
		>"$TMP/tapwarden.conf"
	start_broker
	user_run_like_qemu tw-alice lab
	expect_refused "cannot add tw[0-9]+ to twbr0: bridge twbr0 has $BRIDGE_MAX_PORTS ports, the kernel's limit$"
	[ "$("$TW_TAPWARDEN" list --json | tr -d ' \n')" = "[]" ] ||
		fail "a lease is left: $("$TW_TAPWARDEN" list)"
	ip link del fill7
	user_run_like_qemu tw-alice lab
	[ "$RC" = 0 ] || fail "helper failed ($RC) with a port free: $(cat "$TMP/err")"
	no_tap_left
}

t_the_kernels_own_text_reaches_the_user_with_its_errno() {
	# a tap's MTU is at most 65521: the kernel refuses the bridge's, and
	# says why in an extended ACK
	make_bridge twbr0 65535
	write_acl "allow twbr0"
	run_like_qemu twbr0
	expect_refused "cannot configure tw[0-9]+: mtu greater than device maximum \\(Invalid argument\\)$"
}

run_test "$@"
