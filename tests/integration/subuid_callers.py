#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""subuid_callers.py - callers under many subordinate uids of one user.

Run as a user, this makes a user namespace (the user owns it), waits until
root has mapped uids and gids 0-65535 of it (hostile_policy.sh writes
uid_map and gid_map, as newuidmap would from /etc/subuid), then, for each
n in 1..COUNT, becomes uid n there (host uid SUBUID+n) without calling
setgroups(): the user's supplementary groups stay, as in issue 16's
attack. Each does one of:

  exec ARGV...              execute ARGV ({n} in an argument becomes n)
  connect SOCKET K SECONDS  open K connections to SOCKET and keep them,
                            silent, for SECONDS

Usage: subuid_callers.py READY MAPPED COUNT MODE ARGS...
READY is written with this process's pid once the namespace exists;
MAPPED is waited for (root creates it once the maps are written). With
connect, READY.done is written once every connection is open.
"""
import ctypes
import os
import socket
import sys
import time

CLONE_NEWUSER = 0x10000000


def wait_for(path, seconds=10):
    end = time.monotonic() + seconds
    while not os.path.exists(path):
        if time.monotonic() > end:
            sys.exit("subuid_callers: %s did not appear" % path)
        time.sleep(0.01)


def write_atomically(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def child_connect(sock_path, count, seconds, ready_w):
    held = []
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            s.connect(sock_path)
        except OSError:
            pass
        held.append(s)
    os.write(ready_w, b"x")
    time.sleep(seconds)
    os._exit(0)


def main():
    ready, mapped, count, mode = sys.argv[1:5]
    args = sys.argv[5:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER) != 0:
        sys.exit("subuid_callers: unshare: %s" % os.strerror(ctypes.get_errno()))
    write_atomically(ready, str(os.getpid()))
    wait_for(mapped)
    # this process stays its user (unmapped here: 65534); uids 0-65535
    # of the namespace are the subordinate ones
    with open("/proc/self/uid_map") as f:
        if not f.read().strip():
            sys.exit("subuid_callers: not mapped")
    ready_r, ready_w = os.pipe()
    pids = []
    for n in range(1, int(count) + 1):
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            os.setresuid(n, n, n)	# no setgroups(): the groups stay
            if mode == "exec":
                os.execv(args[0], [a.replace("{n}", str(n)) for a in args])
            child_connect(args[0], int(args[1]), float(args[2]), ready_w)
        pids.append(pid)
    os.close(ready_w)
    if mode == "connect":
        got = 0
        while got < len(pids):
            chunk = os.read(ready_r, 64)
            if not chunk:
                break
            got += len(chunk)
        write_atomically(ready + ".done", str(got))
    status = 0
    for pid in pids:
        _, st = os.waitpid(pid, 0)
        status = status or os.waitstatus_to_exitcode(st)
    sys.exit(0)


if __name__ == "__main__":
    main()
