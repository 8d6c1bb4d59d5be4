# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/libvirt.sh - libvirt session mode end to end: an unprivileged
# user's `virsh -c qemu:///session` starts a guest whose
#   <interface type='bridge'><source bridge='NAME'/><model type='virtio'/>
# gets its tap from tapwarden-helper, named by `bridge_helper` in that
# user's ~/.config/libvirt/qemu.conf. Steps shown in contrib/libvirt/README.md.
#
# Usage (meson, as root): bash tests/e2e/libvirt.sh TEST_NAME
# Environment: TW_HELPER, TW_TAPWARDEND, TW_TAPWARDEN (as the integration
# suite); TW_LIBVIRT_TIMEOUT (seconds a guest may take, default 240).
#
# How the parts fit:
#   * lib.sh's run_test runs each t_NAME in its own network, mount and PID
#     namespaces: the user's libvirtd (autostarted by virsh), virtlogd and
#     QEMU die with the test at the latest; lv_shutdown stops them first
#     and checks that none is left.
#   * lv_setup (as root): the user tw-lv, its HOME and XDG_* directories in
#     $TMP, qemu.conf with bridge_helper = $TW_HELPER; a tmpfs on /run, so
#     that tapwardend listens on the default /run/tapwarden/socket (libvirt
#     starts its session daemon with a cleaned environment: no
#     $TAPWARDEN_SOCKET reaches the helper); bridge twlv0 = 10.213.9.1/24;
#     networks `lab` (tw-lv may use it) and `closed` (it may not).
#   * lv_domain: tests/vm/run-guest --libvirt-xml writes the domain (the
#     Debian kernel, the host root over 9p read-only, ttyS1 to out.log) with
#     the <interface> and the guest's script; `virsh define` + `start` as
#     tw-lv; the guest reports on ttyS1 and then sleeps until destroyed.
#   * the host checks while the guest runs (domiflist, tapwarden list),
#     then `virsh destroy`, then that tap and lease are gone.

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=SCRIPTDIR/../integration/lib.sh
. "$here/../integration/lib.sh"
# shellcheck source=SCRIPTDIR/../vm/bridge-guest.sh
. "$here/../vm/bridge-guest.sh"

LV_USER=tw-lv
LV_BR=twlv0
LV_HOST_IP=10.213.9.1
LV_GUEST_IP=10.213.9.2
LV_HOST_PORT=18031
LV_TIMEOUT=${TW_LIBVIRT_TIMEOUT:-240}

# lv_skip_unless_possible() - exit 77 when this host cannot run the test
lv_skip_unless_possible() {
	local why
	command -v virsh >/dev/null || { echo "skip: no virsh (apt-get install libvirt-clients)"; exit 77; }
	command -v libvirtd >/dev/null || [ -x /usr/sbin/libvirtd ] ||
		{ echo "skip: no libvirtd (apt-get install libvirt-daemon)"; exit 77; }
	why=$("$bg_vm_dir/run-guest" --check 2>&1 >/dev/null) ||
		{ echo "skip: cannot run a guest: ${why#run-guest: }"; exit 77; }
}

# lv_virsh() - virsh as the test user, in its libvirt session (a clean
# environment, as a login has; $TAPWARDEN_SOCKET names no socket: libvirt
# does not pass it to the helper anyway). A call that hangs fails in 120 s.
lv_virsh() {
	timeout -k 5 120 setpriv --reuid="$LV_USER" --regid="$LV_USER" --init-groups \
		--inh-caps=-all --bounding-set=-all -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$LV_HOME" USER="$LV_USER" LOGNAME="$LV_USER" \
		XDG_RUNTIME_DIR="$LV_HOME/run" XDG_CONFIG_HOME="$LV_HOME/.config" \
		XDG_CACHE_HOME="$LV_HOME/.cache" TAPWARDEN_SOCKET=/nonexistent/socket \
		virsh -q -c qemu:///session "$@"
}

