/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_coalesce.c - join libslirp's TCP segments into GSO frames.
 *
 * libslirp sends a guest one MSS-sized segment per frame, and an emulated
 * guest pays per frame. When the link carries virtio-net headers, the pump
 * joins, within one batch, consecutive segments of one TCP/IPv4 flow into
 * one frame marked for GSO (the tap's offloads hand it to the guest whole,
 * as a receive offload would; a tap without them makes the kernel cut it
 * again). A segment is joined only when nothing but its payload differs:
 * same addresses, ports, ACK and window, the next sequence number, no IP or
 * TCP options, only ACK (and PSH) set, and every segment before it full
 * size; anything else starts a new frame. slirp_coalesce_finish() then
 * fixes the IPv4 length and checksum and leaves the TCP checksum partial
 * (NEEDS_CSUM), as GSO requires; a frame of one segment is sent as it was,
 * marked DATA_VALID (libslirp's checksums are right).
 */
#include "slirp_coalesce.h"

#include <endian.h>
#include <string.h>

#include "slirp_csum.h"

#define ETH		14
#define IP_HDR		20
#define TCP_HDR		20
#define HDRS		(ETH + IP_HDR + TCP_HDR)
#define TCP_ACK		0x10
#define TCP_PSH		0x08
#define IP_MAX_LEN	65535

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
 * get32() - big-endian 32-bit value
 * @p:		where
 *
 * Return: the value.
 */
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
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
 * plain_segment() - is @frame a TCP/IPv4 data segment that may be joined
 * @frame:	Ethernet frame
 * @len:	its length
 *
 * Return: its payload length, or 0.
 */
static size_t plain_segment(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + ETH, *tcp = ip + IP_HDR;

	if (len <= HDRS || frame[12] != 0x08 || frame[13] != 0x00 ||
	    ip[0] != 0x45 || ip[9] != 6 || (get16(ip + 6) & 0x3fff) ||
	    get16(ip + 2) != len - ETH || tcp[12] >> 4 != TCP_HDR / 4 ||
	    (tcp[13] & ~(TCP_ACK | TCP_PSH)) || !(tcp[13] & TCP_ACK) ||
	    len - HDRS > 0xffff)
		return 0;
	return len - HDRS;
}

/**
 * slirp_coalesce_start() - a frame starts a new slot
 * @state:	the slot's state, set
 * @frame:	the frame
 * @len:	its length
 */
void slirp_coalesce_start(struct slirp_coalesce *state, const uint8_t *frame,
			  size_t len)
{
	size_t payload = plain_segment(frame, len);

	*state = (struct slirp_coalesce){ .segs = 1 };
	if (!payload)
		return;
	state->tcp = true;
	state->mss = (uint16_t)payload;
	state->last_len = (uint16_t)payload;
	state->next_seq = get32(frame + ETH + IP_HDR + 4) + (uint32_t)payload;
}

/**
 * slirp_coalesce_append() - join @frame to the slot, if it may be
 * @state:	the slot's state
 * @slot:	the slot's frame
 * @slot_len:	its length; grows on success
 * @slot_size:	the slot's room
 * @frame:	the new frame
 * @len:	its length
 *
 * Return: true when @frame's payload was appended to the slot.
 */
bool slirp_coalesce_append(struct slirp_coalesce *state, uint8_t *slot,
			   size_t *slot_len, size_t slot_size,
			   const uint8_t *frame, size_t len)
{
	const uint8_t *tcp = frame + ETH + IP_HDR;
	uint8_t *slot_tcp = slot + ETH + IP_HDR;
	size_t payload;

	if (!state->tcp || state->last_len != state->mss)
		return false;
	payload = plain_segment(frame, len);
	if (!payload || payload > state->mss ||
	    *slot_len + payload > slot_size ||
	    *slot_len - ETH + payload > IP_MAX_LEN ||
	    memcmp(slot + ETH + 12, frame + ETH + 12, 8) ||	/* addresses */
	    memcmp(slot_tcp, tcp, 4) ||				/* ports */
	    memcmp(slot_tcp + 8, tcp + 8, 4) ||			/* ACK */
	    memcmp(slot_tcp + 14, tcp + 14, 2) ||		/* window */
	    get32(tcp + 4) != state->next_seq)
		return false;
	memcpy(slot + *slot_len, frame + HDRS, payload);
	*slot_len += payload;
	slot_tcp[13] |= tcp[13] & TCP_PSH;
	state->next_seq += (uint32_t)payload;
	state->last_len = (uint16_t)payload;
	state->segs++;
	return true;
}

/**
 * slirp_coalesce_finish() - make a slot sendable; its virtio-net header
 * @state:	the slot's state
 * @slot:	the slot's frame
 * @len:	its length
 * @vnet:	set to the header the frame goes with
 */
void slirp_coalesce_finish(const struct slirp_coalesce *state, uint8_t *slot,
			   size_t len, struct virtio_net_hdr *vnet)
{
	uint8_t *ip = slot + ETH, *tcp = ip + IP_HDR;
	uint32_t sum;

	memset(vnet, 0, sizeof(*vnet));
	if (state->segs < 2) {
		vnet->flags = VIRTIO_NET_HDR_F_DATA_VALID;
		return;
	}
	put16(ip + 2, (unsigned int)(len - ETH));
	put16(ip + 10, 0);
	put16(ip + 10, slirp_csum_fold(slirp_csum_add(0, ip, IP_HDR)));
	/* partial: the pseudo-header sum, not complemented */
	sum = slirp_csum_add(0, ip + 12, 8) + 6 + (uint32_t)(len - ETH - IP_HDR);
	put16(tcp + 16, (uint16_t)~slirp_csum_fold(sum));

	vnet->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vnet->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vnet->hdr_len = htole16(HDRS);
	vnet->gso_size = htole16(state->mss);
	vnet->csum_start = htole16(ETH + IP_HDR);
	vnet->csum_offset = htole16(16);
}
