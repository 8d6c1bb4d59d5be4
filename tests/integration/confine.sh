# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# confine.sh - every long-lived process is confined (policy/confine.c,
# docs/security.md): /proc/PID/status shows no new privileges, a seccomp
# filter and exactly the expected capabilities; and a confined process that
# tries what it must not (test builds: $TAPWARDEN_TEST_CONFINED, see
# policy/confine_test_hook.c) is stopped.
#
# The helper is held at its confined moment (holding the tap, before the
# send) by the hook's "hold" action, which reads stdin until it closes.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"

SIGSYS_STATUS=159	# 128 + SIGSYS: killed by the seccomp filter
BROKER_CAPS=00000000000010c0	# CAP_NET_ADMIN, CAP_SETUID, CAP_SETGID
NO_CAPS=0000000000000000

# need_test_hooks() - skip unless this build has the test hooks
need_test_hooks() {
	[ "${TW_TEST_HOOKS:-}" = true ] ||
		{ echo "skip: built without -Dtest_hooks=true (tests/run sets it)"; exit 77; }
}

# status_field() - field NAME of /proc/PID/status (or a task's status)
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "$1"
}

# expect_confined() - the status file FILE shows NNP, a seccomp filter, and
# effective = permitted = EFF, bounding, inheritable and ambient empty
expect_confined() {
	local file=$1 eff=$2 what=$3
	local copy
	copy=$(cat "$file")
	echo "$what: $(grep -E '^(NoNewPrivs|Seccomp|Seccomp_filters|Cap[A-Za-z]*):' <<<"$copy" | tr '\n\t' '  ')"
	[ "$(status_field <(echo "$copy") NoNewPrivs)" = 1 ] || fail "$what: NoNewPrivs is not 1"
	[ "$(status_field <(echo "$copy") Seccomp)" = 2 ] || fail "$what: Seccomp is not 2 (filter)"
	[ "$(status_field <(echo "$copy") Seccomp_filters)" -ge 1 ] || fail "$what: no seccomp filter"
	[ "$(status_field <(echo "$copy") CapEff)" = "$eff" ] || fail "$what: CapEff is not $eff"
	[ "$(status_field <(echo "$copy") CapPrm)" = "$eff" ] || fail "$what: CapPrm is not $eff"
	[ "$(status_field <(echo "$copy") CapBnd)" = "$NO_CAPS" ] || fail "$what: CapBnd is not empty"
	[ "$(status_field <(echo "$copy") CapInh)" = "$NO_CAPS" ] || fail "$what: CapInh is not empty"
	[ "$(status_field <(echo "$copy") CapAmb)" = "$NO_CAPS" ] || fail "$what: CapAmb is not empty"
}

# expect_stopped() - status RC (with the process's stderr in FILE) says the
# confined process was stopped doing ACTION: killed by SIGSYS, or (for an
# open the filter lets through) refused by Landlock
expect_stopped() {
	local rc=$1 file=$2 action=$3 what=$4
	[ "$rc" = 4 ] && fail "$what: $action succeeded after confinement: $(cat "$file")"
	if [ "$rc" = "$SIGSYS_STATUS" ]; then
		echo "$what: $action: killed by SIGSYS"
		return 0
	fi
	[ "$action" = shadow ] && [ "$rc" = 3 ] &&
		grep -q "test hook: shadow: Permission denied" "$file" &&
		{ echo "$what: $action: refused by Landlock"; return 0; }
	fail "$what: $action: status $rc, expected $SIGSYS_STATUS (SIGSYS): $(cat "$file")"
}

# seccomp_log() - the kernel's record of the kill, if it keeps one (audit
# type 1326, printed to the kernel log without auditd); informative only
seccomp_log() {
	dmesg 2>/dev/null | grep -E "type=1326.*comm=\"$1\".*sig=31" | tail -n 1 || true
}

