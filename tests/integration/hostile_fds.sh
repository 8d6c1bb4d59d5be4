#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile_fds.sh - descriptors whose close blocks, and a broker that stops
# answering (issue 16, docs/hostile-inputs.md "Descriptors that block").
#
# Each attack is made for real by an unprivileged user: a TCP socket with
# unsent data and SO_LINGER whose peer never reads, passed beyond the four
# descriptors the broker used to make room for (hostile_fds_client.py); a
# file on the user's own FUSE mount whose FLUSH is never answered
# (tests/tools/fuse-stuck.c). Each test checks what the others still get:
# root's `tapwarden list`, other users' helpers, a bridge.conf include read
# as the caller (setgroups), and the broker's descriptor count. The closer
# process itself is checked (confined, dies with the broker), and so are
# the clients' own bounds: the helper and the command line give up on a
# broker that stops answering (the real one, stopped with SIGSTOP), and the
# command line takes no descriptor (a fake broker tries to send one).
# Usage: hostile_fds.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

# fail() - lib.sh's, after letting go of what a test holds (a stopped
# broker, the FUSE server), so that the broker can be stopped at the end
FDS_CLEANUP=()
fail() {
	local c
	for c in "${FDS_CLEANUP[@]}"; do eval "$c" >/dev/null 2>&1 || true; done
	echo "FAIL: $*" >&2
	exit 1
}

# fds_setup() - users tw-alice and tw-bob (the attacker), network lab for
# both, bridge twbr1 through bridge.conf whose include only tw-alice reads
# (so her request on it switches to her groups: setgroups), a broker; its
# descriptor count in $BROKER_FDS
fds_setup() {
	make_user tw-alice
	make_user tw-bob
	make_bridge twbr0
	make_bridge twbr1
	printf '%s\n' "[network lab]" "bridge=twbr0" "allow-users=tw-alice;tw-bob" \
		>"$TMP/tapwarden.conf"
	echo "allow twbr1" >"$TMP/alice.conf"
	chown tw-alice "$TMP/alice.conf"
	chmod 600 "$TMP/alice.conf"
	write_acl "include $TMP/alice.conf"
	start_broker
	BROKER_FDS=$(fd_count "$BROKER_PID")
}

# served_within() - as USER, a helper for NAME gets its tap within SECONDS
served_within() {
	local user=$1 name=$2 seconds=$3
	RC=0
	as_user "$user" timeout "$seconds" "$TW_RUN_LIKE_QEMU" "$TW_HELPER" "$name" \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "$user's helper for $name not served in $seconds s (exit $RC): $(cat "$TMP/err") broker: $(tail -n 5 "$TMP/broker.log")"
}

# list_within() - root's `tapwarden list` answers within SECONDS
list_within() {
	local start end
	start=$(date +%s%N)
	timeout "$1" "$TW_TAPWARDEN" list >"$TMP/list" 2>&1 ||
		fail "root's tapwarden list did not answer in $1 s: $(cat "$TMP/list")"
	end=$(date +%s%N)
	echo "tapwarden list: $(( (end - start) / 1000000 )) ms"
}

# fds_back_to() - the broker's descriptors come back to N within SECONDS
fds_back_to() {
	local n=$1 seconds=$2
	for _ in $(seq $((seconds * 10))); do
		[ "$(fd_count "$BROKER_PID")" -le "$n" ] && return 0
		sleep 0.1
	done
	fail "broker fds: $n expected, $(fd_count "$BROKER_PID") after $seconds s"
}

