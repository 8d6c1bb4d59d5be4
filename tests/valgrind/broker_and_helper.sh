#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# broker_and_helper.sh - the helper (direct mode, and a user's through the
# broker), the broker and the command line under valgrind's memcheck: each
# process's log must say `ERROR SUMMARY: 0 errors` and it must not exit 99
# (valgrind's exit for an error or a definitely or indirectly lost block).
# Environment from meson (tests/valgrind/meson.build): TW_VALGRIND, its
# arguments TW_VALGRIND_ARGS, and the integration suite's.
# Usage: broker_and_helper.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/../integration/lib.sh"

# the programs confine themselves, and valgrind cannot run them under a
# seccomp filter: only test builds can leave that stage out
[ "${TW_TEST_HOOKS:-}" = true ] ||
	{ echo "skip: needs a build with -Dtest_hooks=true (tests/run sets it)"; exit 77; }

# vg() - the valgrind command line for a program, logging to
# $TMP/shared/vg.PID (as a string: QEMU runs helper strings with spaces
# through /bin/sh -c)
vg() {
	echo "$TW_VALGRIND $TW_VALGRIND_ARGS --log-file=$TMP/shared/vg.%p"
}

# expect_clean_logs() - every valgrind log says 0 errors
expect_clean_logs() {
	local log n=0
	for log in "$TMP"/shared/vg.*; do
		[ -f "$log" ] || continue
		n=$((n + 1))
		# --quiet: a clean run logs nothing at all, but for valgrind's
		# note that it does not know Landlock's calls (444-446: the
		# process then runs without Landlock, as on an older kernel)
		sed -i -E '/unhandled amd64-linux syscall: 44[456]$/,+4d' "$log"
		[ ! -s "$log" ] || fail "valgrind: $(head -c 3000 "$log")"
	done
	[ "$n" -ge "$1" ] || fail "$n valgrind logs, expected $1"
	echo "$n processes ran clean under valgrind"
}

t_helper_in_direct_mode_is_clean_under_valgrind() {
	make_bridge twbr0
	write_acl "allow twbr0"
	RC=0
	"$TW_RUN_LIKE_QEMU" "$(vg) $(helper_cmd)" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err") $(cat "$TMP/out")"
	RC=0	# and a refusal
	"$TW_RUN_LIKE_QEMU" "$(vg) $(helper_cmd)" twbr1 >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "bridge twbr1 is not allowed"
	expect_clean_logs 2
}

t_broker_user_helper_and_command_line_are_clean_under_valgrind() {
	make_user tw-alice
	make_bridge twbr0
	printf '[network lab]\nbridge = twbr0\nallow-users = tw-alice\n' >"$TMP/tapwarden.conf"
	# shellcheck disable=SC2046  # $(vg) is a command line: split on purpose
	$(vg) "$TW_TAPWARDEND" --socket="$TAPWARDEN_SOCKET" --config="$TMP/tapwarden.conf" \
		--acl="$TMP/bridge.conf" >>"$TMP/broker.log" 2>&1 &
	BROKER_PID=$!
	for _ in $(seq 600); do
		grep -q "live leases" "$TMP/broker.log" && break
		kill -0 "$BROKER_PID" || fail "tapwardend exited: $(cat "$TMP/broker.log")"
		sleep 0.1
	done
	RC=0
	# shellcheck disable=SC2016  # expanded by the inner shell
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$(vg) $TW_HELPER" lab -- \
		sh -c '$0 list >/dev/null' "$(vg) $TW_TAPWARDEN" >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err") $(cat "$TMP/out")"
	RC=0	# and a refusal by the broker
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$(vg) $TW_HELPER" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "belongs to network lab"
	stop_broker || fail "the broker did not stop cleanly under valgrind"
	expect_clean_logs 4
}

run_test "$@"