# hold_helper() - run-like-qemu in the background with the helper held at
# its confined moment; CMD... is the run-like-qemu command. Sets HOLD_PID
# (run-like-qemu) and HELPER_PID (the held helper).
hold_helper() {
	rm -f "$TMP/hold"
	mkfifo -m 666 "$TMP/hold"
	TAPWARDEN_TEST_CONFINED=helper:hold "$@" <"$TMP/hold" >"$TMP/out" 2>"$TMP/err" &
	HOLD_PID=$!
	exec 7>"$TMP/hold"
	HELPER_PID=
	for _ in $(seq 100); do
		for p in $(pgrep -x tapwarden-helpe); do
			[ "$(status_field "/proc/$p/status" Seccomp 2>/dev/null)" = 2 ] &&
				[ "$(readlink "/proc/$p/fd/0")" = "$TMP/hold" ] &&
				HELPER_PID=$p
		done
		[ -n "$HELPER_PID" ] && return 0
		kill -0 "$HOLD_PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "no confined helper: $(cat "$TMP/out" "$TMP/err")"
}

# release_helper() - let the held helper send the tap; RC is run-like-qemu's
release_helper() {
	exec 7>&-
	RC=0
	wait "$HOLD_PID" || RC=$?
}

# broker_setup() - user USER, a bridge, a network net0 for USER
broker_setup() {
	TEST_USER=$1
	make_user "$TEST_USER"
	make_bridge twbr0
	printf '[network net0]\nbridge = twbr0\nallow-users = %s\n' "$TEST_USER" >"$TMP/tapwarden.conf"
}

# run_user_mode() - as $TEST_USER, the helper on the built-in network
# `user', as QEMU runs it; the rest is an optional `-- COMMAND'. Output in
# $TMP/out, stderr in $TMP/err, status in $RC.
run_user_mode() {
	RC=0
	as_user "$TEST_USER" "$TW_RUN_LIKE_QEMU" "$TW_HELPER --config=$TMP/tapwarden.conf" \
		user >"$TMP/out" 2>"$TMP/err" || RC=$?
}

# expect_no_user_process() - within 5 s, $TEST_USER has no process left
expect_no_user_process() {
	for _ in $(seq 50); do
		pgrep -u "$TEST_USER" >/dev/null || return 0
		sleep 0.1
	done
	fail "processes of $TEST_USER left: $(pgrep -a -u "$TEST_USER")"
}

# The broker, once serving, keeps CAP_NET_ADMIN, CAP_SETUID and CAP_SETGID
# and nothing else, in every thread (GLib's worker; the descriptor closer
# is a process of its own: hostile_fds.sh).
t_confine_broker_status_shows_only_its_capabilities() {
	broker_setup twcf1
	start_broker
	expect_confined "/proc/$BROKER_PID/status" "$BROKER_CAPS" tapwardend
	user_run_like_qemu twcf1 net0
	[ "$RC" = 0 ] || fail "no tap through the confined broker: $(cat "$TMP/out" "$TMP/err" "$TMP/broker.log")"
	for task in /proc/"$BROKER_PID"/task/*; do
		expect_confined "$task/status" "$BROKER_CAPS" "tapwardend thread ${task##*/}"
	done
	[ "$(find /proc/"$BROKER_PID"/task -mindepth 1 -maxdepth 1 | wc -l)" -ge 2 ] || fail "expected GLib's worker thread"
}

# The broker's account lookup process runs as nobody, with no capability,
# confined; names still resolve through it (allow-users by name above).
t_confine_broker_account_lookup_runs_as_nobody() {
	broker_setup twcf7
	start_broker
	# its other children are NAT's dnsmasq launcher (nat.sh checks that
	# one) and the descriptor closer (hostile_fds.sh)
	lookup=$(pgrep -P "$BROKER_PID" | while read -r p; do
		case "$(cat "/proc/$p/comm")" in
		tw-dnsmasq-run|tw-fd-closer) ;;
		*) echo "$p" ;;
		esac; done)
	{ [ -n "$lookup" ] && [ "$(wc -w <<<"$lookup")" = 1 ]; } || fail "expected one lookup process, got: $lookup"
	expect_confined "/proc/$lookup/status" "$NO_CAPS" "account lookup"
	nobody=$(id -u nobody)
	[ "$(status_field "/proc/$lookup/status" Uid)" = "$nobody	$nobody	$nobody	$nobody" ] ||
		fail "lookup process is not nobody: $(grep Uid "/proc/$lookup/status")"
	"$TW_TAPWARDEN" check twcf7 net0 >"$TMP/check" || fail "check: $(cat "$TMP/check" "$TMP/broker.log")"
	expect_in "$TMP/check" '^allowed: network net0: allow-users names twcf7$'
}