t_hostile_fds_lingering_socket_beyond_four_descriptors_freezes_nothing() {
	fds_setup
	# stopped, the broker cannot receive before the client closed its own
	# copy: the one reference left is the one in flight
	kill -STOP "$BROKER_PID"
	# shellcheck disable=SC2016  # expanded when fail() runs them
	FDS_CLEANUP+=('kill -CONT "$BROKER_PID"' 'kill "${bob:-}"')
	as_user tw-bob /usr/bin/python3 "$(dirname "$0")/hostile_fds_client.py" \
		"$TAPWARDEN_SOCKET" lingering 253 600 >"$TMP/bob" 2>&1 &
	local bob=$!
	for _ in $(seq 100); do grep -q '^sent' "$TMP/bob" && break; sleep 0.05; done
	expect_in "$TMP/bob" '^sent'
	kill -CONT "$BROKER_PID"
	list_within 5
	served_within tw-alice lab 5
	served_within tw-alice twbr1 5
	for _ in $(seq 50); do grep -q ' after ' "$TMP/bob" && break; sleep 0.1; done
	expect_in "$TMP/bob" '^error .*unexpected descriptors attached after'
	# all 253 closed in the end (the closer stuck on the socket is killed)
	fds_back_to "$BROKER_FDS" 10
	expect_in "$TMP/broker.log" 'closing a descriptor of uid [0-9]+ .* killed'
	kill "$bob"
	kill -0 "$BROKER_PID" || fail "broker died"
}

# start_fuse_attacker TENTHS ARGS... - tw-bob's FUSE server (tests/tools/
# fuse-stuck.c, in its own user and mount namespaces) passing the broker
# files whose FLUSH it never answers (ARGS: how many, ms apart); its pid in
# $bob, its output in $TMP/bob, its stdin open on fd 8 (closing fd 8 ends
# it); waits up to TENTHS tenths of a second for it to say "ready". Skips
# (77) without unprivileged user namespaces.
start_fuse_attacker() {
	local tenths=$1 fifo=$TMP/fuse-in
	shift
	if ! as_user tw-bob unshare -Urm true 2>/dev/null; then
		echo "skip: no unprivileged user namespaces"
		exit 77
	fi
	mkfifo "$fifo"
	chmod 666 "$fifo"
	as_user tw-bob "$TW_FUSE_STUCK" "$TAPWARDEN_SOCKET" "$@" <"$fifo" >"$TMP/bob" 2>&1 &
	bob=$!
	exec 8>"$fifo"
	# shellcheck disable=SC2016  # expanded when fail() runs them
	FDS_CLEANUP+=('exec 8>&-' 'kill "${bob:-}"' 'sleep 1')
	for _ in $(seq "$tenths"); do grep -q '^ready' "$TMP/bob" && break; sleep 0.1; done
}

t_hostile_fds_fuse_file_whose_flush_never_ends_jams_no_one_else() {
	fds_setup
	# 24 descriptors, 0.1 s apart: the closer is killed after 0.5 s on
	# each, and two stuck closers turn tw-bob away
	start_fuse_attacker 600 24 100
	expect_in "$TMP/bob" '^ready'
	expect_in "$TMP/bob" '^answered'
	local held answered
	held=$(sed -n 's/^flushes //p' "$TMP/bob")
	answered=$(grep -c '^answered' "$TMP/bob" || true)
	echo "attacker: $answered of 24 answered, $held flushes held"
	[ "$held" -ge 1 ] || fail "the broker sent no FLUSH: not a test of anything: $(cat "$TMP/bob")"
	# everyone else: served as before, more requests than the attacker made
	list_within 5
	for i in $(seq 30); do
		served_within tw-alice lab 5
		[ $((i % 10)) = 0 ] && echo "tw-alice: $i served"
	done
	# a request that reads a bridge.conf include with the caller's groups
	served_within tw-alice twbr1 5
	list_within 5
	# what the attack gets: two closers stuck, then turned away (its
	# connections closed, not left unanswered)
	[ "$held" -le 2 ] || fail "$held closes stuck on the attacker's file, 2 at most expected"
	expect_in "$TMP/bob" '^closed'
	! grep -q '^silent' "$TMP/bob" || fail "the attacker's connections were left unanswered: $(grep -c '^silent' "$TMP/bob") of 24"
	# what the attacker holds is bounded: a few stuck closers, no pile
	local now
	now=$(fd_count "$BROKER_PID")
	echo "broker fds: $BROKER_FDS at start, $now with the attack held"
	[ "$now" -le $((BROKER_FDS + answered + 2)) ] ||
		fail "broker fds grew from $BROKER_FDS to $now ($answered passed files kept, 2 closers stuck)"
	# the attacker's server goes: the kernel aborts its connection, every
	# stuck close returns, nothing is kept
	exec 8>&-
	wait "$bob" || true
	fds_back_to "$BROKER_FDS" 10
	served_within tw-bob lab 5
}

