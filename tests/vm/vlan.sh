#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vlan.sh - VLAN access ports (netdev/vlan.c), both layouts, and every
# refusal. Needs 802.1Q and bridge VLAN filtering, so it runs in the vm
# suite (a Debian kernel booted by tests/vm/run-guest), not on the host.
# Usage: vlan.sh TEST_NAME (tests/vm/guest-group passes it).
#
# Every tap is got as QEMU gets it (with-taps runs run-like-qemu, which runs
# the helper) and frames go through the tap descriptors, as a guest's would
# (tap-frames). The trunk's far end is a veth end in the network namespace
# "twfar", where tcpdump watches what leaves the uplink and tap-frames sends
# tagged frames in.
source "$(dirname "$0")/../integration/lib.sh"

MAC_A=02:00:00:00:00:0a MAC_C=02:00:00:00:00:0c
MAC_FAR=02:00:00:00:00:0f

# make_trunk() - veth twup0 (here, up) <-> twfar0 (up, in netns twfar)
make_trunk() {
	# named netns files live on /run: keep them in this mount namespace
	mkdir -p /run/netns
	mount -t tmpfs tmpfs /run/netns
	ip netns add twfar
	ip link add twup0 type veth peer name twfar0 netns twfar
	ip link set twup0 up
	ip -n twfar link set twfar0 up
	ip -n twfar link set lo up
}

# make_filtering_bridge() - twbr0 with VLAN filtering; twup0 its trunk port
make_filtering_bridge() {
	make_bridge twbr0
	ip link set twbr0 type bridge vlan_filtering 1
	make_trunk
	ip link set twup0 master twbr0
	# the uplink is a trunk: no untagged default VLAN on it
	bridge vlan del dev twup0 vid 1
}

# write_networks() - office = VLAN 100, lab = VLAN 200; KEY=VALUE lines
# given are added to both networks
write_networks() {
	{
		printf '[network office]\nvlan = 100\n'
		printf '%s\n' "$@"
		printf '[network lab]\nvlan = 200\n'
		printf '%s\n' "$@"
	} >"$TMP/tapwarden.conf"
}

# with_taps() - NETWORK... -- COMMAND: hold a tap on each (TAP_FDS,
# TAP_NAMES), run COMMAND; run-like-qemu's lines go to $TMP/taps.out
with_taps() {
	RC=0
	"$TW_WITH_TAPS" "$(helper_cmd)" "$@" >"$TMP/taps.out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "with-taps $* failed ($RC): $(cat "$TMP/err")"
	[ ! -s "$TMP/err" ] || fail "a helper wrote to stderr: $(head -c 2000 "$TMP/err")"
}

# frames() - tap-frames with the environment's path
frames() {
	"$TW_TAP_FRAMES" "$@"
}

# expect_exactly() - FILE holds exactly the lines given (sorted), or nothing
expect_exactly() {
	local file=$1 want got
	shift
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(sort "$file")
	[ "$got" = "$want" ] || fail "$file: expected [${want//$'\n'/ }], got [${got//$'\n'/ }]"
}

# exchange_script() - the frames test for three taps A B (office) C (lab):
# A's broadcast reaches B and not C; C's reaches neither A nor B. Results in
# $TMP/{b,c,a2,b2}.
exchange_script() {
	cat <<EOF
set -e -- \$TAP_FDS
f=$TW_TAP_FRAMES
\$f send \$1 $MAC_A from-a
\$f recv \$2 3000 1 >$TMP/b
\$f recv \$3 1000 >$TMP/c
\$f send \$3 $MAC_C from-c
\$f recv \$1 1000 >$TMP/a2
\$f recv \$2 1000 >$TMP/b2
EOF
}

# expect_vlan_100_apart_from_200() - after exchange_script
expect_vlan_100_apart_from_200() {
	expect_exactly "$TMP/b" from-a
	expect_exactly "$TMP/c"
	expect_exactly "$TMP/a2"
	expect_exactly "$TMP/b2"
}

