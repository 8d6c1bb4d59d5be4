/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_advertise.c - tell the guest the link MTU where libslirp does not.
 *
 * libslirp (4.7) runs the link at its configured MTU but neither its DHCP
 * server nor its IPv6 router advertisements say so, and a guest that does
 * not know uses 1500. slirp_advertise_mtu() looks at each frame libslirp
 * sends the guest and, in the two kinds that matter, adds what is missing:
 *  - a DHCP reply (IPv4, UDP 67 -> 68): option 26 (interface MTU), written
 *    where the END option was; libslirp pads its options field, so the
 *    frame keeps its length and only the UDP checksum changes;
 *  - a router advertisement (ICMPv6 type 134): an MTU option (type 5)
 *    appended; the frame grows by SLIRP_ADVERTISE_GROWTH bytes, the IPv6
 *    payload length and the ICMPv6 checksum are updated.
 * A frame that already carries the option, is malformed, or has no room
 * is left as it is. Every other frame costs two comparisons.
 */
#include "slirp_advertise.h"

#include <string.h>

#include "slirp_csum.h"

#define ETH_HDR		14
#define DHCP_OPTIONS	240	/* fixed BOOTP fields + magic cookie */
#define DHCP_OPT_MTU	26
#define DHCP_OPT_END	255
#define ND_OPT_MTU	5
#define ND_RA_HDR	16	/* ICMPv6 RA header before its options */

/**
 * get16() - big-endian 16-bit value
 * @p:		where
 *
 * Return: the value.
 */
static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/**
 * put16() - store a big-endian 16-bit value
 * @p:		where
 * @value:	the value
 */
static void put16(uint8_t *p, unsigned int value)
{
	p[0] = (uint8_t)(value >> 8);
	p[1] = (uint8_t)value;
}

/**
 * dhcp_add_mtu() - option 26 in a DHCP reply
 * @ip:		the IPv4 header
 * @len:	bytes from @ip to the frame's end
 * @mtu:	the MTU
 */
static void dhcp_add_mtu(uint8_t *ip, size_t len, unsigned int mtu)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4, udp_len, pos;
	uint8_t *udp = ip + ihl, *opt;
	uint32_t sum;

	if (ihl < 20 || len < ihl + 8 || ip[9] != 17 ||
	    get16(udp) != 67 || get16(udp + 2) != 68)
		return;
	udp_len = get16(udp + 4);
	if (udp_len < 8 + DHCP_OPTIONS || udp_len > len - ihl)
		return;
	opt = udp + 8;
	for (pos = DHCP_OPTIONS; pos < udp_len - 8;) {
		if (opt[pos] == DHCP_OPT_MTU)
			return;
		if (opt[pos] == DHCP_OPT_END)
			break;
		if (opt[pos] == 0) {
			pos++;
			continue;
		}
		if (pos + 1 >= udp_len - 8)
			return;
		pos += 2 + opt[pos + 1];
	}
	if (pos + 5 > udp_len - 8 || opt[pos] != DHCP_OPT_END)
		return;
	opt[pos] = DHCP_OPT_MTU;
	opt[pos + 1] = 2;
	put16(opt + pos + 2, mtu);
	opt[pos + 4] = DHCP_OPT_END;

	put16(udp + 6, 0);
	sum = slirp_csum_add(0, ip + 12, 8);	/* pseudo header: addresses */
	sum += 17 + (uint32_t)udp_len;
	sum = slirp_csum_add(sum, udp, udp_len);
	put16(udp + 6, slirp_csum_fold(sum) ? slirp_csum_fold(sum) : 0xffff);
}

/**
 * ra_add_mtu() - an MTU option in a router advertisement
 * @ip6:	the IPv6 header
 * @len:	bytes from @ip6 to the frame's end
 * @room:	bytes from @ip6 to the buffer's end
 * @mtu:	the MTU
 *
 * Return: how many bytes were added (0 or SLIRP_ADVERTISE_GROWTH).
 */
static size_t ra_add_mtu(uint8_t *ip6, size_t len, size_t room,
			 unsigned int mtu)
{
	uint8_t *icmp = ip6 + 40, *opt;
	size_t plen, pos;
	uint32_t sum;

	if (len < 40 + ND_RA_HDR || ip6[6] != 58 || icmp[0] != 134)
		return 0;
	plen = get16(ip6 + 4);
	if (plen < ND_RA_HDR || plen > len - 40 ||
	    40 + plen + SLIRP_ADVERTISE_GROWTH > room)
		return 0;
	for (pos = ND_RA_HDR; pos + 2 <= plen; pos += (size_t)icmp[pos + 1] * 8) {
		if (icmp[pos] == ND_OPT_MTU || icmp[pos + 1] == 0)
			return 0;
	}
	opt = icmp + plen;
	memset(opt, 0, SLIRP_ADVERTISE_GROWTH);
	opt[0] = ND_OPT_MTU;
	opt[1] = 1;
	put16(opt + 4, mtu >> 16);
	put16(opt + 6, mtu & 0xffff);
	plen += SLIRP_ADVERTISE_GROWTH;
	put16(ip6 + 4, (unsigned int)plen);

	put16(icmp + 2, 0);
	sum = slirp_csum_add(0, ip6 + 8, 32);	/* pseudo header: addresses */
	sum += (uint32_t)plen + 58;
	sum = slirp_csum_add(sum, icmp, plen);
	put16(icmp + 2, slirp_csum_fold(sum));
	return SLIRP_ADVERTISE_GROWTH;
}

/**
 * slirp_advertise_mtu() - add the MTU to a DHCP reply or an RA, if missing
 * @frame:	an Ethernet frame libslirp sends to the guest, edited in place
 * @len:	its length
 * @room:	the size of the buffer it is in (an RA grows by
 *		SLIRP_ADVERTISE_GROWTH bytes if there is room)
 * @mtu:	the link MTU
 *
 * Return: the frame's new length.
 */
size_t slirp_advertise_mtu(uint8_t *frame, size_t len, size_t room,
			   unsigned int mtu)
{
	if (len < ETH_HDR + 20)
		return len;
	if (frame[12] == 0x08 && frame[13] == 0x00)
		dhcp_add_mtu(frame + ETH_HDR, len - ETH_HDR, mtu);
	else if (frame[12] == 0x86 && frame[13] == 0xdd)
		len += ra_add_mtu(frame + ETH_HDR, len - ETH_HDR,
				  room - ETH_HDR, mtu);
	return len;
}
