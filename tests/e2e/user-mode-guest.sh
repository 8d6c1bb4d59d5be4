#!/bin/bash
# tests/e2e/user-mode-guest.sh — end-to-end test of the helper's user mode
# (br=user) with a real QEMU guest, QEMU running as an unprivileged user.
#
# Usage: tests/e2e/user-mode-guest.sh /path/to/tapwarden-helper
# Exit:  0 pass, 1 fail (one "FAIL: ..." line on stderr), 77 skip (not root,
#        or no QEMU / Debian kernel / busybox-static / cpio).
#
# How the parts fit:
#   1. as root: create the user tw-e2e-user (if missing), re-execute in a
#      fresh network namespace (so the host loopback this test uses is its
#      own), lo up;
#   2. a TCP service on 127.0.0.1:$HOST_PORT answers "hello-from-host";
#   3. tests/vm/run-guest --qemu-user tw-e2e-user boots a guest whose NIC is
#        -netdev tap,id=n0,helper=HELPER --mtu=9000
#                 --hostfwd=tcp:127.0.0.1:$FWD_PORT-:7777,br=user
#      so the helper runs as that user, with no privilege at all;
#   4. in the guest: DHCP (busybox udhcpc) must give 10.0.2.15/24, router
#      10.0.2.2, DNS 10.0.2.3, MTU 9000; 10.0.2.2:$HOST_PORT must answer
#      "hello-from-host"; IPv6: an fec0::/64 address from the router
#      advertisement, fec0::2 answers ping, 4 MiB sent over IPv6 TCP to a
#      service on the host's ::1 all arrive; then it serves
#      "hello-from-guest" once on port 7777;
#   5. meanwhile, on the host: the helper's processes are recorded (pids,
#      and the network namespace of the one inside it), and 127.0.0.1:$FWD_PORT
#      must answer "hello-from-guest";
#   6. after QEMU exits: no process of the user remains, and no process of
#      the user is in the recorded namespaces.
set -euo pipefail

me=user-mode-guest
fail() { echo "FAIL: $me: $*" >&2; exit 1; }
skip() { echo "SKIP: $me: $*" >&2; exit 77; }

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
vm=$here/../vm
USER_NAME=tw-e2e-user
HOST_PORT=18022
FWD_PORT=18023
COUNT_PORT=18024
GUEST_PORT=7777

