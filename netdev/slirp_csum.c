/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_csum.c - the Internet checksum (RFC 1071), for frames the engine
 * edits (slirp_advertise.c) or completes (slirp_pump.c: a guest's partial
 * checksums). Sums are kept unfolded in 32 bits; big-endian 16-bit words.
 */
#include "slirp_csum.h"

/**
 * slirp_csum_add() - add bytes to a ones'-complement sum
 * @sum:	the sum so far
 * @p:		bytes, as big-endian 16-bit words (an odd last byte is padded)
 * @len:	how many
 *
 * Return: the new, unfolded sum.
 */
uint32_t slirp_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = sum;

	for (; len > 1; p += 2, len -= 2)
		acc += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		acc += (uint32_t)p[0] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

/**
 * slirp_csum_fold() - the checksum of a sum
 * @sum:	unfolded sum
 *
 * Return: its folded ones' complement, host order.
 */
uint16_t slirp_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
