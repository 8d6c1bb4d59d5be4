#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""broker_client.py - speak, and mis-speak, tapwardend's protocol in tests.

Usage:
  broker_client.py SOCKET CASE        send one hostile or valid message; print
                                      the answer: "error CODE TEXT", "closed",
                                      "list N", "tap IFNAME"
  broker_client.py SOCKET tap-name HEX
                                      a tap request for the name with these
                                      bytes (hex), QEMU's socket passed along
  broker_client.py SOCKET tap-with-fd KIND NAME
                                      a tap request for NAME that passes, as
                                      QEMU's socket, KIND: file, devnull,
                                      listening, unconnected, dgram, udp, none
  broker_client.py activate SOCKET -- PROGRAM ARGS...
                                      run PROGRAM as systemd socket activation
                                      does: a listening SOCK_SEQPACKET socket on
                                      fd 3, LISTEN_PID and LISTEN_FDS set

The wire format is qemu-helper/broker_protocol.c's: header u32 magic "TWBR",
u16 version, u16 type, u32 total length; attributes u16 type, u16 length,
value; host byte order.
"""
import os
import socket
import struct
import sys
import time

MAGIC = 0x52425754
REQ_TAP, REQ_LIST = 1, 2
REP_TAP, REP_ERROR, REP_LEASE, REP_END = 64, 65, 66, 69
BA_NAME, BA_VNET_HDR, BA_IFNAME, BA_CODE, BA_TEXT = 1, 2, 3, 4, 5


def attr(kind, value):
    return struct.pack("=HH", kind, len(value)) + value


def message(mtype, attrs=b"", version=1, magic=MAGIC, length=None):
    total = 12 + len(attrs) if length is None else length
    return struct.pack("=IHHI", magic, version, mtype, total) + attrs


def decode(data):
    if not data:
        return "closed"
    _, _, mtype, _ = struct.unpack("=IHHI", data[:12])
    attrs, pos = {}, 12
    while pos + 4 <= len(data):
        kind, alen = struct.unpack("=HH", data[pos:pos + 4])
        attrs[kind] = data[pos + 4:pos + 4 + alen]
        pos += 4 + alen
    if mtype == REP_ERROR:
        code = struct.unpack("=I", attrs[BA_CODE])[0]
        return "error %d %s" % (code, attrs[BA_TEXT].decode(errors="replace"))
    if mtype == REP_TAP:
        return "tap " + attrs[BA_IFNAME].decode()
    return "type %d" % mtype


CASES = {
    "oversize": message(REQ_TAP, attr(BA_NAME, b"twbr0") + b"x" * 5000),
    "short": struct.pack("=IH", MAGIC, 1),
    "bad-magic": message(REQ_LIST, magic=0x12345678),
    "bad-version": message(REQ_LIST, version=7),
    "bad-length": message(REQ_LIST, length=99),
    "garbage": bytes(range(256)) * 3,
    "unknown-type": message(999),
    "unknown-attr": message(REQ_TAP, attr(BA_NAME, b"twbr0") + attr(77, b"x")),
    "dup-attr": message(REQ_TAP, attr(BA_NAME, b"a") + attr(BA_NAME, b"b")),
    "truncated-attr": message(REQ_TAP, attr(BA_NAME, b"twbr0")[:-2]),
    "nul-in-name": message(REQ_TAP, attr(BA_NAME, b"tw\0br0")),
    "long-name": message(REQ_TAP, attr(BA_NAME, b"a" * 16)),
    "missing-name": message(REQ_TAP, attr(BA_VNET_HDR, b"\x01")),
    "reply-as-request": message(REP_END),
}


def connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sock.connect(path)
    return sock


def passed_fd(kind):
    """a descriptor of KIND, standing in for QEMU's socket, or -1"""
    if kind == "file":
        return os.open(__file__, os.O_RDONLY)
    if kind == "devnull":
        return os.open("/dev/null", os.O_RDWR)
    if kind == "none":
        return -1
    if kind == "udp":
        return socket.socket(socket.AF_INET, socket.SOCK_DGRAM).detach()
    if kind == "dgram":
        return socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)[0].detach()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if kind == "listening":
        sock.bind("\0tapwarden-test-listening-%d" % os.getpid())
        sock.listen(1)
    return sock.detach()   # "unconnected": neither bound nor connected


