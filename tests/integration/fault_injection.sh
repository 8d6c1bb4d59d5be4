#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fault_injection.sh - tapwarden when things fail under it: the broker
# SIGKILLed at random moments during 500 requests and restarted; route
# netlink calls failing at every step of a request (tests/tools/
# netlink-fault.c, LD_PRELOADed); a kernel without a feature a network
# needs. Afterwards the kernel holds exactly what live leases need, and a
# request that failed failed with one line and rolled back.
#
# Network kinds: every request goes to a network of each kind in
# FAULT_NETWORKS. A kind K has two functions:
#   fault_network_K    - make what K needs (bridges, uplinks...) and print
#                        its `[network fK]` group for tapwarden.conf,
#                        usable by tw-alice and tw-bob
#   fault_leftovers_K  - fail if the kernel holds anything of K (ports,
#                        rules, IFBs, dnsmasq...) that no live tap needs;
#                        the live taps are given as arguments
# Kinds now: bridge, vlan, qos, nat (docs/DEVELOPERS.md, "Hardening").
# Usage: fault_injection.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

FAULT_NETWORKS=(bridge vlan qos nat)
# direct mode (no broker) refuses NAT networks: they need tapwardend
DIRECT_NETWORKS=(bridge vlan qos)

fault_network_bridge() {
	make_bridge twbr0
	printf '[network fbridge]\nbridge = twbr0\nallow-users = tw-alice;tw-bob\n\n'
}

