/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_segment.c - cut a TCP/IPv6 super-frame into segments for libslirp.
 *
 * libslirp takes a TSO super-frame over IPv4 whole, but its IPv6 input
 * refuses a packet longer than the link MTU (answering "packet too big",
 * which a TSO sender cannot act on). So a guest's TCPV6 GSO frame is cut
 * here, as the kernel's software GSO would: every segment gets a copy of
 * the Ethernet, IPv6 and TCP headers, its payload length, its sequence
 * number, FIN and PSH only on the last, CWR only on the first, and a full
 * checksum. Only a plain IPv6 header (next header TCP) is handled; other
 * frames are left to libslirp as they are.
 */
#include "slirp_segment.h"

#include <string.h>

#include "slirp_csum.h"

#define ETH		14
#define IP6_HDR		40
#define TCP_FIN		0x01
#define TCP_PSH		0x08
#define TCP_CWR		0x80

/**
 * slirp_segment_tcp6() - cut a TCP/IPv6 frame into @mss-sized segments
 * @frame:	the super-frame (its checksum need not be right)
 * @len:	its length
 * @mss:	payload bytes per segment (the GSO size)
 * @scratch:	where each segment is built
 * @scratch_size: its size
 * @emit:	called once per segment
 * @opaque:	its last argument
 *
 * Return: false when @frame is not a plain TCP/IPv6 frame (nothing emitted).
 */
bool slirp_segment_tcp6(const uint8_t *frame, size_t len, size_t mss,
			uint8_t *scratch, size_t scratch_size,
			slirp_segment_fn emit, void *opaque)
{
	const uint8_t *tcp = frame + ETH + IP6_HDR;
	size_t hdrs, payload, off;
	uint32_t seq;

	if (len < ETH + IP6_HDR + 20 || frame[12] != 0x86 ||
	    frame[13] != 0xdd || frame[ETH + 6] != 6 || mss == 0)
		return false;
	hdrs = ETH + IP6_HDR + (size_t)(tcp[12] >> 4) * 4;
	if (hdrs > len || hdrs + mss > scratch_size)
		return false;
	payload = len - hdrs;
	seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
	      (uint32_t)tcp[6] << 8 | tcp[7];

	for (off = 0; off < payload || off == 0; off += mss) {
		size_t chunk = payload - off < mss ? payload - off : mss;
		size_t tcp_len = hdrs - ETH - IP6_HDR + chunk;
		uint8_t *ip6 = scratch + ETH, *th = ip6 + IP6_HDR;
		uint32_t s = seq + (uint32_t)off, sum;
		uint16_t csum;

		memcpy(scratch, frame, hdrs);
		memcpy(scratch + hdrs, frame + hdrs + off, chunk);
		ip6[4] = (uint8_t)(tcp_len >> 8);
		ip6[5] = (uint8_t)tcp_len;
		th[4] = (uint8_t)(s >> 24);
		th[5] = (uint8_t)(s >> 16);
		th[6] = (uint8_t)(s >> 8);
		th[7] = (uint8_t)s;
		if (off + chunk < payload)
			th[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
		if (off)
			th[13] &= (uint8_t)~TCP_CWR;
		th[16] = th[17] = 0;
		sum = slirp_csum_add(0, ip6 + 8, 32) + (uint32_t)tcp_len + 6;
		csum = slirp_csum_fold(slirp_csum_add(sum, th, tcp_len));
		th[16] = (uint8_t)(csum >> 8);
		th[17] = (uint8_t)csum;
		emit(scratch, hdrs + chunk, opaque);
		if (payload == 0)
			break;
	}
	return true;
}
