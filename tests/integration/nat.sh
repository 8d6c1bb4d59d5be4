#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# nat.sh - mode=nat networks through tapwardend: the bridge, nftables NAT
# and forwards, dnsmasq's DHCP and DNS, reconcile, and bad configuration.
#
# The test's own network namespace is the "host": it runs the broker and
# has an uplink twup0 (192.0.2.1/24) to a namespace "outside" (192.0.2.2,
# routes to the NAT subnets through the host, so only the host's rules keep
# it out) that runs a TCP server answering "peer=ADDRESS". Guests are
# namespaces on a tap got as QEMU gets it (run-like-qemu --pass-fd, then
# guest-netns: a netns whose eth0 is joined frame for frame to that tap).
# Usage: nat.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3

# outside() - run a command in the outside namespace
outside() {
	nsenter -t "$OUTSIDE_PID" -n "$@"
}

# make_outside() - the uplink, the outside namespace and its server on
# port 7000; /etc/hosts (for dnsmasq) names it server.outside.test
make_outside() {
	unshare -n sleep infinity &
	OUTSIDE_PID=$!
	for _ in $(seq 50); do
		[ "$(readlink /proc/$OUTSIDE_PID/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.02
	done
	ip link add twup0 type veth peer name eth0 netns "/proc/$OUTSIDE_PID/ns/net"
	ip addr add 192.0.2.1/24 dev twup0
	ip link set twup0 up
	outside ip link set lo up
	outside ip addr add 192.0.2.2/24 dev eth0
	outside ip link set eth0 up
	outside ip route add 10.0.0.0/8 via 192.0.2.1
	cat >"$TMP/server.py" <<-'EOF'
	# answers every connection with the address it came from, then closes
	import socket, sys
	s = socket.socket()
	s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind((sys.argv[1], int(sys.argv[2])))
	s.listen(16)
	open(sys.argv[3], "w").close()
	while True:
	    c, a = s.accept()
	    c.sendall(("peer=%s\n" % a[0]).encode())
	    c.close()
	EOF
	cat >"$TMP/client.py" <<-'EOF'
	# connect to HOST PORT, print the server's line; exit 1 on failure
	import socket, sys
	try:
	    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
	    print(s.recv(100).decode().strip())
	except OSError as e:
	    print("failed: %s" % e)
	    sys.exit(1)
	EOF
	outside $PY "$TMP/server.py" 0.0.0.0 7000 "$TMP/outside.ready" &
	wait_file "$TMP/outside.ready"
	printf '127.0.0.1 localhost\n192.0.2.2 server.outside.test\n' >"$TMP/hosts"
	mount --bind "$TMP/hosts" /etc/hosts
}

# wait_file() - wait up to 10 s for FILE to exist
wait_file() {
	for _ in $(seq 200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	fail "$1 did not appear"
}

# nat_network() - append a [network NAME] of mode=nat to tapwarden.conf;
# the rest are KEY=VALUE lines
nat_network() {
	local name=$1
	shift
	printf '%s\n' "[network $name]" "mode=nat" "$@" >>"$TMP/tapwarden.conf"
}

# restart_nat_broker() - SIGKILL the broker and start it again, its log
# starting afresh
restart_nat_broker() {
	kill -KILL "$BROKER_PID"
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=
	cat "$TMP/broker.log" >>"$TMP/broker.log.old"
	: >"$TMP/broker.log"
	start_nat_broker
}

# start_nat_broker() - the broker with the test's run directory
start_nat_broker() {
	echo true >"$TMP/true.sh"
	start_broker	# lib.sh: --run-dir="$TMP/run"
}

# guest() - run SCRIPT (bash) in a guest namespace on network NAME; the
# guest's output goes to $TMP/NAME.out; status in $RC
guest() {
	local name=$1 script=$2
	RC=0
	# shellcheck disable=SC2016  # expanded by the inner shell
	"$TW_RUN_LIKE_QEMU" --pass-fd "$TW_HELPER" "$name" -- \
		sh -c 'exec "$0" "$TW_TAP_FD" -- bash "$1"' "$TW_GUEST_NETNS" "$script" \
		>"$TMP/$name.out" 2>&1 || RC=$?
}

# guest_bg() - guest, in the background; its pid in $GUEST_PID
guest_bg() {
	local name=$1 script=$2
	# shellcheck disable=SC2016  # expanded by the inner shell
	"$TW_RUN_LIKE_QEMU" --pass-fd "$TW_HELPER" "$name" -- \
		sh -c 'exec "$0" "$TW_TAP_FD" -- bash "$1"' "$TW_GUEST_NETNS" "$script" \
		>"$TMP/$name.bg.out" 2>&1 &
	GUEST_PID=$!
}

# dhcp_script() - a udhcpc script that configures eth0 and records the
# lease in $TMP/lease.NAME
dhcp_script() {
	cat >"$TMP/udhcpc.sh" <<-EOF
	#!/bin/sh
	case "\$1" in
	bound|renew)
	    ip addr add "\$ip/\$subnet" dev "\$interface"
	    ip route add default via "\$router"
	    printf 'ip=%s\nrouter=%s\ndns=%s\n' "\$ip" "\$router" "\$dns" >"$TMP/lease.\$GUEST_NAME"
	    ;;
	esac
	EOF
	chmod +x "$TMP/udhcpc.sh"
}

# static_guest() - script lines that give eth0 ADDRESS/24 and route via GW
static_guest() {
	printf 'ip addr add %s/24 dev eth0\nip route add default via %s\n' "$1" "$2"
}

# chains_of() - the number of tapwarden chains of network NAME
chains_of() {
	nft list table ip tapwarden 2>/dev/null | grep -c "chain net/$1/" || true
}

# dnsmasqs_of() - pids of the dnsmasq processes of network NAME
dnsmasqs_of() {
	pgrep -f -- "^/usr/sbin/dnsmasq .*--pid-file=$TMP/run/$1.pid" || true
}

# wait_dnsmasq() - wait until network NAME has exactly one dnsmasq
wait_dnsmasq() {
	for _ in $(seq 200); do
		[ "$(dnsmasqs_of "$1" | wc -l)" = 1 ] && return 0
		sleep 0.05
	done
	fail "network $1 has dnsmasq(s): [$(dnsmasqs_of "$1" | tr '\n' ' ')] $(tail -5 "$TMP/broker.log")"
}

# wait_log() - wait until the broker has logged the extended regex PATTERN
wait_log() {
	for _ in $(seq 200); do
		grep -Eq -- "$1" "$TMP/broker.log" && return 0
		sleep 0.05
	done
	fail "broker did not log /$1/: $(tail -20 "$TMP/broker.log")"
}

# foreign_rules() - tables of other programs, as a firewall or libvirt has
foreign_rules() {
	nft -f - <<-'EOF'
	table inet foreignfw {
		chain input { type filter hook input priority 0; policy accept; tcp dport 9999 counter drop; }
		chain forward { type filter hook forward priority 10; policy accept; ip saddr 198.51.100.0/24 counter drop; }
	}
	table ip nat {
		chain POSTROUTING { type nat hook postrouting priority srcnat; policy accept; ip saddr 198.51.100.0/24 masquerade; }
	}
	EOF
	nft list table inet foreignfw >"$TMP/foreign.before"
	nft list table ip nat >>"$TMP/foreign.before"
}

# foreign_unchanged() - the foreign tables are exactly as made
foreign_unchanged() {
	{ nft list table inet foreignfw; nft list table ip nat; } >"$TMP/foreign.now"
	cmp -s "$TMP/foreign.before" "$TMP/foreign.now" ||
		fail "foreign nftables changed ($1): $(diff "$TMP/foreign.before" "$TMP/foreign.now")"
}

t_nat_guest_gets_a_lease_resolves_a_name_and_reaches_outside_as_the_host() {
	make_outside
	nat_network lab "bridge=twnat0" "address=10.77.0.1/24"
	start_nat_broker
	dhcp_script
	cat >"$TMP/g.sh" <<-EOF
	GUEST_NAME=lab busybox udhcpc -i eth0 -s "$TMP/udhcpc.sh" -q -n -t 20 -T 1 >/dev/null 2>&1 || { echo "no lease"; exit 1; }
	. "$TMP/lease.lab"
	busybox nslookup server.outside.test "\$dns" | sed -n 's/^Address: *\(192[.0-9]*\).*/resolved=\1/p'
	$PY "$TMP/client.py" "\$(busybox nslookup server.outside.test "\$dns" | sed -n 's/^Address: *\(192[.0-9]*\).*/\1/p' | head -1)" 7000
	"$TW_TAPWARDEN" networks
	EOF
	guest lab "$TMP/g.sh"
	[ "$RC" = 0 ] || fail "guest failed ($RC): $(cat "$TMP/lab.out")"
	# the lease is in the range (above the gateway), from the gateway
	expect_in "$TMP/lease.lab" '^ip=10\.77\.0\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])$'
	expect_in "$TMP/lease.lab" '^router=10\.77\.0\.1$'
	expect_in "$TMP/lease.lab" '^dns=10\.77\.0\.1$'
	expect_in "$TMP/lab.out" '^resolved=192\.0\.2\.2$'
	# the outside server sees the host's uplink address, not the guest's
	expect_in "$TMP/lab.out" '^peer=192\.0\.2\.1$'
	expect_in "$TMP/lab.out" '^  nat: address 10\.77\.0\.1/24, rules present, dnsmasq running \(pid [0-9]+\), 1 leases$'
	ip -o addr show dev twnat0 >"$TMP/addr"
	expect_in "$TMP/addr" 'inet 10\.77\.0\.1/24'
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail "IPv4 forwarding is off"
	[ "$(chains_of lab)" = 4 ] || fail "expected 4 chains: $(nft list table ip tapwarden)"
	# dnsmasq: bound to the bridge, leases under the run dir, unprivileged
	pid=$(dnsmasqs_of lab)
	[ -n "$pid" ] || fail "no dnsmasq"
	tr '\0' ' ' <"/proc/$pid/cmdline" >"$TMP/cmdline"
	expect_in "$TMP/cmdline" "--interface=twnat0 --except-interface=lo"
	expect_in "$TMP/cmdline" "--dhcp-leasefile=$TMP/run/lab.leases"
	[ "$(stat -c %U "/proc/$pid")" != root ] || fail "dnsmasq runs as root"
	[ "$(wc -l <"$TMP/run/lab.leases")" = 1 ] || fail "lease file: $(cat "$TMP/run/lab.leases")"
}

t_nat_outside_cannot_connect_in_but_a_forward_reaches_the_guest_from_outside_and_host() {
	make_outside
	nat_network lab "bridge=twnat0" "address=10.77.0.1/24" "dhcp=no" \
		"forward=tcp:8080:10.77.0.50:80"
	start_nat_broker
	{
		static_guest 10.77.0.50 10.77.0.1
		echo "$PY $TMP/server.py 0.0.0.0 80 $TMP/guest.ready &"
		echo "$PY $TMP/server.py 0.0.0.0 81 $TMP/guest81.ready &"
		echo "while [ ! -e $TMP/done ]; do sleep 0.1; done"
	} >"$TMP/g.sh"
	guest_bg lab "$TMP/g.sh"
	wait_file "$TMP/guest.ready"
	wait_file "$TMP/guest81.ready"
	# unsolicited, straight to the guest's address: dropped
	outside $PY "$TMP/client.py" 10.77.0.50 81 >"$TMP/direct" && fail "outside reached the guest unforwarded: $(cat "$TMP/direct")"
	outside $PY "$TMP/client.py" 10.77.0.50 80 >"$TMP/direct" && fail "outside reached the guest unforwarded: $(cat "$TMP/direct")"
	# the forward, from outside and from the host itself
	outside $PY "$TMP/client.py" 192.0.2.1 8080 >"$TMP/fwd.outside" || fail "forward from outside: $(cat "$TMP/fwd.outside")"
	expect_in "$TMP/fwd.outside" '^peer=192\.0\.2\.2$'
	$PY "$TMP/client.py" 192.0.2.1 8080 >"$TMP/fwd.host" || fail "forward from the host: $(cat "$TMP/fwd.host")"
	expect_in "$TMP/fwd.host" '^peer=192\.0\.2\.1$'
	# dhcp=no: no dnsmasq at all
	[ -z "$(dnsmasqs_of lab)" ] || fail "dnsmasq runs for a dhcp=no network"
	"$TW_TAPWARDEN" networks >"$TMP/networks"
	expect_in "$TMP/networks" '^  nat: address 10\.77\.0\.1/24, rules present, dhcp=no$'
	touch "$TMP/done"
	wait "$GUEST_PID" || fail "guest failed: $(cat "$TMP/lab.bg.out")"
}

t_two_nat_networks_do_not_see_each_others_traffic() {
	make_outside
	nat_network a "bridge=twnat0" "address=10.77.0.1/24" "dhcp=no"
	nat_network b "bridge=twnat1" "address=10.78.0.1/24" "dhcp=no"
	start_nat_broker
	{
		static_guest 10.78.0.10 10.78.0.1
		echo "$PY $TMP/server.py 0.0.0.0 80 $TMP/b.ready &"
		echo "tcpdump -i eth0 -n -l -p 'net 10.77.0.0/24 or port 5555' >$TMP/b.seen 2>$TMP/b.tcpdump &"
		echo "while [ ! -e $TMP/done ]; do sleep 0.1; done"
		echo "sleep 0.5; kill %2"
	} >"$TMP/b.sh"
	guest_bg b "$TMP/b.sh"
	B_PID=$GUEST_PID
	wait_file "$TMP/b.ready"
	for _ in $(seq 100); do grep -q listening "$TMP/b.tcpdump" 2>/dev/null && break; sleep 0.05; done
	{
		static_guest 10.77.0.10 10.77.0.1
		echo "$PY $TMP/client.py 192.0.2.2 7000"
		echo "$PY $TMP/client.py 10.78.0.10 80 && echo 'reached b'"
		echo "busybox ping -c 2 -W 1 10.78.0.10 >/dev/null && echo 'pinged b'"
		echo "$PY -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b\"x\", (\"10.78.0.10\", 5555))'"
		echo "true"
	} >"$TMP/a.sh"
	guest a "$TMP/a.sh"
	touch "$TMP/done"
	wait "$B_PID" || true
	[ "$RC" = 0 ] || fail "guest a failed: $(cat "$TMP/a.out")"
	expect_in "$TMP/a.out" '^peer=192\.0\.2\.1$'	# a itself works
	grep -q 'reached b\|pinged b' "$TMP/a.out" && fail "network a reached network b: $(cat "$TMP/a.out")"
	grep -q . "$TMP/b.seen" && fail "network b saw a's traffic: $(cat "$TMP/b.seen")"
	expect_in "$TMP/b.tcpdump" '^0 packets captured'	# tcpdump did watch
}

t_foreign_nftables_tables_are_untouched_by_start_reload_and_stop() {
	make_outside
	foreign_rules
	nat_network lab "bridge=twnat0" "address=10.77.0.1/24" "forward=tcp:8080:10.77.0.50:80"
	nat_network other "bridge=twnat1" "address=10.78.0.1/24"
	start_nat_broker
	foreign_unchanged "after start"
	guest lab "$TMP/true.sh"
	guest other "$TMP/true.sh"
	[ "$RC" = 0 ] || fail "guest failed: $(cat "$TMP/other.out")"
	foreign_unchanged "after the networks were made"
	{ [ "$(chains_of lab)" = 4 ] && [ "$(chains_of other)" = 4 ]; } || fail "chains: $(nft list table ip tapwarden)"
	wait_dnsmasq other
	# reload: `other' is gone from the configuration, `lab' changes
	: >"$TMP/tapwarden.conf"
	nat_network lab "bridge=twnat0" "address=10.77.0.1/24" "forward=tcp:8081:10.77.0.50:80"
	kill -HUP "$BROKER_PID"
	wait_log 'network other: no longer configured'
	foreign_unchanged "after reload"
	[ "$(chains_of other)" = 0 ] || fail "chains of a removed network are left: $(nft list table ip tapwarden)"
	[ -z "$(dnsmasqs_of other)" ] || fail "dnsmasq of a removed network runs"
	nft list table ip tapwarden >"$TMP/tw"
	expect_in "$TMP/tw" 'tcp dport 8081 dnat to 10\.77\.0\.50:80'
	grep -q 'dport 8080' "$TMP/tw" && fail "old forward left: $(cat "$TMP/tw")"
	stop_broker
	foreign_unchanged "after stop"
}

t_broker_sigkill_and_restart_leave_one_copy_of_every_rule_and_one_dnsmasq() {
	make_outside
	nat_network lab "bridge=twnat0" "address=10.77.0.1/24" "forward=udp:5353:10.77.0.9:53"
	nat_network two "bridge=twnat1" "address=10.78.0.1/24"
	start_nat_broker
	guest lab "$TMP/true.sh"
	guest two "$TMP/true.sh"
	wait_dnsmasq lab
	wait_dnsmasq two
	nft list table ip tapwarden >"$TMP/rules.before"
	old_lab=$(dnsmasqs_of lab)
	for round in 1 2; do
		restart_nat_broker
		wait_log "network two: rules and dnsmasq match"
		wait_log "network lab: rules and dnsmasq match"
		nft list table ip tapwarden >"$TMP/rules.after"
		cmp -s "$TMP/rules.before" "$TMP/rules.after" ||
			fail "round $round: rules differ: $(diff "$TMP/rules.before" "$TMP/rules.after")"
		wait_dnsmasq lab
		wait_dnsmasq two
		[ "$(dnsmasqs_of lab)" = "$old_lab" ] || fail "round $round: dnsmasq was not adopted"
	done
	# a changed network after a restart: rules replaced, dnsmasq replaced
	sed -i 's|address=10.77.0.1/24|address=10.77.0.254/24|' "$TMP/tapwarden.conf"
	sed -i 's|udp:5353:10.77.0.9:53|udp:5353:10.77.0.10:53|' "$TMP/tapwarden.conf"
	restart_nat_broker
	wait_log "network lab: rules and dnsmasq match"
	wait_dnsmasq lab
	[ "$(dnsmasqs_of lab)" != "$old_lab" ] || fail "dnsmasq of a changed network was kept"
	tr '\0' ' ' <"/proc/$(dnsmasqs_of lab)/cmdline" >"$TMP/cmdline"
	expect_in "$TMP/cmdline" "--dhcp-range=10\.77\.0\.1,10\.77\.0\.253,"
	[ "$(nft list table ip tapwarden | grep -c 'dport 5353')" = 2 ] || fail "forward rules: $(nft list table ip tapwarden)"
	[ "$(chains_of lab)" = 4 ] || fail "chains: $(nft list table ip tapwarden)"
}

t_dnsmasq_is_started_again_when_it_dies() {
	nat_network lab "bridge=twnat0" "address=10.77.0.1/24"
	start_nat_broker
	guest lab "$TMP/true.sh"
	wait_dnsmasq lab
	old=$(dnsmasqs_of lab)
	kill -KILL "$old"
	wait_log "network lab: dnsmasq \(pid $old\) exited"
	wait_log "network lab: dnsmasq started \(pid [0-9]+\)$"
	wait_dnsmasq lab
	[ "$(dnsmasqs_of lab)" != "$old" ] || fail "the same dnsmasq?"
}

# The launcher keeps only what dnsmasq needs, under no new privileges,
# Landlock and its seccomp filter (policy/confine.c confine_launcher());
# dnsmasq inherits them, and then drops to its own user.
t_dnsmasq_launcher_and_dnsmasq_are_confined() {
	local launcher_caps=00000000000034e1	# CHOWN KILL SETGID SETUID
						# NET_BIND_SERVICE NET_ADMIN NET_RAW
	nat_network lab "bridge=twnat0" "address=10.77.0.1/24"
	start_nat_broker
	guest lab "$TMP/true.sh"
	wait_dnsmasq lab
	launcher=$(pgrep -P "$BROKER_PID" -x tw-dnsmasq-run)
	[ -n "$launcher" ] || fail "no launcher: $(pgrep -a -P "$BROKER_PID")"
	for pid in "$launcher" "$(dnsmasqs_of lab)"; do
		status=$(cat "/proc/$pid/status")
		echo "$(cat "/proc/$pid/comm"): $(grep -E '^(NoNewPrivs|Seccomp|CapEff|CapBnd|Uid):' <<<"$status" | tr '\n\t' '  ')"
		grep -qx 'NoNewPrivs:.1' <<<"$status" || fail "$pid: no NoNewPrivs"
		grep -qx 'Seccomp:.2' <<<"$status" || fail "$pid: no seccomp filter"
	done
	grep -qx "CapEff:.$launcher_caps" "/proc/$launcher/status" ||
		fail "launcher's CapEff: $(grep CapEff "/proc/$launcher/status")"
	grep -qx "CapBnd:.$launcher_caps" "/proc/$launcher/status" ||
		fail "launcher's CapBnd: $(grep CapBnd "/proc/$launcher/status")"
}

# Anyone can run a process whose argv looks like a network's dnsmasq:
# the launcher neither adopts nor stops one of another user (only root's or
# dnsmasq's own user's processes count), and starts the real one.
t_a_lookalike_dnsmasq_of_another_user_is_neither_adopted_nor_stopped() {
	make_user tw-mallory
	nat_network lab "bridge=twnat0" "address=10.77.0.1/24"
	mkdir -p "$TMP/run"
	# shellcheck disable=SC2016  # expanded by the inner shell
	as_user tw-mallory bash -c 'exec -a /usr/sbin/dnsmasq /usr/bin/python3 \
		-c "import time; time.sleep(600)" --pid-file="$0"' "$TMP/run/lab.pid" &
	for _ in $(seq 100); do
		fake=$(pgrep -u tw-mallory -f -- "--pid-file=$TMP/run/lab.pid" || true)
		[ -n "$fake" ] && break
		sleep 0.05
	done
	[ -n "$fake" ] || fail "the lookalike did not start"
	start_nat_broker
	guest lab "$TMP/true.sh"
	real=
	for _ in $(seq 200); do
		real=$(pgrep -f -- "^/usr/sbin/dnsmasq .*--pid-file=$TMP/run/lab.pid" |
			grep -vx "$fake" || true)
		[ -n "$real" ] && break
		sleep 0.05
	done
	[ -n "$real" ] || fail "no real dnsmasq started beside the lookalike: $(tail -5 "$TMP/broker.log")"
	[ "$(stat -c %U "/proc/$real")" != tw-mallory ] || fail "the lookalike was taken for dnsmasq"
	kill -0 "$fake" 2>/dev/null || fail "the launcher stopped another user's process"
	kill "$fake"
}

# refused_config() - the broker refuses to start with tapwarden.conf's
# content ($1) with REASON ($2), and nothing of it is in the kernel
refused_config() {
	printf '%s\n' "$1" >"$TMP/tapwarden.conf"
	mkdir -p "$TMP/run"
	RC=0
	"$TW_TAPWARDEND" --socket="$TAPWARDEN_SOCKET" --config="$TMP/tapwarden.conf" \
		--acl="$TMP/bridge.conf" --run-dir="$TMP/run" >"$TMP/refused" 2>&1 || RC=$?
	[ "$RC" = 1 ] || fail "broker exit $RC with a bad configuration: $(cat "$TMP/refused")"
	expect_one_error_line_of "$TMP/refused" "tapwarden.conf:[0-9]+: \[network [a-z]+\] .*$2"
	nothing_applied
}

# expect_one_error_line_of() - FILE is one line matching PATTERN
expect_one_error_line_of() {
	[ "$(wc -l <"$1")" = 1 ] || fail "expected one line: $(cat "$1")"
	expect_in "$1" "$2"
}

# nothing_applied() - no tapwarden table, no NAT bridge, no dnsmasq
nothing_applied() {
	nft list tables | grep -q 'table ip tapwarden' &&
		[ "$(nft list table ip tapwarden | grep -c 'chain ')" != 0 ] &&
		fail "tapwarden chains: $(nft list table ip tapwarden)"
	ip link show twnat0 >/dev/null 2>&1 && fail "bridge twnat0 was made"
	ip link show twnat1 >/dev/null 2>&1 && fail "bridge twnat1 was made"
	pgrep -x dnsmasq >/dev/null && fail "dnsmasq runs"
	return 0
}

t_bad_nat_configuration_is_refused_with_its_reason_and_nothing_applied() {
	local a='[network a]
mode=nat
bridge=twnat0'
	refused_config "$a
address=10.77.0.1/24
[network b]
mode=nat
bridge=twnat1
address=10.77.0.129/25" "address: the subnet overlaps network a's"
	refused_config "$a
address=10.77.0.1" "address: .*not an IPv4 gateway address with a prefix"
	refused_config "$a
address=10.77.0.0/24" "address: .*the subnet's network address"
	refused_config "$a
address=10.77.0.1/24
forward=tcp:8080:10.78.0.5:80" "forward: .*10\.78\.0\.5 is not a guest address of the network's subnet"
	refused_config "$a
address=10.77.0.1/24
forward=tcp:8080:10.77.0.1:80" "forward: .*10\.77\.0\.1 is not a guest address"
	refused_config "$a
address=10.77.0.1/24
forward=tcp:8080:10.77.0.5:80;tcp:8080:10.77.0.6:80" "forward: host port tcp 8080 is forwarded twice"
	refused_config "$a
address=10.77.0.1/24
forward=udp:53:10.77.0.5:53
[network b]
mode=nat
bridge=twnat1
address=10.78.0.1/24
forward=udp:53:10.78.0.5:53" "forward: host port udp 53 is already forwarded by network a"
	refused_config "$a
address=10.77.0.1/24
dhcp=maybe" "dhcp: .*not yes or no"
	refused_config "[network b]
bridge=twnat1
address=10.78.0.1/24" "address: only a mode=nat network takes this key"
	# a bad reload: refused, the old configuration stays, nothing applied
	printf '%s\n' "$a" "address=10.77.0.1/24" >"$TMP/tapwarden.conf"
	start_nat_broker
	printf '%s\n' "$a" "address=10.77.0.1/24" "[network b]" "mode=nat" \
		"bridge=twnat1" "address=10.77.0.200/24" >"$TMP/tapwarden.conf"
	kill -HUP "$BROKER_PID"
	wait_log "reload refused.*overlaps network a's"
	nothing_applied
	"$TW_TAPWARDEN" networks >"$TMP/networks"
	grep -q '^b ' "$TMP/networks" && fail "network b is in force: $(cat "$TMP/networks")"
	expect_in "$TMP/networks" '^  nat: address 10\.77\.0\.1/24, rules missing, dnsmasq not running, 0 leases$'
}

t_direct_mode_refuses_a_nat_network() {
	nat_network lab "bridge=twnat0" "address=10.77.0.1/24"
	run_like_qemu lab
	expect_refused "lab is a NAT network: only tapwardend serves it"
	nothing_applied
}

run_test "$@"
