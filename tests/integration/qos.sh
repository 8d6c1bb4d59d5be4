#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qos.sh - per-tap rate limits (netdev/qos.c): the kernel objects a shaped
# tap gets and loses, through the broker and in direct mode; the rate on
# the wire of a shaped tap in each direction, with TCP through it; a broker
# restart with live shaped taps; refusals of bad rates.
# Usage: qos.sh TEST_NAME (meson passes it).
#
# Goodput tests attach a network namespace to the tap's descriptor as a
# guest would be (tests/tools/tap-pump: the tap's frames to and from a tap
# `g0' in that namespace, with virtio-net offloads) and run iperf3 between
# it (10.77.0.2) and the bridge (10.77.0.1), 5 s per run.
source "$(dirname "$0")/lib.sh"

# lab_network() - network `lab` on bridge twbr0 with extra KEY=VALUE lines
lab_network() {
	ip link show twbr0 >/dev/null 2>&1 || make_bridge twbr0
	printf '%s\n' "[network lab]" "bridge=twbr0" "$@" >"$TMP/tapwarden.conf"
}

# ifbs() - the twi* interfaces of this namespace, one a line
ifbs() {
	ip -o link show | sed -n 's/^[0-9]*: \(twi[0-9]*\)[:@].*/\1/p' | sort
}

# no_ifb_left() - there is no twi* interface in this namespace
no_ifb_left() {
	[ -z "$(ifbs)" ] || fail "IFB left behind: $(ifbs | tr '\n' ' ')"
}

# wait_no_ifb() - wait until no twi* is left (the broker removes them)
wait_no_ifb() {
	for _ in $(seq 100); do
		[ -z "$(ifbs)" ] && return 0
		sleep 0.05
	done
	no_ifb_left
}

# wait_log() - wait until the broker has logged the extended regex PATTERN
wait_log() {
	for _ in $(seq 100); do
		grep -Eq -- "$1" "$TMP/broker.log" && return 0
		sleep 0.05
	done
	fail "broker did not log /$1/: $(cat "$TMP/broker.log")"
}

# wait_taps() - wait until the namespace holds exactly N taps
wait_taps() {
	for _ in $(seq 200); do
		[ "$(kernel_taps | wc -l)" = "$1" ] && return 0
		sleep 0.05
	done
	fail "expected $1 taps, have: $(kernel_taps | tr '\n' ' ')"
}

# SNAPSHOT - a script: what the kernel holds for tap $TW_TAP and its IFB,
# into file $1: `ip -d link', qdiscs, classes and filters
# shellcheck disable=SC2016  # expanded by the inner shell
SNAPSHOT='tap=$TW_TAP ifb=twi${TW_TAP#tw}
	{ ip -d -o link show "$tap"; ip -d -o link show "$ifb"
	  tc qdisc show dev "$tap"; tc qdisc show dev "$tap" ingress
	  tc class show dev "$tap"; tc filter show dev "$tap" ingress
	  echo IFB; tc qdisc show dev "$ifb"; tc class show dev "$ifb"; } >"$1" 2>&1'

# expect_shaped() - FILE (a snapshot) shows HTB at IN on the tap and at OUT
# on its IFB, the tap's ingress redirected to the IFB, a burst matching the
# regex BURST (as tc shows it: bytes go through the kernel's clock ticks,
# so 64kb may read 65512b) on the inbound class
expect_shaped() {
	local file=$1 in=$2 out=$3 burst=$4
	expect_in "$file" '^qdisc htb 1: root .*default 0x10001'
	expect_in "$file" "^class htb 1:1 root prio 0 rate $in ceil $in burst $burst cburst $burst"
	expect_in "$file" '^qdisc ingress ffff: parent ffff:fff1'
	expect_in "$file" '^filter parent ffff: protocol all pref 1 u32 .*fh 800::800 .*terminal'
	expect_in "$file" 'match 00000000/00000000 at 0'
	expect_in "$file" 'mirred \(Egress Redirect to device twi[0-9]+\) stolen'
	expect_in "$file" 'ifb .*alias tapwarden-ifb tap=tw[0-9]+ ifindex=[0-9]+'
	sed -n '/^IFB$/,$p' "$file" >"$file.ifb"
	expect_in "$file.ifb" '^qdisc htb 1: root .*default 0x10001'
	expect_in "$file.ifb" "^class htb 1:1 root prio 0 rate $out ceil $out "
}