# ---- stage 1: checks, the user, re-exec in a private network namespace ------
if [[ ${TW_E2E_IN_NETNS:-} != "$$" ]]; then
    [[ $# -eq 1 ]] || { echo "usage: $0 /path/to/tapwarden-helper" >&2; exit 2; }
    [[ -x $1 && -f $1 ]] || fail "helper '$1' is not an executable file"
    [[ $(id -u) -eq 0 ]] || skip "needs root (to create the test user)"
    why=$("$vm/run-guest" --check 2>&1 >/dev/null) || skip "cannot run a guest: ${why#run-guest: }"
    id -u "$USER_NAME" >/dev/null 2>&1 ||
        useradd --system --no-create-home --shell /usr/sbin/nologin "$USER_NAME" ||
        fail "cannot create user $USER_NAME"
    export TW_E2E_IN_NETNS=$$
    exec unshare --net -- "${BASH_SOURCE[0]}" "$(readlink -f "$1")"
fi

# ---- stage 2: inside the private network namespace ---------------------------
helper=$1
uid=$(id -u "$USER_NAME")
ip link set lo up
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tw-$me.XXXXXX")
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
[[ $tmp != *[,\ ]* && $helper != *[,\ \'\"\\\$\`]* ]] || fail "temp dir or helper path has a comma, space or quote"
setpriv --reuid="$uid" --regid="$(id -g "$USER_NAME")" --clear-groups test -x "$helper" ||
    fail "$USER_NAME cannot execute $helper (the build tree must be readable by others)"

# the host's service, on this namespace's loopback
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept(); c.sendall(b"hello-from-host\n"); c.close()
' "$HOST_PORT" &
pids+=($!)

# IPv6, on ::1: counts what a connection sends, answers the count (the
# guest's 4 MiB arrive as TSO super-frames that the engine must cut for
# libslirp's IPv6)
python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::1", int(sys.argv[1]))); s.listen(8)
while True:
    c, _ = s.accept(); n = 0
    while n < 4 << 20:
        b = c.recv(1 << 16)
        if not b: break
        n += len(b)
    c.sendall(b"%d\n" % n); c.close()
' "$COUNT_PORT" &
pids+=($!)

# host side, while the guest runs: record the helper's processes and their
# network namespaces, and reach the guest through the forwarded port
watch_host() {
    local p got=""
    for _ in $(seq 1 1200); do
        for p in $(pgrep -u "$uid" -x tapwarden-helpe || true); do
            echo "$p $(readlink "/proc/$p/ns/net" 2>/dev/null) $(readlink "/proc/$p/ns/user" 2>/dev/null)" >>"$tmp/procs"
        done
        if [[ -z $got ]]; then
            got=$(timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$FWD_PORT && head -n 1 <&3" 2>/dev/null || true)
            [[ $got == *hello-from-guest* ]] && echo ok >"$tmp/fwd" || got=""
        fi
        sleep 0.2
    done
}
watch_host &
pids+=($!)

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
echo "dhcp: ip=$ip subnet=$subnet router=$router dns=$dns mtu=${mtu:-none}" | tee /tmp/lease
ip addr add "$ip/$subnet" dev "$interface"
[ -z "${mtu:-}" ] || ip link set "$interface" mtu "$mtu"
ip route add default via "$router"
SCRIPT
chmod +x /tmp/dhcp.sh
busybox udhcpc -i "$dev" -s /tmp/dhcp.sh -q -n -t 10 -T 2 || { echo "guest: no DHCP lease"; exit 4; }
grep -q "ip=10.0.2.15 subnet=255.255.255.0 router=10.0.2.2 dns=10.0.2.3 mtu=9000" /tmp/lease ||
    { echo "guest: unexpected lease: $(cat /tmp/lease)"; exit 5; }
exec 3<>"/dev/tcp/10.0.2.2/$1" || { echo "guest: cannot connect to 10.0.2.2:$1"; exit 6; }
read -r line <&3
[ "$line" = hello-from-host ] || { echo "guest: host service said: $line"; exit 7; }
echo "guest: host loopback reached: $line"
addr6=""
for i in $(seq 1 100); do
    addr6=$(ip -6 addr show dev "$dev" | grep -o "inet6 fec0::[^ ]*" || true)
    [ -n "$addr6" ] && break; sleep 0.2
done
[ -n "$addr6" ] || { echo "guest: no IPv6 address from the router advertisement"; exit 9; }
if command -v ping >/dev/null; then ping=ping; else ping="busybox ping"; fi
$ping -6 -c 2 -W 3 fec0::2 >/dev/null || { echo "guest: fec0::2 does not answer ping"; exit 10; }
echo "guest: IPv6 $addr6, fec0::2 answers"
exec 4<>"/dev/tcp/fec0::2/$3" || { echo "guest: cannot connect to [fec0::2]:$3"; exit 11; }
head -c 4194304 /dev/zero >&4
read -r count <&4
[ "$count" = 4194304 ] || { echo "guest: [fec0::2]:$3 counted ${count:-nothing} of 4194304 bytes"; exit 12; }
echo "guest: 4 MiB over IPv6 TCP to the host"
printf "#!/bin/sh\necho hello-from-guest\n" >/tmp/greet.sh; chmod +x /tmp/greet.sh
timeout 120 busybox nc -l -p "$2" -e /tmp/greet.sh || { echo "guest: nobody came to port $2"; exit 8; }
echo "guest: served port $2"
'

netdev="tap,id=n0,helper=$helper --mtu=9000 --hostfwd=tcp:127.0.0.1:$FWD_PORT-:$GUEST_PORT,br=user"
echo "$me: booting a guest as $USER_NAME on br=user"
rc=0
"$vm/run-guest" --qemu-user "$USER_NAME" --timeout "${TW_E2E_TIMEOUT:-240}" \
    --qemu-arg -netdev --qemu-arg "$netdev" \
    --qemu-arg -device --qemu-arg "virtio-net-pci,netdev=n0" \
    -- bash -c "$guest_script" guest "$HOST_PORT" "$GUEST_PORT" "$COUNT_PORT" 2>&1 | sed -u 's/^/  | /' ||
    rc=${PIPESTATUS[0]}
[[ $rc == 0 ]] || fail "guest exited $rc (output above; 125: QEMU or the helper failed)"
[[ -s $tmp/fwd ]] || fail "127.0.0.1:$FWD_PORT never answered hello-from-guest"
echo "$me: --hostfwd reached the guest"

# ---- after QEMU: nothing of the helper may remain ----------------------------
[[ -s $tmp/procs ]] || fail "never saw the helper's user-mode processes"
own_net=$(readlink /proc/self/ns/net)
ns_seen=$(awk -v own="$own_net" '$2 != own && $2 != "" {print $2}' "$tmp/procs" | sort -u)
[[ -n $ns_seen ]] || fail "no helper process was in a namespace of its own"
for _ in $(seq 1 50); do
    left=$(pgrep -u "$uid" || true)
    [[ -n $left ]] || break
    sleep 0.1
done
[[ -z $left ]] || fail "processes of $USER_NAME left after QEMU exited: $(ps -o pid,args -p "$(paste -sd, <<<"$left")" | tail -n +2)"
# a process in a namespace of that id is only ours if it is the user's: the
# kernel reuses the id of a freed namespace at once (other tests make some)
for ns in $ns_seen; do
    for l in /proc/[0-9]*/ns/net; do
        p=${l#/proc/}; p=${p%%/*}
        [[ $(readlink "$l" 2>/dev/null) == "$ns" ]] || continue
        [[ $(stat -c %u "/proc/$p" 2>/dev/null) != "$uid" ]] ||
            fail "process $(ps -o pid=,args= -p "$p") is still in the user-mode namespace $ns"
    done
done
echo "$me: after QEMU exited: no process, namespace $ns_seen gone"
echo "PASS: $me"
