#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# helper_direct_mode.sh - tapwarden-helper run as root QEMU runs it: the tap
# it hands back, what it leaves when it is gone, and every refusal.
# Usage: helper_direct_mode.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

t_tap_is_vnet_on_the_bridge_up_with_its_mtu_fe_mac_and_alias() {
	make_bridge twbr0 9000
	write_acl "allow twbr0"
	# shellcheck disable=SC2016  # expanded by the inner shell
	run_like_qemu twbr0 -- sh -c 'ip -d -o link show "$TW_TAP" >"$0"' "$TMP/link"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	[ ! -s "$TMP/err" ] || fail "helper wrote to stderr: $(cat "$TMP/err")"
	expect_in "$TMP/out" '^ifname=tw[0-9]+$'
	expect_in "$TMP/out" '^tap=1$'
	expect_in "$TMP/out" '^no_pi=1$'
	expect_in "$TMP/out" '^vnet_hdr=1$'
	expect_in "$TMP/link" 'master twbr0 '
	expect_in "$TMP/link" ' mtu 9000 '
	expect_in "$TMP/link" '<[A-Z_,]*,UP[,>]'
	expect_in "$TMP/link" 'link/ether fe:'
	expect_in "$TMP/link" 'vnet_hdr on persist off'
	expect_in "$TMP/link" "alias tapwarden uid=0 net=twbr0 pid=[0-9]+ since=[0-9]+"
}

t_tap_is_gone_after_its_fd_closes() {
	make_bridge twbr0
	write_acl "allow twbr0"
	# shellcheck disable=SC2016  # expanded by the inner shell
	run_like_qemu twbr0 -- sh -c 'echo "$TW_TAP" >"$0"; ip link show "$TW_TAP" >/dev/null' "$TMP/name"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	if ip link show "$(cat "$TMP/name")" >/dev/null 2>&1; then
		fail "$(cat "$TMP/name") still exists after its fd was closed"
	fi
	no_tap_left
}

t_taps_get_distinct_names_on_one_bridge() {
	make_bridge twbr0
	write_acl "allow twbr0"
	# a nested run holds the first tap while the second is made
	# shellcheck disable=SC2016  # expanded by the inner shell
	run_like_qemu twbr0 -- sh -c '"$0" "$1" twbr0 -- sh -c "ip -o link show master twbr0" >"$2"' \
		"$TW_RUN_LIKE_QEMU" "$(helper_cmd)" "$TMP/inner"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	[ "$(grep -c ': tw[0-9]*:' "$TMP/inner")" = 2 ] || fail "expected 2 taps: $(cat "$TMP/inner")"
}

t_network_of_tapwarden_conf_uses_its_bridge() {
	make_bridge twlab0
	printf '[network lab]\nmode = bridge\nbridge = twlab0\n' >"$TMP/tapwarden.conf"
	write_acl "deny all"	# bridge.conf is not consulted for networks
	# shellcheck disable=SC2016  # expanded by the inner shell
	run_like_qemu lab -- sh -c 'ip -d -o link show "$TW_TAP" >"$0"' "$TMP/link"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	expect_in "$TMP/link" 'master twlab0 '
	expect_in "$TMP/link" 'alias tapwarden uid=0 net=lab '
}

t_default_acl_path_is_used_without_options() {
	# QEMU's exec form: a bare path, no options; the compiled-in ACL is read.
	local etc
	etc=$(dirname "$(dirname "$TW_DEFAULT_ACL")")
	[ -d "$etc" ] || fail "sysconfdir $etc does not exist"
	mount -t tmpfs tmpfs "$etc"	# private to this mount namespace
	mkdir -p "$(dirname "$TW_DEFAULT_ACL")"
	echo "allow twbr0" >"$TW_DEFAULT_ACL"
	make_bridge twbr0
	make_bridge twbr1
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TW_HELPER" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "exec form failed ($RC): $(cat "$TMP/err")"
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TW_HELPER" twbr1 >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "bridge twbr1 is not allowed by $TW_DEFAULT_ACL"
}

t_denied_bridge_is_refused() {
	make_bridge twbr0
	write_acl "allow twother"
	run_like_qemu twbr0
	expect_refused "bridge twbr0 is not allowed by"
}

t_deny_all_refuses_an_allowed_bridge() {
	make_bridge twbr0
	write_acl "allow twbr0" "deny all"
	run_like_qemu twbr0
	expect_refused "bridge twbr0 is not allowed by"
}

t_include_loop_is_refused() {
	make_bridge twbr0
	echo "include bridge.conf" >"$TMP/loop.conf"
	write_acl "allow twbr0" "include loop.conf"
	run_like_qemu twbr0
	expect_refused "include loop"
}

t_missing_acl_file_refuses_bridges() {
	make_bridge twbr0
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TW_HELPER --config=$TMP/tapwarden.conf --acl=$TMP/none.conf" twbr0 \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "there is no $TMP/none.conf"
}

t_unknown_bridge_is_refused() {
	write_acl "allow twnothere"
	run_like_qemu twnothere
	expect_refused "bridge twnothere does not exist"
}

t_interface_that_is_not_a_bridge_is_refused() {
	ip link add twveth0 type veth peer name twveth1
	write_acl "allow twveth0"
	run_like_qemu twveth0
	expect_refused "twveth0 is not a bridge"
}

