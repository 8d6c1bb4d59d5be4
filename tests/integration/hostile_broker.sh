#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile_broker.sh - what a local user (or a second broker) can do to
# tapwardend around the requests themselves (issue 16, audit findings 6,
# 9, 11 and 13; docs/hostile-inputs.md, "Around the broker"):
#
#   * a second broker in another network namespace sharing the run
#     directory: each network namespace keeps its own dnsmasq (finding 6);
#   * a client that never reads a long answer: other users are served at
#     once, the connection is dropped after its deadline (finding 9);
#   * a tap handed to a child that makes it persistent after the holder
#     exited: removed all the same (finding 11);
#   * forged link removals on the watch socket, access lists of others'
#     networks, root's usernet in a user's namespace, the socket's mode
#     (finding 13).
#
# Each test runs in its own namespaces (lib.sh). Usage: hostile_broker.sh
# TEST_NAME (meson passes it).
# shellcheck disable=SC2016  # wait_until's conditions are quoted for its eval
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3

# dnsmasqs_of() - pids of the dnsmasq processes of network NAME (any
# network namespace: they share the run directory)
dnsmasqs_of() {
	pgrep -f -- "^/usr/sbin/dnsmasq .*--pid-file=$TMP/run/$1.pid" || true
}

# netdev_id() - what identifies the network namespace of process PID
netdev_id() {
	stat -c '%d:%i' "/proc/$1/net/dev"
}

# wait_until() - wait up to 10 s for the shell condition COND
wait_until() {
	for _ in $(seq 200); do
		eval "$1" && return 0
		sleep 0.05
	done
	return 1
}

# start_second_broker() - a broker in a network namespace of its own, with
# the same configuration and run directory, on $TMP/b.sock; its pid (the
# namespace's first process) in $BROKER_B_PID
start_second_broker() {
	unshare --net bash -c 'ip link set lo up; exec "$0" "$@"' \
		"$TW_TAPWARDEND" --socket="$TMP/b.sock" --config="$TMP/tapwarden.conf" \
		--acl="$TMP/bridge.conf" --run-dir="$TMP/run" >>"$TMP/broker-b.log" 2>&1 &
	BROKER_B_PID=$!
	wait_until 'grep -q "live leases" "$TMP/broker-b.log"' ||
		fail "second broker did not start: $(cat "$TMP/broker-b.log")"
}

t_dnsmasq_of_another_network_namespace_is_neither_adopted_nor_stopped() {
	printf '%s\n' "[network lab]" "mode=nat" "bridge=twnat0" \
		"address=10.77.0.1/24" >"$TMP/tapwarden.conf"
	start_broker
	"$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab >"$TMP/out" 2>&1 ||
		fail "broker A refused: $(cat "$TMP/out")"
	wait_until '[ "$(dnsmasqs_of lab | wc -l)" = 1 ]' ||
		fail "no dnsmasq for A: $(cat "$TMP/broker.log")"
	local a b
	a=$(dnsmasqs_of lab)
	[ "$(netdev_id "$a")" = "$(netdev_id $$)" ] || fail "A's dnsmasq is not in A's namespace"

	# the same network name and run directory, another namespace
	start_second_broker
	TAPWARDEN_SOCKET=$TMP/b.sock "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab >"$TMP/out" 2>&1 ||
		fail "broker B refused: $(cat "$TMP/out") $(cat "$TMP/broker-b.log")"
	wait_until '[ "$(dnsmasqs_of lab | wc -l)" = 2 ]' ||
		fail "B did not start a dnsmasq of its own (adopted A's?): [$(dnsmasqs_of lab | tr '\n' ' ')] $(cat "$TMP/broker-b.log")"
	kill -0 "$a" || fail "B stopped A's dnsmasq"
	b=$(dnsmasqs_of lab | grep -vx "$a")
	[ "$(netdev_id "$b")" = "$(netdev_id "$BROKER_B_PID")" ] ||
		fail "B's dnsmasq is not in B's namespace"
	# B says its own pid
	TAPWARDEN_SOCKET=$TMP/b.sock "$TW_TAPWARDEN" networks >"$TMP/nets"
	expect_in "$TMP/nets" "dnsmasq running \\(pid $b\\)"

	# a changed network in B replaces B's dnsmasq only
	sed -i 's,^address=.*,address=10.78.0.1/24,' "$TMP/tapwarden.conf"
	kill -HUP "$BROKER_B_PID"
	wait_until '! kill -0 "$b" 2>/dev/null' || fail "B kept its old dnsmasq"
	wait_until '[ "$(dnsmasqs_of lab | wc -l)" = 2 ]' ||
		fail "B has no new dnsmasq: [$(dnsmasqs_of lab | tr '\n' ' ')] $(tail -5 "$TMP/broker-b.log")"
	kill -0 "$a" || fail "B's reload stopped A's dnsmasq"
	kill -TERM "$BROKER_B_PID"
	wait "$BROKER_B_PID" || fail "broker B exited $?"
}