# lv_setup() - the user, its libvirt configuration, the bridge, tapwardend
# serving `lab` (the user may) and `closed` (it may not)
lv_setup() {
	local prev
	lv_skip_unless_possible
	make_user "$LV_USER"
	LV_UID=$(id -u "$LV_USER")
	LV_HOME=$TMP/home
	mkdir -p "$LV_HOME/.config/libvirt" "$LV_HOME/.cache" "$LV_HOME/run"
	chmod 700 "$LV_HOME/run"
	# session mode reads $XDG_CONFIG_HOME/libvirt/qemu.conf
	printf 'bridge_helper = "%s"\n' "$TW_HELPER" >"$LV_HOME/.config/libvirt/qemu.conf"
	# libvirtd's warnings and errors, shown when a test fails (lv_show_logs)
	printf 'log_outputs = "3:file:%s/libvirtd.log"\n' "$LV_HOME" >"$LV_HOME/.config/libvirt/libvirtd.conf"
	chown -R "$LV_USER:" "$LV_HOME"
	# the user's processes are stopped before lib.sh's clean-up runs
	# shellcheck disable=SC2119  # no arguments: it reads the trap
	prev=$(lv_exit_trap)
	# shellcheck disable=SC2064,SC2154  # the previous trap, expanded now
	trap "lv_rc=\$?; [ \$lv_rc = 0 ] || lv_show_logs; lv_shutdown || lv_rc=1; (exit \$lv_rc); $prev" EXIT

	# the default socket path, in this test's mount namespace only
	mount -t tmpfs -o mode=755 tmpfs /run
	mkdir -m 755 /run/tapwarden
	export TAPWARDEN_SOCKET=/run/tapwarden/socket

	ip link add "$LV_BR" type bridge
	ip addr add "$LV_HOST_IP/24" dev "$LV_BR"
	ip link set "$LV_BR" up
	printf '[network lab]\nbridge=%s\nallow-users=%s\n\n[network closed]\nbridge=%s\nallow-users=root\n' \
		"$LV_BR" "$LV_USER" "$LV_BR" >"$TMP/tapwarden.conf"
	# shellcheck disable=SC2119  # no extra options
	start_broker
}

# lv_exit_trap() - the command of the EXIT trap set now
# shellcheck disable=SC2120  # set -- is its own
lv_exit_trap() {
	eval "set -- $(trap -p EXIT)"
	printf '%s' "${3:-}"
}

# lv_domain() - define domain from an <interface> XML and a guest sh script
# (its arguments follow); sets LV_DOM (name) and LV_RUN (run dir: out.log)
lv_domain() {
	local iface=$1 script=$2
	shift 2
	LV_RUN=$(TMPDIR=$TMP "$bg_vm_dir/run-guest" --libvirt-xml "$TMP/domain.xml" --qemu-user "$LV_USER" \
		--libvirt-device "$iface" -- bash -c "$script" guest "$@") ||
		fail "run-guest --libvirt-xml failed"
	if [ -n "${LV_QEMU_XML:-}" ]; then	# elements of libvirt's qemu namespace
		sed -i "s|^<domain type='qemu'>|<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>|; s|^</domain>|$LV_QEMU_XML\\n</domain>|" \
			"$TMP/domain.xml"
	fi
	LV_DOM=$(sed -n 's:.*<name>\(.*\)</name>.*:\1:p' "$TMP/domain.xml")
	chmod 644 "$TMP/domain.xml"
	lv_virsh define "$TMP/domain.xml" >"$TMP/define.out" 2>&1 ||
		fail "virsh define: $(cat "$TMP/define.out")"
}

# lv_wait_guest() - wait until the guest's output has a line matching
# PATTERN; fail (with its output) if it reports an error or runs out of time
lv_wait_guest() {
	local pattern=$1 i
	for ((i = 0; i < LV_TIMEOUT * 5; i++)); do
		grep -Eq -- "$pattern" "$LV_RUN/out.log" 2>/dev/null && return 0
		if [ -s "$LV_RUN/exit" ] || ! lv_virsh domstate "$LV_DOM" 2>/dev/null | grep -q running; then
			fail "guest stopped: $(tr '\n' ' ' <"$LV_RUN/out.log" 2>/dev/null)"
		fi
		sleep 0.2
	done
	fail "no /$pattern/ from the guest in $LV_TIMEOUT s: $(tr '\n' ' ' <"$LV_RUN/out.log")"
}

