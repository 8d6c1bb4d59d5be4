# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# user_mode_usernet.sh - `tapwarden usernet PID`: the user-mode engine gives
# another process's network namespace its network, as slirp4netns does. As
# for rootless containers, the namespace and the command belong to a user
# with no privilege (made by the test set-up).
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
. "$here/user_mode_lib.sh"

# start_namespace() - as the test user, a process in new user and network
# namespaces, as `unshare -r -n` (a rootless container) makes them; its pid
# in $NS_PID
start_namespace() {
	"${AS_USER[@]}" unshare --user --map-root-user --net sleep 300 &
	NS_PID=$!
	for _ in $(seq 1 50); do
		[ "$(readlink /proc/$NS_PID/ns/net)" != "$(readlink /proc/self/ns/net)" ] && return 0
		sleep 0.1
	done
	fail "the namespace process did not start"
}

# in_namespace() - run a command (as root) in the namespace's network
in_namespace() {
	nsenter -t "$NS_PID" -n -- "$@"
}

# start_usernet() - as the test user, `tapwarden usernet $NS_PID OPTIONS...`
# in the background, pid in $USERNET_PID; waits until it reports ready
start_usernet() {
	: >"$TMP/u/ready"
	"${AS_USER[@]}" "$TW_TAPWARDEN" usernet "$NS_PID" --ready-fd=3 "$@" \
		3>"$TMP/u/ready" 2>"$TMP/err" &
	USERNET_PID=$!
	for _ in $(seq 1 50); do
		[ -s "$TMP/u/ready" ] && return 0
		kill -0 "$USERNET_PID" 2>/dev/null || fail "usernet exited: $(cat "$TMP/err")"
		sleep 0.1
	done
	fail "usernet did not report ready: $(cat "$TMP/err")"
}

# run_usernet() - run usernet in the foreground; status in $RC, stderr in
# $TMP/err
run_usernet() {
	RC=0
	timeout 10 "${AS_USER[@]}" "$TW_TAPWARDEN" usernet "$NS_PID" "$@" \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
}

# The namespace gets its configuration without DHCP: tap0 up with
# 10.0.2.100/24 and the MTU asked for, the default route via 10.0.2.2, lo up.
t_usernet_configures_namespace() {
	setup_user usernet_configures_namespace
	start_namespace
	start_usernet --mtu=65520
	in_namespace ip -o -4 addr show dev tap0 >"$TMP/addr"
	expect_in "$TMP/addr" 'inet 10\.0\.2\.100/24 '
	in_namespace ip -o link show dev tap0 >"$TMP/link"
	expect_in "$TMP/link" 'mtu 65520 '
	expect_in "$TMP/link" '<[^>]*UP[^>]*>'
	in_namespace ip -4 route show default >"$TMP/route"
	expect_in "$TMP/route" '^default via 10\.0\.2\.2 dev tap0'
	in_namespace ip -o link show dev lo >"$TMP/lo"
	expect_in "$TMP/lo" '<[^>]*UP[^>]*>'
}

# Through the gateway, the namespace reaches a service on the host's
# loopback (by default), over TCP.
t_usernet_reaches_host_loopback() {
	setup_user usernet_reaches_host_loopback
	serve_text 127.0.0.1 8080 hello-from-host
	start_namespace
	start_usernet
	got=$(in_namespace bash -c "$(declare -f read_from); read_from 10.0.2.2 8080")
	[ "$got" = hello-from-host ] || fail "10.0.2.2:8080 gave '$got'"
}

# --no-host-loopback shuts that door.
t_usernet_no_host_loopback() {
	setup_user usernet_no_host_loopback
	serve_text 127.0.0.1 8080 hello-from-host
	start_namespace
	start_usernet --no-host-loopback
	got=$(in_namespace bash -c "$(declare -f read_from); read_from 10.0.2.2 8080")
	[ -z "$got" ] || fail "10.0.2.2:8080 answered '$got' despite --no-host-loopback"
}

# A --hostfwd port on the host reaches a service in the namespace.
t_usernet_hostfwd_reaches_namespace() {
	setup_user usernet_hostfwd_reaches_namespace
	start_namespace
	start_usernet --hostfwd=tcp:127.0.0.1:2222-:22
	NETNS_PREFIX=(nsenter -t "$NS_PID" -n --)
	serve_text 0.0.0.0 22 hello-from-namespace
	for _ in $(seq 1 30); do
		got=$(read_from 127.0.0.1 2222)
		[ "$got" = hello-from-namespace ] && return 0
		sleep 0.1
	done
	fail "127.0.0.1:2222 gave '$got'"
}

# usernet lives as long as the namespace's process: it exits 0 after it,
# and the tap goes with it.
t_usernet_exits_with_the_process() {
	setup_user usernet_exits_with_the_process
	start_namespace
	start_usernet
	kill "$NS_PID"
	for _ in $(seq 1 50); do
		kill -0 "$USERNET_PID" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$USERNET_PID" 2>/dev/null || fail "usernet still runs after its process exited"
	rc=0
	wait "$USERNET_PID" || rc=$?
	[ "$rc" = 0 ] || fail "usernet exited $rc: $(cat "$TMP/err")"
	expect_no_user_process
}

# Bad options (malformed hostfwd, port in use, MTU out of range, no such
# process) fail with one line and exit 1, and make no tap.
t_usernet_refuses_bad_options() {
	setup_user usernet_refuses_bad_options
	serve_text 127.0.0.1 2222 taken
	start_namespace
	for args in "--hostfwd=tcp::2222" "--hostfwd=tcp:127.0.0.1:2222-:22" \
		    "--mtu=65521" "--mtu=1279"; do
		run_usernet "$args"
		[ "$RC" = 1 ] || fail "usernet $args: exit $RC, expected 1"
		case $args in
		--mtu=*) expect_one_error_line "$TMP/err" "MTU .* is not a number from 1280 to 65520" ;;
		*:22) expect_one_error_line "$TMP/err" "Address already in use" ;;
		*) expect_one_error_line "$TMP/err" "hostfwd" ;;
		esac
		! in_namespace ip link show dev tap0 >/dev/null 2>&1 || fail "usernet $args left tap0"
	done
	NS_PID=999999999
	run_usernet
	[ "$RC" = 1 ] || fail "usernet of no process: exit $RC"
	expect_one_error_line "$TMP/err" "no process 999999999"
}

run_test "$@"