# uplink_script() - A (office), B (office), C (lab): A's broadcast leaves the
# uplink tagged 100 (tcpdump on twfar0, in $TMP/cap); a frame tagged 100
# sent in from the far end reaches A and B untagged and not C, one tagged
# 200 reaches only C. Results in $TMP/{cap,out_b,far_a,far_b,far_c,
# far200_a,far200_c}.
uplink_script() {
	cat <<EOF
set -e -- \$TAP_FDS
f=$TW_TAP_FRAMES
ip netns exec twfar timeout 20 tcpdump -i twfar0 -e -n -l -c 1 \
	'vlan 100 and ether proto 0x88b5' >$TMP/cap 2>$TMP/cap.err &
dump=\$!
for i in \$(seq 100); do
	grep -q 'listening on' $TMP/cap.err 2>/dev/null && break
	sleep 0.1
done
\$f send \$1 $MAC_A out-a
wait \$dump || echo "tcpdump exit \$?" >>$TMP/cap
\$f recv \$2 3000 1 >$TMP/out_b
ip netns exec twfar \$f send if:twfar0 $MAC_FAR far-100 100
\$f recv \$1 3000 1 >$TMP/far_a
\$f recv \$2 3000 1 >$TMP/far_b
\$f recv \$3 1000 >$TMP/far_c
ip netns exec twfar \$f send if:twfar0 $MAC_FAR far-200 200
\$f recv \$3 3000 1 >$TMP/far200_c
\$f recv \$1 1000 >$TMP/far200_a
EOF
}

# expect_tagged_on_the_uplink() - after uplink_script
expect_tagged_on_the_uplink() {
	expect_in "$TMP/cap" "$MAC_A > ff:ff:ff:ff:ff:ff, ethertype 802\\.1Q \\(0x8100\\), length [0-9]+: vlan 100, p 0, ethertype (Unknown )?\\(?0x88b5"
	expect_exactly "$TMP/out_b" out-a
	expect_exactly "$TMP/far_a" far-100
	expect_exactly "$TMP/far_b" far-100
	expect_exactly "$TMP/far_c"
	expect_exactly "$TMP/far200_c" far-200
	expect_exactly "$TMP/far200_a"
}

# nothing_left() - no tap, no per-VLAN bridge, no VLAN device
nothing_left() {
	no_tap_left
	if ip -o link show | grep -Eq '^[0-9]+: (twv[a-z0-9]+|[^ :@]+\.[0-9]+)[:@]'; then
		fail "left behind: $(ip -o link show | grep -E ': (twv[a-z0-9]+|[^ :@]+\.[0-9]+)[:@]' | cut -d' ' -f2)"
	fi
}

# --- layout 1: the network's bridge has VLAN filtering -------------------

t_filtering_bridge_makes_the_tap_an_untagged_access_port_of_its_vlan() {
	make_filtering_bridge
	write_networks "bridge = twbr0" "vlan-uplink = twup0"
	# shellcheck disable=SC2016  # expanded by the inner shell
	with_taps office -- sh -c 'bridge vlan show dev "$TAP_NAMES" >"$0"; ip -d -o link show "$TAP_NAMES" >"$1"' \
		"$TMP/vlans" "$TMP/link"
	expect_in "$TMP/vlans" '^tw[0-9]+ +100 PVID Egress Untagged'
	if grep -Eq '(^tw[0-9]+)? +1( |$)' "$TMP/vlans"; then
		fail "the tap kept VLAN 1: $(cat "$TMP/vlans")"
	fi
	expect_in "$TMP/link" 'master twbr0 '
	expect_in "$TMP/link" '<[A-Z_,]*,UP[,>]'
	expect_in "$TMP/link" 'alias tapwarden uid=0 net=office pid=[0-9]+ since=[0-9]+ vlan=100$'
	# the uplink carries 100 tagged now, and keeps it for later taps
	bridge vlan show dev twup0 >"$TMP/up"
	expect_in "$TMP/up" '^twup0 +100$'
	no_tap_left
}