# A confined broker that executes a program, traces a process or mounts
# is killed by its seccomp filter; /etc/shadow is out of its Landlock
# domain (it reads no file in /etc: its lookup process does).
t_confine_broker_killed_on_forbidden_calls() {
	need_test_hooks
	broker_setup twcf2
	ulimit -c 0
	for action in execve shadow ptrace mount; do
		rc=0
		TAPWARDEN_TEST_CONFINED=tapwardend:$action "$TW_TAPWARDEND" \
			--socket="$TAPWARDEN_SOCKET" --config="$TMP/tapwarden.conf" \
			--acl="$TMP/bridge.conf" >"$TMP/broker.log" 2>&1 || rc=$?
		expect_stopped "$rc" "$TMP/broker.log" "$action" tapwardend
		seccomp_log tapwardend
	done
}

# Direct mode: the helper holding its tap has no capability left, and
# QEMU gets the tap from there.
t_confine_helper_direct_mode_sends_from_confinement() {
	need_test_hooks
	make_bridge twbr0
	write_acl "allow twbr0"
	hold_helper "$TW_RUN_LIKE_QEMU" "$(helper_cmd)" twbr0
	expect_confined "/proc/$HELPER_PID/status" "$NO_CAPS" "helper (direct mode)"
	release_helper
	[ "$RC" = 0 ] || fail "run-like-qemu exit $RC: $(cat "$TMP/out" "$TMP/err")"
	expect_in "$TMP/out" '^helper_status=0$'
}

# Through the broker: the same, for an unprivileged user's helper.
t_confine_helper_broker_sends_from_confinement() {
	need_test_hooks
	broker_setup twcf3
	start_broker
	hold_helper as_user twcf3 "$TW_RUN_LIKE_QEMU" "$TW_HELPER" net0
	expect_confined "/proc/$HELPER_PID/status" "$NO_CAPS" "helper (broker)"
	release_helper
	[ "$RC" = 0 ] || fail "run-like-qemu exit $RC: $(cat "$TMP/out" "$TMP/err")"
	expect_in "$TMP/out" '^helper_status=0$'
}

# Through the broker the helper confines itself as soon as its request is
# sent, while the broker makes the tap (the two overlap on two CPUs): with
# the broker stopped, the waiting helper is confined already; the tap comes
# once the broker goes on.
t_confine_helper_is_confined_while_the_broker_works() {
	local p waiting=
	broker_setup twcf6
	start_broker
	kill -STOP "$BROKER_PID"
	as_user twcf6 "$TW_RUN_LIKE_QEMU" "$TW_HELPER" net0 >"$TMP/out" 2>"$TMP/err" &
	local runner=$!
	for _ in $(seq 100); do
		for p in $(pgrep -x tapwarden-helpe); do
			[ "$(status_field "/proc/$p/status" Seccomp 2>/dev/null)" = 2 ] && waiting=$p
		done
		[ -n "$waiting" ] && break
		sleep 0.05
	done
	[ -n "$waiting" ] || { kill -CONT "$BROKER_PID"; fail "no confined helper waits for the stopped broker: $(pgrep -a -x tapwarden-helpe)"; }
	expect_confined "/proc/$waiting/status" "$NO_CAPS" "helper (waiting for the broker)"
	kill -CONT "$BROKER_PID"
	RC=0
	wait "$runner" || RC=$?
	[ "$RC" = 0 ] || fail "run-like-qemu exit $RC: $(cat "$TMP/out" "$TMP/err")"
	expect_in "$TMP/out" '^helper_status=0$'
}

