#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# helper_stages.sh - what the program QEMU runs loads: through the broker
# only itself, GLib, libmnl and libc (no libnl, libslirp, libnftables, no
# stage); in direct mode on a plain bridge no more (libmnl makes the tap),
# else its stage module; a stage module of another build never.
# Usage: helper_stages.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

# loaded FILE - the shared objects the dynamic loader loaded, one a line,
# from LD_DEBUG=files output in FILE
loaded() {
	sed -n 's/.*file=\([^ ]*\) \[[0-9]*\];  \(generating link map\|dynamically loaded by\).*/\1/p' "$1" |
		sed 's|.*/||' | sort -u
}

t_broker_path_loads_no_libnl_libslirp_libnftables_or_stage_module() {
	make_user tw-alice
	make_bridge twbr0
	write_acl "allow twbr0"
	start_broker
	RC=0
	as_user tw-alice env LD_DEBUG=files LD_DEBUG_OUTPUT="$TMP/shared/ld" \
		"$TW_RUN_LIKE_QEMU" "$TW_HELPER" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	cat "$TMP"/shared/ld.* >"$TMP/ld"
	loaded "$TMP/ld" >"$TMP/objects"
	expect_in "$TMP/objects" '^libglib-2\.0\.so'	# LD_DEBUG took
	if grep -E '^(libnl|libslirp|libnftables|tapwarden-helper-)' "$TMP/objects"; then
		fail "the broker path loaded: $(paste -sd ' ' "$TMP/objects")"
	fi
}

# direct_loaded NAME - run the helper in direct mode for NAME with
# LD_DEBUG=files; the objects it loaded in $TMP/objects, status in $RC
direct_loaded() {
	RC=0
	rm -f "$TMP"/ld.*
	"$TW_RUN_LIKE_QEMU" "env LD_DEBUG=files LD_DEBUG_OUTPUT=$TMP/ld $(helper_cmd)" \
		"$1" >"$TMP/out" 2>"$TMP/err" || RC=$?
	cat "$TMP"/ld.* >"$TMP/ld"
	loaded "$TMP/ld" >"$TMP/objects"
	expect_in "$TMP/objects" '^libglib-2\.0\.so'	# LD_DEBUG took
}

# expect_stage - direct mode loaded its stage module and libnl-route, and
# nothing of user mode
expect_stage() {
	expect_in "$TMP/objects" '^tapwarden-helper-direct\.so$'
	expect_in "$TMP/objects" '^libnl-route-3\.so'
	if grep -E '^(libslirp|libnftables|tapwarden-helper-usermode)' "$TMP/objects"; then
		fail "direct mode loaded: $(paste -sd ' ' "$TMP/objects")"
	fi
}

# A tap on a plain bridge: made by the helper itself with libmnl
# (helper_direct_plain.c), as the stage would have made it.
t_direct_mode_on_a_plain_bridge_loads_neither_libnl_nor_its_stage() {
	make_bridge twbr0
	ip link set twbr0 mtu 1400
	write_acl "allow twbr0"
	direct_loaded twbr0
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	if grep -E '^(libnl|libslirp|libnftables|tapwarden-helper-)' "$TMP/objects"; then
		fail "the plain direct path loaded: $(paste -sd ' ' "$TMP/objects")"
	fi
	expect_in "$TMP/objects" '^libmnl\.so'
	# the tap is what the stage makes: held open, then gone with its fd
	# shellcheck disable=SC2016  # expanded by the inner shell
	"$TW_RUN_LIKE_QEMU" "$(helper_cmd)" twbr0 -- sh -c \
		'ip -d -o link show "$TW_TAP"; cat "/proc/sys/net/ipv6/conf/$TW_TAP/disable_ipv6"' \
		>"$TMP/out" 2>"$TMP/err" || fail "helper failed: $(cat "$TMP/err")"
	expect_in "$TMP/out" "^[0-9]+: tw[0-9]+: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 .* master twbr0 "
	expect_in "$TMP/out" ' link/ether fe:'
	expect_in "$TMP/out" " alias tapwarden uid=0 net=twbr0 pid=[0-9]+ since=[0-9]+"
	expect_in "$TMP/out" ' tun type tap .* user root group root'
	expect_in "$TMP/out" '^1$'
	no_tap_left
}

# Whatever the plain path cannot do is the stage's, from the start: a
# network with a max-per-user (counting live leases), a refusal (worded by
# the stage), and an IFB of tapwarden's (the stage sweeps orphans).
t_direct_mode_loads_its_stage_for_all_but_a_plain_bridge() {
	make_bridge twbr0
	write_acl "allow twbr0"
	printf '%s\n' "[network lab]" "bridge=twbr0" "max-per-user=2" >"$TMP/tapwarden.conf"
	direct_loaded lab
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	expect_stage
	direct_loaded twnone
	expect_refused "twnone"
	expect_stage
	# an orphan IFB (no tw9) with no alias yet: tapwarden's, left by a
	# helper killed while it made it
	ip link add twi9 type ifb
	direct_loaded twbr0
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	expect_stage
	if ip link show twi9 >/dev/null 2>&1; then fail "the orphan twi9 was not swept"; fi
	direct_loaded twbr0
	if grep -E '^(libnl|tapwarden-helper-)' "$TMP/objects"; then
		fail "with no IFB left the plain path loaded: $(paste -sd ' ' "$TMP/objects")"
	fi
}

t_stage_module_of_another_build_is_refused_and_never_called() {
	make_bridge twbr0
	write_acl "allow twbr0"
	# a copy of the helper, with a direct-mode module of another build
	# beside it (where it looks first); a network the plain path leaves
	# to the stage (max-per-user)
	printf '%s\n' "[network lab]" "bridge=twbr0" "max-per-user=2" >"$TMP/tapwarden.conf"
	mkdir -m 755 "$TMP/libexec"
	cp "$TW_HELPER" "$TMP/libexec/"
	cp "$TW_STAGE_OF_ANOTHER_BUILD" "$TMP/libexec/tapwarden-helper-direct.so"
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TMP/libexec/tapwarden-helper --config=$TMP/tapwarden.conf --acl=$TMP/bridge.conf" \
		lab >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "tapwarden-helper-direct\.so is not tapwarden-helper [^ ]*'s stage \(reinstall tapwarden\)$"
	# and the right module beside the same copy serves
	cp "$TW_STAGE_DIRECT" "$TMP/libexec/tapwarden-helper-direct.so"
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TMP/libexec/tapwarden-helper --config=$TMP/tapwarden.conf --acl=$TMP/bridge.conf" \
		lab >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "helper with its own module failed ($RC): $(cat "$TMP/err")"
	expect_in "$TMP/out" '^ifname=tw[0-9]+$'
}

run_test "$@"
