# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - what every integration test shares.
#
# An integration test is a bash function `t_NAME` in a test file; meson runs
# `bash FILE NAME` once per test (see meson.build). run_test re-executes the
# file inside fresh network and mount namespaces (unshare), so each test has
# its own kernel objects and leaves nothing on the host, then calls t_NAME.
# Tests need root and skip with exit 77 without it.
#
# Environment from meson: TW_HELPER (the built helper), TW_RUN_LIKE_QEMU (the
# tool that runs a helper as QEMU does), TW_DEFAULT_ACL (the bridge.conf path
# compiled into the helper), TW_TAPWARDEND and TW_TAPWARDEN (the broker and
# the command line).
#
# TAPWARDEN_SOCKET points into the test's own directory, so no broker of
# the host ever serves a test; broker tests start their own (start_broker).

set -euo pipefail

# fail() - print one line and fail the test
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# run_test() - run t_$1 of the calling file in new namespaces (network,
# mount, PID)
run_test() {
	local name=$1
	if [ "$(id -u)" != 0 ]; then
		echo "skip: integration tests need root"
		exit 77
	fi
	declare -F "t_$name" >/dev/null || fail "no test named $name"
	if [ -z "${TW_IN_NAMESPACES:-}" ]; then
		# a PID namespace too: whatever a test starts (a broker, taps'
		# holders) dies with it
		exec env TW_IN_NAMESPACES=1 unshare --net --mount --propagation private \
			--pid --fork --kill-child --mount-proc bash "$0" "$name"
	fi
	ip link set lo up
	TMP=$(mktemp -d /tmp/tapwarden-it.XXXXXX)
	# a test may mount below $TMP (in its private mount namespace)
	trap 'rc=$?; stop_broker || rc=1; umount -R "$TMP"/* 2>/dev/null || true; rm -rf "$TMP"; exit $rc' EXIT
	chmod 755 "$TMP"	# test users run helpers from here
	mkdir -m 1777 "$TMP/shared"	# and write their output here
	: >"$TMP/tapwarden.conf"	# empty configuration unless a test writes one
	: >"$TMP/bridge.conf"
	export TAPWARDEN_SOCKET=$TMP/broker.sock
	"t_$name"
	echo "ok: $name"
}

# make_bridge() - a bridge NAME, up, with MTU (default 1500)
make_bridge() {
	ip link add "$1" type bridge
	ip link set "$1" mtu "${2:-1500}" up
}

# write_acl() - write bridge.conf lines to $TMP/bridge.conf
write_acl() {
	printf '%s\n' "$@" >"$TMP/bridge.conf"
}

# helper_cmd() - the helper string QEMU would get, with test config paths
helper_cmd() {
	echo "$TW_HELPER --config=$TMP/tapwarden.conf --acl=$TMP/bridge.conf"
}

# run_like_qemu() - run the helper as QEMU does for bridge $1; the rest is
# an optional `-- COMMAND` run while the tap is open. Output in $TMP/out,
# helper's stderr in $TMP/err, status in $RC.
run_like_qemu() {
	local bridge=$1
	shift
	RC=0
	"$TW_RUN_LIKE_QEMU" "$(helper_cmd)" "$bridge" "$@" >"$TMP/out" 2>"$TMP/err" || RC=$?
}

# expect_in() - FILE must contain the extended regex PATTERN
expect_in() {
	grep -Eq -- "$2" "$1" || fail "expected /$2/ in $1: $(head -c 2000 "$1")"
}

# no_tap_left() - there is no tw* interface in this namespace
no_tap_left() {
	if ip -o link show | grep -Eq '^[0-9]+: tw[0-9]+[:@]'; then
		fail "tap left behind: $(ip -o link show | grep -E ': tw[0-9]')"
	fi
}

# expect_refused() - the last run_like_qemu failed cleanly with REASON:
# no fd, helper exit 1, exactly one stderr line "tapwarden: ...REASON...",
# and no tap left.
expect_refused() {
	expect_refusal "$1"
	no_tap_left
}

# expect_refusal() - as expect_refused, for a test that holds other taps
expect_refusal() {
	[ "$RC" = 10 ] || fail "run-like-qemu exit $RC, expected 10 (no fd): $(cat "$TMP/out")"
	expect_in "$TMP/out" '^helper_status=1$'
	expect_one_error_line "$TMP/err" "$1"
}

