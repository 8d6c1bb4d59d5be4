/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_slirp_advertise.c - the engine tells the guest the MTU: option 26 in
 * DHCP replies, an MTU option in router advertisements, checksums right;
 * every other frame, or one that already says it, untouched.
 */
#include <string.h>
#include <glib.h>

#include "slirp_advertise.h"
#include "slirp_csum.h"

#define ETH 14

/* verify_sum() - the folded ones'-complement sum of @p over @len bytes
 * plus @seed: 0xffff when a checksum inside is right */
static unsigned int verify_sum(uint32_t seed, const uint8_t *p, size_t len)
{
	return (uint16_t)~slirp_csum_fold(slirp_csum_add(seed, p, len));
}

/* dhcp_reply() - a DHCP ACK as libslirp builds it (options padded);
 * returns its length */
static size_t dhcp_reply(uint8_t *f)
{
	static const uint8_t opts[] = { 53, 1, 5, 1, 4, 255, 255, 255, 0, 255 };
	size_t udp_len = 8 + 240 + 64;
	uint8_t *ip = f + ETH, *udp = ip + 20;

	memset(f, 0, ETH + 20 + udp_len);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[9] = 17;
	memcpy(ip + 12, (uint8_t[]){ 10, 0, 2, 2, 255, 255, 255, 255 }, 8);
	udp[1] = 67;
	udp[3] = 68;
	udp[4] = (uint8_t)(udp_len >> 8);
	udp[5] = (uint8_t)udp_len;
	memcpy(udp + 8 + 236, (uint8_t[]){ 99, 130, 83, 99 }, 4);
	memcpy(udp + 8 + 240, opts, sizeof(opts));
	return ETH + 20 + udp_len;
}

/* router_advertisement() - an RA with one prefix option; returns its
 * length */
static size_t router_advertisement(uint8_t *f)
{
	uint8_t *ip6 = f + ETH, *icmp = ip6 + 40;
	size_t plen = 16 + 32;

	memset(f, 0, ETH + 40 + plen);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip6[0] = 0x60;
	ip6[5] = (uint8_t)plen;
	ip6[6] = 58;
	ip6[7] = 255;
	ip6[8] = 0xfe; ip6[9] = 0x80; ip6[23] = 2;	/* fe80::2 */
	ip6[24] = 0xff; ip6[25] = 0x02; ip6[39] = 1;	/* ff02::1 */
	icmp[0] = 134;
	icmp[16] = 3;	/* prefix information */
	icmp[17] = 4;
	return ETH + 40 + plen;
}

static void test_dhcp_reply_gets_option_26(void)
{
	uint8_t f[1600];
	size_t len = dhcp_reply(f), udp_len = len - ETH - 20;
	const uint8_t *ip = f + ETH, *opt = f + ETH + 20 + 8 + 240;
	uint32_t pseudo;

	g_assert_cmpuint(slirp_advertise_mtu(f, len, sizeof(f), 65520), ==, len);
	g_assert_cmpmem(opt + 9, 5, ((uint8_t[]){ 26, 2, 0xff, 0xf0, 255 }), 5);
	pseudo = verify_sum(0, ip + 12, 8) + 17 + (uint32_t)udp_len;
	g_assert_cmpuint(verify_sum(pseudo, ip + 20, udp_len), ==, 0xffff);

	/* a second pass finds it there and changes nothing */
	g_assert_cmpuint(slirp_advertise_mtu(f, len, sizeof(f), 9000), ==, len);
	g_assert_cmpmem(opt + 9, 5, ((uint8_t[]){ 26, 2, 0xff, 0xf0, 255 }), 5);
}

static void test_router_advertisement_gets_mtu_option(void)
{
	uint8_t f[1600];
	size_t len = router_advertisement(f), plen;
	const uint8_t *ip6 = f + ETH;
	uint32_t pseudo;

	g_assert_cmpuint(slirp_advertise_mtu(f, len, sizeof(f), 9000), ==,
			 len + SLIRP_ADVERTISE_GROWTH);
	plen = (size_t)(ip6[4] << 8 | ip6[5]);
	g_assert_cmpuint(plen, ==, 16 + 32 + 8);
	g_assert_cmpmem(f + len, 8, ((uint8_t[]){ 5, 1, 0, 0, 0, 0, 0x23, 0x28 }), 8);
	pseudo = verify_sum(0, ip6 + 8, 32) + (uint32_t)plen + 58;
	g_assert_cmpuint(verify_sum(pseudo, ip6 + 40, plen), ==, 0xffff);

	/* it already has one now */
	g_assert_cmpuint(slirp_advertise_mtu(f, len + 8, sizeof(f), 9000), ==,
			 len + 8);
}

static void test_no_room_leaves_the_frame(void)
{
	uint8_t f[1600], before[1600];
	size_t len = router_advertisement(f);

	memcpy(before, f, len);
	g_assert_cmpuint(slirp_advertise_mtu(f, len, len + 4, 9000), ==, len);
	g_assert_cmpmem(f, len, before, len);
}

static void test_other_frames_are_untouched(void)
{
	uint8_t f[1600], before[1600];
	size_t len = dhcp_reply(f);

	f[ETH + 20 + 1] = 53;	/* UDP from port 53: DNS, not DHCP */
	memcpy(before, f, len);
	g_assert_cmpuint(slirp_advertise_mtu(f, len, sizeof(f), 9000), ==, len);
	g_assert_cmpmem(f, len, before, len);

	len = router_advertisement(f);
	f[ETH + 40] = 136;	/* a neighbour advertisement */
	memcpy(before, f, len);
	g_assert_cmpuint(slirp_advertise_mtu(f, len, sizeof(f), 9000), ==, len);
	g_assert_cmpmem(f, len, before, len);

	/* truncated: the UDP length says more than the frame has */
	len = dhcp_reply(f);
	memcpy(before, f, len);
	g_assert_cmpuint(slirp_advertise_mtu(f, len - 100, sizeof(f), 9000), ==,
			 len - 100);
	g_assert_cmpmem(f, len, before, len);
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/advertise/dhcp-reply-gets-option-26",
			test_dhcp_reply_gets_option_26);
	g_test_add_func("/advertise/router-advertisement-gets-mtu-option",
			test_router_advertisement_gets_mtu_option);
	g_test_add_func("/advertise/no-room-leaves-the-frame",
			test_no_room_leaves_the_frame);
	g_test_add_func("/advertise/other-frames-are-untouched",
			test_other_frames_are_untouched);
	return g_test_run();
}
