#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# broker.sh - tapwardend with real unprivileged users: who gets a tap, whose
# it is, quotas, concurrency, the broker killed and restarted, hostile
# clients, reload, and the `tapwarden` command.
# Usage: broker.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

# lab_network() - network `lab` on bridge twbr0 with extra KEY=VALUE lines
lab_network() {
	make_bridge twbr0
	printf '%s\n' "[network lab]" "bridge=twbr0" "$@" >"$TMP/tapwarden.conf"
}

# hold_tap() - as USER, hold a tap on NAME in the background for SECONDS;
# the holder's output goes to $TMP/hold.N, its pid to $HOLD_PID
hold_tap() {
	local user=$1 name=$2 seconds=$3
	HOLD_N=$((${HOLD_N:-0} + 1))
	as_user "$user" "$TW_RUN_LIKE_QEMU" "$TW_HELPER" "$name" -- sleep "$seconds" \
		>"$TMP/hold.$HOLD_N" 2>&1 &
	HOLD_PID=$!
}

# wait_log() - wait until the broker has logged the extended regex PATTERN
wait_log() {
	for _ in $(seq 100); do
		grep -Eq -- "$1" "$TMP/broker.log" && return 0
		sleep 0.05
	done
	fail "broker did not log /$1/: $(cat "$TMP/broker.log")"
}