t_bridge_name_of_16_or_more_characters_is_refused() {
	write_acl "allow all"
	run_like_qemu abcdefghijklmnop
	expect_refused "too long: 16 characters"
	run_like_qemu "$(printf 'b%.0s' $(seq 255))"
	expect_refused "too long: 255 characters"
}

t_bad_tapwarden_conf_is_refused() {
	make_bridge twbr0
	write_acl "allow twbr0"
	printf '[network lab]\nbridge = twbr0\nspeed = 10\n' >"$TMP/tapwarden.conf"
	run_like_qemu twbr0
	expect_refused "tapwarden.conf:3: \\[network lab\\] speed: unknown key"
}

t_kernel_refusal_gives_the_kernels_reason_and_removes_the_tap() {
	# a bridge MTU above a tap's maximum (65521): the tap is created, the
	# kernel refuses its configuration, the helper must remove it again
	make_bridge twbr0 65535
	write_acl "allow twbr0"
	run_like_qemu twbr0
	expect_refused "cannot configure tw[0-9]+: mtu greater than device maximum"
}

t_alternative_name_of_a_bridge_is_refused() {
	# the kernel finds links by altname too; the ACL must not be bypassed
	make_bridge twsecret0
	ip link property add dev twsecret0 altname twpub0 ||
		fail "kernel without alternative names"
	write_acl "allow all" "deny twsecret0"
	run_like_qemu twpub0
	expect_refused "twpub0 is an alternative name of twsecret0"
}

t_setuid_copy_refuses_to_run() {
	# a setuid (or file-capability) helper would let any user pick the
	# policy files of a privileged process
	local dir=$TMP/suid
	make_bridge twbr0
	write_acl "allow all"
	mkdir "$dir"
	mount -t tmpfs -o mode=755 tmpfs "$dir"	# no nosuid, whatever /tmp has
	cp "$TW_HELPER" "$dir/helper"
	chmod 4755 "$dir/helper"
	chmod 755 "$TMP"
	RC=0
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TW_RUN_LIKE_QEMU" "$dir/helper --acl=$TMP/bridge.conf --config=$TMP/tapwarden.conf" twbr0 \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "must not be setuid or have file capabilities"
}

t_error_line_has_no_control_characters() {
	write_acl "allow all"
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TW_HELPER --config=$TMP/x$(printf '\033')[2J.conf" twbr0 \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "cannot open"
	if LC_ALL=C grep -q '[[:cntrl:]]' "$TMP/err"; then
		fail "control character in: $(od -c "$TMP/err" | head -3)"
	fi
}

t_helper_without_cap_net_admin_says_how_to_fix_it() {
	make_bridge twbr0
	write_acl "allow twbr0"
	RC=0
	setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
		"$TW_RUN_LIKE_QEMU" "$(helper_cmd)" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "lacks CAP_NET_ADMIN .*tapwardend"
}

# The helper started by hand with bad --br/--fd: one line, exit 1, no tap.
# expect_direct_refusal() - with a usable bridge twbr0 that the ACL allows,
# run the helper with ARGS (so only they can be wrong), expect REASON
expect_direct_refusal() {
	local reason=$1
	shift
	make_bridge twbr0
	write_acl "allow twbr0"
	RC=0
	"$TW_HELPER" --config="$TMP/tapwarden.conf" --acl="$TMP/bridge.conf" "$@" \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 1 ] || fail "exit $RC, expected 1, for $*"
	expect_one_error_line "$TMP/err" "$reason"
	no_tap_left
}

t_missing_br_is_refused() {
	expect_direct_refusal "missing --br=NAME" --use-vnet --fd=5
}

t_missing_fd_is_refused() {
	expect_direct_refusal "missing --fd=N" --use-vnet --br=twbr0
}

t_fd_that_is_not_a_number_is_refused() {
	expect_direct_refusal "--fd=x3 is not a file descriptor number" --use-vnet --fd=x3 --br=twbr0
}

t_fd_that_is_not_open_is_refused() {
	expect_direct_refusal "--fd=77 is not an open file descriptor" --use-vnet --fd=77 --br=twbr0
}

t_fd_that_is_not_a_socket_is_refused() {
	exec 7<"$TMP/tapwarden.conf"
	expect_direct_refusal "--fd=7 is not a socket" --use-vnet --fd=7 --br=twbr0
}

t_fd_of_stdin_is_refused() {
	expect_direct_refusal "--fd=0 is standard input" --use-vnet --fd=0 --br=twbr0 </dev/null
}

t_help_and_version() {
	"$TW_HELPER" --help >"$TMP/out"
	expect_in "$TMP/out" '^Usage: tapwarden-helper .*--br=NAME --fd=N'
	"$TW_HELPER" --version >"$TMP/out"
	expect_in "$TMP/out" '^tapwarden-helper [0-9]+\.[0-9]+'
}

t_help_in_a_qemu_helper_string_is_refused() {
	# QEMU would get exit 0 and no tap: fail loudly instead
	make_bridge twbr0
	write_acl "allow twbr0"
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TW_HELPER --help" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "--help and --version take no --br or --fd"
}

run_test "$@"