fault_leftovers_bridge() {
	local port
	for port in $(ip -o link show master twbr0 | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p'); do
		[[ " $* " == *" $port "* ]] || fail "twbr0 has port $port, which no live tap is"
	done
}

# A VLAN network over an uplink: on this machine's kernel (no 802.1Q) each
# request makes the per-VLAN bridge, fails at the VLAN device and removes
# the bridge again; on a kernel with 802.1Q it is served.
fault_network_vlan() {
	ip link add twup0 type veth peer name twup1
	printf '[network fvlan]\nvlan = 100\nvlan-uplink = twup0\nallow-users = tw-alice;tw-bob\n\n'
}

fault_leftovers_vlan() {
	local link
	# a half-made per-VLAN bridge (twvnew<PID>) of a dead process
	for link in $(ip -o link show type bridge | sed -n 's/^[0-9]*: \(twvnew[0-9]*\).*/\1/p'); do
		kill -0 "${link#twvnew}" 2>/dev/null && continue
		fail "half-made per-VLAN bridge $link left behind"
	done
	# twv100 and twup0.100 may stay for the next tap (docs/DEVELOPERS.md,
	# "VLANs"), but only as tapwarden's, and with no port but live taps
	if ip link show twv100 >/dev/null 2>&1; then
		ip -d link show twv100 | grep 'alias tapwarden vlan=100 uplink=twup0' >/dev/null ||
			fail "twv100 is not tapwarden's: $(ip -d link show twv100)"
		for link in $(ip -o link show master twv100 | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p'); do
			[ "$link" = twup0.100 ] || [[ " $* " == *" $link "* ]] ||
				fail "twv100 has port $link, which no live tap is"
		done
	fi
}

# Rate limits: an HTB root on the tap, an IFB twi<N> for the outbound
# limit (docs/DEVELOPERS.md, "QoS"); both belong to the tap.
fault_network_qos() {
	make_bridge twbr1
	printf '[network fqos]\nbridge = twbr1\ninbound = 10mbit\noutbound = 5mbit\nallow-users = tw-alice;tw-bob\n\n'
}

fault_leftovers_qos() {
	local ifb tap stale
	# the broker removes a gone tap's IFB on a worker thread: give it a
	# moment. Direct mode leaves the IFB of the last tap it served (gone
	# since) to the next helper run, which removes it; a request that
	# failed must have left none.
	for _ in $(seq 60); do
		stale=
		for ifb in $(ip -o link show type ifb | sed -n 's/^[0-9]*: \(twi[0-9]*\).*/\1/p'); do
			tap=tw${ifb#twi}
			[[ " $* " == *" $tap "* ]] || stale="$stale $ifb"
		done
		[ -z "$stale" ] && return 0
		[ -z "${BROKER_PID:-}" ] && [ "${RC:-1}" = 0 ] && [ "$(wc -w <<<"$stale")" = 1 ] && return 0
		sleep 0.05
	done
	fail "IFB devices of gone taps left:$stale"
}

# A NAT network: its bridge, gateway, four chains in table ip tapwarden
# and one dnsmasq, made on the first request and kept for the network
# (not per tap); after kills and restarts there is exactly one copy.
fault_network_nat() {
	printf '[network fnat]\nmode = nat\nbridge = twnat9\naddress = 10.99.0.1/24\nforward = tcp:8099:10.99.0.50:80\nallow-users = tw-alice;tw-bob\n\n'
}

fault_leftovers_nat() {
	local port chains n
	if ip link show twnat9 >/dev/null 2>&1; then
		for port in $(ip -o link show master twnat9 | sed -n 's/^[0-9]*: \([^:@]*\).*/\1/p'); do
			[[ " $* " == *" $port "* ]] || fail "twnat9 has port $port, which no live tap is"
		done
	fi
	chains=$(nft list table ip tapwarden 2>/dev/null | grep -c 'chain net/fnat/' || true)
	[ "$chains" = 0 ] || [ "$chains" = 4 ] || fail "$chains chains of fnat: $(nft list table ip tapwarden)"
	n=$(nft list table ip tapwarden 2>/dev/null | grep -c 'dnat to 10.99.0.50:80' || true)
	[ "$n" -le 2 ] || fail "the forward's DNAT rule is there $n times (prerouting and output: 2)"
	# at most one dnsmasq, and exactly one while a broker serves the network
	for _ in $(seq 100); do
		n=$({ pgrep -f -- "^/usr/sbin/dnsmasq .*--pid-file=$TMP/run/fnat.pid" || true; } | wc -l)
		[ "$n" -le 1 ] && { [ "$chains" = 0 ] || [ -z "${BROKER_PID:-}" ] || [ "$n" = 1 ]; } && return 0
		sleep 0.05
	done
	fail "network fnat has $n dnsmasq processes"
}

# write_fault_networks() - tapwarden.conf with a network of every kind
write_fault_networks() {
	local kind
	: >"$TMP/tapwarden.conf"
	for kind in "${FAULT_NETWORKS[@]}"; do
		"fault_network_$kind" >>"$TMP/tapwarden.conf"
	done
}

# expect_no_leftovers() - the kernel holds only what the live taps need:
# every tw* tap has a living holder and a lease the broker lists, and no
# kind of network holds anything else
expect_no_leftovers() {
	local tap pid kind taps
	taps=$(kernel_taps | paste -sd ' ')
	for tap in $taps; do
		pid=$(ip -o link show "$tap" | sed -n 's/.* pid=\([0-9]*\) .*/\1/p')
		{ [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || fail "$tap has no living holder"
	done
	if [ -n "${BROKER_PID:-}" ]; then
		[ "$("$TW_TAPWARDEN" list --json | python3 -c '
import json, sys
print(" ".join(sorted(l["ifname"] for l in json.load(sys.stdin))))')" = "$taps" ] ||
			fail "the broker lists other leases than the kernel's taps ($taps)"
	fi
	for kind in "${FAULT_NETWORKS[@]}"; do
		# shellcheck disable=SC2086  # one argument per tap, on purpose
		"fault_leftovers_$kind" $taps
	done
}

# restart_broker() - start the broker again, on a fresh log (start_broker
# waits for the log line of a start)
restart_broker() {
	[ -f "$TMP/broker.log" ] && cat "$TMP/broker.log" >>"$TMP/broker.old.log"
	: >"$TMP/broker.log"
	start_broker
}

# request_loop() - as the user running it: COUNT requests, alternating over
# the NETWORKS, each tap held for a random moment (every 50th for a
# minute, in the background); one line per request in OUT:
# `rc=RC lines=N err=FIRST-LINE`
request_loop() {
	local out=$1 count=$2 i net err rc
	shift 2
	local nets=("$@")
	for i in $(seq "$count"); do
		net=${nets[$((i % ${#nets[@]}))]}
		if [ $((i % 50)) = 0 ]; then
			"$TW_RUN_LIKE_QEMU" "$TW_HELPER" "$net" -- sleep 60 >/dev/null 2>&1 &
			continue
		fi
		rc=0
		timeout 30 "$TW_RUN_LIKE_QEMU" "$TW_HELPER" "$net" -- \
			sleep "0.0$((RANDOM % 10))" >"$out.tmp" 2>"$out.err" || rc=$?
		err=$(head -n 1 "$out.err")
		echo "rc=$rc lines=$(wc -l <"$out.err") err=$err" >>"$out"
	done
}

# any_alive() - does any of the PIDs run
any_alive() {
	local pid
	for pid in "$@"; do kill -0 "$pid" 2>/dev/null && return 0; done
	return 1
}

t_broker_sigkilled_at_random_moments_during_500_requests_leaves_only_what_live_leases_need() {
	local workers=() w kills=0 nets=() kind
	make_user tw-alice
	make_user tw-bob
	write_fault_networks
	for kind in "${FAULT_NETWORKS[@]}"; do nets+=("f$kind"); done
	start_broker
	# 4 request loops of 125 (two users, two loops each)
	for w in 1 2 3 4; do
		as_user "$([ $((w % 2)) = 0 ] && echo tw-alice || echo tw-bob)" bash -c "
			$(declare -f request_loop)
			request_loop '$TMP/shared/loop.$w' 125 ${nets[*]}" &
		workers+=($!)
	done
	# kill the broker at random moments while they run
	while any_alive "${workers[@]}"; do
		sleep "$((RANDOM % 2)).$((RANDOM % 10))"
		kill -KILL "$BROKER_PID" 2>/dev/null || true
		wait "$BROKER_PID" 2>/dev/null || true
		BROKER_PID=
		kills=$((kills + 1))
		sleep "0.0$((RANDOM % 10))"
		restart_broker
	done
	wait "${workers[@]}" 2>/dev/null || true
	# every request ended: a tap, or one line of error and no tap
	# (every 50th of a loop holds its tap for a minute, unrecorded)
	[ "$(cat "$TMP"/shared/loop.? | wc -l)" = 492 ] ||
		fail "requests lost: $(cat "$TMP"/shared/loop.? | wc -l) of 492 recorded"
	if grep -v -E '^rc=(0 lines=0 err=|10 lines=1 err=tapwarden: )' "$TMP"/shared/loop.?; then
		fail "requests above ended otherwise than with a tap or one line of error"
	fi
	echo "errors, by kind:"
	sed -n 's/^rc=10 lines=1 err=//p' "$TMP"/shared/loop.? | sed 's/[0-9]\+/N/g' | sort | uniq -c | sort -rn | head -n 8
	echo "500 requests, broker SIGKILLed $kills times:" \
		"$(cat "$TMP"/shared/loop.? | grep -c '^rc=0') served," \
		"$(cat "$TMP"/shared/loop.? | grep -c '^rc=10') refused or unanswered," \
		"$(kernel_taps | wc -l) held for a minute"
	# restarted after the last kill (and stopped and started again, which
	# under ASan checks its leaks), it serves, and the kernel holds only
	# what the live leases (the minute-long holders) need
	stop_broker
	restart_broker
	expect_in "$TMP/broker.log" "[0-9]+ live leases"
	expect_no_leftovers
	user_run_like_qemu tw-alice fbridge
	[ "$RC" = 0 ] || fail "broker does not serve after the kills ($RC): $(cat "$TMP/err")"
	pkill -KILL -f "$TW_RUN_LIKE_QEMU" || true
	for _ in $(seq 100); do [ -z "$(kernel_taps)" ] && break; sleep 0.05; done
	no_tap_left
	expect_no_leftovers
}

# fault_run() - run the helper (direct mode) for NAME with the netlink
# fault FAULT (OP:N); output as run_like_qemu; $FIRED is 1 when the fault
# happened
fault_run() {
	local name=$1 fault=$2
	rm -f "$TMP/fault.log"
	RC=0
	"$TW_RUN_LIKE_QEMU" "env LD_PRELOAD=$TW_NETLINK_FAULT_LIB TW_NETLINK_FAULT=$fault \
TW_NETLINK_FAULT_LOG=$TMP/fault.log ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
$(helper_cmd)" "$name" >"$TMP/out" 2>"$TMP/err" || RC=$?
	FIRED=0
	[ -s "$TMP/fault.log" ] && FIRED=1
	return 0
}

t_netlink_failure_at_each_step_of_a_request_rolls_back_in_direct_mode() {
	local kind op n faults=0 served=0
	write_fault_networks
	for kind in "${DIRECT_NETWORKS[@]}"; do
		for op in send recv; do
			for n in $(seq 1 100); do
				fault_run "f$kind" "$op:$n"
				[ "$FIRED" = 1 ] || break
				faults=$((faults + 1))
				if [ "$RC" = 0 ]; then
					served=$((served + 1))	# the call was one with a fall-back
				else
					expect_refused "" || fail "f$kind $op:$n"
				fi
				no_tap_left
				expect_no_leftovers
			done
			[ "$n" -gt 1 ] || fail "f$kind: no $op call was failed at all"
			[ "$n" -lt 100 ] || fail "f$kind: 100 $op calls and more"
		done
	done
	echo "$faults netlink faults injected into the helper, $served requests served anyway"
}

t_netlink_failures_in_the_broker_fail_requests_cleanly_and_leak_nothing() {
	local kind fault before i served refused
	make_user tw-alice
	write_fault_networks
	# the broker with the fault library: start_broker runs this wrapper
	printf '#!/bin/sh\nexec env LD_PRELOAD=%s TW_NETLINK_FAULT_ARMED=signal TW_NETLINK_FAULT_LOG=%s ASAN_OPTIONS=%s "%s" "$@"\n' \
		"$TW_NETLINK_FAULT_LIB" "$TMP/fault.log" \
		"${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$TW_TAPWARDEND" >"$TMP/faulty-tapwardend"
	chmod 755 "$TMP/faulty-tapwardend"
	# one kind at a time: a failed request stops early, so with kinds
	# mixed the faults would fall into the longest kind's requests only
	for kind in "${FAULT_NETWORKS[@]}"; do
		for fault in send:2+7 recv:3+11; do
			rm -f "$TMP/fault.log"
			stop_broker
			: >"$TMP/broker.log"
			TW_NETLINK_FAULT=$fault TW_TAPWARDEND=$TMP/faulty-tapwardend start_broker
			# one request unharmed first: what a network keeps for
			# itself (NAT: dnsmasq's pidfd) is not a leak
			user_run_like_qemu tw-alice "f$kind"
			sleep 0.5	# its connection closed by the reaper
			before=$(fd_count "$BROKER_PID")
			kill -USR2 "$BROKER_PID"	# armed
			served=0 refused=0
			for i in $(seq 30); do
				user_run_like_qemu tw-alice "f$kind"
				if [ "$RC" = 0 ]; then
					served=$((served + 1))
				else
					expect_refused ""
					refused=$((refused + 1))
				fi
				kill -0 "$BROKER_PID" || fail "broker died under $fault"
			done
			kill -USR2 "$BROKER_PID"	# disarmed
			[ -s "$TMP/fault.log" ] || fail "f$kind: no fault was injected ($fault)"
			[ "$refused" -gt 0 ] || fail "f$kind: no fault made a request fail ($fault)"
			echo "f$kind $fault: $(wc -l <"$TMP/fault.log") netlink faults in the broker, 30 requests: $served served, $refused refused"
			no_tap_left
			expect_no_leftovers
			[ "$kind" != bridge ] || {
				user_run_like_qemu tw-alice fbridge
				[ "$RC" = 0 ] || fail "broker does not serve once the faults stop ($RC): $(cat "$TMP/err")"
			}
			for _ in $(seq 100); do
				[ "$(fd_count "$BROKER_PID")" = "$before" ] && break
				sleep 0.05
			done
			[ "$(fd_count "$BROKER_PID")" = "$before" ] ||
				fail "broker fds: $before before, $(fd_count "$BROKER_PID") after ($fault)"
		done
	done
}

# libnftables' calls for a NAT network fail (each of its netlink sends in
# turn, while the first request sets the network up): the request fails
# with one line and leaves neither chains nor a tap, or (a failed query the
# set-up does without) is served with the network whole; once the faults
# stop, the next request sets the network up whole.
t_nftables_failure_while_a_nat_network_is_set_up_rolls_back() {
	local n failed=0 served=0
	make_user tw-alice
	write_fault_networks
	printf '#!/bin/sh\nexec env LD_PRELOAD=%s TW_NETLINK_FAULT_PROTOCOL=netfilter TW_NETLINK_FAULT_ARMED=signal TW_NETLINK_FAULT_LOG=%s ASAN_OPTIONS=%s "%s" "$@"\n' \
		"$TW_NETLINK_FAULT_LIB" "$TMP/fault.log" \
		"${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$TW_TAPWARDEND" >"$TMP/faulty-tapwardend"
	chmod 755 "$TMP/faulty-tapwardend"
	for n in $(seq 1 20); do
		# a network never set up: no chains, no dnsmasq, no bridge
		stop_broker
		nft delete table ip tapwarden 2>/dev/null || true
		pkill -f -- "--pid-file=$TMP/run/fnat.pid" || true
		ip link del twnat9 2>/dev/null || true
		rm -f "$TMP/fault.log"
		: >"$TMP/broker.log"
		TW_NETLINK_FAULT=send:$n TW_TAPWARDEND=$TMP/faulty-tapwardend start_broker
		kill -USR2 "$BROKER_PID"	# armed
		user_run_like_qemu tw-alice fnat
		kill -USR2 "$BROKER_PID"	# disarmed
		[ -s "$TMP/fault.log" ] || break	# fewer sends than n
		if [ "$RC" = 0 ]; then
			served=$((served + 1))
			[ "$(nft list table ip tapwarden | grep -c 'chain net/fnat/')" = 4 ] ||
				fail "send:$n: served, but the network is not whole: $(nft list table ip tapwarden)"
		else
			failed=$((failed + 1))
			expect_refused ""
			no_tap_left
			[ "$(nft list table ip tapwarden 2>/dev/null | grep -c 'chain net/fnat/' || true)" = 0 ] ||
				fail "send:$n: chains left after a failed request: $(nft list table ip tapwarden)"
		fi
		expect_no_leftovers
		user_run_like_qemu tw-alice fnat
		[ "$RC" = 0 ] || fail "send:$n: not served once the faults stopped ($RC): $(cat "$TMP/err")"
		[ "$(nft list table ip tapwarden | grep -c 'chain net/fnat/')" = 4 ] ||
			fail "send:$n: the network is not whole: $(nft list table ip tapwarden)"
		expect_no_leftovers
	done
	[ "$n" -gt 1 ] || fail "no nftables call was failed"
	[ "$failed" -gt 0 ] || fail "no nftables fault made a request fail"
	echo "$((n - 1)) nftables faults while a NAT network was set up: $failed requests failed and rolled back, $served served whole"
}

t_vlan_network_on_a_kernel_without_8021q_fails_cleanly_through_the_broker() {
	# the namespace's kernel lacks a feature the network needs: one line,
	# nothing made is left, the broker serves on
	make_user tw-alice
	write_fault_networks
	start_broker
	user_run_like_qemu tw-alice fvlan
	if [ "$RC" = 0 ]; then
		echo "skip: this kernel has 802.1Q (tests/vm/vlan.sh tests it there)"
		exit 77
	fi
	expect_refused "cannot create twup0\\.100: this kernel has no 802\\.1Q VLAN devices"
	expect_no_leftovers
	if ip link show twv100 >/dev/null 2>&1; then fail "twv100 left behind"; fi
	user_run_like_qemu tw-alice fbridge
	[ "$RC" = 0 ] || fail "broker does not serve afterwards ($RC): $(cat "$TMP/err")"
}

run_test "$@"