# lab_network() - network lab on bridge twbr0; the rest are KEY=VALUE lines
lab_network() {
	make_bridge twbr0
	printf '%s\n' "[network lab]" "bridge=twbr0" "$@" >"$TMP/tapwarden.conf"
}

# wait_no_tap() - wait up to 5 s until no tw* interface is left
wait_no_tap() {
	for _ in $(seq 100); do
		[ -z "$(kernel_taps)" ] && return 0
		sleep 0.05
	done
	no_tap_left
}

# The holder (QEMU's stand-in) forks a child that keeps the tap open and
# exits: the broker keeps the tap (handed on, as libvirt does). The child
# then makes it persistent and exits: no one holds it, and it must go.
t_tap_made_persistent_by_a_child_after_its_holder_exited_is_removed() {
	make_user tw-alice
	lab_network "allow-users=tw-alice"
	start_broker
	RC=0
	as_user tw-alice "$TW_RUN_LIKE_QEMU" --pass-fd "$TW_HELPER" lab -- $PY -c '
import fcntl, os, sys, time
fd, go, done = int(os.environ["TW_TAP_FD"]), sys.argv[1], sys.argv[2]
if os.fork():
    sys.exit(0)             # the command ends: the holder closes and exits
os.setsid()
for i in range(1000):       # the test says when the broker kept the tap
    if os.path.exists(go):
        break
    time.sleep(0.01)
fcntl.ioctl(fd, 0x400454cb, 1)      # TUNSETPERSIST
open(done, "w").close()' "$TMP/shared/go" "$TMP/shared/persisted" \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "could not run ($RC): $(cat "$TMP/err") $(cat "$TMP/out")"
	wait_until 'grep -Eq "kept tw[0-9]+: its holder" "$TMP/broker.log"' ||
		fail "the broker did not keep the tap: $(cat "$TMP/broker.log")"
	[ -n "$(kernel_taps)" ] || fail "the tap went while the child held it"
	touch "$TMP/shared/go"
	wait_until '[ -e "$TMP/shared/persisted" ]' || fail "the child did not make the tap persistent"
	wait_no_tap
	wait_until 'grep -Eq "removed tw[0-9]+: its holder \(pid [0-9]+\) is gone" "$TMP/broker.log"' ||
		fail "no removal logged: $(tail -5 "$TMP/broker.log")"
	"$TW_TAPWARDEN" list >"$TMP/list"
	! grep -q '^tw[0-9]' "$TMP/list" || fail "the lease is still listed: $(cat "$TMP/list")"
}

# request_ms() - milliseconds USER's `tapwarden check USER NETWORK` takes
request_ms() {
	local start end
	start=$(date +%s%N)
	as_user "$1" "$TW_TAPWARDEN" check "$1" "$2" >/dev/null ||
		fail "check of $1 on $2 failed"
	end=$(date +%s%N)
	echo $(((end - start) / 1000000))
}

# unread_networks() - as USER, ask for the network list on N connections
# and read nothing for SECONDS; touches $TMP/shared/asked once all asked
unread_networks() {
	as_user "$1" $PY -c '
import socket, struct, sys, time
path, n, seconds, asked = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
conns = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.send(struct.pack("=IHHI", 0x52425754, 1, 4, 12))  # REQ_NETWORKS
    conns.append(s)
open(asked, "w").close()
time.sleep(seconds)' "$TAPWARDEN_SOCKET" "$2" "$3" "$TMP/shared/asked"
}

