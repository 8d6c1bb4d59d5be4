# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# user_mode_lib.sh - what the user-mode integration tests share (sourced
# after lib.sh by user_mode.sh and user_mode_usernet.sh).
#
# User mode is for users with no privilege, so these tests run the helper
# and `tapwarden usernet` as an unprivileged user that the test set-up
# creates: one per test (tests run in parallel, and "no process of the user
# is left" must only see this test's processes), named twt-<hash of the
# test>, kept for the next run. $TMP is made readable (the user reads
# tapwarden.conf there) and $TMP/u is the user's writable directory.
#
# Environment from meson, besides lib.sh's: TW_TAPWARDEN (the tapwarden
# command).

# setup_user() - create (if needed) this test's user; set TEST_USER,
# TEST_UID, TEST_GID and AS_USER (the command prefix that runs as the user:
# "${AS_USER[@]}" CMD & makes $! CMD's own pid); make $TMP readable and
# $TMP/u the user's. At exit, every process of the user is killed (before
# lib.sh's own clean-up), so that no test leaves one.
setup_user() {
	TEST_USER=twt-$(echo "$1" | md5sum | cut -c1-8)
	for _ in $(seq 1 20); do
		id -u "$TEST_USER" >/dev/null 2>&1 && break
		# another test may hold the lock on /etc/passwd: try again
		useradd --system --no-create-home --shell /usr/sbin/nologin \
			"$TEST_USER" 2>/dev/null || sleep 0.2
	done
	TEST_UID=$(id -u "$TEST_USER") || fail "cannot create user $TEST_USER"
	TEST_GID=$(id -g "$TEST_USER")
	AS_USER=(setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --clear-groups --)
	local lib_trap
	lib_trap=$(trap -p EXIT)
	lib_trap=${lib_trap#trap -- \'}
	lib_trap=${lib_trap%\' EXIT}
	# expanded now, on purpose (lib.sh's trap takes the test's status from
	# $?: keep it for it); um_rc is assigned in the trap's own code
	# shellcheck disable=SC2064,SC2154
	trap "um_rc=\$?; kill_background; (exit \$um_rc); $lib_trap" EXIT
	chmod 755 "$TMP"
	mkdir "$TMP/u"
	chown "$TEST_UID:$TEST_GID" "$TMP/u"
}

# as_user() - run a command as the test's user, with no privilege
as_user() {
	"${AS_USER[@]}" "$@"
}

# kill_background() - end the test's background jobs and the user's
# processes (the EXIT trap set by setup_user)
kill_background() {
	local p
	for p in $(jobs -p) $(user_processes); do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}

# run_user_mode() - run the helper as QEMU does, as the test user, on
# network $1 with helper options $2 (a string); the rest is an optional
# `-- COMMAND`. Output in $TMP/out, helper's stderr in $TMP/err, status in $RC.
# shellcheck disable=SC2034  # $RC is the caller's, as lib.sh's run_like_qemu
run_user_mode() {
	local net=$1 opts=$2
	shift 2
	RC=0
	as_user "$TW_RUN_LIKE_QEMU" "$TW_HELPER --config=$TMP/tapwarden.conf $opts" \
		"$net" "$@" >"$TMP/out" 2>"$TMP/err" || RC=$?
}

# user_processes() - pids of the test user's processes, one per line
user_processes() {
	pgrep -u "$TEST_UID" || true
}

# expect_no_user_process() - within 5 s, the test user has no process left
expect_no_user_process() {
	local left
	for _ in $(seq 1 50); do
		left=$(user_processes)
		[ -n "$left" ] || return 0
		sleep 0.1
	done
	fail "processes of $TEST_USER left: $(ps -o pid=,args= -p "$(paste -sd, <<<"$left")")"
}

# serve_text() - a TCP service on ADDRESS:PORT that answers TEXT to every
# connection, in the background; in the current network
# namespace, or where the command prefix NETNS_PREFIX (an array) puts it
serve_text() {
	local in=("${NETNS_PREFIX[@]}")
	"${in[@]}" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(8)
while True:
    c, _ = s.accept(); c.sendall(sys.argv[3].encode() + b"\n"); c.close()
' "$1" "$2" "$3" &
	for _ in $(seq 1 50); do
		"${in[@]}" ss -Hltn "src $1:$2" | grep -q . && return 0
		sleep 0.1
	done
	fail "the test service on $1:$2 did not start"
}

NETNS_PREFIX=()

# read_from() - the first line served on ADDRESS:PORT, "" if none (2 s)
read_from() {
	timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2 && head -n 1 <&3" 2>/dev/null || true
}