t_qos_direct_mode_shapes_the_tap_and_its_ifb_and_the_next_run_removes_the_ifb() {
	lab_network "inbound=100mbit:64kb" "outbound=50mbit"
	# shellcheck disable=SC2016  # expanded by the inner shell
	run_like_qemu lab -- sh -c "$SNAPSHOT"' && echo "$TW_TAP" >"$2"' \
		sh "$TMP/snap" "$TMP/tap"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	expect_shaped "$TMP/snap" 100Mbit 50Mbit '(64Kb|65[45][0-9]{2}b)'
	# the IFB records its tap, by name and index
	tap=$(cat "$TMP/tap")
	expect_in "$TMP/snap" "alias tapwarden-ifb tap=$tap ifindex=$(sed -n 's/^\([0-9]*\): .*/\1/p' "$TMP/snap" | head -1)\$"
	# the tap took its qdiscs and filter along; no process of direct mode
	# outlives the helper, so its next run removes the IFB
	no_tap_left
	[ "$(ifbs)" = "twi${tap#tw}" ] || fail "expected the IFB until the next run: $(ifbs)"
	lab_network
	# shellcheck disable=SC2016  # expanded by the inner shell
	run_like_qemu lab -- sh -c 'tc qdisc show dev "$TW_TAP" >"$0"' "$TMP/plain"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	no_ifb_left
	# a network without limits gets no shaping at all
	if grep -q 'htb\|ingress' "$TMP/plain"; then fail "unlimited tap shaped: $(cat "$TMP/plain")"; fi
	no_tap_left
}

t_qos_broker_shapes_a_users_tap_and_removes_everything_when_its_fd_closes() {
	make_user tw-alice
	lab_network "allow-users=tw-alice" "inbound=20mbit" "outbound=30mbit:32kb"
	start_broker
	user_run_like_qemu tw-alice lab -- sh -c "$SNAPSHOT" sh "$TMP/shared/snap"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	# default burst: 4 ms of the rate, at least two full frames (10000 b)
	expect_shaped "$TMP/shared/snap" 20Mbit 30Mbit 10000b
	expect_in "$TMP/shared/snap.ifb" 'burst 32Kb cburst 32Kb'
	no_tap_left
	wait_no_ifb	# on the tap's RTM_DELLINK
	for dev in $(ip -o link show | cut -d: -f2); do
		if tc qdisc show dev "$dev" | grep -q 'htb\|ingress'; then
			fail "qdisc left on $dev: $(tc qdisc show dev "$dev")"
		fi
	done
}