# lv_show_logs() - the tail of libvirtd's log and of each domain's QEMU log,
# on stderr (a failed test shows what libvirt saw)
lv_show_logs() {
	local f
	for f in "$LV_HOME/libvirtd.log" "$LV_HOME"/.cache/libvirt/qemu/log/*.log; do
		[ -s "$f" ] || continue
		echo "--- tail of ${f#"$LV_HOME"/}:" >&2
		tail -n 15 "$f" >&2
	done
}

# lv_shutdown() - destroy the user's domains, stop its libvirtd and
# virtlogd, and check that no process of the user is left
lv_shutdown() {
	local dom pidfile left p
	[ -n "${LV_HOME:-}" ] || return 0
	for dom in $(lv_virsh list --name 2>/dev/null); do
		lv_virsh destroy "$dom" >/dev/null 2>&1 || true
	done
	for pidfile in "$LV_HOME"/run/libvirt/libvirtd.pid "$LV_HOME"/run/libvirt/virtlogd.pid; do
		if [ -s "$pidfile" ]; then kill -TERM "$(cat "$pidfile")" 2>/dev/null || true; fi
	done
	for _ in $(seq 100); do
		left=$(pgrep -u "$LV_UID" || true)
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "FAIL: processes of $LV_USER left: $(ps -o pid=,args= -p "$(paste -sd, <<<"$left")")" >&2
	for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
	return 1
}

# the <interface> of the domain, for bridge NAME
lv_interface() {
	echo "<interface type='bridge'><source bridge='$1'/><model type='virtio'/></interface>"
}

# lv_start_lab_guest() - set up, start a guest on network lab and wait until
# it has pinged the bridge; it then pings it once a second ("guest: alive N")
lv_start_lab_guest() {
	local guest_script
	lv_setup
	# shellcheck disable=SC2016  # expanded in the guest
	guest_script=$(bg_guest_script "guest: " '
$ping -c 3 -W 2 "$2" >/dev/null || { echo "guest: ping $2 failed"; exit 4; }
echo "guest: ping ok"
i=0
while :; do
    i=$((i + 1))
    if $ping -c 1 -W 1 "$2" >/dev/null; then echo "guest: alive $i"; fi
    sleep 1
done')
	lv_domain "$(lv_interface lab)" "$guest_script" "$LV_GUEST_IP" "$LV_HOST_IP"
	lv_virsh start "$LV_DOM" >"$TMP/start.out" 2>&1 || fail "virsh start: $(cat "$TMP/start.out")"
	lv_wait_guest '^guest: ping ok'
}

# lv_lab_tap() - the tap domiflist shows on network lab ($LV_TAP)
lv_lab_tap() {
	lv_virsh domiflist "$LV_DOM" >"$TMP/iflist"
	LV_TAP=$(awk '$2 == "bridge" && $3 == "lab" {print $1}' "$TMP/iflist")
	[[ $LV_TAP =~ ^tw[0-9]+$ ]] || fail "domiflist shows no tw* tap on lab: $(cat "$TMP/iflist")"
}

t_libvirt_guest_on_tapwarden_network_reaches_bridge_until_destroyed() {
	lv_start_lab_guest
	# libvirt knows the tap by its name; it is the user's, on the bridge
	lv_lab_tap
	ip -d -o link show "$LV_TAP" >"$TMP/link"
	expect_in "$TMP/link" "master $LV_BR "
	expect_in "$TMP/link" "user $LV_USER group $LV_USER"
	"$TW_TAPWARDEN" list >"$TMP/list"
	expect_in "$TMP/list" "^$LV_TAP +$LV_UID +$LV_USER +lab +$LV_BR +- "
	# libvirtd ran the helper: it is the lease's holder (it hands the tap to QEMU)
	expect_in "$TMP/link" "alias tapwarden uid=$LV_UID net=lab pid=$(cat "$LV_HOME/run/libvirt/libvirtd.pid") "

	lv_virsh destroy "$LV_DOM" >/dev/null
	bg_wait_taps_gone "$LV_BR" || fail "after virsh destroy: tap(s) left: $bg_left $bg_attached"
	"$TW_TAPWARDEN" list >"$TMP/list"
	[ "$(wc -l <"$TMP/list")" = 1 ] || fail "lease left after virsh destroy: $(cat "$TMP/list")"
}

# Guests run on while the session's libvirtd stops (its idle timeout, an
# upgrade): the broker keeps their taps, which QEMU still holds.
t_libvirt_guest_keeps_its_network_when_session_libvirtd_stops() {
	local pid seen
	lv_start_lab_guest
	lv_lab_tap
	pid=$(cat "$LV_HOME/run/libvirt/libvirtd.pid")
	kill -TERM "$pid"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$pid" 2>/dev/null || fail "libvirtd did not stop"
	for _ in $(seq 50); do grep -q "kept $LV_TAP" "$TMP/broker.log" && break; sleep 0.1; done
	expect_in "$TMP/broker.log" "kept $LV_TAP: its holder \\(pid $pid\\) is gone"
	seen=$(grep -c '^guest: alive' "$LV_RUN/out.log")

	for _ in $(seq 100); do
		[ "$(grep -c '^guest: alive' "$LV_RUN/out.log")" -ge $((seen + 3)) ] && break
		sleep 0.1
	done
	[ "$(grep -c '^guest: alive' "$LV_RUN/out.log")" -ge $((seen + 3)) ] ||
		fail "the guest no longer reaches the bridge: $(tail -n 3 "$LV_RUN/out.log")"
	ip -o link show "$LV_TAP" | grep -q "master $LV_BR" || fail "$LV_TAP is gone"
	# the next virsh starts libvirtd again, which finds the guest running
	lv_virsh domstate "$LV_DOM" >"$TMP/state"
	expect_in "$TMP/state" '^running'
	# a monitor command waits for libvirtd's reconnection to QEMU (a job):
	# a destroy during it makes the reconnection fail and the destroy with it
	lv_virsh qemu-monitor-command "$LV_DOM" '{"execute":"query-status"}' >"$TMP/status"
	expect_in "$TMP/status" '"status": ?"running"'
	lv_virsh destroy "$LV_DOM" >/dev/null
	bg_wait_taps_gone "$LV_BR" || fail "after virsh destroy: tap(s) left: $bg_left $bg_attached"
}

# libvirt's <mtu size=.../> cannot work in session mode (libvirt sets the
# tap's MTU itself: EPERM). The tap has its bridge's MTU from tapwarden;
# the guest learns it from QEMU's host_mtu, which a session user sets with
# <qemu:override> (contrib/libvirt/README.md).
t_libvirt_guest_mtu_is_the_bridges_through_host_mtu() {
	local guest_script
	lv_setup
	ip link set "$LV_BR" mtu 9000
	# shellcheck disable=SC2016  # expanded in the guest
	guest_script=$(bg_guest_script "guest: " '
echo "guest: mtu $(cat "/sys/class/net/$dev/mtu")"
$ping -c 2 -W 2 -s 8900 "$2" >/dev/null || { echo "guest: ping -s 8900 $2 failed"; exit 4; }
echo "guest: big ping ok"
exec sleep 100000')
	LV_QEMU_XML="<qemu:override><qemu:device alias='net0'><qemu:frontend><qemu:property name='host_mtu' type='unsigned' value='9000'/></qemu:frontend></qemu:device></qemu:override>"
	lv_domain "$(lv_interface lab)" "$guest_script" "$LV_GUEST_IP" "$LV_HOST_IP"
	lv_virsh start "$LV_DOM" >"$TMP/start.out" 2>&1 || fail "virsh start: $(cat "$TMP/start.out")"
	lv_wait_guest '^guest: big ping ok'
	expect_in "$LV_RUN/out.log" '^guest: mtu 9000$'
	lv_lab_tap
	ip -o link show "$LV_TAP" >"$TMP/link"
	expect_in "$TMP/link" " mtu 9000 "
}

# lv_start_user_guest() - a guest on NAME (a user-mode network): DHCP
# ("guest: dhcp ip=... router=... mtu=..."), then it reads the host's
# service on 10.0.2.2 ("guest: host said ...") and sleeps
lv_start_user_guest() {
	local guest_script
	# the host's service, on this network namespace's loopback
	/usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept(); c.sendall(b"hello-from-host\n"); c.close()
' "$LV_HOST_PORT" &
	# shellcheck disable=SC2016  # expanded in the guest
	guest_script='
set -eu
modprobe virtio_net
dev=""
for i in $(seq 1 50); do
    for d in /sys/class/net/*; do d=${d##*/}; [ "$d" = lo ] || { dev=$d; break; }; done
    [ -n "$dev" ] && break; sleep 0.1