t_hostile_fds_include_read_as_the_caller_while_a_close_is_stuck() {
	fds_setup
	start_fuse_attacker 100 1
	expect_in "$TMP/bob" '^flushes 1$'
	# while that close is stuck: tw-alice's bridge.conf include is read
	# with her groups (setgroups), then root lists
	served_within tw-alice twbr1 5
	list_within 5
	exec 8>&-
	wait "$bob" || true
	fds_back_to "$BROKER_FDS" 10
}

t_hostile_fds_closer_is_confined_shares_only_descriptors_and_dies_with_the_broker() {
	fds_setup
	local closer status
	closer=$(pgrep -P "$BROKER_PID" | while read -r p; do
		[ "$(cat "/proc/$p/comm")" = tw-fd-closer ] && echo "$p"; done)
	[ "$(wc -w <<<"$closer")" = 1 ] || fail "expected one tw-fd-closer, got: $closer"
	status=$(cat "/proc/$closer/status")
	echo "closer: $(grep -E '^(NoNewPrivs|Seccomp|CapEff|CapBnd):' <<<"$status" | tr '\n\t' '  ')"
	grep -q '^NoNewPrivs:.1$' <<<"$status" || fail "closer without NoNewPrivs"
	grep -q '^Seccomp:.2$' <<<"$status" || fail "closer without a seccomp filter"
	grep -q '^CapEff:.00000000000010c0$' <<<"$status" || fail "closer's capabilities are not the broker's"
	grep -q '^CapBnd:.0000000000000000$' <<<"$status" || fail "closer's bounding set is not empty"
	# the same descriptor table (CLONE_FILES), its own memory
	[ "$(readlink "/proc/$closer/fd/0")" = "$(readlink "/proc/$BROKER_PID/fd/0")" ] ||
		fail "closer does not share the broker's descriptors"
	[ "$(fd_count "$closer")" = "$(fd_count "$BROKER_PID")" ] ||
		fail "closer does not share the broker's descriptor table"
	[ "$(stat -L -c %i "/proc/$closer/ns/mnt")" = "$(stat -L -c %i "/proc/$BROKER_PID/ns/mnt")" ] ||
		fail "closer in another mount namespace"
	served_within tw-alice lab 5
	# killed, the broker takes its closer with it: nothing keeps its
	# descriptors (its socket) open
	kill -KILL "$BROKER_PID"
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=
	for _ in $(seq 50); do kill -0 "$closer" 2>/dev/null || break; sleep 0.02; done
	! kill -0 "$closer" 2>/dev/null || fail "tw-fd-closer outlived the broker"
	start_broker
	served_within tw-alice lab 5
}

# broker_stops_answering() - a broker that takes connections and never
# answers: the real one, stopped (SIGSTOP); it goes on at the test's end
broker_stops_answering() {
	make_user tw-alice
	make_bridge twbr0
	printf '%s\n' "[network lab]" "bridge=twbr0" "allow-users=tw-alice" \
		>"$TMP/tapwarden.conf"
	start_broker
	kill -STOP "$BROKER_PID"
	# shellcheck disable=SC2016  # expanded when fail() runs it
	FDS_CLEANUP+=('kill -CONT "$BROKER_PID"')
}

