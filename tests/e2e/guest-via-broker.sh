#!/bin/bash
# tests/e2e/guest-via-broker.sh — a real QEMU guest, run by an unprivileged
# user, gets its network from tapwardend through the unprivileged helper.
#
# Usage: tests/e2e/guest-via-broker.sh HELPER TAPWARDEND TAPWARDEN
# Exit:  0 pass, 1 fail (one "FAIL: ..." line), 77 skip (not root, or no
#        QEMU / Debian kernel: see tests/vm/run-guest --check).
#
# How the parts fit (bg_* from tests/vm/bridge-guest.sh):
#   1. as root, re-exec in a fresh network namespace;
#   2. bridge twe2e0 = 10.213.8.1/24; user tw-e2e (created here); network
#      `e2enet` on twe2e0 allowed to tw-e2e only; tapwardend on a socket in
#      the temp dir;
#   3. the guest boots with QEMU running as tw-e2e (run-guest --user): its
#      -netdev runs "HELPER --socket=SOCK --use-vnet --fd=N --br=e2enet",
#      which has no privilege and asks the broker;
#   4. the guest pings 10.213.8.1; meanwhile the host notes the tap's owner
#      and `tapwarden list`;
#   5. afterwards: no tw* left, and the broker lists no lease.
set -euo pipefail

me=guest-via-broker
fail() { echo "FAIL: $me: $*" >&2; exit 1; }
skip() { echo "SKIP: $me: $*" >&2; exit 77; }

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=SCRIPTDIR/../vm/bridge-guest.sh
. "$here/../vm/bridge-guest.sh"
BR=twe2e0
HOST_IP=10.213.8.1
GUEST_IP=10.213.8.2
USER_NAME=tw-e2e

if [[ ${TW_E2E_IN_NETNS:-} != "$$" ]]; then
    [[ $# -eq 3 ]] || { echo "usage: $0 HELPER TAPWARDEND TAPWARDEN" >&2; exit 2; }
    [[ $(id -u) -eq 0 ]] || skip "needs root"
    why=$(bg_check_host) || skip "$why"
    bg_reexec_in_netns TW_E2E_IN_NETNS "${BASH_SOURCE[0]}" \
        "$(readlink -f "$1")" "$(readlink -f "$2")" "$(readlink -f "$3")"
fi

tapwardend=$2 tapwarden=$3
bg_init broker "$1"
chmod 755 "$bg_tmp"
bg_make_bridge "$BR" "$HOST_IP"
id "$USER_NAME" >/dev/null 2>&1 ||
    useradd --no-create-home --shell /usr/sbin/nologin --user-group "$USER_NAME"
printf '[network e2enet]\nbridge=%s\nallow-users=%s\n' "$BR" "$USER_NAME" >"$bg_tmp/tapwarden.conf"
sock=$bg_tmp/broker.sock
"$tapwardend" --socket="$sock" --config="$bg_tmp/tapwarden.conf" \
    --acl="$bg_tmp/none.conf" >"$bg_tmp/broker.log" 2>&1 &
broker=$!
trap 'kill "$broker" 2>/dev/null || true; bg_cleanup' EXIT
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || fail "tapwardend did not start: $(cat "$bg_tmp/broker.log")"

# QEMU as the user; the helper string names the broker's socket
bg_netdev="tap,id=n0,helper=${bg_helper//,/,,} --socket=$sock,br=e2enet"
bg_guest_opts=(--qemu-user "$USER_NAME")

note_port() {
    ip -d -o link show "$1" >>"$bg_tmp/ports"
    "$tapwarden" --socket="$sock" list >>"$bg_tmp/list"
}
: >"$bg_tmp/ports"
bg_watch_start "$BR" note_port

# shellcheck disable=SC2016  # expanded in the guest
guest_script=$(bg_guest_script "guest: " '
$ping -c 3 -W 2 "$2" || { echo "guest: ping $2 failed"; exit 4; }
echo "guest: ping ok"')

echo "$me: booting guest as $USER_NAME (helper: $bg_helper through tapwardend, network e2enet)"
rc=0
bg_run_guest "${TW_E2E_TIMEOUT:-240}" "  | " "$guest_script" guest "$GUEST_IP" "$HOST_IP" || rc=$?
bg_watch_stop
case $rc in
    0) ;;
    125) fail "QEMU did not run the guest to the end; broker log: $(tr '\n' ' ' <"$bg_tmp/broker.log")" ;;
    *) fail "guest exited $rc; broker log: $(tr '\n' ' ' <"$bg_tmp/broker.log")" ;;
esac
grep -q "user $USER_NAME group $USER_NAME" "$bg_tmp/ports" ||
    fail "the tap was not owned by $USER_NAME: $(cat "$bg_tmp/ports")"
grep -Eq "^tw[0-9]+ +[0-9]+ +$USER_NAME +e2enet +$BR +- " "$bg_tmp/list" ||
    fail "tapwarden list did not show the lease: $(cat "$bg_tmp/list")"
bg_wait_taps_gone "$BR" || fail "tw* device(s) left after QEMU exited: $bg_left"
[[ $("$tapwarden" --socket="$sock" list | wc -l) == 1 ]] || fail "lease left in the broker"
kill "$broker"
echo "PASS: $me"