done
[ -n "$dev" ] || { echo "guest: no network interface"; exit 3; }
ip link set "$dev" up
cat >/tmp/dhcp.sh <<"SCRIPT"
#!/bin/sh
[ "$1" = bound ] || exit 0
echo "ip=$ip router=$router mtu=${mtu:-none}" >/tmp/lease
ip addr add "$ip/$subnet" dev "$interface"
SCRIPT
chmod +x /tmp/dhcp.sh
busybox udhcpc -i "$dev" -s /tmp/dhcp.sh -q -n -t 10 -T 2 >/dev/null || { echo "guest: no DHCP lease"; exit 4; }
echo "guest: dhcp $(cat /tmp/lease)"
exec 3<>"/dev/tcp/10.0.2.2/$1" || { echo "guest: cannot connect to 10.0.2.2:$1"; exit 6; }
read -r line <&3
echo "guest: host said $line"
exec sleep 100000'
	lv_domain "$(lv_interface "$1")" "$guest_script" "$LV_HOST_PORT"
	lv_virsh start "$LV_DOM" >"$TMP/start.out" 2>&1 || fail "virsh start: $(cat "$TMP/start.out")"
	lv_wait_guest '^guest: host said'
	expect_in "$LV_RUN/out.log" '^guest: dhcp ip=10\.0\.2\.15 router=10\.0\.2\.2 '
	expect_in "$LV_RUN/out.log" '^guest: host said hello-from-host$'
}

