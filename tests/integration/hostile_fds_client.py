#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""hostile_fds_client.py - descriptors that block on close, sent to tapwardend.

Usage:
  hostile_fds_client.py SOCKET lingering COUNT SECONDS
      one REQ_LIST carrying COUNT descriptors (the most the kernel takes in
      one message is 253): COUNT-1 of /dev/null and, last, a TCP socket on
      loopback with unsent data whose peer never reads and SO_LINGER
      SECONDS, so that dropping its last reference waits SECONDS. The
      client's own copies are closed right after the send: the broker holds
      the last reference (the test stops the broker while this runs, so it
      cannot receive first). Prints "sent", then the answer ("error CODE
      TEXT" or "closed") and how long it took, then keeps the unread peer
      open until killed.

  hostile_fds_client.py SOCKET fake-broker
      listen on SOCKET as a broker would, take one connection and its
      request, and answer REP_END with a descriptor attached: print
      "fd refused: ERRNO" when the kernel refuses to queue it (the client
      turned SO_PASSRIGHTS off, Linux 6.16+) and then answer without it,
      or "fd sent"; then "done".

  hostile_fds_client.py SOCKET fill-backlog
      connect without blocking until the listening socket's backlog is
      full (EAGAIN: a broker that stopped accepting), print "holding N",
      and keep the connections until killed.

Used by tests/integration/hostile_fds.sh (docs/hostile-inputs.md).
"""
import os
import socket
import struct
import sys
import time

import errno

from broker_client import lingering_socket

MAGIC, REQ_LIST, REP_ERROR, REP_END = 0x52425754, 2, 65, 69


def decode(data):
    if not data:
        return "closed"
    mtype = struct.unpack("=IHHI", data[:12])[2]
    if mtype != REP_ERROR:
        return "type %d" % mtype
    pos, attrs = 12, {}
    while pos + 4 <= len(data):
        kind, alen = struct.unpack("=HH", data[pos:pos + 4])
        attrs[kind] = data[pos + 4:pos + 4 + alen]
        pos += 4 + alen
    return "error %d %s" % (struct.unpack("=I", attrs[4])[0],
                            attrs[5].decode(errors="replace"))


def fake_broker(path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    os.chmod(path, 0o666)
    listener.listen(1)
    print("listening", flush=True)
    conn, _ = listener.accept()
    conn.recv(8192)
    end = struct.pack("=IHHI", MAGIC, 1, REP_END, 12)
    fd = os.open("/dev/null", os.O_RDONLY)
    try:
        conn.sendmsg([end], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                              struct.pack("=i", fd))])
        print("fd sent", flush=True)
    except OSError as e:
        print("fd refused: " + errno.errorcode.get(e.errno, str(e.errno)),
              flush=True)
        conn.send(end)
    conn.close()
    print("done", flush=True)


def fill_backlog(path):
    held = []
    while len(held) < 100000:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sock.setblocking(False)
        try:
            sock.connect(path)
        except BlockingIOError:
            break
        held.append(sock)
    print("holding %d" % len(held), flush=True)
    time.sleep(600)


def main():
    path, case = sys.argv[1], sys.argv[2]
    if case == "fill-backlog":
        fill_backlog(path)
        return
    if case == "fake-broker":
        fake_broker(path)
        return
    if case != "lingering":
        sys.exit("unknown case " + case)
    count, seconds = int(sys.argv[3]), int(sys.argv[4])
    keep = lingering_socket(seconds)
    tcp = keep[2]
    fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(count - 1)]
    fds.append(tcp.fileno())
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(path)
    sock.sendmsg([struct.pack("=IHHI", MAGIC, 1, REQ_LIST, 12)],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                   struct.pack("=%di" % len(fds), *fds))])
    for fd in fds[:-1]:
        os.close(fd)
    tcp.close()  # not the last reference: one is in flight
    print("sent", flush=True)
    start = time.monotonic()
    sock.settimeout(600)
    try:
        answer = decode(sock.recv(8192))
    except OSError as e:
        answer = "closed (%s)" % e
    print("%s after %.1f s" % (answer, time.monotonic() - start), flush=True)
    time.sleep(600)  # the peer stays open and unread


if __name__ == "__main__":
    main()
