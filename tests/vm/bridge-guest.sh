# shellcheck shell=bash
# tests/vm/bridge-guest.sh — sourced, not run: the parts shared by
# tests/e2e/guest-pings-bridge.sh and contrib/demo/demo.sh, which boot a
# tests/vm/run-guest guest whose NIC gets its tap from a bridge helper
# (tapwarden-helper, or anything that speaks QEMU's helper protocol) on a
# bridge in a private network namespace.
#
# Sourcing defines functions and bg_* variables only. The sourcing script
# (bash, set -euo pipefail) must define  fail MESSAGE  (print one line and
# exit 1); the stage-2 functions call it when something cannot be set up.
#
# How the parts fit, in the order a script uses them:
#   stage 1, in the caller's network namespace:
#     bg_check_host                    unshare, ip, run-guest --check; else why
#     bg_reexec_in_netns MARK SCRIPT ARGS...
#                                      exec unshare --net with MARK=$$, so the
#                                      new copy knows it is inside
#   stage 2, inside that namespace (every link made dies with it):
#     bg_init NAME HELPER              temp dir $bg_tmp (removed on exit, with
#                                      the watcher), plain-path checks
#     bg_make_bridge BR IP             bridge BR = IP/24, ACL "allow BR" in
#                                      $bg_acl, the -netdev value in $bg_netdev
#     bg_watch_start BR ON_NEW         call ON_NEW PORT in the background for
#                                      each port that joins BR
#     bg_guest_script ERR_PREFIX TAIL  the guest's sh script: NIC up, then TAIL
#     bg_run_guest TIMEOUT OUT_PREFIX SCRIPT ARG0 ARGS...
#                                      boot the guest with that NIC, returns
#                                      the guest's status (125: harness failed)
#     bg_watch_stop                    end the watcher
#     bg_wait_taps_gone BR             after QEMU: no tw* device, no port on BR

bg_vm_dir=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
bg_tmp=""
bg_watch_pid=""
bg_guest_opts=()     # more run-guest options, e.g. (--qemu-user NAME)

# Print why this host cannot run a guest on a helper-made tap, and fail;
# print nothing and succeed when it can.
bg_check_host() {
    local why
    command -v unshare >/dev/null || { echo "unshare not found (apt-get install util-linux)"; return 1; }
    command -v ip >/dev/null || { echo "ip not found (apt-get install iproute2)"; return 1; }
    why=$("$bg_vm_dir/run-guest" --check 2>&1 >/dev/null) || { echo "cannot run a guest: ${why#run-guest: }"; return 1; }
}

# Replace this process by SCRIPT ARGS... in a fresh network namespace, with
# the environment variable MARK set to this PID (exec keeps the PID, so MARK
# equals $$ in the new copy, and only there).
bg_reexec_in_netns() {
    local mark=$1
    shift
    export "$mark=$$"
    exec unshare --net -- "$@"
}

