#!/bin/bash
# tests/e2e/guest-pings-bridge.sh — end-to-end test of tapwarden-helper with a
# real QEMU guest.
#
# Usage: tests/e2e/guest-pings-bridge.sh /path/to/tapwarden-helper
# Exit:  0 pass, 1 fail (one "FAIL: ..." line on stderr), 77 skip (not root,
#        or no QEMU / Debian kernel / busybox-static / cpio: see run-guest --check).
#
# How the parts fit:
#   1. this script (as root) re-executes itself in a fresh network namespace
#      (unshare --net), so every link it makes dies with the namespace;
#   2. there it makes bridge twe2e0 = 10.213.7.1/24 and an ACL file
#      "allow twe2e0" in a temp dir;
#   3. it boots a guest with tests/vm/run-guest; the guest's NIC is
#        -netdev tap,id=n0,helper=HELPER --acl=ACL,br=twe2e0
#        -device virtio-net-pci,netdev=n0
#      so QEMU runs "/bin/sh -c 'HELPER --acl=ACL --use-vnet --fd=N --br=twe2e0'"
#      in this namespace, and the helper must hand back a tap on twe2e0;
#   4. in the guest: modprobe virtio_net, address 10.213.7.2/24 on the first
#      non-lo interface, ping -c 3 -W 2 10.213.7.1 must succeed;
#   5. meanwhile the host side records which devices join twe2e0; after QEMU
#      has exited no tw* device and no port of twe2e0 may remain.
set -euo pipefail

me=guest-pings-bridge
fail() { echo "FAIL: $me: $*" >&2; exit 1; }
skip() { echo "SKIP: $me: $*" >&2; exit 77; }

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
run_guest=$here/../vm/run-guest
BR=twe2e0
HOST_IP=10.213.7.1
GUEST_IP=10.213.7.2

# ---- stage 1: in the caller's namespace: checks, then re-exec ----------------
if [[ ${TW_E2E_IN_NETNS:-} != "$$" ]]; then
    [[ $# -eq 1 ]] || { echo "usage: $0 /path/to/tapwarden-helper" >&2; exit 2; }
    [[ -x $1 && -f $1 ]] || fail "helper '$1' is not an executable file"
    helper=$(readlink -f "$1")
    [[ $(id -u) -eq 0 ]] || skip "needs root"
    command -v unshare >/dev/null || skip "unshare (util-linux) not found"
    command -v ip >/dev/null || skip "ip (iproute2) not found"
    why=$("$run_guest" --check 2>&1 >/dev/null) || skip "cannot run a guest: ${why#run-guest: }"
    # exec keeps the PID, which marks the re-executed copy (and only it).
    TW_E2E_IN_NETNS=$$ exec unshare --net -- "${BASH_SOURCE[0]}" "$helper"
fi

# ---- stage 2: inside the private network namespace ---------------------------
helper=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tw-e2e.XXXXXX")
watch_pid=""
# shellcheck disable=SC2317  # (called from the trap)
cleanup() {
    [[ -z $watch_pid ]] || kill "$watch_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# QEMU's -netdev parser splits at ',' (',,' is a literal comma), and the
# helper string goes through /bin/sh -c, so paths must be plain.
[[ $tmp != *[,\ ]* ]] || fail "temp dir '$tmp' contains a comma or space; set TMPDIR"
[[ $helper != *[\ \'\"\\\$\`]* ]] || fail "helper path '$helper' has characters /bin/sh -c would mangle"
helper_q=${helper//,/,,}

ip link set lo up
ip link add "$BR" type bridge || fail "cannot create bridge $BR (no bridge support in this kernel?)"
ip addr add "$HOST_IP/24" dev "$BR"
ip link set "$BR" up

acl=$tmp/bridge.acl
echo "allow $BR" >"$acl"

# Host-side watcher: note every device that is a port of the bridge while the
# guest runs (informational; the tap's name and that it was attached).
watch_ports() {
    local -A seen=()
    local n
    while :; do
        for n in $(ip -o link show master "$BR" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
            [[ -n ${seen[$n]:-} ]] || { seen[$n]=1; echo "$n" >>"$tmp/ports"; }
        done
        sleep 0.2
    done
}
: >"$tmp/ports"
watch_ports &
watch_pid=$!

# The guest's part. It runs with the host's binaries; ping may be iputils'
# or busybox's (both exit 0 when at least one reply came back).
# $1 = guest address, $2 = host (bridge) address.
# shellcheck disable=SC2016  # expanded in the guest
guest_script='
set -eu
modprobe virtio_net
dev=""
for i in $(seq 1 50); do
    for d in /sys/class/net/*; do
        d=${d##*/}
        [ "$d" = lo ] || { dev=$d; break; }
    done
    [ -n "$dev" ] && break
    sleep 0.1
done
[ -n "$dev" ] || { echo "guest: no network interface appeared"; exit 3; }
ip link set "$dev" up
ip addr add "$1/24" dev "$dev"
# wait (up to 5 s) for the link to report carrier
for i in $(seq 1 50); do [ "$(cat "/sys/class/net/$dev/carrier" 2>/dev/null)" = 1 ] && break; sleep 0.1; done
ip -br addr show dev "$dev"
if command -v ping >/dev/null; then p=ping; else p="busybox ping"; fi
$p -c 3 -W 2 "$2" || { echo "guest: ping $2 failed"; exit 4; }
echo "guest: ping ok"
'

echo "$me: booting guest (helper: $helper, bridge $BR $HOST_IP/24)"
rc=0
"$run_guest" --timeout "${TW_E2E_TIMEOUT:-240}" \
    --qemu-arg -netdev --qemu-arg "tap,id=n0,helper=$helper_q --acl=$acl,br=$BR" \
    --qemu-arg -device --qemu-arg "virtio-net-pci,netdev=n0" \
    -- sh -c "$guest_script" guest "$GUEST_IP" "$HOST_IP" 2>&1 | sed -u 's/^/  | /' || rc=${PIPESTATUS[0]}

kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
watch_pid=""
ports=$(tr '\n' ' ' <"$tmp/ports")

case $rc in
    0) ;;
    125) fail "QEMU did not run the guest to the end (a failing helper makes QEMU exit at start; its error and the run-guest line are above)" ;;
    *) fail "guest exited $rc (helper or ping failed; output above); ports seen on $BR: ${ports:-none}" ;;
esac
[[ -n $ports ]] || echo "$me: note: never saw a port on $BR (guest was quick)"
[[ -z $ports ]] || echo "$me: seen on $BR while the guest ran: $ports"

# After QEMU is gone its tap must be gone too (give the kernel a moment).
for _ in $(seq 1 30); do
    left=$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^tw' | grep -vx "$BR" || true)
    attached=$(ip -o link show master "$BR" | awk -F': ' '{print $2}' | cut -d@ -f1 || true)
    [[ -z $left && -z $attached ]] && break
    sleep 0.1
done
[[ -z $left ]] || fail "tw* device(s) left after QEMU exited: $(echo "$left" | tr '\n' ' ')"
[[ -z $attached ]] || fail "port(s) still on $BR after QEMU exited: $(echo "$attached" | tr '\n' ' ')"

echo "PASS: $me"
