#!/bin/bash
# tests/e2e/guest-pings-bridge.sh — end-to-end test of tapwarden-helper with a
# real QEMU guest.
#
# Usage: tests/e2e/guest-pings-bridge.sh /path/to/tapwarden-helper
# Exit:  0 pass, 1 fail (one "FAIL: ..." line on stderr), 77 skip (not root,
#        or no QEMU / Debian kernel / busybox-static / cpio: see run-guest --check).
#
# How the parts fit (the bg_* functions come from tests/vm/bridge-guest.sh,
# shared with contrib/demo/demo.sh):
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
# shellcheck source=SCRIPTDIR/../vm/bridge-guest.sh
. "$here/../vm/bridge-guest.sh"
BR=twe2e0
HOST_IP=10.213.7.1
GUEST_IP=10.213.7.2

# ---- stage 1: in the caller's namespace: checks, then re-exec ----------------
if [[ ${TW_E2E_IN_NETNS:-} != "$$" ]]; then
    [[ $# -eq 1 ]] || { echo "usage: $0 /path/to/tapwarden-helper" >&2; exit 2; }
    [[ -x $1 && -f $1 ]] || fail "helper '$1' is not an executable file"
    helper=$(readlink -f "$1")
    [[ $(id -u) -eq 0 ]] || skip "needs root"
    why=$(bg_check_host) || skip "$why"
    bg_reexec_in_netns TW_E2E_IN_NETNS "${BASH_SOURCE[0]}" "$helper"
fi

# ---- stage 2: inside the private network namespace ---------------------------
bg_init e2e "$1"
bg_make_bridge "$BR" "$HOST_IP"

# Host-side watcher: note every device that is a port of the bridge while the
# guest runs (informational; the tap's name and that it was attached).
note_port() { echo "$1" >>"$bg_tmp/ports"; }
: >"$bg_tmp/ports"
bg_watch_start "$BR" note_port

# The guest's part, after its NIC is up (ping may be iputils' or busybox's;
# both exit 0 when at least one reply came back).
# $1 = guest address, $2 = host (bridge) address.
# shellcheck disable=SC2016  # expanded in the guest
guest_script=$(bg_guest_script "guest: " '
ip -br addr show dev "$dev"
$ping -c 3 -W 2 "$2" || { echo "guest: ping $2 failed"; exit 4; }
echo "guest: ping ok"')

echo "$me: booting guest (helper: $bg_helper, bridge $BR $HOST_IP/24)"
rc=0
bg_run_guest "${TW_E2E_TIMEOUT:-240}" "  | " "$guest_script" guest "$GUEST_IP" "$HOST_IP" || rc=$?
bg_watch_stop
ports=$(tr '\n' ' ' <"$bg_tmp/ports")

case $rc in
    0) ;;
    125) fail "QEMU did not run the guest to the end (a failing helper makes QEMU exit at start; its error and the run-guest line are above)" ;;
    *) fail "guest exited $rc (helper or ping failed; output above); ports seen on $BR: ${ports:-none}" ;;
esac
[[ -n $ports ]] || echo "$me: note: never saw a port on $BR (guest was quick)"
[[ -z $ports ]] || echo "$me: seen on $BR while the guest ran: $ports"

# After QEMU is gone its tap must be gone too (give the kernel a moment).
if ! bg_wait_taps_gone "$BR"; then
    [[ -z $bg_left ]] || fail "tw* device(s) left after QEMU exited: $(echo "$bg_left" | tr '\n' ' ')"
    fail "port(s) still on $BR after QEMU exited: $(bg_link_names <<<"$bg_attached" | tr '\n' ' ')"
fi

echo "PASS: $me"
