#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# system.sh - tapwarden installed on a machine that boots systemd as PID 1
# with AppArmor enforcing, as a user of that machine sees it (issue 20).
#
# Runs inside the guest of tests/vm/run-guest --systemd (the vm suite's
# group `system': tests/vm/meson.build); never on the host, which it would
# change. The t_ functions run in this order in one boot, each its own
# meson test; each installs what it needs first (ensure_installed), so any
# one of them also runs alone:
#   meson install of the build tree the environment's TW_HELPER is in (the
#   guest's root is an overlay on a tmpfs: the install is thrown away with
#   the guest), the AppArmor profiles loaded, the units known to systemd;
#   tapwardend.socket started, tapwardend started by the first request;
#   every kind of network served with the programs confined; a restart of
#   the broker with a lease live; systemd-analyze's verdict on the unit.
# Usage: system.sh TEST_NAME (tests/vm/guest-group runs it).
set -euo pipefail

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

if [ ! -e /run/tw/stage2 ] || [ "$(cat /proc/1/comm)" != systemd ]; then
	fail "system.sh runs in the guest of tests/vm/run-guest --systemd only"
fi

build=$(dirname "$(dirname "$TW_HELPER")")
USER_NAME=tw-vmuser
STATE=/run/tw-system-test
SHARED=$STATE/shared	# where the test user writes
mkdir -p "$SHARED"
chmod 1777 "$SHARED"

# installed NAME - the installed path of the built file NAME
installed() {
	meson introspect --installed "$build" | python3 -c '
import json, os, sys
name = sys.argv[1]
paths = [p for p in json.load(sys.stdin).values() if os.path.basename(p) == name]
print(paths[0] if paths else "")' "$1"
}