t_filtering_taps_on_vlan_100_exchange_frames_and_vlan_200_cannot_reach_them() {
	make_filtering_bridge
	write_networks "bridge = twbr0"
	with_taps office office lab -- sh -c "$(exchange_script)"
	expect_vlan_100_apart_from_200
}

t_filtering_frames_leave_the_uplink_tagged_and_tagged_frames_reach_only_their_vlan() {
	make_filtering_bridge
	write_networks "bridge = twbr0" "vlan-uplink = twup0"
	with_taps office office lab -- sh -c "$(uplink_script)"
	expect_tagged_on_the_uplink
}

t_filtering_uplink_that_already_carries_the_vlan_is_left_as_it_was() {
	make_filtering_bridge
	bridge vlan add dev twup0 vid 100 untagged
	write_networks "bridge = twbr0" "vlan-uplink = twup0"
	with_taps office -- true
	bridge vlan show dev twup0 >"$TMP/up"
	expect_in "$TMP/up" '^twup0 +100 Egress Untagged$'
}

t_filtering_uplink_that_is_not_a_port_of_the_bridge_is_refused() {
	make_filtering_bridge
	ip link set twup0 nomaster
	write_networks "bridge = twbr0" "vlan-uplink = twup0"
	run_like_qemu office
	expect_refused "vlan-uplink twup0 is not a port of bridge twbr0"
	bridge vlan show dev twup0 >"$TMP/up" 2>&1 || true
	if grep -q ' 100' "$TMP/up"; then fail "VLAN 100 added: $(cat "$TMP/up")"; fi
	nothing_left
}

# --- layout 2: no filtering, a vlan-uplink: DEV.ID and twvID -------------

t_per_vlan_bridge_and_vlan_device_are_created_once_and_reused() {
	make_bridge twbr0	# no VLAN filtering: office goes to twv100
	make_trunk
	write_networks "vlan-uplink = twup0"
	sed -i '2a bridge = twbr0' "$TMP/tapwarden.conf"	# office only
	# shellcheck disable=SC2016  # expanded by the inner shells
	with_taps office -- sh -c 'ip -o link show twv100 >"$0.1"; ip -d -o link show twup0.100 >>"$0.1"
		"$1" "$2" office -- sh -c "ip -o link show twv100 >\"\$0.2\"; ip -d -o link show twup0.100 >>\"\$0.2\"; ip -o link show master twv100 >\"\$0.ports\"; ip -d -o link show \"\$TW_TAP\" >\"\$0.tap\"" "$0"' \
		"$TMP/seen" "$TW_RUN_LIKE_QEMU" "$(helper_cmd)"
	{ [ -s "$TMP/seen.1" ] && [ -s "$TMP/seen.2" ]; } || fail "a tap did not see twv100 / twup0.100"
	# the same two devices (same ifindex) for both taps
	[ "$(cut -d: -f1 "$TMP/seen.1")" = "$(cut -d: -f1 "$TMP/seen.2")" ] ||
		fail "recreated: $(cat "$TMP/seen.1") / $(cat "$TMP/seen.2")"
	expect_in "$TMP/seen.2" '^[0-9]+: twup0\.100@twup0: .* master twv100 .*vlan protocol 802\.1Q id 100 '
	expect_in "$TMP/seen.2" '^[0-9]+: twv100: <[A-Z_,]*\bUP[,>]'	# up (operstate follows later)
	expect_in "$TMP/seen.2" 'alias tapwarden vlan=100 uplink=twup0'
	[ "$(grep -c ': tw[0-9]*:' "$TMP/seen.ports")" = 2 ] ||
		fail "expected 2 taps on twv100: $(cat "$TMP/seen.ports")"
	expect_in "$TMP/seen.tap" 'master twv100 .*alias tapwarden uid=0 net=office pid=[0-9]+ since=[0-9]+ vlan=100$'
	# nothing on the network's own (non-filtering) bridge; the VLAN's
	# devices stay for the next tap, the taps are gone
	[ -z "$(ip -o link show master twbr0)" ] || fail "a port on twbr0"
	[ "$(ip -o link show | grep -c ': twv[0-9]*:')" = 1 ] || fail "not one twv bridge"
	ip link show twup0.100 >/dev/null || fail "twup0.100 removed"
	no_tap_left
}

