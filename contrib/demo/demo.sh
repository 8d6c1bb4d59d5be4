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
# How the parts fit (the bg_* functions come from tests/vm/bridge-guest.sh,
# shared with tests/e2e/guest-pings-bridge.sh):
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
# shellcheck source=SCRIPTDIR/../../tests/vm/bridge-guest.sh
. "$here/../../tests/vm/bridge-guest.sh"

# ---- stage 1: checks, then re-exec in a private network namespace -----------
if [[ ${TW_DEMO_IN_NETNS:-} != "$$" ]]; then
    [[ $# -le 1 ]] || { echo "usage: $0 [BUILD_DIR]" >&2; exit 2; }
    [[ $(id -u) -eq 0 ]] || fail "the demo needs root (it makes a network namespace, a bridge and a VM): run it with sudo"
    build=${1:-./build}
    helper=$build/qemu-helper/tapwarden-helper
    [[ -x $helper ]] || fail "no helper at $helper — build it first: meson setup build && meson compile -C build"
    helper=$(readlink -f "$helper")
    why=$(bg_check_host) || fail "$why"
    bg_reexec_in_netns TW_DEMO_IN_NETNS "${BASH_SOURCE[0]}" "$helper"
fi

# ---- stage 2: inside the demo's own network namespace ------------------------
bg_init demo "$1"

say "1. A private network namespace with bridge $BR ($HOST_IP/24)"
bg_make_bridge "$BR" "$HOST_IP"
ip -br addr show dev "$BR"

say "2. Who may use which bridge: $bg_acl"
sed 's/^/   /' "$bg_acl"

say "3. Booting a VM whose NIC is"
echo "   -netdev $bg_netdev"
echo "   -device virtio-net-pci,netdev=n0"
echo "   (host lines start with 'host|', the VM's with 'vm  |'; booting takes a few seconds)"

# Show, from the host, the tap the helper attached, as soon as it is there
# (once: failing stops the watcher).
show_tap() {
    {
        echo "the helper's tap is on $BR: ip -d link show master $BR"
        ip -d link show master "$BR"
    } | sed 's/^/host| /'
    return 1
}
bg_watch_start "$BR" show_tap

# What the VM does once its NIC is up (it runs the host's own programs, see
# docs/vm-harness.md). $1 = its address, $2 = the bridge's address.
# shellcheck disable=SC2016  # expanded in the VM
vm_script=$(bg_guest_script "" '
echo "my interfaces (ip addr):"
ip addr
echo
echo "ping $2, the host end of the bridge:"
$ping -c 3 -W 2 "$2"')
rc=0
bg_run_guest "${TW_DEMO_TIMEOUT:-240}" "vm  | " "$vm_script" demo "$GUEST_IP" "$HOST_IP" || rc=$?
bg_watch_stop

case $rc in
    0) ;;
    125) fail "the VM did not run to the end (if QEMU said 'bridge helper failed', the helper's own message is just above it)" ;;
    *) fail "inside the VM a step failed (exit status $rc; see the 'vm  |' lines)" ;;
esac

say "4. The VM has exited. Is its tap gone?"
bg_wait_taps_gone "$BR" || fail "still there after the VM exited: $bg_left$bg_attached"
echo "host| ip link show master $BR: (nothing)"
echo "host| no tw* device left in the namespace"

say "Done: the VM got its tap from tapwarden-helper, reached the bridge, and the tap went away with the VM."
