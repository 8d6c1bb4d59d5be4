#!/bin/bash
# contrib/demo/demo.sh — see tapwarden give a real QEMU guest its tap.
#
# Usage: sudo contrib/demo/demo.sh [BUILD_DIR]      (default BUILD_DIR: ./build)
#
# Needs: root, a built helper (meson setup build && meson compile -C build),
# qemu-system-x86, linux-image-amd64, busybox-static, cpio. No network
# access: everything happens inside a network namespace made for the demo,
# which disappears when the demo ends.
#
# How the parts fit:
#   demo.sh ── re-executes itself in a fresh network namespace (unshare --net)
#     ├─ makes bridge twdemo0 = 10.213.9.1/24 and a bridge ACL "allow twdemo0"
#     ├─ tests/vm/run-guest boots a small VM (Debian kernel under QEMU/TCG,
#     │    the host's / shared read-only) with
#     │      -netdev tap,id=n0,helper=BUILD_DIR/qemu-helper/tapwarden-helper
#     │                 --acl=ACL,br=twdemo0  -device virtio-net-pci,netdev=n0
#     │    QEMU runs the helper exactly as it runs qemu-bridge-helper; the
#     │    helper creates tap tw<N>, puts it on twdemo0 and passes its fd back;
#     ├─ while the VM runs, the host side shows the tap on the bridge;
#     │  in the VM: ip addr, then ping 10.213.9.1;
#     └─ after the VM has exited: the tap must be gone.
# Exit: 0 when all of that happened; 1 with one "demo: FAILED: ..." line if not.
set -euo pipefail

BR=twdemo0
HOST_IP=10.213.9.1
GUEST_IP=10.213.9.2

fail() { echo "demo: FAILED: $*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*"; }

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
run_guest=$here/../../tests/vm/run-guest

# ---- stage 1: checks, then re-exec in a private network namespace -----------
if [[ ${TW_DEMO_IN_NETNS:-} != "$$" ]]; then
    [[ $# -le 1 ]] || { echo "usage: $0 [BUILD_DIR]" >&2; exit 2; }
    [[ $(id -u) -eq 0 ]] || fail "the demo needs root (it makes a network namespace, a bridge and a VM): run it with sudo"
    build=${1:-./build}
    helper=$build/qemu-helper/tapwarden-helper
    [[ -x $helper ]] || fail "no helper at $helper — build it first: meson setup build && meson compile -C build"
    helper=$(readlink -f "$helper")
    command -v unshare >/dev/null || fail "unshare not found (apt-get install util-linux)"
    command -v ip >/dev/null || fail "ip not found (apt-get install iproute2)"
    why=$("$run_guest" --check 2>&1 >/dev/null) || fail "cannot boot a VM here: ${why#run-guest: }"
    TW_DEMO_IN_NETNS=$$ exec unshare --net -- "${BASH_SOURCE[0]}" "$helper"
fi

# ---- stage 2: inside the demo's own network namespace ------------------------
helper=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tw-demo.XXXXXX")
watch_pid=""
# shellcheck disable=SC2317  # (called from the trap)
cleanup() {
    [[ -z $watch_pid ]] || kill "$watch_pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
[[ $tmp != *[,\ ]* ]] || fail "temp dir '$tmp' contains a comma or space; set TMPDIR"
[[ $helper != *[\ \'\"\\\$\`]* ]] || fail "helper path '$helper' contains characters a shell would mangle; move the build dir"

say "1. A private network namespace with bridge $BR ($HOST_IP/24)"
ip link set lo up
ip link add "$BR" type bridge || fail "cannot create a bridge (kernel without bridge support?)"
ip addr add "$HOST_IP/24" dev "$BR"
ip link set "$BR" up
ip -br addr show dev "$BR"

acl=$tmp/bridge.acl
echo "allow $BR" >"$acl"
say "2. Who may use which bridge: $acl"
sed 's/^/   /' "$acl"

netdev="tap,id=n0,helper=${helper//,/,,} --acl=$acl,br=$BR"
say "3. Booting a VM whose NIC is"
echo "   -netdev $netdev"
echo "   -device virtio-net-pci,netdev=n0"
echo "   (host lines start with 'host|', the VM's with 'vm  |'; booting takes a few seconds)"

# Show, from the host, the tap the helper attached, as soon as it is there.
watch_bridge() {
    local ports
    while :; do
        ports=$(ip -o link show master "$BR" 2>/dev/null || true)
        if [[ -n $ports ]]; then
            {
                echo "the helper's tap is on $BR: ip -d link show master $BR"
                ip -d link show master "$BR"
            } | sed 's/^/host| /'
            return 0
        fi
        sleep 0.1
    done
}
watch_bridge &
watch_pid=$!

# What the VM does (it runs the host's own programs, see docs/vm-harness.md).
# $1 = its address, $2 = the bridge's address.
# shellcheck disable=SC2016  # expanded in the VM
vm_script='
set -eu
modprobe virtio_net
dev=""
for i in $(seq 1 50); do
    for d in /sys/class/net/*; do d=${d##*/}; [ "$d" = lo ] || { dev=$d; break; }; done
    [ -n "$dev" ] && break
    sleep 0.1
done
[ -n "$dev" ] || { echo "no network interface appeared"; exit 3; }
ip link set "$dev" up
ip addr add "$1/24" dev "$dev"
# wait (up to 5 s) for the link to report carrier
for i in $(seq 1 50); do [ "$(cat "/sys/class/net/$dev/carrier" 2>/dev/null)" = 1 ] && break; sleep 0.1; done
echo "my interfaces (ip addr):"
ip addr
echo
echo "ping $2, the host end of the bridge:"
if command -v ping >/dev/null; then p=ping; else p="busybox ping"; fi
$p -c 3 -W 2 "$2"
'
rc=0
"$run_guest" --timeout "${TW_DEMO_TIMEOUT:-240}" \
    --qemu-arg -netdev --qemu-arg "$netdev" \
    --qemu-arg -device --qemu-arg "virtio-net-pci,netdev=n0" \
    -- sh -c "$vm_script" demo "$GUEST_IP" "$HOST_IP" 2>&1 | sed -u 's/^/vm  | /' || rc=${PIPESTATUS[0]}
kill "$watch_pid" 2>/dev/null || true
wait "$watch_pid" 2>/dev/null || true
watch_pid=""

case $rc in
    0) ;;
    125) fail "the VM did not run to the end (if QEMU said 'bridge helper failed', the helper's own message is just above it)" ;;
    *) fail "inside the VM a step failed (exit status $rc; see the 'vm  |' lines)" ;;
esac

say "4. The VM has exited. Is its tap gone?"
left=""
for _ in $(seq 1 30); do
    left=$(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^tw' | grep -vx "$BR" || true)
    left+=$(ip -o link show master "$BR" || true)
    [[ -z $left ]] && break
    sleep 0.1
done
[[ -z $left ]] || fail "still there after the VM exited: $left"
echo "host| ip link show master $BR: (nothing)"
echo "host| no tw* device left in the namespace"

say "Done: the VM got its tap from tapwarden-helper, reached the bridge, and the tap went away with the VM."