t_per_vlan_taps_on_vlan_100_exchange_frames_and_vlan_200_cannot_reach_them() {
	make_trunk
	write_networks "vlan-uplink = twup0"
	with_taps office office lab -- sh -c "$(exchange_script)"
	expect_vlan_100_apart_from_200
	ip -o link show master twv200 >"$TMP/ports"
	expect_in "$TMP/ports" ': twup0\.200@twup0: '
}

t_per_vlan_frames_leave_the_uplink_tagged_and_tagged_frames_reach_only_their_vlan() {
	make_trunk
	write_networks "vlan-uplink = twup0"
	with_taps office office lab -- sh -c "$(uplink_script)"
	expect_tagged_on_the_uplink
}

t_per_vlan_helpers_at_the_same_time_share_one_bridge_and_vlan_device() {
	make_trunk
	write_networks "vlan-uplink = twup0"
	local pids=() i
	for i in 1 2 3; do
		"$TW_RUN_LIKE_QEMU" "$(helper_cmd)" office -- sleep 2 \
			>"$TMP/out.$i" 2>"$TMP/err.$i" &
		pids+=($!)
	done
	for i in 1 2 3; do
		wait "${pids[$((i - 1))]}" || fail "helper $i failed: $(cat "$TMP/err.$i")"
		[ ! -s "$TMP/err.$i" ] || fail "helper $i wrote: $(head -c 2000 "$TMP/err.$i")"
	done
	[ "$(ip -o link show | grep -c ': twv')" = 1 ] ||
		fail "not one per-VLAN bridge: $(ip -o link show | grep ': twv')"
	[ "$(ip -o link show | grep -c ': twup0\.100@')" = 1 ] || fail "not one twup0.100"
	ip -o link show twv100 | grep -q 'alias tapwarden vlan=100 uplink=twup0' ||
		fail "twv100 lacks its alias"
}

# A helper that reads twv100 (absent) and then twup0.100 while another
# makes both between the two reads (the netlink fault library holds its
# read of twup0.100) joins them: what it saw is the other's work, not an
# administrator's device.
t_per_vlan_helper_reading_while_another_makes_the_bridge_joins_it() {
	make_trunk
	write_networks "vlan-uplink = twup0"
	"$TW_RUN_LIKE_QEMU" "env LD_PRELOAD=$TW_NETLINK_FAULT_LIB TW_NETLINK_DELAY_GETLINK=twup0.100:3000 $(helper_cmd)" \
		office -- sleep 1 >"$TMP/out.slow" 2>"$TMP/err.slow" &
	local slow=$!
	sleep 1
	run_like_qemu office -- true
	[ "$RC" = 0 ] || fail "the quick helper failed: $(cat "$TMP/err")"
	wait "$slow" || fail "the helper held between its reads failed: $(cat "$TMP/err.slow")"
	[ ! -s "$TMP/err.slow" ] || fail "the held helper wrote: $(head -c 2000 "$TMP/err.slow")"
	[ "$(ip -o link show | grep -c ': twv')" = 1 ] ||
		fail "not one per-VLAN bridge: $(ip -o link show | grep ': twv')"
}

t_per_vlan_bridge_of_another_uplink_is_not_taken_over() {
	make_trunk
	ip link add twup1 type veth peer name twfar1
	write_networks "vlan-uplink = twup0"
	with_taps office -- true
	sed -i 's/twup0/twup1/' "$TMP/tapwarden.conf"
	run_like_qemu office
	expect_refused "twv100 is in use \\(tapwarden vlan=100 uplink=twup0\\): one per-VLAN bridge per VLAN ID"
	if ip link show twup1.100 >/dev/null 2>&1; then fail "twup1.100 created"; fi
}