# A user asks for the 1500 networks on 4 connections and reads nothing:
# the broker answers others at once meanwhile (it waited 2 s per
# connection on a blocked send), drops the 4 when they take nothing for
# 2 s, and keeps no descriptor of them; a reader still gets every row.
t_unread_network_list_stalls_no_other_request_and_is_dropped() {
	make_user tw-alice
	make_user tw-mallory
	make_bridge twbr0
	$PY -c 'for i in range(1500): print("[network n%d]\nbridge=twbr0\nallow-users=tw-alice;tw-mallory\n" % i)' \
		>"$TMP/tapwarden.conf"
	start_broker
	local fds quiet worst=0 ms
	fds=$(fd_count "$BROKER_PID")
	quiet=$(request_ms tw-alice n1)
	unread_networks tw-mallory 4 6 &
	local unread=$!
	wait_until '[ -e "$TMP/shared/asked" ]' || fail "the unread client did not ask"
	for _ in 1 2 3 4 5; do
		ms=$(request_ms tw-alice n1)
		[ "$ms" -gt "$worst" ] && worst=$ms
		sleep 0.1
	done
	echo "request latency: ${quiet} ms quiet, at most ${worst} ms with 4 unread lists of 1500 networks"
	[ "$worst" -lt 1000 ] || fail "other users waited ${worst} ms (quiet: ${quiet} ms)"
	wait_until '[ "$(grep -c "dropped a connection of uid [0-9]* that did not take its answer" "$TMP/broker.log")" = 4 ]' ||
		fail "unread connections not dropped: $(tail -5 "$TMP/broker.log")"
	wait_until '[ "$(fd_count "$BROKER_PID")" = "$fds" ]' ||
		fail "the broker holds $(fd_count "$BROKER_PID") descriptors, $fds before"
	as_user tw-alice "$TW_TAPWARDEN" networks >"$TMP/nets"
	[ "$(grep -c '^n[0-9]' "$TMP/nets")" = 1500 ] || fail "a reader got $(grep -c '^n[0-9]' "$TMP/nets") of 1500 rows"
	wait "$unread"
}

# allow-users and allow-groups name people: a user sees whether they may
# use each network, root sees the lists
t_network_access_lists_are_shown_to_root_only() {
	make_user tw-alice
	make_user tw-bob
	make_bridge twbr0
	printf '%s\n' "[network lab]" "bridge=twbr0" "allow-users=tw-alice;tw-secret-admin" \
		"[network ops]" "bridge=twbr0" "allow-groups=tw-secret-ops" >"$TMP/tapwarden.conf"
	start_broker
	as_user tw-bob "$TW_TAPWARDEN" networks >"$TMP/nets"
	! grep -q 'secret\|tw-alice' "$TMP/nets" || fail "a user sees others' access lists: $(cat "$TMP/nets")"
	expect_in "$TMP/nets" '^lab +bridge +twbr0 +0 +- +no +-$'
	as_user tw-alice "$TW_TAPWARDEN" networks >"$TMP/nets"
	expect_in "$TMP/nets" '^lab +bridge +twbr0 +0 +- +yes +-$'
	"$TW_TAPWARDEN" networks >"$TMP/nets"
	expect_in "$TMP/nets" '^lab .* allow-users=tw-alice;tw-secret-admin$'
	expect_in "$TMP/nets" '^ops .* allow-groups=tw-secret-ops$'
}

# forge_dellink() - send, from a process of our own, an RTM_DELLINK of
# interface IFINDEX to process PID's socket subscribed to link events
forge_dellink() {
	$PY - "$1" "$2" <<-'EOF'
	import os, socket, struct, sys
	pid, ifindex = sys.argv[1], int(sys.argv[2])
	inodes = set()
	for fd in os.listdir("/proc/%s/fd" % pid):
	    link = os.readlink("/proc/%s/fd/%s" % (pid, fd))
	    if link.startswith("socket:["):
	        inodes.add(int(link[8:-1]))
	ports = []
	with open("/proc/net/netlink") as f:
	    next(f)
	    for line in f:
	        col = line.split()
	        # Eth 0 (route), subscribed to RTNLGRP_LINK (group 1)
	        if col[1] == "0" and int(col[3], 16) & 1 and int(col[9]) in inodes:
	            ports.append(int(col[2]))
	if not ports:
	    sys.exit("no link watch socket found")
	s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
	body = struct.pack("=BxHiII", 0, 0, ifindex, 0, 0)   # struct ifinfomsg
	msg = struct.pack("=IHHII", 16 + len(body), 17, 0, 0, 0) + body  # RTM_DELLINK
	for port in ports:
	    s.sendto(msg, (port, 0))
	print("sent to", ports)
	EOF
}

# A forged RTM_DELLINK (root of this namespace may send one to any netlink
# port) must not end a live lease: it would free the user's max-per-user
# slot and the tap's number while the tap lives on.
t_forged_link_removal_does_not_end_a_lease() {
	make_user tw-alice
	lab_network "allow-users=tw-alice" "max-per-user=1"
	start_broker
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab -- sleep 30 >"$TMP/hold" 2>&1 &
	local holder=$! tap
	wait_until '[ -n "$(kernel_taps)" ]' || fail "no tap: $(cat "$TMP/hold")"
	tap=$(kernel_taps)
	forge_dellink "$BROKER_PID" "$(ip -o link show "$tap" | cut -d: -f1)" >"$TMP/forged" ||
		fail "could not forge: $(cat "$TMP/forged")"
	sleep 0.2
	as_user tw-alice "$TW_TAPWARDEN" list >"$TMP/list"
	expect_in "$TMP/list" "^$tap "
	RC=0
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 10 ] || fail "a second tap was granted past max-per-user=1 ($RC)"
	expect_in "$TMP/err" "max-per-user"
	kill "$holder"
}

