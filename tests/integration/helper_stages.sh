#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# helper_stages.sh - what the program QEMU runs loads: through the broker
# only itself, GLib and libc (no libnl, libslirp, libnftables, no stage);
# in direct mode its stage module; a stage module of another build never.
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

t_direct_mode_loads_its_stage_module_and_libnl_route() {
	make_bridge twbr0
	write_acl "allow twbr0"
	RC=0
	"$TW_RUN_LIKE_QEMU" "env LD_DEBUG=files LD_DEBUG_OUTPUT=$TMP/ld $(helper_cmd)" \
		twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	cat "$TMP"/ld.* >"$TMP/ld"
	loaded "$TMP/ld" >"$TMP/objects"
	expect_in "$TMP/objects" '^tapwarden-helper-direct\.so$'
	expect_in "$TMP/objects" '^libnl-route-3\.so'
	if grep -E '^(libslirp|libnftables|tapwarden-helper-usermode)' "$TMP/objects"; then
		fail "direct mode loaded: $(paste -sd ' ' "$TMP/objects")"
	fi
}

t_stage_module_of_another_build_is_refused_and_never_called() {
	make_bridge twbr0
	write_acl "allow twbr0"
	# a copy of the helper, with a direct-mode module of another build
	# beside it (where it looks first)
	mkdir -m 755 "$TMP/libexec"
	cp "$TW_HELPER" "$TMP/libexec/"
	cp "$TW_STAGE_OF_ANOTHER_BUILD" "$TMP/libexec/tapwarden-helper-direct.so"
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TMP/libexec/tapwarden-helper --config=$TMP/tapwarden.conf --acl=$TMP/bridge.conf" \
		twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "tapwarden-helper-direct\.so is not tapwarden-helper [^ ]*'s stage \(reinstall tapwarden\)$"
	# and the right module beside the same copy serves
	cp "$TW_STAGE_DIRECT" "$TMP/libexec/tapwarden-helper-direct.so"
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TMP/libexec/tapwarden-helper --config=$TMP/tapwarden.conf --acl=$TMP/bridge.conf" \
		twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "helper with its own module failed ($RC): $(cat "$TMP/err")"
	expect_in "$TMP/out" '^ifname=tw[0-9]+$'
}

run_test "$@"