# expect_one_error_line() - FILE is one line "tapwarden: ...PATTERN..."
expect_one_error_line() {
	local lines
	lines=$(wc -l <"$1")
	[ "$lines" = 1 ] || fail "expected one line of error, got $lines: $(cat "$1")"
	expect_in "$1" "^tapwarden: .*$2"
}

# make_user() - create user NAME (and its group) unless it exists; the rest
# are supplementary groups, created as needed. Serialized: tests run in
# parallel and useradd takes a lock of its own that it does not wait for.
make_user() {
	local name=$1 group
	shift
	(
		flock 9
		for group in "$@"; do
			getent group "$group" >/dev/null || groupadd "$group"
		done
		if ! id "$name" >/dev/null 2>&1; then
			useradd --no-create-home --shell /usr/sbin/nologin \
				--user-group ${1:+--groups "$(IFS=,; echo "$*")"} "$name"
		else
			for group in "$@"; do
				id -nG "$name" | grep -qw "$group" || usermod -aG "$group" "$name"
			done
		fi
	) 9>/run/tapwarden-test-users.lock
}

# as_user() - run a command as USER with its groups (no privilege at all)
as_user() {
	local user=$1
	shift
	setpriv --reuid="$user" --regid="$user" --init-groups \
		--inh-caps=-all --bounding-set=-all -- "$@"
}

# start_broker() - tapwardend on $TAPWARDEN_SOCKET with the test's
# tapwarden.conf and bridge.conf ($BROKER_CONFIG and $BROKER_ACL when a
# test sets them), NAT's dnsmasq files in $TMP/run, logging
# to $TMP/broker.log; waits until it listens. Its pid is in $BROKER_PID.
# Extra arguments go to tapwardend.
# shellcheck disable=SC2120  # the extra arguments are optional
start_broker() {
	mkdir -p "$TMP/run"
	"$TW_TAPWARDEND" --socket="$TAPWARDEN_SOCKET" \
		--config="${BROKER_CONFIG:-$TMP/tapwarden.conf}" \
		--acl="${BROKER_ACL:-$TMP/bridge.conf}" --run-dir="$TMP/run" "$@" \
		>>"$TMP/broker.log" 2>&1 &
	BROKER_PID=$!
	for _ in $(seq 100); do
		[ -S "$TAPWARDEN_SOCKET" ] && grep -q "live leases" "$TMP/broker.log" && return 0
		kill -0 "$BROKER_PID" 2>/dev/null || fail "tapwardend exited: $(cat "$TMP/broker.log")"
		sleep 0.05
	done
	fail "tapwardend did not start: $(cat "$TMP/broker.log")"
}

# stop_broker() - SIGTERM the broker start_broker started, if it runs, and
# fail unless it exits 0: under AddressSanitizer a leak makes it exit 23
stop_broker() {
	local rc=0
	[ -n "${BROKER_PID:-}" ] && kill -0 "$BROKER_PID" 2>/dev/null || return 0
	kill -TERM "$BROKER_PID"
	wait "$BROKER_PID" || rc=$?
	BROKER_PID=
	[ "$rc" = 0 ] && return 0
	echo "FAIL: tapwardend exited $rc when stopped: $(tail -n 30 "$TMP/broker.log")" >&2
	return 1
}

# user_run_like_qemu() - as USER, run the plain helper (served by the broker)
# for NAME as QEMU does; the rest is an optional `-- COMMAND`. Output in
# $TMP/out, stderr in $TMP/err, status in $RC (as run_like_qemu).
user_run_like_qemu() {
	local user=$1 name=$2
	shift 2
	RC=0
	as_user "$user" "$TW_RUN_LIKE_QEMU" "$TW_HELPER" "$name" "$@" \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
}

# kernel_taps() - the tw* interfaces of this namespace, sorted, one a line
kernel_taps() {
	ip -o link show | sed -n 's/^[0-9]*: \(tw[0-9]*\)[:@].*/\1/p' | sort
}

# fd_count() - open descriptors of process PID
fd_count() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 -printf . | wc -c
}