t_device_named_like_the_per_vlan_bridge_is_not_used() {
	make_trunk
	make_bridge twv100	# the administrator's, not tapwarden's
	write_networks "vlan-uplink = twup0"
	run_like_qemu office
	expect_refused "twv100 exists and is not a per-VLAN bridge of tapwarden"
	ip link show twv100 >/dev/null || fail "twv100 removed"
	if ip link show twup0.100 >/dev/null 2>&1; then fail "twup0.100 created"; fi
}

# --- through the broker: the same provisioning path ---------------------

t_broker_gives_an_unprivileged_user_a_tap_on_the_networks_vlan() {
	# daemon: a user the host's read-only /etc already has (no useradd in
	# the guest), whose group has its name (as_user needs that)
	make_trunk
	write_networks "vlan-uplink = twup0" "allow-users = daemon"
	start_broker
	# shellcheck disable=SC2016  # expanded by the inner shell
	user_run_like_qemu daemon office -- sh -c 'ip -d -o link show "$TW_TAP" >"$0"; "$1" list >"$2"' \
		"$TMP/shared/link" "$TW_TAPWARDEN" "$TMP/shared/list"
	[ "$RC" = 0 ] || fail "broker refused ($RC): $(cat "$TMP/err")"
	expect_in "$TMP/shared/link" 'master twv100 .*alias tapwarden uid=1 net=office pid=[0-9]+ since=[0-9]+ vlan=100$'
	expect_in "$TMP/shared/list" '^tw[0-9]+ +1 +daemon +office +twv100 +100 +[0-9]+ '
	ip -o link show master twv100 | grep -q ': twup0\.100@twup0: ' ||
		fail "twup0.100 is not on twv100"
}

# --- refusals: a clear error, nothing left behind ------------------------

t_missing_uplink_is_refused_and_nothing_is_left() {
	write_networks "vlan-uplink = twnone0"
	run_like_qemu office
	expect_refused "vlan-uplink twnone0 does not exist"
	nothing_left
	make_filtering_bridge
	write_networks "bridge = twbr0" "vlan-uplink = twnone0"
	run_like_qemu office
	expect_refused "vlan-uplink twnone0 does not exist"
	nothing_left
	if ip -o link show master twbr0 | grep -v twup0 >/dev/null; then
		fail "a port left on twbr0"
	fi
}

t_vlan_0_and_4095_are_refused_and_nothing_is_left() {
	make_filtering_bridge
	for id in 0 4095; do
		printf '[network office]\nbridge = twbr0\nvlan = %s\n' "$id" >"$TMP/tapwarden.conf"
		run_like_qemu office
		expect_refused "tapwarden.conf:3: \\[network office\\] vlan: .$id' is not a VLAN ID: 1 to 4094"
		nothing_left
	done
}

t_bridge_without_filtering_and_no_uplink_is_refused_and_nothing_is_left() {
	make_bridge twbr0
	write_networks "bridge = twbr0"
	run_like_qemu office
	expect_refused "VLAN 100: bridge twbr0 has no VLAN filtering \\(vlan_filtering 1\\), and no vlan-uplink is set"
	nothing_left
	[ -z "$(ip -o link show master twbr0)" ] || fail "a port left on twbr0"
}

t_kernel_refusing_the_vlan_device_removes_the_per_vlan_bridge() {
	# lo cannot carry VLANs: twv100 is made first, then the kernel refuses
	# lo.100, and twv100 must go again
	write_networks "vlan-uplink = lo"
	run_like_qemu office
	expect_refused "cannot create lo\\.100: .*VLAN"
	nothing_left
}

t_bridge_of_bridge_conf_never_gets_a_vlan() {
	make_filtering_bridge
	write_acl "allow twbr0"
	# shellcheck disable=SC2016  # expanded by the inner shell
	run_like_qemu twbr0 -- sh -c 'bridge vlan show dev "$TW_TAP" >"$0"; ip -o link show "$TW_TAP" >"$1"' \
		"$TMP/vlans" "$TMP/link"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	expect_in "$TMP/vlans" ' 1 PVID Egress Untagged'
	if grep -q 'vlan=' "$TMP/link"; then fail "alias with a VLAN: $(cat "$TMP/link")"; fi
}

run_test "$@"
