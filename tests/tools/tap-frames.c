/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap-frames.c - send and receive test frames the way a guest would: on a
 * tap descriptor QEMU got from the helper (run-like-qemu's TW_TAP_FD), or,
 * to play the far end of a trunk, on an interface.
 *
 * Usage:
 *   tap-frames send FD SRC_MAC TAG          one broadcast frame on tap FD
 *   tap-frames send if:NAME SRC_MAC TAG [VLAN]
 *                                           the same on interface NAME
 *                                           (AF_PACKET), 802.1Q-tagged
 *                                           with VLAN when given
 *   tap-frames recv FD MS [COUNT]           for MS milliseconds (or until
 *                                           COUNT frames came), print the
 *                                           TAG of every test frame the tap
 *                                           delivers, one per line;
 *                                           "tagged:TAG" if it came tagged
 *
 * A test frame is a broadcast with EtherType 0x88b5 (IEEE local
 * experimental) and the payload "twtest:TAG", so the kernel's own traffic
 * on the link (IPv6 router solicitations...) is never mistaken for it.
 * Virtio-net headers (IFF_VNET_HDR, --use-vnet) are added and stripped.
 * Exit status: 0, or 2 on bad usage or a failed system call.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>

#define TEST_ETHERTYPE 0x88b5
#define TEST_MAGIC "twtest:"
#define FRAME_MIN 60

/* die() - print what failed with errno's text, exit 2 */
static void die(const char *what)
{
	fprintf(stderr, "tap-frames: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* usage() - print the usage, exit 2 */
static void usage(void)
{
	fputs("usage: tap-frames send FD|if:NAME SRC_MAC TAG [VLAN]\n"
	      "       tap-frames recv FD MS [COUNT]\n", stderr);
	exit(2);
}

/* vnet_hdr_len() - bytes of virtio-net header in front of each frame */
static size_t vnet_hdr_len(int fd)
{
	struct ifreq ifr = { 0 };
	int len = 0;

	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		die("TUNGETIFF (not a tap descriptor?)");
	if (!(ifr.ifr_flags & IFF_VNET_HDR))
		return 0;
	if (ioctl(fd, TUNGETVNETHDRSZ, &len) < 0)
		die("TUNGETVNETHDRSZ");
	return (size_t)len;
}

/* build_frame() - a test frame into @buf; returns its length */
static size_t build_frame(unsigned char *buf, const char *src_mac,
			  const char *tag, unsigned int vlan)
{
	unsigned int m[6];
	size_t len = 0, tag_len = strlen(tag);

	if (sscanf(src_mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
		   &m[4], &m[5]) != 6 || tag_len > 64)
		usage();
	memset(buf, 0xff, 6);			/* broadcast */
	for (int i = 0; i < 6; i++)
		buf[6 + i] = (unsigned char)m[i];
	len = 12;
	if (vlan) {
		buf[len++] = 0x81;
		buf[len++] = 0x00;
		buf[len++] = (unsigned char)(vlan >> 8);
		buf[len++] = (unsigned char)vlan;
	}
	buf[len++] = TEST_ETHERTYPE >> 8;
	buf[len++] = TEST_ETHERTYPE & 0xff;
	memcpy(buf + len, TEST_MAGIC, strlen(TEST_MAGIC));
	len += strlen(TEST_MAGIC);
	memcpy(buf + len, tag, tag_len);
	len += tag_len;
	while (len < FRAME_MIN)
		buf[len++] = 0;
	return len;
}

/* cmd_send() - `send`: one test frame on a tap descriptor or an interface */
static int cmd_send(int argc, char *argv[])
{
	unsigned char buf[256] = { 0 };
	unsigned int vlan = argc > 5 ? (unsigned int)atoi(argv[5]) : 0;
	const char *where = argv[2];
	size_t len;

	if (argc < 5 || argc > 6)
		usage();
	if (!strncmp(where, "if:", 3)) {
		struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = 6 };
		int sock = socket(AF_PACKET, SOCK_RAW, 0);

		if (sock < 0)
			die("socket(AF_PACKET)");
		sll.sll_ifindex = (int)if_nametoindex(where + 3);
		if (!sll.sll_ifindex)
			die(where + 3);
		len = build_frame(buf, argv[3], argv[4], vlan);
		memcpy(sll.sll_addr, buf, 6);
		if (sendto(sock, buf, len, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) != (ssize_t)len)
			die("sendto");
		close(sock);
		return 0;
	}
	if (vlan)
		usage();	/* a guest on an access port sends untagged */
	{
		int fd = atoi(where);
		size_t hdr = vnet_hdr_len(fd);	/* zeroed: no offloads */

		len = build_frame(buf + hdr, argv[3], argv[4], 0);
		if (write(fd, buf, hdr + len) != (ssize_t)(hdr + len))
			die("write to the tap");
	}
	return 0;
}

/* now_ms() - the monotonic clock in milliseconds */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* cmd_recv() - `recv`: print the tag of each test frame the tap delivers */
static int cmd_recv(int argc, char *argv[])
{
	unsigned char buf[65536];
	int count = argc > 4 ? atoi(argv[4]) : -1;
	long long deadline;
	size_t hdr;
	int fd;

	if (argc != 4 && argc != 5)
		usage();
	fd = atoi(argv[2]);
	hdr = vnet_hdr_len(fd);
	deadline = now_ms() + atoi(argv[3]);
	for (long long left; count && (left = deadline - now_ms()) > 0;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		const unsigned char *eth;
		const char *prefix = "";
		ssize_t n;
		size_t off = 12, len;

		if (poll(&pfd, 1, (int)left) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (!(pfd.revents & POLLIN))
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n < 0)
			die("read from the tap");
		if ((size_t)n < hdr + 14)
			continue;
		eth = buf + hdr;
		len = (size_t)n - hdr;
		if (eth[12] == 0x81 && eth[13] == 0x00 && len >= 18) {
			prefix = "tagged:";
			off = 16;
		}
		if (eth[off] != TEST_ETHERTYPE >> 8 ||
		    eth[off + 1] != (TEST_ETHERTYPE & 0xff) ||
		    len < off + 2 + strlen(TEST_MAGIC) ||
		    memcmp(eth + off + 2, TEST_MAGIC, strlen(TEST_MAGIC)))
			continue;
		off += 2 + strlen(TEST_MAGIC);
		printf("%s%.*s\n", prefix,
		       (int)strnlen((const char *)eth + off, len - off),
		       (const char *)eth + off);
		fflush(stdout);
		if (count > 0)
			count--;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	if (argc >= 2 && !strcmp(argv[1], "send"))
		return cmd_send(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "recv"))
		return cmd_recv(argc, argv);
	usage();
	return 2;
}
