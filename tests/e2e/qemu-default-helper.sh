#!/bin/bash
# tests/e2e/qemu-default-helper.sh — QEMU's own bridge forms, unchanged, with
# tapwarden-helper where QEMU looks for its compiled-in helper
# (/usr/lib/qemu/qemu-bridge-helper on Debian): what the package
# tapwarden-qemu-bridge-helper does with dpkg-divert (debian/), in a
# private mount namespace, with real guests that ping the host.
#
# Usage: tests/e2e/qemu-default-helper.sh HELPER TAPWARDEND
# Exit:  0 pass, 1 fail (one "FAIL: ..." line on stderr), 77 skip (not root,
#        no QEMU / kernel / busybox-static / cpio: run-guest --check).
#
# How the parts fit (bg_* from tests/vm/bridge-guest.sh):
#   1. as root, re-executed in new network and mount namespaces;
#   2. a tmpfs over /usr/lib/qemu holds the helper as qemu-bridge-helper and
#      its stage modules beside it (the helper loads them from its own
#      directory), as the divert's symlink does; a tmpfs over the build's
#      sysconfdir/qemu holds bridge.conf "allow BR" (Debian's package reads
#      /etc/qemu/bridge.conf, QEMU's own file);
#   3. three guests, each pinging the host's bridge address, with QEMU's
#      command lines as users write them:
#        root:      -netdev bridge,id=n0,br=BR -device virtio-net-pci,...
#        root:      -netdev bridge,id=n0,br=BR,helper=/usr/lib/qemu/qemu-bridge-helper
#        tw-e2e:    -nic bridge,br=BR,model=virtio-net-pci   (through tapwardend)
#      root QEMU is served in direct mode, the user's through the broker;
#   4. after each, no tap is left.
set -euo pipefail

me=qemu-default-helper
fail() { echo "FAIL: $me: $*" >&2; exit 1; }
skip() { echo "SKIP: $me: $*" >&2; exit 77; }

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=SCRIPTDIR/../vm/bridge-guest.sh
. "$here/../vm/bridge-guest.sh"
BR=twe2eq0
HOST_IP=10.213.9.1
GUEST_IP=10.213.9.2
QEMU_HELPER_DIR=/usr/lib/qemu
USER_NAME=tw-e2e

# ---- stage 1: checks, then new network and mount namespaces --------------
if [[ ${TW_E2E_IN_NETNS:-} != "$$" ]]; then
    [[ $# -eq 2 ]] || { echo "usage: $0 HELPER TAPWARDEND" >&2; exit 2; }
    [[ $(id -u) -eq 0 ]] || skip "needs root"
    why=$(bg_check_host) || skip "$why"
    export TW_E2E_IN_NETNS=$$
    exec unshare --net --mount --propagation private -- bash "$0" "$(readlink -f "$1")" "$(readlink -f "$2")"
fi

# ---- stage 2 ------------------------------------------------------------
helper=$1 tapwardend=$2
bg_init e2eq "$QEMU_HELPER_DIR/qemu-bridge-helper"
bg_make_bridge "$BR" "$HOST_IP"

# QEMU's helper path, as the divert leaves it: tapwarden's helper (and its
# modules beside it, where it looks first)
mount -t tmpfs -o mode=755 tmpfs "$QEMU_HELPER_DIR"
install -m 755 "$helper" "$QEMU_HELPER_DIR/qemu-bridge-helper"
install -m 644 "$(dirname "$helper")"/tapwarden-helper-*.so "$QEMU_HELPER_DIR/"
# the ACL file the helper reads by default
acl=$("$helper" --help | sed -n 's/.*--acl=FILE .* instead of \(.*\)$/\1/p')
[[ -n $acl ]] || fail "cannot tell the helper's default bridge.conf"
mkdir -p "$(dirname "$acl")"
mount -t tmpfs -o mode=755 tmpfs "$(dirname "$acl")"
echo "allow $BR" >"$acl"

# tapwardend for the unprivileged user's QEMU, on a socket of this test
id "$USER_NAME" >/dev/null 2>&1 ||
    useradd --no-create-home --shell /usr/sbin/nologin --user-group "$USER_NAME"
chmod 755 "$bg_tmp"
sock=$bg_tmp/tapwardend.sock
: >"$bg_tmp/tapwarden.conf"
"$tapwardend" --socket="$sock" --config="$bg_tmp/tapwarden.conf" --acl="$acl" \
    --run-dir="$bg_tmp/run" >"$bg_tmp/broker.log" 2>&1 &
broker=$!
trap 'kill "$broker" 2>/dev/null || true; bg_cleanup' EXIT
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || fail "tapwardend did not start: $(cat "$bg_tmp/broker.log")"

# shellcheck disable=SC2016  # expanded in the guest
guest_script=$(bg_guest_script "guest: " '
$ping -c 3 -W 2 "$2" || { echo "guest: ping $2 failed"; exit 4; }
echo "guest: ping ok"')

# boot WHO FORM QEMU-ARG... - a guest with these NIC arguments; as WHO
# (root, or the user through the broker); it must ping the host
boot() {
    local who=$1 form=$2 rc=0 opts=()
    shift 2
    [[ $who == root ]] || opts=(--qemu-user "$who")
    local args=()
    for a in "$@"; do args+=(--qemu-arg "$a"); done
    echo "$me: $form as $who"
    TAPWARDEN_SOCKET=$sock "$bg_vm_dir/run-guest" --timeout "${TW_E2E_TIMEOUT:-240}" \
        "${opts[@]}" "${args[@]}" -- sh -c "$guest_script" guest "$GUEST_IP" "$HOST_IP" 2>&1 |
        sed -u "s/^/  | /" || rc=${PIPESTATUS[0]}
    [[ $rc == 0 ]] || fail "$form as $who: guest or QEMU failed ($rc); broker: $(tail -n 5 "$bg_tmp/broker.log")"
    bg_wait_taps_gone "$BR" || fail "$form as $who: left behind: $bg_left $bg_attached"
}

boot root "-netdev bridge (QEMU's default helper)" \
    -netdev "bridge,id=n0,br=$BR" -device virtio-net-pci,netdev=n0
boot root "-netdev bridge,helper=" \
    -netdev "bridge,id=n0,br=$BR,helper=$QEMU_HELPER_DIR/qemu-bridge-helper" \
    -device virtio-net-pci,netdev=n0
boot "$USER_NAME" "-nic bridge" -nic "bridge,br=$BR,model=virtio-net-pci"
grep -q "granted tw[0-9]* on bridge $BR to user $USER_NAME " "$bg_tmp/broker.log" ||
    fail "-nic bridge as $USER_NAME: not served by tapwardend: $(cat "$bg_tmp/broker.log")"
echo "$me: ok: QEMU's -netdev bridge (with and without helper=) and -nic bridge got tapwarden's taps"
