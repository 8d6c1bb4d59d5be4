#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# load.sh - the broker under load: 64 helpers at once, and 5 000 requests
# in a loop with taps opened and closed, after which the broker holds no
# more descriptors, memory or taps than before.
#
# Network kinds: as in fault_injection.sh, LOAD_NETWORKS lists the kinds
# of network the requests go to; kind K has load_network_K (make what it
# needs, print its `[network lK]` group, usable by the group tw-load) and
# load_leftovers_K (fail if the kernel holds anything of K once every tap
# is gone). Kinds now: bridge, qos, nat.
#
# Under AddressSanitizer (the broker's memory is ASan's, its quarantine
# grows by design) the 5 000 are 1 000 and the RSS is not compared; the
# broker's exit at SIGTERM checks its leaks instead (LeakSanitizer).
# Usage: load.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

LOAD_NETWORKS=(bridge qos nat)

load_network_bridge() {
	make_bridge twbr0
	printf '[network lbridge]\nbridge = twbr0\nallow-groups = tw-load\n\n'
}

load_leftovers_bridge() {
	[ -z "$(ip -o link show master twbr0)" ] ||
		fail "ports left on twbr0: $(ip -o link show master twbr0)"
}

# rate limits both ways: an HTB on each tap, an IFB per tap (removed by
# the broker's worker thread once the tap is gone)
load_network_qos() {
	make_bridge twbr1
	printf '[network lqos]\nbridge = twbr1\ninbound = 50mbit\noutbound = 20mbit\nallow-groups = tw-load\n\n'
}

load_leftovers_qos() {
	for _ in $(seq 200); do
		[ -z "$(ip -o link show type ifb)" ] && break
		sleep 0.05
	done
	[ -z "$(ip -o link show type ifb)" ] || fail "IFBs left: $(ip -o link show type ifb)"
	[ -z "$(ip -o link show master twbr1)" ] ||
		fail "ports left on twbr1: $(ip -o link show master twbr1)"
}

# a NAT network: set up once, kept (its four chains, one dnsmasq)
load_network_nat() {
	printf '[network lnat]\nmode = nat\nbridge = twnat8\naddress = 10.98.0.1/24\nallow-groups = tw-load\n\n'
}

load_leftovers_nat() {
	local chains n
	[ -z "$(ip -o link show master twnat8 2>/dev/null)" ] ||
		fail "ports left on twnat8: $(ip -o link show master twnat8)"
	chains=$(nft list table ip tapwarden 2>/dev/null | grep -c 'chain net/lnat/' || true)
	[ "$chains" = 4 ] || fail "$chains chains of lnat: $(nft list table ip tapwarden)"
	n=$({ pgrep -f -- "--pid-file=$TMP/run/lnat.pid" || true; } | wc -l)
	[ "$n" = 1 ] || fail "network lnat has $n dnsmasq processes"
}

LOAD_USERS="tw-load1 tw-load2 tw-load3 tw-load4 tw-load5 tw-load6 tw-load7 tw-load8"

# load_setup() - the users (group tw-load), a network of every kind, a broker
load_setup() {
	local u kind
	for u in $LOAD_USERS; do make_user "$u" tw-load; done
	: >"$TMP/tapwarden.conf"
	for kind in "${LOAD_NETWORKS[@]}"; do
		"load_network_$kind" >>"$TMP/tapwarden.conf"
	done
	start_broker
}

# expect_nothing_left() - no tap, no lease, nothing of any kind
expect_nothing_left() {
	local kind
	for _ in $(seq 100); do [ -z "$(kernel_taps)" ] && break; sleep 0.05; done
	no_tap_left
	[ "$(python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" list)" = "list 0" ] ||
		fail "the broker still lists leases"
	for kind in "${LOAD_NETWORKS[@]}"; do "load_leftovers_$kind"; done
}

# broker_rss_kib() - the broker's resident set, KiB
broker_rss_kib() {
	sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$BROKER_PID/status"
}

# broker_has_asan() - is the broker built with AddressSanitizer
broker_has_asan() {
	grep -q libasan "/proc/$BROKER_PID/maps"
}