# The socket's mode comes with bind(): a chmod() by name after it would
# follow a symlink another user put there meanwhile (a --socket in a
# directory they may write). Traced: no chmod of any path; 0666 under
# any umask.
t_socket_mode_is_set_without_a_chmod_by_name() {
	mkdir -m 1777 "$TMP/public"
	(umask 077; exec strace -f -qq -e trace=chmod,fchmodat -o "$TMP/trace" \
		"$TW_TAPWARDEND" --socket="$TMP/public/sock" --config="$TMP/tapwarden.conf" \
		--acl="$TMP/bridge.conf" --run-dir="$TMP/run" >>"$TMP/broker.log" 2>&1) &
	local tracer=$!
	wait_until 'grep -q "live leases" "$TMP/broker.log"' || fail "broker did not start: $(cat "$TMP/broker.log")"
	[ "$(stat -c %a "$TMP/public/sock")" = 666 ] ||
		fail "socket mode $(stat -c %a "$TMP/public/sock"), expected 666"
	pkill -TERM -f -- "--socket=$TMP/public/sock"
	wait "$tracer" || true
	! grep -E 'chmod' "$TMP/trace" || fail "the broker changes a mode by name"
}

# Root's usernet into a namespace a user owns would leave root's processes
# there (the child making the tap, the engine serving the user's frames):
# refused with one line naming who should run it; nothing made.
t_root_usernet_refuses_a_user_owned_namespace() {
	make_user tw-alice
	as_user tw-alice unshare --user --map-root-user --net sleep 30 &
	local user_shell=$! ns
	wait_until 'ns=$(pgrep -u tw-alice -x sleep) && [ "$(readlink "/proc/$ns/ns/user")" != "$(readlink /proc/self/ns/user)" ]' ||
		fail "no user namespace"
	RC=0
	timeout 10 "$TW_TAPWARDEN" usernet "$ns" --ready-fd=3 3>"$TMP/ready" 2>"$TMP/err" || RC=$?
	[ "$RC" = 1 ] || fail "root's usernet exited $RC in tw-alice's namespace: $(cat "$TMP/err")"
	[ ! -s "$TMP/ready" ] || fail "root's usernet gave tw-alice's namespace a network"
	expect_one_error_line "$TMP/err" "user namespace of uid $(id -u tw-alice): run tapwarden usernet as that user"
	nsenter -t "$ns" -U -n ip -o link show >"$TMP/links"
	! grep -q tap0 "$TMP/links" || fail "a tap was made: $(cat "$TMP/links")"
	kill "$ns"
	wait "$user_shell" || true
}

# A helper whose real and effective users differ (root's euid kept over a
# user's real uid) is refused before it reads anything the user set: it
# never connects to the socket $TAPWARDEN_SOCKET names. (A helper running
# wholly as root takes its environment, like its --socket, from its root
# caller: docs/security.md.)
t_helper_with_differing_real_and_effective_uid_ignores_its_environment() {
	make_user tw-alice
	$PY - "$TW_HELPER" "$TMP/fake.sock" "$(id -u tw-alice)" >"$TMP/out" 2>"$TMP/err" <<-'EOF'
	import os, socket, sys
	helper, path, uid = sys.argv[1], sys.argv[2], int(sys.argv[3])
	srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
	srv.bind(path)
	srv.listen(4)
	srv.setblocking(False)
	a, b = socket.socketpair()
	pid = os.fork()
	if pid == 0:
	    os.setresuid(uid, 0, 0)
	    os.dup2(b.fileno(), 3)
	    os.execve(helper, [helper, "--br=lab", "--fd=3"], {"TAPWARDEN_SOCKET": path})
	_, status = os.waitpid(pid, 0)
	try:
	    srv.accept()
	    print("connected")
	except BlockingIOError:
	    print("not connected")
	print("status=%d" % os.waitstatus_to_exitcode(status))
	EOF
	expect_in "$TMP/out" '^not connected$'
	expect_in "$TMP/out" '^status=1$'
	expect_one_error_line "$TMP/err" "must not be setuid or have file capabilities"
}

run_test "$@"