# User mode: the helper, the engine and the keeper are all confined; the
# engine keeps running confined after the hand-over.
t_confine_user_mode_processes() {
	need_test_hooks
	TEST_USER=twcf4
	make_user "$TEST_USER"
	mkdir -m 1777 "$TMP/u"
	# shellcheck disable=SC2016  # expanded by the inner shell
	hold_helper as_user "$TEST_USER" "$TW_RUN_LIKE_QEMU" "$TW_HELPER --config=$TMP/tapwarden.conf" user \
		-- sh -c 'for p in $(pgrep -u "$(id -u)" -x tapwarden-helpe); do
			cp /proc/$p/status '"$TMP"'/u/status.$p
			readlink /proc/$p/ns/net >'"$TMP"'/u/net.$p
		done'
	expect_confined "/proc/$HELPER_PID/status" "$NO_CAPS" "helper (user mode)"
	release_helper
	[ "$RC" = 0 ] || fail "run-like-qemu exit $RC: $(cat "$TMP/out" "$TMP/err")"
	expect_in "$TMP/out" '^helper_status=0$'
	own=$(readlink /proc/self/ns/net)
	n=0
	for f in "$TMP"/u/status.*; do
		p=${f##*.}
		if [ "$(cat "$TMP/u/net.$p")" = "$own" ]; then
			expect_confined "$f" "$NO_CAPS" "engine"
		else
			expect_confined "$f" "$NO_CAPS" "keeper"
		fi
		n=$((n + 1))
	done
	[ "$n" = 2 ] || fail "expected the engine and the keeper, saw $n"
}

# The helper, confined in each of its three paths, is stopped when it
# tries a forbidden call; QEMU gets no tap and none is left.
t_confine_helper_killed_on_forbidden_calls() {
	need_test_hooks
	broker_setup twcf5
	write_acl "allow twbr0"
	start_broker
	ulimit -c 0
	for action in execve shadow ptrace mount; do
		TAPWARDEN_TEST_CONFINED=helper:$action run_like_qemu twbr0
		rc=$(sed -n 's/^helper_status=//p' "$TMP/out")
		expect_stopped "$rc" "$TMP/err" "$action" "helper (direct mode)"
		[ "$RC" = 10 ] || fail "QEMU got a descriptor from a killed helper"
		TAPWARDEN_TEST_CONFINED=helper:$action user_run_like_qemu twcf5 net0
		rc=$(sed -n 's/^helper_status=//p' "$TMP/out")
		expect_stopped "$rc" "$TMP/err" "$action" "helper (broker)"
		[ "$RC" = 10 ] || fail "QEMU got a descriptor from a killed helper"
		TAPWARDEN_TEST_CONFINED=helper:$action run_user_mode
		rc=$(sed -n 's/^helper_status=//p' "$TMP/out")
		expect_stopped "$rc" "$TMP/err" "$action" "helper (user mode)"
		[ "$RC" = 10 ] || fail "QEMU got a descriptor from a killed helper"
		seccomp_log tapwarden-helpe
	done
	sleep 0.2
	no_tap_left
	expect_no_user_process
}

# The user-mode engine and keeper are stopped when they try a forbidden
# call once confined; the helper says so in its one line, and nothing is
# left.
t_confine_user_mode_engine_and_keeper_killed_on_forbidden_calls() {
	need_test_hooks
	TEST_USER=twcf6
	make_user "$TEST_USER"
	ulimit -c 0
	for who in engine keeper; do
		for action in execve shadow ptrace mount; do
			TAPWARDEN_TEST_CONFINED=$who:$action run_user_mode
			[ "$RC" = 10 ] || fail "$who:$action: QEMU got a tap (exit $RC): $(cat "$TMP/out" "$TMP/err")"
			if grep -q "test hook: shadow: Permission denied" "$TMP/err"; then
				echo "$who: $action: refused by Landlock"
				[ "$action" = shadow ] || fail "$who: $action: not killed: $(cat "$TMP/err")"
			else
				expect_one_error_line "$TMP/err" "$who killed by signal 31"
				echo "$who: $action: killed by SIGSYS"
			fi
			expect_no_user_process
		done
	done
}
run_test "$1"