t_qos_list_shows_the_rates_in_force_and_a_helper_may_ask_for_less() {
	make_user tw-alice
	lab_network "allow-users=tw-alice" "inbound=100mbit" "outbound=1gbit"
	start_broker
	# shellcheck disable=SC2016  # expanded by the inner shell
	user_run_like_qemu tw-alice lab -- sh -c '"$0" list >"$1"; "$0" list --json >"$2"' \
		"$TW_TAPWARDEN" "$TMP/shared/list" "$TMP/shared/json"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	expect_in "$TMP/shared/list" '^IFNAME .* CREATED +INBOUND +OUTBOUND$'
	expect_in "$TMP/shared/list" '^tw[0-9]+ .* 20[0-9-]+T[0-9:]+Z +100mbit +1gbit$'
	expect_in "$TMP/shared/json" '"inbound": 100000000, "outbound": 1000000000\}'
	# --inbound lowers the network's rate; what list shows is the kernel's
	RC=0
	# shellcheck disable=SC2016  # expanded by the inner shell
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$TW_HELPER --inbound=2.5mbit" lab -- \
		sh -c '"$0" list >"$1"; tc class show dev "$TW_TAP" >"$2"' \
		"$TW_TAPWARDEN" "$TMP/shared/list2" "$TMP/shared/class" >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	expect_in "$TMP/shared/class" 'rate 2500Kbit ceil 2500Kbit'
	expect_in "$TMP/shared/list2" '^tw[0-9]+ .* +2500kbit +1gbit$'
	# an unlimited tap shows "-" and 0
	lab_network "allow-users=tw-alice"
	kill -HUP "$BROKER_PID"
	wait_log "reloaded"
	# shellcheck disable=SC2016  # expanded by the inner shell
	user_run_like_qemu tw-alice lab -- sh -c '"$0" list >"$1"; "$0" list --json >"$2"' \
		"$TW_TAPWARDEN" "$TMP/shared/list3" "$TMP/shared/json3"
	expect_in "$TMP/shared/list3" '^tw[0-9]+ .*Z +- +-$'
	expect_in "$TMP/shared/json3" '"inbound": 0, "outbound": 0\}'
}