t_broker_serves_64_helpers_at_once_with_distinct_taps_and_leaves_nothing() {
	local u i pids=() before names net
	load_setup
	# one tap of every kind first: what a network keeps for itself (NAT:
	# dnsmasq's pidfd) is not a leak
	for net in "${LOAD_NETWORKS[@]}"; do
		as_user tw-load1 "$TW_RUN_LIKE_QEMU" "$TW_HELPER" "l$net" >"$TMP/warm" 2>&1 ||
			fail "l$net: $(cat "$TMP/warm")"
	done
	expect_nothing_left
	sleep 0.5	# the last connection closed by the reaper
	before=$(fd_count "$BROKER_PID")
	# 8 users x 8 helpers: at most 8 of one user wait at once
	for u in $LOAD_USERS; do
		for i in $(seq 8); do
			net=l${LOAD_NETWORKS[$((i % ${#LOAD_NETWORKS[@]}))]}
			# shellcheck disable=SC2016  # expanded by the inner shell
			as_user "$u" "$TW_RUN_LIKE_QEMU" "$TW_HELPER" "$net" -- \
				sh -c 'while [ ! -e "$0" ]; do sleep 0.1; done' "$TMP/shared/release" \
				>"$TMP/c.$u.$i" 2>&1 &
			pids+=($!)
		done
	done
	# all 64 taps exist at once
	for _ in $(seq 600); do
		[ "$(kernel_taps | wc -l)" = 64 ] && break
		sleep 0.1
	done
	[ "$(kernel_taps | wc -l)" = 64 ] ||
		fail "$(kernel_taps | wc -l) taps of 64: $(grep -h tapwarden: "$TMP"/c.* | sort | uniq -c)"
	[ "$(python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" list)" = "list 64" ] ||
		fail "the broker does not list 64 leases"
	touch "$TMP/shared/release"
	wait "${pids[@]}" || fail "a helper failed: $(grep -h tapwarden: "$TMP"/c.* | head -3)"
	names=$(cat "$TMP"/c.* | sed -n 's/^ifname=//p' | sort)
	[ "$(echo "$names" | uniq | wc -l)" = 64 ] || fail "tap names not distinct: $names"
	expect_nothing_left
	for _ in $(seq 100); do [ "$(fd_count "$BROKER_PID")" = "$before" ] && break; sleep 0.05; done
	[ "$(fd_count "$BROKER_PID")" = "$before" ] ||
		fail "broker fds: $before before, $(fd_count "$BROKER_PID") after"
	kill -0 "$BROKER_PID" || fail "broker died"
}

# request_rounds() - N requests from 4 users at once, each tap opened and
# closed at once (run-like-qemu --repeat); fails unless all were served
request_rounds() {
	local n=$1 u pids=() per=$(($1 / 4)) i=0
	for u in tw-load1 tw-load2 tw-load3 tw-load4; do
		i=$((i + 1))
		as_user "$u" "$TW_RUN_LIKE_QEMU" --repeat="$per" --quiet "$TW_HELPER" \
			"l${LOAD_NETWORKS[$((i % ${#LOAD_NETWORKS[@]}))]}" \
			>"$TMP/r.$u" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}" || fail "a request failed: $(grep -h -v usec= "$TMP"/r.* | head -5)"
	[ "$(cat "$TMP"/r.* | grep -c '^usec=')" = "$n" ] || fail "not $n requests made"
}

t_broker_5000_requests_leak_no_descriptors_memory_or_taps() {
	local count=5000 fds rss fds_after rss_after start
	load_setup
	broker_has_asan && count=1000
	request_rounds 1000	# warm-up: tables, caches and malloc arenas grown
	expect_nothing_left
	fds=$(fd_count "$BROKER_PID")
	rss=$(broker_rss_kib)
	start=$(date +%s)
	request_rounds "$count"
	expect_nothing_left
	for _ in $(seq 100); do [ "$(fd_count "$BROKER_PID")" = "$fds" ] && break; sleep 0.05; done
	fds_after=$(fd_count "$BROKER_PID")
	rss_after=$(broker_rss_kib)
	echo "$count requests in $(($(date +%s) - start)) s: broker fds $fds -> $fds_after," \
		"RSS $rss -> $rss_after KiB"
	[ "$fds_after" = "$fds" ] || fail "broker fds: $fds before, $fds_after after"
	if broker_has_asan; then
		echo "RSS not compared under AddressSanitizer (its quarantine holds freed memory)"
	else
		# within two pages
		[ "$rss_after" -le $((rss + 8)) ] ||
			fail "broker RSS grew from $rss to $rss_after KiB over $count requests"
	fi
	kill -0 "$BROKER_PID" || fail "broker died"
}

run_test "$@"