t_libvirt_guest_on_user_network_gets_dhcp_and_reaches_host() {
	lv_setup
	lv_start_user_guest user
	# user mode needs no broker: no lease, no tap in this namespace
	lv_virsh domiflist "$LV_DOM" >"$TMP/iflist"
	expect_in "$TMP/iflist" '^ *tw[0-9]+ +bridge +user +virtio '
	[ -z "$(kernel_taps)" ] || fail "user mode made a tap on the host: $(kernel_taps)"
	pgrep -u "$LV_UID" -x tapwarden-helpe >/dev/null || fail "no user-mode engine of $LV_USER runs"

	lv_virsh destroy "$LV_DOM" >/dev/null
	for _ in $(seq 50); do
		pgrep -u "$LV_UID" -x tapwarden-helpe >/dev/null || break
		sleep 0.1
	done
	! pgrep -u "$LV_UID" -x tapwarden-helpe >/dev/null || fail "user-mode engine left after virsh destroy"
}

# bridge_helper is a path that libvirt runs with no options of its own: a
# user's wrapper script gives the helper options (here --mtu= for user
# mode only, since user-mode options are an error for other networks).
t_libvirt_helper_options_through_a_wrapper_script() {
	lv_setup
	mkdir "$LV_HOME/bin"
	printf '#!/bin/sh\ncase " $* " in\n*" --br=user "*) exec %s --mtu=9000 "$@" ;;\nesac\nexec %s "$@"\n' \
		"$TW_HELPER" "$TW_HELPER" >"$LV_HOME/bin/tapwarden-helper"
	chmod 755 "$LV_HOME/bin/tapwarden-helper"
	chown -R "$LV_USER:" "$LV_HOME/bin"
	printf 'bridge_helper = "%s"\n' "$LV_HOME/bin/tapwarden-helper" >"$LV_HOME/.config/libvirt/qemu.conf"
	lv_start_user_guest user
	expect_in "$LV_RUN/out.log" '^guest: dhcp .* mtu=9000$'
	lv_virsh destroy "$LV_DOM" >/dev/null
	# and the same wrapper still serves a tapwardend network, unchanged
	lv_domain "$(lv_interface lab)" 'exec sleep 100000'
	lv_virsh start "$LV_DOM" >"$TMP/start.out" 2>&1 || fail "virsh start on lab: $(cat "$TMP/start.out")"
	"$TW_TAPWARDEN" list >"$TMP/list"
	expect_in "$TMP/list" "^tw[0-9]+ +$LV_UID +$LV_USER +lab "
}

