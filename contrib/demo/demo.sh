#!/bin/bash
# contrib/demo/demo.sh — see tapwarden give a real QEMU guest its tap.
#
# Usage (root): contrib/demo/demo.sh [BUILD_DIR]      (default BUILD_DIR: ./build)
#
# Needs: root (to set the stage; the VM itself runs as an unprivileged user
# it creates, tw-demo), a build (meson setup build && meson compile -C build),
# qemu-system-x86, linux-image-amd64, busybox-static, cpio. No network
# access: everything happens inside a network namespace made for the demo,
# which disappears when the demo ends.
#
# How the parts fit (the bg_* functions come from tests/vm/bridge-guest.sh,
# shared with tests/e2e/guest-pings-bridge.sh):
#   demo.sh ── re-executes itself in a fresh network namespace (unshare --net)
#     ├─ makes bridge twdemo0 = 10.213.9.1/24, user tw-demo, and network
#     │    `demo` (bridge twdemo0, allow-users=tw-demo) in a tapwarden.conf
#     ├─ copies the helper where tw-demo can run it (TMP/libexec: the build
#     │    tree may be in a home directory tw-demo cannot enter)
#     ├─ starts tapwardend, the privileged broker, on a socket of its own
#     ├─ tests/vm/run-guest boots a small VM (Debian kernel under QEMU/TCG,
#     │    the host's / shared read-only), QEMU running as tw-demo with no
#     │    privilege at all, with
#     │      -netdev tap,id=n0,helper=TMP/libexec/tapwarden-helper
#     │                 --socket=SOCK,br=demo  -device virtio-net-pci,netdev=n0
#     │    QEMU runs the helper exactly as it runs qemu-bridge-helper; the
#     │    helper (no setuid, no capability) asks tapwardend, which checks
#     │    who asks and creates tap tw<N>, owned by tw-demo, on twdemo0; the
#     │    helper passes its fd to QEMU;
#     ├─ while the VM runs, the host side shows the tap and `tapwarden list`;
#     │  in the VM: ip addr, then ping 10.213.9.1;
#     └─ after the VM has exited: the tap and its lease must be gone.
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
    [[ $(id -u) -eq 0 ]] || fail "the demo needs root (it makes a network namespace, a bridge and a VM)"
    build=$(readlink -f "${1:-./build}")
    for prog in tapwarden-helper tapwardend tapwarden; do
        [[ -x $build/qemu-helper/$prog ]] || fail "no $prog in $build/qemu-helper — build first: meson setup build && meson compile -C build"
    done
    why=$(bg_check_host) || fail "$why"
    bg_reexec_in_netns TW_DEMO_IN_NETNS "${BASH_SOURCE[0]}" "$build"
fi

# ---- stage 2: inside the demo's own network namespace ------------------------
build=$1
tapwarden=$build/qemu-helper/tapwarden
bg_init demo ""
chmod 755 "$bg_tmp"
# QEMU runs as the demo user, who may not enter the build tree (a clone in
# /root is mode 700): the helper and its stage modules, copied where it
# can; the helper finds its stages next to itself
install -d -m 755 "$bg_tmp/libexec"
install -m 755 "$build"/qemu-helper/tapwarden-helper \
    "$build"/qemu-helper/tapwarden-helper-direct.so \
    "$build"/qemu-helper/tapwarden-helper-usermode.so "$bg_tmp/libexec/"
bg_helper=$bg_tmp/libexec/tapwarden-helper
DEMO_USER=tw-demo
sock=$bg_tmp/tapwardend.sock

say "1. A private network namespace with bridge $BR ($HOST_IP/24), and a user with no privilege"
bg_make_bridge "$BR" "$HOST_IP"
ip -br addr show dev "$BR"
id "$DEMO_USER" >/dev/null 2>&1 ||
    useradd --no-create-home --shell /usr/sbin/nologin --user-group "$DEMO_USER"
id "$DEMO_USER"

say "2. The network that user may use: $bg_tmp/tapwarden.conf"
printf '[network demo]\nbridge = %s\nallow-users = %s\nmax-per-user = 2\n' \
    "$BR" "$DEMO_USER" >"$bg_tmp/tapwarden.conf"
sed 's/^/   /' "$bg_tmp/tapwarden.conf"

say "3. tapwardend, the broker, decides and does the privileged part"
"$build/qemu-helper/tapwardend" --socket="$sock" --config="$bg_tmp/tapwarden.conf" \
    --acl="$bg_tmp/none.conf" 2> >(sed -u 's/^/host| /') &
broker=$!
trap 'kill "$broker" 2>/dev/null || true; bg_cleanup' EXIT
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || fail "tapwardend did not start"
"$tapwarden" --socket="$sock" check "$DEMO_USER" demo | sed 's/^/host| tapwarden check: /'

bg_netdev="tap,id=n0,helper=${bg_helper//,/,,} --socket=$sock,br=demo"
bg_guest_opts=(--qemu-user "$DEMO_USER")
say "4. Booting a VM as $DEMO_USER, whose NIC is"
echo "   -netdev $bg_netdev"
echo "   -device virtio-net-pci,netdev=n0"
echo "   (host lines start with 'host|', the VM's with 'vm  |'; booting takes a few seconds)"

# Show, from the host, the tap the helper attached, as soon as it is there
# (once: failing stops the watcher).
show_tap() {
    {
        echo "the tap is on $BR: ip -d link show master $BR"
        ip -d link show master "$BR"
        echo "tapwarden list:"
        "$tapwarden" --socket="$sock" list
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

say "5. The VM has exited. Are its tap and its lease gone?"
bg_wait_taps_gone "$BR" || fail "still there after the VM exited: $bg_left$bg_attached"
echo "host| ip link show master $BR: (nothing)"
echo "host| no tw* device left in the namespace"
[[ $("$tapwarden" --socket="$sock" list | wc -l) == 1 ]] || fail "tapwarden list still shows a lease"
echo "host| tapwarden list: no lease"

say "Done: an unprivileged user's VM got its tap through tapwardend (no setuid anywhere), reached the bridge, and the tap went away with the VM."