def lingering_socket(seconds):
    """A TCP connection on loopback whose peer never reads, with unsent data
    and SO_LINGER SECONDS: dropping its last reference waits SECONDS.
    Returns the listening socket, the peer and the connection (keep the
    first two open)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    tcp = socket.create_connection(server.getsockname())
    peer, _ = server.accept()
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    tcp.setblocking(False)
    try:
        while True:
            tcp.send(b"x" * 65536)
    except BlockingIOError:
        pass
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                   struct.pack("=ii", 1, seconds))
    return server, peer, tcp


def run_case(path, case):
    sock = connect(path)
    sock.settimeout(20)
    if case == "silent":
        start = time.monotonic()
        data = sock.recv(8192)
        print("%s after %.1f s" % (decode(data), time.monotonic() - start))
        return
    if case == "hog":
        # hold as many waiting connections as the broker lets us, silently
        held = []
        for _ in range(int(sys.argv[3])):
            try:
                held.append(connect(path))
            except OSError:
                break
        print("holding %d connections" % len(held), flush=True)
        time.sleep(30)
        return
    if case == "hangup-after-request":
        # a complete request, with a socket standing in for QEMU's, so the
        # broker makes the tap; then gone before the reply can be sent
        qemu, helper_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.sendmsg([message(REQ_TAP, attr(BA_NAME, sys.argv[3].encode()))],
                     [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                       struct.pack("=i", helper_end.fileno()))])
        sock.close()
        helper_end.close()
        qemu.close()
        print("hung up")
        return
    if case == "tap-name":
        qemu, helper_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.sendmsg([message(REQ_TAP, attr(BA_NAME, bytes.fromhex(sys.argv[3])))],
                     [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                       struct.pack("=i", helper_end.fileno()))])
    elif case == "tap-with-fd":
        passed = passed_fd(sys.argv[3])
        sock.sendmsg([message(REQ_TAP, attr(BA_NAME, sys.argv[4].encode()))],
                     [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                       struct.pack("=i", passed))] if passed >= 0 else [])
    elif case == "two-fds":
        fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(2)]
        sock.sendmsg([message(REQ_TAP, attr(BA_NAME, b"twbr0"))],
                     [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                       struct.pack("=ii", *fds))])
    elif case == "empty-with-fd":
        fd = os.open("/dev/null", os.O_RDONLY)
        sock.sendmsg([b""], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                              struct.pack("=i", fd))])
    elif case == "lingering-fd":
        # a TCP connection on loopback whose peer never reads, with unsent
        # data and SO_LINGER 8 s: dropping its last reference waits 8 s.
        # It travels in flight inside a unix socket whose only reference
        # goes to the broker, so the broker's close is certainly the last.
        server, peer, tcp = lingering_socket(8)
        carrier, inner = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        carrier.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                  struct.pack("=i", tcp.fileno()))])
        tcp.close()
        carrier.close()
        sock.sendmsg([message(REQ_LIST)], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                            struct.pack("=i", inner.fileno()))])
        start = time.monotonic()
        inner.close()   # usually before the broker's close; if not, it waits
        last = "client" if time.monotonic() - start > 4 else "broker"
        print(decode(sock.recv(8192)), flush=True)
        print("last=" + last, flush=True)
        time.sleep(20)  # with the peer open and unread
        os._exit(0)
    elif case == "list":
        sock.send(message(REQ_LIST))
        n = 0
        while True:
            data = sock.recv(8192)
            mtype = struct.unpack("=IHHI", data[:12])[2] if data else 0
            if mtype != REP_LEASE:
                break
            n += 1
        print("list %d" % n)
        return
    else:
        sock.send(CASES[case])
    try:
        print(decode(sock.recv(8192)))
    except ConnectionResetError:
        print("closed")


def activate(path, argv):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    os.chmod(path, 0o666)
    listener.listen(16)
    if listener.fileno() != 3:
        os.dup2(listener.fileno(), 3)
    os.set_inheritable(3, True)
    os.environ["LISTEN_PID"] = str(os.getpid())
    os.environ["LISTEN_FDS"] = "1"
    os.execv(argv[0], argv)


def main():
    if sys.argv[1] == "activate":
        activate(sys.argv[2], sys.argv[4:])
    run_case(sys.argv[1], sys.argv[2])


if __name__ == "__main__":
    main()
