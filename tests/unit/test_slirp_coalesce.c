/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_slirp_coalesce.c - consecutive TCP segments of one flow become one
 * GSO frame with a right IPv4 header and a partial TCP checksum; anything
 * that is not the very next full-size segment of the flow is not joined.
 */
#include <endian.h>
#include <string.h>
#include <glib.h>

#include "slirp_coalesce.h"
#include "slirp_csum.h"

#define HDRS 54

/* segment() - a TCP/IPv4 data segment 10.0.2.2:80 -> 10.0.2.15:4000 with
 * sequence number @seq and @payload bytes of @fill; returns its length */
static size_t segment(uint8_t *f, uint32_t seq, size_t payload, uint8_t fill)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;
	size_t len = HDRS + payload;

	memset(f, 0, HDRS);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, (uint8_t[]){ 10, 0, 2, 2, 10, 0, 2, 15 }, 8);
	memcpy(tcp, (uint8_t[]){ 0, 80, 0x0f, 0xa0 }, 4);
	tcp[4] = (uint8_t)(seq >> 24);
	tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8);
	tcp[7] = (uint8_t)seq;
	tcp[11] = 1;		/* ACK 1 */
	tcp[12] = 5 << 4;
	tcp[13] = 0x10;		/* ACK */
	tcp[14] = 0xff;		/* window */
	memset(f + HDRS, fill, payload);
	return len;
}

static void test_consecutive_segments_become_one_gso_frame(void)
{
	static uint8_t slot[70000], f[2000];
	struct slirp_coalesce state;
	struct virtio_net_hdr vnet;
	size_t len = segment(slot, 1000, 1460, 'a'), n;
	uint32_t pseudo;

	slirp_coalesce_start(&state, slot, len);
	n = segment(f, 2460, 1460, 'b');
	g_assert_true(slirp_coalesce_append(&state, slot, &len, sizeof(slot), f, n));
	n = segment(f, 3920, 100, 'c');
	f[14 + 20 + 13] |= 0x08;	/* PSH */
	g_assert_true(slirp_coalesce_append(&state, slot, &len, sizeof(slot), f, n));
	g_assert_cmpuint(len, ==, HDRS + 1460 + 1460 + 100);
	g_assert_cmpuint(slot[HDRS + 1460], ==, 'b');
	g_assert_cmpuint(slot[len - 1], ==, 'c');
	/* after a short segment, nothing more joins */
	n = segment(f, 4020, 1460, 'd');
	g_assert_false(slirp_coalesce_append(&state, slot, &len, sizeof(slot), f, n));

	slirp_coalesce_finish(&state, slot, len, &vnet);
	g_assert_cmpuint(vnet.flags, ==, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	g_assert_cmpuint(vnet.gso_type, ==, VIRTIO_NET_HDR_GSO_TCPV4);
	g_assert_cmpuint(le16toh(vnet.gso_size), ==, 1460);
	g_assert_cmpuint(le16toh(vnet.hdr_len), ==, HDRS);
	g_assert_cmpuint(le16toh(vnet.csum_start), ==, 34);
	g_assert_cmpuint(le16toh(vnet.csum_offset), ==, 16);
	g_assert_cmpuint((slot[16] << 8 | slot[17]), ==, len - 14);
	g_assert_cmpuint(slot[14 + 20 + 13], ==, 0x18);	/* PSH kept */
	/* a right IPv4 header checksum sums to 0xffff */
	g_assert_cmpuint(slirp_csum_fold(slirp_csum_add(0, slot + 14, 20)), ==, 0);
	/* the TCP checksum field holds the pseudo-header sum */
	pseudo = slirp_csum_add(0, slot + 26, 8) + 6 + (uint32_t)(len - 34);
	g_assert_cmpuint((slot[50] << 8 | slot[51]), ==,
			 (uint16_t)~slirp_csum_fold(pseudo));
}

static void test_other_segments_are_not_joined(void)
{
	static uint8_t slot[70000], f[2000];
	struct slirp_coalesce state;
	struct virtio_net_hdr vnet;
	size_t len = segment(slot, 1000, 1460, 'a'), n;

	slirp_coalesce_start(&state, slot, len);
	n = segment(f, 9999, 1460, 'b');	/* not the next sequence */
	g_assert_false(slirp_coalesce_append(&state, slot, &len, sizeof(slot), f, n));
	n = segment(f, 2460, 1460, 'b');
	f[14 + 20 + 3] = 0xa1;			/* another flow */
	g_assert_false(slirp_coalesce_append(&state, slot, &len, sizeof(slot), f, n));
	n = segment(f, 2460, 1460, 'b');
	f[14 + 20 + 11] = 2;			/* another ACK */
	g_assert_false(slirp_coalesce_append(&state, slot, &len, sizeof(slot), f, n));
	n = segment(f, 2460, 1460, 'b');
	f[14 + 20 + 13] |= 0x01;		/* FIN */
	g_assert_false(slirp_coalesce_append(&state, slot, &len, sizeof(slot), f, n));
	n = segment(f, 2460, 1500, 'b');	/* longer than the first */
	g_assert_false(slirp_coalesce_append(&state, slot, &len, sizeof(slot), f, n));
	n = segment(f, 2460, 1460, 'b');	/* no room */
	g_assert_false(slirp_coalesce_append(&state, slot, &len, len + 100, f, n));

	/* a slot of one segment goes as it was, checksums vouched for */
	slirp_coalesce_finish(&state, slot, len, &vnet);
	g_assert_cmpuint(vnet.flags, ==, VIRTIO_NET_HDR_F_DATA_VALID);
	g_assert_cmpuint(vnet.gso_type, ==, VIRTIO_NET_HDR_GSO_NONE);

	/* a frame that is not TCP never starts a joinable slot */
	len = segment(slot, 1000, 1460, 'a');
	slot[14 + 9] = 17;
	slirp_coalesce_start(&state, slot, len);
	n = segment(f, 2460, 1460, 'b');
	g_assert_false(slirp_coalesce_append(&state, slot, &len, sizeof(slot), f, n));
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/coalesce/consecutive-segments-become-one-gso-frame",
			test_consecutive_segments_become_one_gso_frame);
	g_test_add_func("/coalesce/other-segments-are-not-joined",
			test_other_segments_are_not_joined);
	return g_test_run();
}