t_qos_helper_asking_for_more_than_the_network_is_refused_by_broker_and_direct_mode() {
	make_user tw-alice
	lab_network "allow-users=tw-alice" "inbound=100mbit" "outbound=10mbit"
	start_broker
	RC=0
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$TW_HELPER --outbound=20mbit" lab \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "--outbound=20mbit is above network lab's outbound rate \\(10mbit\\): a caller may only ask for less"
	no_ifb_left
	wait_log "refused lab to user tw-alice .*--outbound=20mbit"
	# direct mode: the same rule, the same line
	RC=0
	"$TW_RUN_LIKE_QEMU" "$(helper_cmd) --inbound=1gbit" lab >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "--inbound=1gbit is above network lab's inbound rate \\(100mbit\\)"
	no_ifb_left
	# a bad rate is refused before anyone is asked
	RC=0
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$TW_HELPER --inbound=100kbps" lab \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "--inbound: \`100kbps': tc reads kbps as bytes per second; write kbit, mbit or gbit"
	RC=0
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$TW_HELPER --outbound=5mbit" user \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "--inbound and --outbound are for networks with a tap on the host; user is a user-mode network"
}

t_qos_bad_rates_in_tapwarden_conf_are_refused_with_file_line_and_reason() {
	local value reason
	make_bridge twbr0
	while IFS='|' read -r value reason; do
		printf '%s\n' "[network lab]" "bridge=twbr0" "outbound=$value" >"$TMP/tapwarden.conf"
		run_like_qemu lab
		expect_refused "$TMP/tapwarden.conf:3: \\[network lab\\] outbound: $reason"
	done <<'EOF'
0mbit|`0mbit' is zero
-5mbit|`-5mbit' is negative
100|`100' has no unit: write kbit, mbit or gbit \(tc reads a bare number as bytes per second\)
10furlongs|`10furlongs' has an unknown unit `furlongs'
101gbit|`101gbit' is above the largest rate, 100gbit
10mbit:1kb|burst `1kb' is smaller than one MTU \(1500 bytes\)
10mbit:1000b|burst `1000b' is smaller than one MTU
EOF
	# a burst that holds one MTU of the network's bridge, but not its MTU
	ip link set twbr0 mtu 9000
	printf '%s\n' "[network lab]" "bridge=twbr0" "inbound=10mbit:2kb" >"$TMP/tapwarden.conf"
	run_like_qemu lab
	expect_refused "inbound burst of 2048 bytes is smaller than the MTU of tw[0-9]+ \\(9000\\)"
	no_ifb_left
}

t_qos_broker_restart_keeps_live_taps_shaped_and_removes_ifbs_of_taps_gone_meanwhile() {
	local keep gone tap_keep tap_gone
	make_user tw-alice
	lab_network "allow-users=tw-alice" "inbound=40mbit" "outbound=60mbit"
	start_broker
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab -- sleep 60 >"$TMP/keep" 2>&1 &
	keep=$!
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab -- sleep 60 >"$TMP/gone" 2>&1 &
	gone=$!
	wait_taps 2
	[ "$(ifbs | wc -l)" = 2 ] || fail "expected 2 IFBs: $(ifbs)"
	kill -KILL "$BROKER_PID"
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=
	for _ in $(seq 100); do grep -q '^ifname=' "$TMP/gone" && break; sleep 0.05; done
	tap_gone=$(sed -n 's/^ifname=//p' "$TMP/gone")
	tap_keep=$(sed -n 's/^ifname=//p' "$TMP/keep")
	# the tap goes while no broker watches: its IFB stays for now
	pkill -KILL -P "$gone" || true
	kill -KILL "$gone" 2>/dev/null || true
	wait "$gone" 2>/dev/null || true
	wait_taps 1
	ip link show "twi${tap_gone#tw}" >/dev/null || fail "IFB went without a broker?"
	start_broker
	wait_log "removed 1 IFB device of taps that are gone"
	[ "$(ifbs)" = "twi${tap_keep#tw}" ] || fail "IFBs after restart: $(ifbs | tr '\n' ' ')"
	TW_TAP=$tap_keep sh -c "$SNAPSHOT" sh "$TMP/snap"
	expect_shaped "$TMP/snap" 40Mbit 60Mbit 20000b
	"$TW_TAPWARDEN" list >"$TMP/list"
	expect_in "$TMP/list" "^$tap_keep .* +40mbit +60mbit\$"
	# the restarted broker removes the live tap's IFB when it goes
	pkill -KILL -P "$keep" || true
	kill -KILL "$keep" 2>/dev/null || true
	wait "$keep" 2>/dev/null || true
	no_tap_left
	wait_no_ifb
}

# WIRE_RATE - a python program: WIRE_RATE DEV FROM TO OUT samples the byte
# counter of DEV's HTB class 1:1 (tc -s: what the shaper sends, each TCP
# segment of a GSO frame counted as the Ethernet frame it is on a wire)
# from FROM to TO seconds after it starts, every 50 ms, and writes the
# rate (the least-squares slope of bytes over time) in Mbit/s, and the
# share of samples with a backlog (the sender kept the shaper busy)
WIRE_RATE='
import re, subprocess, sys, time
dev, start, stop, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
def sample():
    t0 = time.monotonic()
    text = subprocess.run(["tc", "-s", "class", "show", "dev", dev, "classid", "1:1"],
                          capture_output=True, text=True).stdout
    t1 = time.monotonic()
    counters = re.search(r"Sent (\d+) bytes .*?backlog \S+ (\d+)p", text, re.S)
    if not counters:
        sys.exit("no HTB class 1:1 on %s: not shaped" % dev)
    sent, queued = counters.groups()
    return (t0 + t1) / 2, int(sent), int(queued) > 0
begin = time.monotonic()
time.sleep(start)
samples = []
while time.monotonic() - begin < stop:
    samples.append(sample())
    time.sleep(0.05)
# least squares: the moment of each sample is known to within a fork of tc
n = len(samples)
mt = sum(s[0] for s in samples) / n
mb = sum(s[1] for s in samples) / n
slope = (sum((s[0] - mt) * (s[1] - mb) for s in samples) /
         sum((s[0] - mt) ** 2 for s in samples))
busy = sum(s[2] for s in samples) / n
open(out, "w").write("%.4f %.2f\n" % (slope * 8 / 1e6, busy))
'

# goodput() - TCP through a tap of network lab limited to RATE (inbound
# and outbound), DIRECTION `in' (to the guest: the tap's HTB) or `out' (the
# IFB's HTB): iperf3 for 8 s, and the wire rate of the shaper's class from
# the 1st to the 7th second (WIRE_RATE). The wire rate is never more than
# 1 % above RATE (the precision of this measurement), nor, when the shaper
# was backlogged (else the sender set the pace), more than 10 % below it:
# the shaper's timers run late on a loaded machine, and 0.94-1.003 x RATE
# was seen on a 2-core machine at a load of 10, 0.994-1.001 at a load of 3;
# tests/bench/qos-accuracy measures 0.999-1.002 on an idle one. Goodput is
# reported (iperf3 counts payload: 1448 of every 1514 bytes)
goodput() {
	local rate=$1 dir=$2 mbit wire busy
	ip link show twbr0 >/dev/null 2>&1 || make_bridge twbr0
	ip addr add 10.77.0.1/24 dev twbr0
	lab_network "inbound=${rate}mbit" "outbound=${rate}mbit"
	iperf3 -s -B 10.77.0.1 -1 -D -I "$TMP/iperf3.pid"
	# -D returns before the server listens
	for _ in $(seq 100); do
		ss -Hltn 'sport = :5201' | grep -q 10.77.0.1 && break
		sleep 0.05
	done
	RC=0
	# shellcheck disable=SC2016  # expanded by the inner shell
	"$TW_RUN_LIKE_QEMU" --pass-fd "$(helper_cmd)" lab -- bash -c '
		unshare --net "$0" "$TW_TAP_FD" g0 & pump=$!
		guest() { nsenter -t "$pump" -n -- "$@"; }
		for _ in $(seq 100); do guest ip link show g0 >/dev/null 2>&1 && break; sleep 0.05; done
		guest ip link set lo up
		guest ip addr add 10.77.0.2/24 dev g0
		guest ip link set g0 up
		if [ "$1" = in ]; then dev=$TW_TAP; else dev=twi${TW_TAP#tw}; fi
		python3 -c "$4" "$dev" 1 7 "$3" & sampler=$!
		guest iperf3 -c 10.77.0.1 -t 8 -J $([ "$1" = in ] && echo -R) >"$2"; rc=$?
		wait "$sampler" || rc=1
		kill "$pump"
		exit $rc' "$TW_TAP_PUMP" "$dir" "$TMP/iperf.json" "$TMP/wire" "$WIRE_RATE" \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "run failed ($RC): $(cat "$TMP/err") $(head -c 600 "$TMP/iperf.json")"
	mbit=$(python3 -c '
import json, sys
result = json.load(open(sys.argv[1]))
if "sum_received" not in result.get("end", {}):
    sys.exit("iperf3: %s" % result.get("error", "no result"))
print("%.2f" % (result["end"]["sum_received"]["bits_per_second"] / 1e6))' "$TMP/iperf.json") ||
		fail "no goodput measured: $(head -c 1000 "$TMP/iperf.json")"
	read -r wire busy <"$TMP/wire"
	echo "$dir at ${rate}mbit: wire ${wire} Mbit/s ($(python3 -c 'import sys; print("%.4f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$wire" "$rate")x, backlogged in ${busy} of the samples), goodput ${mbit} Mbit/s"
	python3 -c 'import sys; sys.exit(float(sys.argv[1]) > 1.01 * float(sys.argv[2]))' \
		"$wire" "$rate" || fail "wire rate $dir ${wire} Mbit/s is above ${rate}mbit"
	if python3 -c 'import sys; sys.exit(float(sys.argv[1]) < 0.9)' "$busy"; then
		python3 -c 'import sys; sys.exit(float(sys.argv[1]) < 0.9 * float(sys.argv[2]))' \
			"$wire" "$rate" || fail "wire rate $dir ${wire} Mbit/s is far below ${rate}mbit"
	else
		echo "the sender left the shaper idle: its lower bound not checked"
	fi
}

t_qos_goodput_inbound_10mbit() {
	goodput 10 in
}
t_qos_goodput_outbound_10mbit() {
	goodput 10 out
}
t_qos_goodput_inbound_50mbit() {
	goodput 50 in
}
t_qos_goodput_outbound_50mbit() {
	goodput 50 out
}
t_qos_goodput_inbound_200mbit() {
	goodput 200 in
}
t_qos_goodput_outbound_200mbit() {
	goodput 200 out
}

run_test "$@"