# release_tap() - end holder PID from hold_tap and the command holding the tap
release_tap() {
	pkill -KILL -P "$1" || true
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# wait_taps() - wait until the namespace holds exactly N taps
wait_taps() {
	for _ in $(seq 200); do
		[ "$(kernel_taps | wc -l)" = "$1" ] && return 0
		sleep 0.05
	done
	fail "expected $1 taps, have: $(kernel_taps | tr '\n' ' ')"
}

# listed_taps() - the ifnames `tapwarden list --json` shows (as root), sorted
listed_taps() {
	"$TW_TAPWARDEN" list --json | python3 -c '
import json, sys
for lease in json.load(sys.stdin):
    print(lease["ifname"])' | sort
}

t_broker_gives_user_a_tap_owned_by_them_on_the_network_bridge() {
	make_user tw-alice
	lab_network "allow-users=tw-alice"
	start_broker
	# shellcheck disable=SC2016  # expanded by the inner shell
	user_run_like_qemu tw-alice lab -- sh -c '
		ip -d -o link show "$TW_TAP" >"$0"
		cat "/proc/sys/net/ipv6/conf/$TW_TAP/disable_ipv6" >"${0%/*}/ipv6"
		"$1" list >"$2"; "$1" list --json >"$3"' \
		"$TMP/shared/link" "$TW_TAPWARDEN" "$TMP/shared/list" "$TMP/shared/json"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	[ ! -s "$TMP/err" ] || fail "helper wrote to stderr: $(cat "$TMP/err")"
	expect_in "$TMP/out" '^vnet_hdr=1$'
	expect_in "$TMP/shared/link" 'master twbr0 '
	expect_in "$TMP/shared/link" 'user tw-alice group tw-alice'
	expect_in "$TMP/shared/ipv6" '^1$'	# a bridge port has no host IPv6
	expect_in "$TMP/shared/link" "alias tapwarden uid=$(id -u tw-alice) net=lab pid=[0-9]+ since=[0-9]+"
	expect_in "$TMP/shared/list" "^tw[0-9]+ +$(id -u tw-alice) +tw-alice +lab +twbr0 +- +[0-9]+ +20[0-9-]+T"
	expect_in "$TMP/shared/json" '"user": "tw-alice", "network": "lab", "bridge": "twbr0"'
	no_tap_left
	[ -z "$(listed_taps)" ] || fail "lease still listed after the tap went: $(listed_taps)"
}

t_broker_records_qemu_as_the_lease_holder() {
	make_user tw-alice
	lab_network "allow-users=tw-alice"
	start_broker
	# the command's parent is run-like-qemu: the process QEMU would be
	# shellcheck disable=SC2016  # expanded by the inner shell
	user_run_like_qemu tw-alice lab -- sh -c 'echo "$PPID" >"$0"; ip -o link show "$TW_TAP" >"$1"' \
		"$TMP/shared/qemu_pid" "$TMP/shared/link"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	expect_in "$TMP/shared/link" "alias tapwarden uid=[0-9]+ net=lab pid=$(cat "$TMP/shared/qemu_pid") "
}

t_broker_refuses_user_not_allowed_with_the_reason() {
	make_user tw-alice
	make_user tw-bob
	lab_network "allow-users=tw-alice"
	start_broker
	user_run_like_qemu tw-bob lab
	expect_refused "user tw-bob may not use network lab"
	wait_log "refused lab to user tw-bob"
}

t_broker_group_rule_admits_members_and_nobody_else() {
	make_user tw-carol tw-lab
	make_user tw-outsider	# never a member of any test group
	lab_network "allow-groups=tw-lab"
	start_broker
	user_run_like_qemu tw-carol lab
	[ "$RC" = 0 ] || fail "member refused ($RC): $(cat "$TMP/err")"
	user_run_like_qemu tw-outsider lab
	expect_refused "user tw-outsider may not use network lab: not in its allow-users or allow-groups"
}

t_broker_network_without_allow_keys_is_for_root_only() {
	make_user tw-alice
	lab_network
	start_broker
	user_run_like_qemu tw-alice lab
	expect_refused "only root may"
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "root refused ($RC): $(cat "$TMP/err")"
	wait_log "granted tw[0-9]+ on bridge twbr0 to user root .*root may use every network"
}

t_broker_max_per_user_refuses_the_third_and_grants_after_one_closes() {
	make_user tw-alice
	lab_network "allow-users=tw-alice" "max-per-user=2"
	start_broker
	hold_tap tw-alice lab 60; first=$HOLD_PID
	hold_tap tw-alice lab 60
	wait_taps 2
	user_run_like_qemu tw-alice lab
	expect_refusal "user tw-alice already has 2 taps on network lab \\(max-per-user=2\\)"
	[ "$(kernel_taps | wc -l)" = 2 ] || fail "the refusal changed the taps"
	release_tap "$first"
	wait_taps 1
	user_run_like_qemu tw-alice lab
	[ "$RC" = 0 ] || fail "refused after one closed ($RC): $(cat "$TMP/err")"
}

t_broker_32_concurrent_requests_from_4_users_get_distinct_taps_within_quota() {
	local users="tw-alice tw-bob tw-carol tw-dave" u i before after
	for u in $users; do make_user "$u" tw-lab; done
	lab_network "allow-groups=tw-lab" "max-per-user=6"
	start_broker
	before=$(fd_count "$BROKER_PID")
	local pids=()
	for u in $users; do
		for i in $(seq 8); do
			as_user "$u" "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab -- sleep 8 \
				>"$TMP/c.$u.$i" 2>&1 &
			pids+=($!)
		done
	done
	wait "${pids[@]}" || true
	for u in $users; do
		granted=$(cat "$TMP"/c."$u".* | grep -c '^helper_status=0$' || true)
		refused=$(cat "$TMP"/c."$u".* | grep -c 'already has 6 taps on network lab' || true)
		{ [ "$granted" = 6 ] && [ "$refused" = 2 ]; } ||
			fail "$u: $granted granted, $refused refused (6 and 2 expected): $(cat "$TMP"/c."$u".*)"
	done
	names=$(cat "$TMP"/c.* | sed -n 's/^ifname=//p' | sort)
	[ "$(echo "$names" | wc -l)" = 24 ] || fail "not 24 taps: $names"
	[ "$(echo "$names" | uniq | wc -l)" = 24 ] || fail "a tap name was handed out twice: $names"
	no_tap_left
	[ -z "$(listed_taps)" ] || fail "leases left: $(listed_taps)"
	after=$(fd_count "$BROKER_PID")
	[ "$before" = "$after" ] || fail "broker fds: $before before, $after after"
	kill -0 "$BROKER_PID" || fail "broker died"
}

t_broker_killed_with_requests_in_flight_restarts_with_the_kernel_view() {
	local u i
	make_user tw-alice
	make_user tw-bob
	lab_network "allow-users=tw-alice;tw-bob"
	start_broker
	for i in $(seq 12); do
		for u in tw-alice tw-bob; do
			as_user "$u" "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab -- sleep 30 \
				>"$TMP/k.$u.$i" 2>&1 &
		done
		[ "$i" = 6 ] && kill -KILL "$BROKER_PID"
	done
	sleep 1
	start_broker
	# every tap left is held by a live process, and the broker knows them all
	for tap in $(kernel_taps); do
		pid=$(ip -o link show "$tap" | sed -n 's/.* pid=\([0-9]*\) .*/\1/p')
		{ [ -n "$pid" ] && kill -0 "$pid"; } || fail "$tap has no living holder"
	done
	[ "$(listed_taps)" = "$(kernel_taps)" ] ||
		fail "list: $(listed_taps | tr '\n' ' ') kernel: $(kernel_taps | tr '\n' ' ')"
	expect_in "$TMP/broker.log" "[0-9]+ live leases"
	pkill -KILL -f "$TW_RUN_LIKE_QEMU" || true
	sleep 0.5
	no_tap_left
	[ -z "$(listed_taps)" ] || fail "leases left after the holders died: $(listed_taps)"
}

t_broker_survives_hostile_messages_and_leaks_nothing() {
	local case before out
	lab_network
	start_broker
	before=$(fd_count "$BROKER_PID")
	for case in oversize short bad-magic bad-length garbage unknown-type \
		unknown-attr dup-attr truncated-attr nul-in-name long-name \
		missing-name reply-as-request two-fds; do
		out=$(python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" "$case")
		case $out in
		"error "*|closed) ;;
		*) fail "$case: answered $out" ;;
		esac
		kill -0 "$BROKER_PID" || fail "broker died on $case"
	done
	out=$(python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" bad-version)
	[[ $out == "error "*"protocol version 7 is not spoken here"* ]] || fail "bad-version: $out"
	out=$(python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" hangup-after-request lab)
	sleep 0.2
	no_tap_left
	# a request still works afterwards
	[ "$(python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" list)" = "list 0" ] || fail "broker stopped answering"
	[ "$(fd_count "$BROKER_PID")" = "$before" ] ||
		fail "broker fds: $before before, $(fd_count "$BROKER_PID") after"
}

t_broker_closes_what_clients_pass_without_waiting_on_it() {
	make_user tw-alice
	make_user tw-bob
	lab_network "allow-users=tw-alice"
	start_broker
	before=$(fd_count "$BROKER_PID")
	# empty messages that carry a descriptor: closed, not kept
	for _ in $(seq 20); do
		python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" empty-with-fd >/dev/null
	done
	# a TCP socket whose close() lingers for 8 s (unsent data, a peer that
	# never reads), passed in flight inside a unix socket: the broker must
	# not wait on it. Whether the broker or the client drops the last
	# reference is a race the client nearly always loses; it says so.
	# To make the client win: it runs first-in-first-out on the broker's
	# CPU, so the broker only gets to the request once the client waits.
	local first=()
	if chrt -f 10 true 2>/dev/null; then
		taskset -a -pc 0 "$BROKER_PID" >/dev/null
		first=(taskset -c 0 chrt -f 10)
	fi
	for _ in 1 2 3; do
		"${first[@]}" setpriv --reuid=tw-bob --regid=tw-bob --init-groups \
			--inh-caps=-all --bounding-set=-all -- \
			/usr/bin/python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" \
			lingering-fd >"$TMP/linger" &
		for _ in $(seq 300); do grep -q '^last=' "$TMP/linger" && break; sleep 0.05; done
		expect_in "$TMP/linger" '^error '
		grep -q '^last=broker' "$TMP/linger" && break
	done
	expect_in "$TMP/linger" '^last=broker'
	RC=0
	as_user tw-alice timeout 5 "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "broker blocked by a lingering descriptor ($RC): $(cat "$TMP/err")"
	# the reaper closes them all in the end: nothing kept
	for _ in $(seq 600); do
		[ "$(fd_count "$BROKER_PID")" = "$before" ] && return 0
		sleep 0.05
	done
	fail "broker fds: $before before, $(fd_count "$BROKER_PID") after"
}

t_broker_one_user_cannot_take_every_connection() {
	make_user tw-alice
	make_user tw-bob
	lab_network "allow-users=tw-alice"
	start_broker
	as_user tw-bob /usr/bin/python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" hog 200 >"$TMP/hog" &
	local hog=$!
	for _ in $(seq 100); do [ -s "$TMP/hog" ] && break; sleep 0.02; done
	expect_in "$TMP/hog" '^holding [0-9]+ connections'
	user_run_like_qemu tw-alice lab
	[ "$RC" = 0 ] || fail "another user's connections kept tw-alice out ($RC): $(cat "$TMP/err")"
	kill "$hog" 2>/dev/null || true
}

t_broker_refuses_a_networks_bridge_by_its_plain_name() {
	make_user tw-alice
	lab_network "allow-users=tw-alice"
	write_acl "allow all"
	start_broker
	user_run_like_qemu tw-alice twbr0
	expect_refused "bridge twbr0 belongs to network lab: ask for the network \\(br=lab\\)"
	user_run_like_qemu tw-alice twv100
	expect_refused "twv100 is a per-VLAN bridge of tapwarden"
}

t_broker_removes_a_tap_made_persistent_when_its_holder_exits() {
	make_user tw-alice
	lab_network "allow-users=tw-alice"
	start_broker
	# TUNSETPERSIST needs no capability from the tap's owner
	RC=0
	as_user tw-alice "$TW_RUN_LIKE_QEMU" --pass-fd "$TW_HELPER" lab -- /usr/bin/python3 -c '
import fcntl, os
fcntl.ioctl(int(os.environ["TW_TAP_FD"]), 0x400454cb, 1)' >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "could not run ($RC): $(cat "$TMP/err") $(cat "$TMP/out")"
	for _ in $(seq 100); do
		[ -z "$(kernel_taps)" ] && break
		sleep 0.05
	done
	no_tap_left
	wait_log "removed tw[0-9]+: its holder \\(pid [0-9]+\\) is gone"
}

# libvirt runs the helper and hands the tap to QEMU: the holder (libvirtd)
# may exit while another process still has the tap open; the tap stays, and
# goes when that process closes it.
t_broker_keeps_a_tap_handed_on_when_its_holder_exits() {
	make_user tw-alice
	lab_network "allow-users=tw-alice"
	start_broker
	RC=0
	# shellcheck disable=SC2016  # expanded by the command
	as_user tw-alice "$TW_RUN_LIKE_QEMU" --pass-fd "$TW_HELPER" lab -- sh -c \
		'sleep 60 </dev/null >/dev/null 2>&1 & echo "$!" >"$0"' "$TMP/shared/qemu" \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "could not run ($RC): $(cat "$TMP/err") $(cat "$TMP/out")"
	wait_log "kept tw[0-9]+: its holder \\(pid [0-9]+\\) is gone, but the tap is still open"
	[ -n "$(kernel_taps)" ] || fail "the tap went with its holder"
	[ -n "$(listed_taps)" ] || fail "the lease went with its holder"
	kill "$(cat "$TMP/shared/qemu")"
	for _ in $(seq 100); do
		[ -z "$(kernel_taps)" ] && break
		sleep 0.05
	done
	no_tap_left
}

t_broker_closes_silent_clients_and_serves_others_meanwhile() {
	make_user tw-alice
	lab_network "allow-users=tw-alice"
	start_broker
	python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" silent >"$TMP/silent" &
	local silent=$!
	sleep 0.5
	user_run_like_qemu tw-alice lab
	[ "$RC" = 0 ] || fail "served nobody while a client was silent ($RC): $(cat "$TMP/err")"
	wait "$silent"
	expect_in "$TMP/silent" '^closed after [1-4]\.[0-9] s$'
	wait_log "sent nothing"
}

t_broker_reload_takes_a_good_configuration_and_refuses_a_bad_one() {
	make_user tw-alice
	make_user tw-bob
	lab_network "allow-users=tw-alice"
	start_broker
	user_run_like_qemu tw-bob lab
	expect_refused "user tw-bob may not use network lab"
	lab_network "allow-users=tw-alice;tw-bob" 2>/dev/null || true
	kill -HUP "$BROKER_PID"
	wait_log reloaded
	user_run_like_qemu tw-bob lab
	[ "$RC" = 0 ] || fail "reload did not admit tw-bob ($RC): $(cat "$TMP/err")"
	printf '[network lab]\nbridge=twbr0\nallow-users=tw-alice\nspeed=fast\n' >"$TMP/tapwarden.conf"
	kill -HUP "$BROKER_PID"
	wait_log "reload refused, the previous configuration stays: .*speed: unknown key"
	user_run_like_qemu tw-bob lab
	[ "$RC" = 0 ] || fail "a bad reload replaced the configuration ($RC): $(cat "$TMP/err")"
}

t_broker_removes_per_vlan_bridges_a_killed_broker_left_half_made() {
	lab_network
	# a temporary name is twvnew<PID of its maker>: one of a dead process,
	# one of a live one (this shell)
	ip link add twvnew999999 type bridge
	ip link add "twvnew$$" type bridge
	start_broker
	wait_log "removed 1 per-VLAN bridge"
	if ip link show twvnew999999 >/dev/null 2>&1; then fail "left twvnew999999"; fi
	ip link show "twvnew$$" >/dev/null || fail "removed a live process's bridge"
}

t_broker_stops_cleanly_on_sigterm() {
	lab_network
	start_broker
	kill -TERM "$BROKER_PID"
	local rc=0
	wait "$BROKER_PID" || rc=$?
	[ "$rc" = 0 ] || fail "tapwardend exited $rc on SIGTERM"
	[ ! -e "$TAPWARDEN_SOCKET" ] || fail "socket left behind"
}

t_broker_takes_the_socket_systemd_passes() {
	make_user tw-alice
	lab_network "allow-users=tw-alice"
	python3 "$TW_BROKER_CLIENT" activate "$TAPWARDEN_SOCKET" -- "$TW_TAPWARDEND" \
		--config="$TMP/tapwarden.conf" --acl="$TMP/bridge.conf" >"$TMP/broker.log" 2>&1 &
	BROKER_PID=$!
	for _ in $(seq 100); do grep -q "live leases" "$TMP/broker.log" && break; sleep 0.05; done
	expect_in "$TMP/broker.log" "listening on the socket systemd passed"
	user_run_like_qemu tw-alice lab
	[ "$RC" = 0 ] || fail "socket-activated broker did not serve ($RC): $(cat "$TMP/err")"
}

t_broker_bridge_conf_include_counts_only_for_users_who_can_read_it() {
	make_user tw-alice
	make_user tw-bob
	make_bridge twbr0
	printf 'allow twbr0\n' >"$TMP/alice.conf"
	chown tw-alice "$TMP/alice.conf"
	chmod 600 "$TMP/alice.conf"
	write_acl "include $TMP/alice.conf"
	start_broker
	user_run_like_qemu tw-alice twbr0
	[ "$RC" = 0 ] || fail "tw-alice refused ($RC): $(cat "$TMP/err")"
	user_run_like_qemu tw-bob twbr0
	expect_refused "bridge twbr0 is not allowed by $TMP/bridge.conf \\(no rule allows twbr0"
}

t_broker_runs_as_a_service_user_holding_only_cap_net_admin() {
	make_user tw-alice
	make_user tw-brokersvc
	lab_network "allow-users=tw-alice"
	chmod 644 "$TMP/tapwarden.conf" "$TMP/bridge.conf"
	chown tw-brokersvc "$TMP"	# to make its socket there
	setpriv --reuid=tw-brokersvc --regid=tw-brokersvc --init-groups \
		--inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin \
		--bounding-set=-all,+net_admin -- \
		"$TW_TAPWARDEND" --socket="$TAPWARDEN_SOCKET" --config="$TMP/tapwarden.conf" \
		--acl="$TMP/bridge.conf" >"$TMP/broker.log" 2>&1 &
	BROKER_PID=$!
	wait_log "live leases"
	grep -q '^CapEff:.*0000000000001000$' "/proc/$BROKER_PID/status" ||
		fail "broker capabilities: $(grep Cap "/proc/$BROKER_PID/status")"
	# shellcheck disable=SC2016  # expanded by the inner shell
	user_run_like_qemu tw-alice lab -- sh -c 'ip -d -o link show "$TW_TAP" >"$0"' "$TMP/shared/link"
	[ "$RC" = 0 ] || fail "broker with only CAP_NET_ADMIN did not serve ($RC): $(cat "$TMP/err")"
	expect_in "$TMP/shared/link" 'master twbr0 .*user tw-alice group tw-alice'
	# reading a bridge.conf include as the caller needs CAP_SETUID: refused,
	# never read with the broker's own rights
	make_bridge twbr1
	printf 'allow twbr1\n' >"$TMP/inc.conf"
	chmod 644 "$TMP/inc.conf"
	write_acl "include $TMP/inc.conf"
	user_run_like_qemu tw-alice twbr1
	expect_refused "cannot read files as uid $(id -u tw-alice).*CAP_SETUID"
}

t_tapwarden_check_tells_the_rule_that_decided() {
	make_user tw-alice
	make_user tw-bob tw-lab
	lab_network "allow-users=tw-alice" "allow-groups=tw-lab"
	start_broker
	local rc=0
	"$TW_TAPWARDEN" check tw-alice lab >"$TMP/check" || rc=$?
	[ "$rc" = 0 ] || fail "check exit $rc: $(cat "$TMP/check" "$TMP/broker.log")"
	expect_in "$TMP/check" '^allowed: network lab: allow-users names tw-alice$'
	"$TW_TAPWARDEN" check tw-bob lab >"$TMP/check"
	expect_in "$TMP/check" '^allowed: network lab: allow-groups names tw-lab, a group of tw-bob$'
	make_user tw-erin
	rc=0
	"$TW_TAPWARDEN" check tw-erin lab >"$TMP/check" || rc=$?
	[ "$rc" = 1 ] || fail "check of a denied user exit $rc"
	expect_in "$TMP/check" '^denied: user tw-erin may not use network lab'
	rc=0
	as_user tw-erin "$TW_TAPWARDEN" check tw-alice lab 2>"$TMP/err" || rc=$?
	[ "$rc" = 2 ] || fail "a user checked another ($rc)"
	expect_one_error_line "$TMP/err" "only root may check another user"
	as_user tw-alice "$TW_TAPWARDEN" networks >"$TMP/networks"
	expect_in "$TMP/networks" '^lab +bridge +twbr0 +0 +- +yes +-$'
}

t_tapwarden_list_shows_users_their_own_and_root_everything() {
	make_user tw-alice
	make_user tw-bob
	lab_network "allow-users=tw-alice;tw-bob"
	start_broker
	hold_tap tw-alice lab 60
	hold_tap tw-bob lab 60
	wait_taps 2
	as_user tw-alice "$TW_TAPWARDEN" list >"$TMP/alice"
	{ [ "$(grep -c '^tw' "$TMP/alice")" = 1 ] && expect_in "$TMP/alice" ' tw-alice '; } ||
		fail "tw-alice sees: $(cat "$TMP/alice")"
	[ "$(listed_taps | wc -l)" = 2 ] || fail "root sees: $(listed_taps)"
}

t_helper_without_broker_or_privilege_says_how_to_fix_it() {
	make_user tw-alice
	make_bridge twbr0
	user_run_like_qemu tw-alice twbr0
	expect_refused "no tapwardend at $TAPWARDEN_SOCKET.*lacks CAP_NET_ADMIN \\(start tapwardend"
}

t_helper_with_socket_option_and_no_broker_fails() {
	make_user tw-alice
	make_bridge twbr0
	RC=0
	as_user tw-alice "$TW_RUN_LIKE_QEMU" "$TW_HELPER --socket=$TMP/nothing.sock" twbr0 \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "no tapwardend at $TMP/nothing.sock"
}

t_second_broker_on_a_live_socket_is_refused_and_a_killed_ones_is_taken_over() {
	local rc=0
	start_broker
	# a live broker answers: the second one gives up (after asking for
	# a while) with one line, and the first keeps serving
	"$TW_TAPWARDEND" --socket="$TAPWARDEN_SOCKET" --config="$TMP/tapwarden.conf" \
		--acl="$TMP/bridge.conf" --run-dir="$TMP/run2" >"$TMP/second.log" 2>&1 || rc=$?
	[ "$rc" != 0 ] || fail "a second broker started on a live socket"
	expect_in "$TMP/second.log" "a broker already listens on $TAPWARDEN_SOCKET"
	"$TW_TAPWARDEN" list >/dev/null || fail "the first broker stopped answering"
	# a broker killed and started again at once: its socket, still open
	# in its closer for a moment, is taken over
	kill -KILL "$BROKER_PID"
	wait "$BROKER_PID" 2>/dev/null || true
	BROKER_PID=
	: >"$TMP/broker.log"	# start_broker waits for the new one's start line
	start_broker
	"$TW_TAPWARDEN" list >/dev/null || fail "the new broker does not answer"
}

run_test "$@"