# Stage 2 set-up: temp dir $bg_tmp (tw-NAME.XXXXXX; it and the watcher go on
# exit), helper path $bg_helper. QEMU's -netdev parser splits at ',' and
# runs the helper string through /bin/sh -c, so both must be plain paths.
bg_init() {
    bg_helper=$2
    bg_tmp=$(mktemp -d "${TMPDIR:-/tmp}/tw-$1.XXXXXX")
    trap bg_cleanup EXIT
    [[ $bg_tmp != *[,\ ]* ]] || fail "temp dir '$bg_tmp' contains a comma or space; set TMPDIR"
    [[ $bg_helper != *[\ \'\"\\\$\`]* ]] || fail "helper path '$bg_helper' has characters /bin/sh -c would mangle; use a plain path"
}

# The EXIT trap set by bg_init.
# shellcheck disable=SC2317  # (called from the trap)
bg_cleanup() {
    bg_watch_stop
    [[ -z $bg_tmp ]] || rm -rf "$bg_tmp"
}

# Bridge BR with address IP/24 (and lo) up; the ACL file $bg_acl allows BR;
# $bg_netdev is the -netdev value that makes QEMU run the helper for BR.
bg_make_bridge() {
    local br=$1 ip4=$2
    ip link set lo up
    ip link add "$br" type bridge || fail "cannot create bridge $br (no bridge support in this kernel?)"
    ip addr add "$ip4/24" dev "$br"
    ip link set "$br" up
    bg_acl=$bg_tmp/bridge.acl
    echo "allow $br" >"$bg_acl"
    bg_netdev="tap,id=n0,helper=${bg_helper//,/,,} --acl=$bg_acl,br=$br"
}

# Filter: `ip -o link` lines in, interface names out (without @peer).
bg_link_names() {
    awk -F': ' '{print $2}' | cut -d@ -f1
}

# Start a background watcher that calls ON_NEW PORT once for each device seen
# as a port of BR (polling every 0.1 s); it stops when ON_NEW fails.
bg_watch_start() {
    bg_watch_ports "$@" &
    bg_watch_pid=$!
}

# The watcher's loop (see bg_watch_start).
bg_watch_ports() {
    local br=$1 on_new=$2 n
    local -A seen=()
    while :; do
        for n in $(ip -o link show master "$br" 2>/dev/null | bg_link_names); do
            [[ -z ${seen[$n]:-} ]] || continue
            seen[$n]=1
            "$on_new" "$n" || return 0
        done
        sleep 0.1
    done
}

# Stop the watcher, if one runs, and reap it.
bg_watch_stop() {
    [[ -n $bg_watch_pid ]] || return 0
    kill "$bg_watch_pid" 2>/dev/null || true
    wait "$bg_watch_pid" 2>/dev/null || true
    bg_watch_pid=""
}

# Print the guest's sh script: load virtio_net, wait for the first non-lo
# interface ($dev), give it address $1/24, wait (up to 5 s) for carrier, set
# $ping (iputils' ping, or busybox's); then TAIL, which may use $1, $2, $dev
# and $ping. No interface: "ERR_PREFIXno network interface appeared", exit 3.
bg_guest_script() {
    local nic_up
    # shellcheck disable=SC2016  # expanded in the guest
    nic_up='
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
[ -n "$dev" ] || { echo "${err_prefix}no network interface appeared"; exit 3; }
ip link set "$dev" up
ip addr add "$1/24" dev "$dev"
for i in $(seq 1 50); do [ "$(cat "/sys/class/net/$dev/carrier" 2>/dev/null)" = 1 ] && break; sleep 0.1; done
if command -v ping >/dev/null; then ping=ping; else ping="busybox ping"; fi
'
    printf 'set -eu\nerr_prefix=%q\n%s%s\n' "$1" "$nic_up" "$2"
}

# Boot a guest (run-guest, TIMEOUT seconds) with the NIC $bg_netdev as a
# virtio-net-pci, running sh -c SCRIPT ARG0 ARGS...; its output goes to
# stdout, each line prefixed with OUT_PREFIX. Returns the guest's status.
bg_run_guest() {
    local timeout=$1 prefix=$2 script=$3 rc=0
    shift 3
    "$bg_vm_dir/run-guest" --timeout "$timeout" "${bg_guest_opts[@]}" \
        --qemu-arg -netdev --qemu-arg "$bg_netdev" \
        --qemu-arg -device --qemu-arg "virtio-net-pci,netdev=n0" \
        -- sh -c "$script" "$@" 2>&1 | sed -u "s/^/$prefix/" || rc=${PIPESTATUS[0]}
    return "$rc"
}

# After QEMU has exited, wait (up to 3 s) until no tw* device other than BR
# and no port of BR is left. Fails if some are; $bg_left then names the tw*
# devices and $bg_attached holds the ports' `ip -o link` lines.
bg_wait_taps_gone() {
    local br=$1 _
    for _ in $(seq 1 30); do
        bg_left=$(ip -o link show | bg_link_names | grep '^tw' | grep -vx "$br" || true)
        bg_attached=$(ip -o link show master "$br" || true)
        [[ -n $bg_left || -n $bg_attached ]] || return 0
        sleep 0.1
    done
    return 1
}
