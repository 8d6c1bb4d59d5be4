#!/bin/bash
# tests/e2e/nat-guest.sh — a real QEMU guest, run by an unprivileged user,
# on a mode=nat network of tapwardend: it gets a DHCP lease from the
# network's dnsmasq, resolves a name through it, and reaches a server in an
# "outside" namespace, which sees the host's uplink address.
#
# Usage: tests/e2e/nat-guest.sh HELPER TAPWARDEND TAPWARDEN
# Exit:  0 pass, 1 fail (one "FAIL: ..." line), 77 skip (not root, or no
#        QEMU / Debian kernel: see tests/vm/run-guest --check).
#
# How the parts fit (bg_* from tests/vm/bridge-guest.sh):
#   1. as root, re-exec in fresh network and mount namespaces;
#   2. uplink upl0 = 192.0.2.1/24 to an "outside" namespace (192.0.2.2)
#      whose server answers with the peer's address; /etc/hosts (bind
#      mounted) names it for dnsmasq; network `natnet' (mode=nat, bridge
#      twnat0, 10.213.9.1/24) allowed to user tw-e2e; tapwardend;
#   3. the guest boots with QEMU running as tw-e2e, its NIC from the
#      helper through the broker; inside: busybox udhcpc, nslookup, and
#      python3 (the guest's root is the host's, read-only) connecting out;
#   4. the host checks the lease file and `tapwarden networks'.
set -euo pipefail

me=nat-guest
fail() { echo "FAIL: $me: $*" >&2; exit 1; }
skip() { echo "SKIP: $me: $*" >&2; exit 77; }

here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=SCRIPTDIR/../vm/bridge-guest.sh
. "$here/../vm/bridge-guest.sh"
USER_NAME=tw-e2e

if [[ ${TW_E2E_IN_NETNS:-} != "$$" ]]; then
    [[ $# -eq 3 ]] || { echo "usage: $0 HELPER TAPWARDEND TAPWARDEN" >&2; exit 2; }
    [[ $(id -u) -eq 0 ]] || skip "needs root"
    why=$(bg_check_host) || skip "$why"
    command -v dnsmasq >/dev/null || skip "no dnsmasq (apt-get install dnsmasq-base)"
    export TW_E2E_IN_NETNS=$$
    exec unshare --net --mount --propagation private -- "${BASH_SOURCE[0]}" \
        "$(readlink -f "$1")" "$(readlink -f "$2")" "$(readlink -f "$3")"
fi

tapwardend=$2 tapwarden=$3
bg_init nat "$1"
chmod 755 "$bg_tmp"
ip link set lo up
id "$USER_NAME" >/dev/null 2>&1 ||
    useradd --no-create-home --shell /usr/sbin/nologin --user-group "$USER_NAME"

# the outside, its server, and the name dnsmasq gives it
unshare -n sleep infinity &
outside_pid=$!
sleep 0.2
outside() { nsenter -t "$outside_pid" -n "$@"; }
ip link add upl0 type veth peer name eth0 netns "/proc/$outside_pid/ns/net"
ip addr add 192.0.2.1/24 dev upl0
ip link set upl0 up
outside ip link set lo up
outside ip addr add 192.0.2.2/24 dev eth0
outside ip link set eth0 up
cat >"$bg_tmp/server.py" <<'EOF'
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7000))
s.listen(4)
while True:
    c, a = s.accept()
    c.sendall(("peer=%s\n" % a[0]).encode())
    c.close()
EOF
outside /usr/bin/python3 "$bg_tmp/server.py" &
server_pid=$!	# nsenter's shell; the server itself is found by its path at exit
printf '127.0.0.1 localhost\n192.0.2.2 server.outside.test\n' >"$bg_tmp/hosts"
mount --bind "$bg_tmp/hosts" /etc/hosts

printf '[network natnet]\nmode=nat\nbridge=twnat0\naddress=10.213.9.1/24\nallow-users=%s\n' \
    "$USER_NAME" >"$bg_tmp/tapwarden.conf"