t_hostile_fds_helper_gives_up_on_a_broker_that_stops_answering() {
	broker_stops_answering
	local start end
	start=$(date +%s)
	RC=0
	as_user tw-alice timeout 60 "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	end=$(date +%s)
	kill -CONT "$BROKER_PID"
	echo "helper gave up after $((end - start)) s"
	[ "$RC" != 124 ] || fail "the helper waited for ever on a silent broker"
	expect_refusal 'tapwardend at .* did not answer in 30 s'
	no_tap_left
}

t_hostile_fds_cli_gives_up_on_a_broker_that_stops_answering() {
	broker_stops_answering
	local start end
	start=$(date +%s)
	RC=0
	timeout 60 "$TW_TAPWARDEN" list >"$TMP/out" 2>"$TMP/err" || RC=$?
	end=$(date +%s)
	kill -CONT "$BROKER_PID"
	echo "tapwarden list gave up after $((end - start)) s"
	[ "$RC" = 2 ] || fail "tapwarden list exit $RC (124: waited for ever): $(cat "$TMP/err")"
	expect_one_error_line "$TMP/err" 'tapwardend at .* did not answer in 10 s'
}

t_hostile_fds_cli_gives_up_on_a_broker_whose_backlog_is_full() {
	broker_stops_answering
	python3 "$(dirname "$0")/hostile_fds_client.py" "$TAPWARDEN_SOCKET" fill-backlog >"$TMP/fill" 2>&1 &
	local fill=$! start end
	# shellcheck disable=SC2016  # expanded when fail() runs it
	FDS_CLEANUP+=('kill "$fill"')
	for _ in $(seq 100); do grep -q '^holding' "$TMP/fill" && break; sleep 0.05; done
	expect_in "$TMP/fill" '^holding [0-9]+'
	start=$(date +%s)
	RC=0
	timeout 60 "$TW_TAPWARDEN" list >"$TMP/out" 2>"$TMP/err" || RC=$?
	end=$(date +%s)
	kill "$fill"
	kill -CONT "$BROKER_PID"
	echo "$(cat "$TMP/fill"); tapwarden list gave up after $((end - start)) s"
	[ "$RC" = 2 ] || fail "tapwarden list exit $RC (124: waited for ever): $(cat "$TMP/err")"
	expect_one_error_line "$TMP/err" 'tapwardend at .* did not take the connection in 30 s'
}

t_hostile_fds_cli_takes_no_descriptor_from_its_broker() {
	local fake=$TMP/fake.sock
	python3 "$(dirname "$0")/hostile_fds_client.py" "$fake" fake-broker >"$TMP/fake" 2>&1 &
	for _ in $(seq 100); do grep -q '^listening' "$TMP/fake" && break; sleep 0.05; done
	RC=0
	timeout 10 "$TW_TAPWARDEN" --socket="$fake" list >"$TMP/out" 2>"$TMP/err" || RC=$?
	for _ in $(seq 100); do grep -q '^done' "$TMP/fake" && break; sleep 0.05; done
	cat "$TMP/fake"
	# SO_PASSRIGHTS (Linux 6.16): the kernel refuses to queue it at all,
	# and the answer comes without it; before, the command line refuses
	# the answer that carries one, in one line, and closes it
	local major minor
	IFS=. read -r major minor _ <<<"$(uname -r)"
	if [ "$major" -gt 6 ] || { [ "$major" = 6 ] && [ "${minor%%[!0-9]*}" -ge 16 ]; }; then
		expect_in "$TMP/fake" '^fd refused: EPERM'
		[ "$RC" = 0 ] || fail "tapwarden list: exit $RC: $(cat "$TMP/err")"
	else
		expect_in "$TMP/fake" '^fd sent'
		[ "$RC" = 2 ] || fail "tapwarden list took an answer with a descriptor (exit $RC)"
		expect_one_error_line "$TMP/err" 'unexpected descriptors attached'
	fi
}

run_test "$1"