# ensure_installed - meson install once; sets HELPER, TAPWARDEND, TAPWARDEN,
# CONFIG and ACL (the paths compiled in)
ensure_installed() {
	if [ ! -e "$STATE/installed" ]; then
		meson install -C "$build" --no-rebuild --quiet >"$STATE/install.log" 2>&1 ||
			fail "meson install failed: $(tail -n 20 "$STATE/install.log")"
		for f in $(meson introspect --installed "$build" | python3 -c '
import json, sys
print("\n".join(p for p in json.load(sys.stdin).values() if p.startswith("/etc/apparmor.d/")))'); do
			apparmor_parser -r -W "$f" || fail "apparmor_parser -r $f failed"
		done
		systemctl daemon-reload
		id "$USER_NAME" >/dev/null 2>&1 ||
			useradd --no-create-home --shell /usr/sbin/nologin --user-group "$USER_NAME"
		for m in tun bridge 8021q veth ifb sch_htb; do modprobe "$m" || true; done
		touch "$STATE/installed"
	fi
	HELPER=$(installed tapwarden-helper)
	TAPWARDEND=$(installed tapwardend)
	TAPWARDEN=$(installed tapwarden)
	if [ ! -x "$HELPER" ] || [ ! -x "$TAPWARDEND" ] || [ ! -x "$TAPWARDEN" ]; then
		fail "not installed: helper '$HELPER', tapwardend '$TAPWARDEND', tapwarden '$TAPWARDEN'"
	fi
	CONFIG=$("$TAPWARDEND" --help | sed -n 's/.*--config=FILE .*(default \(.*\))$/\1/p')
	ACL=$("$TAPWARDEND" --help | sed -n 's/.*--acl=FILE .*(default \(.*\))$/\1/p')
	if [ -z "$CONFIG" ] || [ -z "$ACL" ]; then
		fail "cannot tell tapwardend's default files"
	fi
	mkdir -p "$(dirname "$CONFIG")" "$(dirname "$ACL")"
}

# as_user - run a command as the test user, with no privilege at all
as_user() {
	setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups \
		--inh-caps=-all --bounding-set=-all -- "$@"
}

# request NETWORK [-- COMMAND...] - the installed helper run by the test
# user as QEMU runs it; output in $STATE/out, stderr in $STATE/err, $RC
request() {
	local net=$1
	shift
	RC=0
	as_user "$TW_RUN_LIKE_QEMU" "$HELPER" "$net" "$@" >"$STATE/out" 2>"$STATE/err" || RC=$?
}

# fail_with_logs WHAT - fail, with the broker's journal and the denials
fail_with_logs() {
	journalctl -u tapwardend.service --no-pager -o cat 2>&1 | tail -n 20 >&2
	denials >&2
	fail "$@"
}

# expect_served WHAT - the last request got a tap
expect_served() {
	[ "$RC" = 0 ] || fail_with_logs "$1: helper failed ($RC): $(cat "$STATE/err")"
	grep -Eq '^ifname=tw[0-9]+$' "$STATE/out" || fail_with_logs "$1: no tap: $(cat "$STATE/out")"
}

# use_config - tapwarden.conf from stdin, in force in a running broker
use_config() {
	cat >"$CONFIG"
	if [ "$(systemctl is-active tapwardend.service)" = active ]; then
		systemctl reload tapwardend.service
		sleep 0.5	# SIGHUP: the broker reloads in its loop
	fi
}

# profile_of PID - the AppArmor confinement of PID ("NAME (enforce)")
profile_of() {
	cat "/proc/$1/attr/current" 2>/dev/null || echo gone
}

# denials - AppArmor's refusals of tapwarden's profiles since boot
denials() {
	journalctl -k --no-pager -o cat 2>/dev/null |
		grep 'apparmor="DENIED"' | grep -E 'profile="tapwarden' || true
}

# bridge NAME - a bridge, up, unless it exists
bridge() {
	ip link show "$1" >/dev/null 2>&1 && return 0
	ip link add "$1" type bridge
	ip link set "$1" up
}

# start_socket - tapwardend.socket listening, the service not running
start_socket() {
	systemctl start tapwardend.socket
	[ -S /run/tapwarden/socket ] || fail "tapwardend.socket: no /run/tapwarden/socket"
}

t_installed_profiles_are_loaded_in_enforce_mode() {
	ensure_installed
	aa-status --enabled || fail "AppArmor is not enabled in the guest"
	aa-status --json >"$STATE/aa.json"
	python3 - "$STATE/aa.json" <<'PY' || fail "profiles: $(cat "$STATE/aa.json")"
import json, sys
profiles = json.load(open(sys.argv[1]))["profiles"]
for name in ("tapwardend", "tapwarden-helper", "tapwarden"):
    mode = profiles.get(name)
    print(f"{name}: {mode}")
    if mode != "enforce":
        sys.exit(1)
PY
}

t_first_request_starts_tapwardend_by_socket_activation() {
	ensure_installed
	bridge twbr0
	printf 'allow twbr0\n' >"$ACL"
	start_socket
	[ "$(systemctl is-active tapwardend.service)" != active ] ||
		fail "tapwardend runs before any request"
	# shellcheck disable=SC2016  # expanded by the inner shell
	request twbr0 -- sh -c 'ip -o link show "$TW_TAP"'
	expect_served "bridge twbr0"
	grep -q 'master twbr0 ' "$STATE/out" || fail "the tap is not on twbr0: $(cat "$STATE/out")"
	[ "$(systemctl is-active tapwardend.service)" = active ] ||
		fail "the request did not start tapwardend: $(systemctl status tapwardend.service --no-pager 2>&1)"
	systemctl status tapwardend.service --no-pager || true
	journalctl -u tapwardend.service --no-pager -o cat >"$STATE/journal"
	cat "$STATE/journal"
	grep -Eq "granted tw[0-9]+ on bridge twbr0 to user $USER_NAME " "$STATE/journal" ||
		fail "no grant in journalctl -u tapwardend"
}

t_broker_helper_and_user_mode_engine_run_confined() {
	local pid p profile confined=0 hold
	ensure_installed
	bridge twbr0
	printf 'allow twbr0\n' >"$ACL"
	start_socket
	request twbr0
	expect_served "bridge twbr0"
	pid=$(systemctl show -p MainPID --value tapwardend.service)
	[ "$(profile_of "$pid")" = "tapwardend (enforce)" ] ||
		fail "tapwardend (pid $pid) runs as '$(profile_of "$pid")'"
	echo "tapwardend: $(profile_of "$pid")"
	# the helper, held by the test hook at its confined moment
	if [ "${TW_TEST_HOOKS:-}" = true ]; then
		hold=$STATE/hold
		rm -f "$hold"
		mkfifo -m 666 "$hold"
		as_user env TAPWARDEN_TEST_CONFINED=helper:hold \
			"$TW_RUN_LIKE_QEMU" "$HELPER" twbr0 <"$hold" >"$STATE/out" 2>"$STATE/err" &
		exec 7>"$hold"
		for _ in $(seq 100); do
			p=$(pgrep -u "$USER_NAME" -f "^$HELPER " | head -n 1 || true)
			[ -n "$p" ] && [ "$(readlink "/proc/$p/fd/0")" = "$hold" ] && break
			p=
			sleep 0.1
		done
		[ -n "$p" ] || fail "the held helper was not found"
		sleep 0.5	# it confines itself, then blocks in the hook
		echo "helper: $(profile_of "$p")"
		[ "$(profile_of "$p")" = "tapwarden-helper (enforce)" ] ||
			fail "the helper runs as '$(profile_of "$p")'"
		exec 7>&-
		wait
	else
		echo "note: no test hooks in this build: the helper's confinement is seen from its engine only"
	fi
	# user mode: the engine and the keeper outlive the helper while the tap
	# is open; both are the helper's program, in its profile
	# (the helper itself may be exiting meanwhile: a process gone is skipped)
	request user -- sh -c "for p in \$(pgrep -u $USER_NAME -f '^$HELPER'); do
		echo \"\$p \$(cat /proc/\$p/attr/current 2>/dev/null || echo gone)\"; done >$SHARED/engine"
	expect_served "user mode"
	while read -r p profile; do
		echo "user mode process $p: $profile"
		[ "$profile" = gone ] && continue
		[ "$profile" = "tapwarden-helper (enforce)" ] ||
			fail "user-mode process $p runs as '$profile'"
		confined=$((confined + 1))
	done <"$SHARED/engine"
	[ "$confined" -ge 1 ] || fail "no user-mode engine process was seen"
}

t_every_kind_of_network_is_served_with_no_apparmor_denial() {
	ensure_installed
	bridge twbr0
	bridge twbr1
	ip link set twbr1 type bridge vlan_filtering 1
	ip link show twup0 >/dev/null 2>&1 || ip link add twup0 type veth peer name twup0p
	ip link set twup0 master twbr1
	ip link set twup0 up
	ip link set twup0p up
	bridge twbr2
	use_config <<EOF
[network vmbridge]
bridge = twbr0
allow-users = $USER_NAME

[network vmvlan]
bridge = twbr1
vlan = 10
allow-users = $USER_NAME

[network vmnat]
mode = nat
bridge = twnat0
address = 10.99.0.1/24
allow-users = $USER_NAME

[network vmqos]
bridge = twbr2
inbound = 10mbit
outbound = 5mbit
allow-users = $USER_NAME
EOF
	start_socket
	# shellcheck disable=SC2016  # expanded by the inner shell
	request vmbridge -- sh -c 'ip -o link show "$TW_TAP"'
	expect_served "bridge network"
	grep -q 'master twbr0 ' "$STATE/out" || fail "bridge network: $(cat "$STATE/out")"
	# shellcheck disable=SC2016
	request vmvlan -- sh -c 'bridge vlan show dev "$TW_TAP"'
	expect_served "VLAN network"
	grep -Eq '10 PVID Egress Untagged' "$STATE/out" || fail "VLAN network: $(cat "$STATE/out")"
	# shellcheck disable=SC2016
	# dnsmasq runs in the broker's profile (contrib/apparmor/tapwardend.in)
	request vmnat -- sh -c 'for _ in $(seq 100); do p=$(pgrep -x dnsmasq) && break; sleep 0.1; done
		echo "dnsmasq ${p:-none}: $(cat "/proc/$p/attr/current" 2>&1)"'
	expect_served "NAT network"
	grep -q 'tapwardend (enforce)' "$STATE/out" ||
		fail_with_logs "NAT network: dnsmasq not running confined: $(cat "$STATE/out")"
	# shellcheck disable=SC2016
	request vmqos -- sh -c 'tc qdisc show dev "$TW_TAP"'
	expect_served "QoS network"
	grep -q 'htb' "$STATE/out" || fail "QoS network: no HTB on the tap: $(cat "$STATE/out")"
	request user
	expect_served "user mode"
	sleep 1	# the kernel's audit lines reach the journal
	denials >"$STATE/denials"
	[ ! -s "$STATE/denials" ] || fail_with_logs "AppArmor refused: $(cat "$STATE/denials")"
	echo "served bridge, VLAN, NAT, QoS and user mode; no apparmor=\"DENIED\" for tapwarden's profiles"
}

t_broker_restart_with_a_live_lease_finds_it_again() {
	local holder tap
	ensure_installed
	bridge twbr0
	printf 'allow twbr0\n' >"$ACL"
	use_config </dev/null
	start_socket
	# a VM that keeps its tap: the holder's command is a long sleep
	# shellcheck disable=SC2016  # expanded by the inner shell
	as_user "$TW_RUN_LIKE_QEMU" "$HELPER" twbr0 -- sh -c 'echo "$TW_TAP" >"$0"; exec sleep 600' \
		"$SHARED/held" >"$STATE/hold.out" 2>&1 &
	holder=$!
	for _ in $(seq 100); do [ -s "$SHARED/held" ] && break; sleep 0.1; done
	tap=$(cat "$SHARED/held" 2>/dev/null || true)
	[ -n "$tap" ] || fail "no tap held: $(cat "$STATE/hold.out")"
	systemctl restart tapwardend.service
	[ "$(systemctl is-active tapwardend.service)" = active ] || fail "tapwardend did not come back"
	"$TAPWARDEN" list --json >"$STATE/list"
	python3 - "$STATE/list" "$tap" "$USER_NAME" <<'PY' || fail "after the restart: $(cat "$STATE/list")"
import json, sys
leases = json.load(open(sys.argv[1]))
if not any(l["ifname"] == sys.argv[2] and l.get("user") == sys.argv[3] for l in leases):
    sys.exit(1)
PY
	echo "after systemctl restart: $(cat "$STATE/list")"
	pkill -u "$USER_NAME" -f 'sleep 600' || true
	wait "$holder" || true
	! ip link show "$tap" >/dev/null 2>&1 || fail "$tap outlived its VM"
}

t_systemd_analyze_security_rates_the_broker_unit() {
	ensure_installed
	systemd-analyze security tapwardend.service --no-pager >"$STATE/security" 2>&1 ||
		true	# it exits non-zero above its threshold; the level is read below
	tail -n 3 "$STATE/security"
	level=$(sed -n 's/.*Overall exposure level for tapwardend.service: \([0-9.]*\).*/\1/p' "$STATE/security")
	[ -n "$level" ] || fail "no exposure level: $(tail -n 5 "$STATE/security")"
	awk -v l="$level" 'BEGIN { exit !(l < 5.0) }' ||
		fail "exposure level $level (5.0 and above is MEDIUM or worse)"
}

declare -F "t_$1" >/dev/null || fail "no test named $1"
"t_$1"
echo "ok: $1"