sock=$bg_tmp/broker.sock
"$tapwardend" --socket="$sock" --config="$bg_tmp/tapwarden.conf" \
    --acl="$bg_tmp/none.conf" --run-dir="$bg_tmp/run" >"$bg_tmp/broker.log" 2>&1 &
broker=$!
trap 'kill "$broker" "$server_pid" "$outside_pid" 2>/dev/null || true; pkill -f -- "$bg_tmp/server.py|--pid-file=$bg_tmp/run/" || true; bg_cleanup' EXIT
for _ in $(seq 100); do [[ -S $sock ]] && break; sleep 0.05; done
[[ -S $sock ]] || fail "tapwardend did not start: $(cat "$bg_tmp/broker.log")"

bg_netdev="tap,id=n0,helper=${bg_helper//,/,,} --socket=$sock,br=natnet"
bg_guest_opts=(--qemu-user "$USER_NAME")

# the guest: NIC up without an address, then DHCP, DNS, a connection out
# shellcheck disable=SC2016  # expanded in the guest
guest_script='set -eu
modprobe virtio_net
dev=""
for i in $(seq 1 50); do
    for d in /sys/class/net/*; do d=${d##*/}; [ "$d" = lo ] || { dev=$d; break; }; done
    [ -n "$dev" ] && break
    sleep 0.1
done
[ -n "$dev" ] || { echo "guest: no network interface"; exit 3; }
ip link set "$dev" up
cat >/tmp/udhcpc.sh <<EOF
#!/bin/sh
[ "\$1" = bound ] || exit 0
ip addr add "\$ip/\$subnet" dev "\$interface"
ip route add default via "\$router"
echo "lease ip=\$ip router=\$router dns=\$dns" >/tmp/lease
EOF
chmod +x /tmp/udhcpc.sh
busybox udhcpc -i "$dev" -s /tmp/udhcpc.sh -q -n -t 30 -T 1 >/dev/null 2>&1 || { echo "guest: no lease"; exit 4; }
cat /tmp/lease
dns=$(sed "s/.*dns=//" /tmp/lease)
addr=$(busybox nslookup server.outside.test "$dns" | sed -n "s/^Address: *\(192[.0-9]*\).*/\1/p" | head -1)
echo "resolved=$addr"
python3 -c "import socket; s = socket.create_connection((\"$addr\", 7000), timeout=5); print(s.recv(100).decode().strip())"'

echo "$me: booting guest as $USER_NAME on NAT network natnet (through tapwardend)"
rc=0
bg_run_guest "${TW_E2E_TIMEOUT:-240}" "  | " "$guest_script" guest >"$bg_tmp/guest.out" || rc=$?
cat "$bg_tmp/guest.out"
[[ $rc == 0 ]] || fail "guest exited $rc; broker log: $(tr '\n' ' ' <"$bg_tmp/broker.log")"
grep -Eq '^  \| lease ip=10\.213\.9\.([2-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4]) router=10\.213\.9\.1 dns=10\.213\.9\.1' "$bg_tmp/guest.out" ||
    fail "no lease in the range"
grep -q '^  | resolved=192\.0\.2\.2' "$bg_tmp/guest.out" || fail "the name was not resolved through dnsmasq"
grep -q '^  | peer=192\.0\.2\.1' "$bg_tmp/guest.out" || fail "the outside did not see the host's uplink address"
"$tapwarden" --socket="$sock" networks >"$bg_tmp/networks"
grep -Eq '^  nat: address 10\.213\.9\.1/24, rules present, dnsmasq running \(pid [0-9]+\), 1 leases$' "$bg_tmp/networks" ||
    fail "tapwarden networks: $(cat "$bg_tmp/networks")"
bg_wait_taps_gone twnat0 || fail "tw* device(s) left after QEMU exited: $bg_left"
echo "PASS: $me"
