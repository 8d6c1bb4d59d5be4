/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guest-netns.c - a network namespace that stands in for a QEMU guest.
 *
 * Usage: guest-netns FD [--mac=MAC] -- COMMAND [ARGS...]
 *
 * FD is a tap descriptor got as QEMU gets it (run-like-qemu --pass-fd,
 * TW_TAP_FD). The tool makes a new network namespace with a tap `eth0'
 * (and lo up), runs COMMAND inside it, and moves every frame between FD
 * and eth0 until COMMAND exits, so the namespace is on the tap's bridge as
 * a guest would be: it can run udhcpc, ping, a server. Both taps speak
 * the same virtio-net header (FD's size) with checksum and TSO offloads
 * on, so frames pass unchanged, as between QEMU and a virtio-net guest.
 * Exit status: COMMAND's. Root only (it makes a namespace).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_tun.h>

#define FRAME_MAX (65536 + 64)

static void die(const char *what)
{
	fprintf(stderr, "guest-netns: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* link_up() - bring interface @name up, with MAC @mac if not NULL */
static void link_up(const char *name, const char *mac)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		die("socket");
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (mac) {
		unsigned int b[6];

		if (sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3],
			   &b[4], &b[5]) != 6) {
			errno = EINVAL;
			die("--mac");
		}
		ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		for (int i = 0; i < 6; i++)
			ifr.ifr_hwaddr.sa_data[i] = (char)b[i];
		if (ioctl(s, SIOCSIFHWADDR, &ifr) < 0)
			die("SIOCSIFHWADDR");
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		die("SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die("SIOCSIFFLAGS");
	close(s);
}

/* pump() - move the frames waiting on @from to @to; 0 when none is left */
static int pump(int from, int to, char *buf)
{
	for (int i = 0; i < 64; i++) {
		ssize_t n = read(from, buf, FRAME_MAX);

		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (write(to, buf, (size_t)n) < 0 && errno != EAGAIN &&
		    errno != EIO && errno != ENOBUFS)
			return -1;
	}
	return 1;
}

int main(int argc, char *argv[])
{
	struct ifreq ifr = { 0 };
	const char *mac = NULL;
	static char buf[FRAME_MAX];
	int fd, tap, hdr = 0, argi = 2, status;
	unsigned int flags;
	pid_t child;

	if (argc < 4)
		goto usage;
	fd = atoi(argv[1]);
	if (!strncmp(argv[argi], "--mac=", 6))
		mac = argv[argi++] + 6;
	if (strcmp(argv[argi++], "--") || argi >= argc)
		goto usage;
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		die("FD is not a tap");
	flags = (unsigned int)ifr.ifr_flags;
	if ((flags & IFF_VNET_HDR) && ioctl(fd, TUNGETVNETHDRSZ, &hdr) < 0)
		die("TUNGETVNETHDRSZ");
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare");
	tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (tap < 0)
		die("/dev/net/tun");
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "eth0");
	ifr.ifr_flags = (short)(IFF_TAP | IFF_NO_PI | (flags & IFF_VNET_HDR));
	if (ioctl(tap, TUNSETIFF, &ifr) < 0)
		die("TUNSETIFF");
	if (hdr) {
		unsigned int off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

		if (ioctl(tap, TUNSETVNETHDRSZ, &hdr) < 0 ||
		    ioctl(tap, TUNSETOFFLOAD, off) < 0 ||
		    ioctl(fd, TUNSETOFFLOAD, off) < 0)
			die("offloads");
	}
	link_up("lo", NULL);
	link_up("eth0", mac);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(tap, F_SETFL, O_NONBLOCK);

	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(fd);
		execvp(argv[argi], argv + argi);
		die(argv[argi]);
	}
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = tap, .events = POLLIN },
		};

		if (waitpid(child, &status, WNOHANG) == child)
			break;
		if (poll(p, 2, 100) < 0 && errno != EINTR)
			die("poll");
		if ((p[0].revents & POLLIN) && pump(fd, tap, buf) < 0)
			die("frames from the host");
		if ((p[1].revents & POLLIN) && pump(tap, fd, buf) < 0)
			die("frames from the namespace");
		if ((p[0].revents | p[1].revents) & (POLLERR | POLLHUP))
			die("tap gone");
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
usage:
	fprintf(stderr, "usage: guest-netns FD [--mac=MAC] -- COMMAND [ARGS...]\n");
	return 2;
}
