/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap-pump.c - be a guest's NIC: move frames between a tap descriptor (what
 * QEMU holds) and a new tap in this process's network namespace.
 *
 * Usage: tap-pump FD NAME
 *
 * FD is a tap descriptor inherited from run-like-qemu --pass-fd
 * ($TW_TAP_FD). tap-pump creates tap NAME here (run it in another network
 * namespace: `ip netns exec guest tap-pump $TW_TAP_FD g0`), with the same
 * virtio-net header setting and size as FD, and copies each frame that
 * one side reads to the other, until killed. With virtio-net headers both
 * taps get checksum and TSO offloads (TUNSETOFFLOAD), as a virtio guest
 * negotiates them with QEMU, so TCP crosses in 64 KiB frames and the pump
 * is never what limits a rate test. The namespace's side is a plain
 * network interface: give it an address and run iperf3 on it.
 *
 * Exit status: 2 on bad usage or set-up failure, 1 when a descriptor fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/if_tun.h>

/* Largest frame with its virtio-net header */
#define PUMP_FRAME_MAX (65536 + 64)
/* Frames moved from one side per wake-up, so neither side starves */
#define PUMP_BATCH 64

/**
 * die() - print a message with errno's text and exit 2
 * @what:	what failed
 */
static void die(const char *what)
{
	fprintf(stderr, "tap-pump: %s: %s\n", what, strerror(errno));
	exit(2);
}

/**
 * open_twin() - a tap NAME with @ref's virtio-net header settings
 * @ref:	the inherited tap descriptor
 * @name:	the new tap's name
 *
 * Return: its descriptor.
 */
static int open_twin(int ref, const char *name)
{
	struct ifreq ifr = { 0 };
	unsigned int offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	int fd, hdr_size = 0;

	if (ioctl(ref, TUNGETIFF, &ifr) < 0)
		die("TUNGETIFF on FD");
	if ((ifr.ifr_flags & IFF_VNET_HDR) &&
	    ioctl(ref, TUNGETVNETHDRSZ, &hdr_size) < 0)
		die("TUNGETVNETHDRSZ");
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("/dev/net/tun");
	ifr.ifr_flags &= IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("TUNSETIFF");
	if (hdr_size) {
		if (ioctl(fd, TUNSETVNETHDRSZ, &hdr_size) < 0 ||
		    ioctl(fd, TUNSETOFFLOAD, offloads) < 0 ||
		    ioctl(ref, TUNSETOFFLOAD, offloads) < 0)
			die("TUNSETOFFLOAD");
	}
	return fd;
}

/**
 * move_frames() - copy up to PUMP_BATCH frames from @from to @to
 * @from:	readable, non-blocking
 * @to:		a tap (a write never blocks; a full queue, or a tap that is
 *		down, drops the frame)
 * @buf:	PUMP_FRAME_MAX bytes
 *
 * Return: 0, or -1 when a descriptor failed.
 */
static int move_frames(int from, int to, char *buf)
{
	for (int i = 0; i < PUMP_BATCH; i++) {
		ssize_t n = read(from, buf, PUMP_FRAME_MAX);

		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (write(to, buf, (size_t)n) < 0 && errno != EAGAIN &&
		    errno != ENOBUFS && errno != EINVAL && errno != EIO)
			return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	static char buf[PUMP_FRAME_MAX];
	struct pollfd pfd[2];
	int outer, inner;

	if (argc != 3) {
		fprintf(stderr, "usage: tap-pump FD NAME\n");
		return 2;
	}
	outer = atoi(argv[1]);
	inner = open_twin(outer, argv[2]);
	if (fcntl(outer, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(inner, F_SETFL, O_NONBLOCK) < 0)
		die("O_NONBLOCK");
	pfd[0] = (struct pollfd){ .fd = outer, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = inner, .events = POLLIN };
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if ((pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) ||
		    (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL)))
			return 1;
		if ((pfd[0].revents & POLLIN) && move_frames(outer, inner, buf))
			return 1;
		if ((pfd[1].revents & POLLIN) && move_frames(inner, outer, buf))
			return 1;
	}
}