t_libvirt_start_on_network_user_may_not_use_fails_with_tapwardens_reason() {
	lv_setup
	lv_domain "$(lv_interface closed)" 'exec sleep 100000'
	if lv_virsh start "$LV_DOM" >"$TMP/start.out" 2>&1; then
		fail "virsh start succeeded on network closed"
	fi
	expect_in "$TMP/start.out" "tapwarden: user $LV_USER may not use network closed"
	lv_virsh domstate "$LV_DOM" >"$TMP/state"
	expect_in "$TMP/state" '^shut off'
	no_tap_left
	"$TW_TAPWARDEN" list >"$TMP/list"
	[ "$(wc -l <"$TMP/list")" = 1 ] || fail "lease after a refusal: $(cat "$TMP/list")"
}

# libvirt refuses <bandwidth> in session mode; the rate limits of a
# tapwarden network (its inbound/outbound keys) are what a session user gets
t_libvirt_guest_on_rate_limited_network_gets_the_networks_limits() {
	local tap
	lv_setup
	printf '\n[network slow]\nbridge=%s\nallow-users=%s\ninbound=10mbit\noutbound=5mbit\n' \
		"$LV_BR" "$LV_USER" >>"$TMP/tapwarden.conf"
	kill -HUP "$BROKER_PID"
	for _ in $(seq 100); do grep -q reloaded "$TMP/broker.log" && break; sleep 0.05; done
	expect_in "$TMP/broker.log" reloaded
	lv_domain "<interface type='bridge'><source bridge='slow'/><model type='virtio'/><bandwidth><inbound average='1000'/></bandwidth></interface>" \
		'exec sleep 100000'
	! lv_virsh start "$LV_DOM" >"$TMP/start.out" 2>&1 || fail "libvirt took <bandwidth> in session mode"
	expect_in "$TMP/start.out" "bandwidth tuning is not available in session mode"
	lv_virsh undefine "$LV_DOM" >/dev/null
	lv_domain "$(lv_interface slow)" 'exec sleep 100000'
	lv_virsh start "$LV_DOM" >"$TMP/start.out" 2>&1 || fail "virsh start: $(cat "$TMP/start.out")"
	lv_virsh domiflist "$LV_DOM" >"$TMP/iflist"
	tap=$(awk '$2 == "bridge" && $3 == "slow" {print $1}' "$TMP/iflist")
	[[ $tap =~ ^tw[0-9]+$ ]] || fail "domiflist shows no tw* tap on slow: $(cat "$TMP/iflist")"
	tc class show dev "$tap" >"$TMP/in"
	expect_in "$TMP/in" "rate 10Mbit"
	tc class show dev "twi${tap#tw}" >"$TMP/out"
	expect_in "$TMP/out" "rate 5Mbit"
}

run_test "$@"
