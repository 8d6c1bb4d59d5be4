/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_slirp_segment.c - a TCP/IPv6 super-frame is cut into MSS-sized
 * segments with their own lengths, sequence numbers, flags and checksums.
 */
#include <string.h>
#include <glib.h>

#include "slirp_csum.h"
#include "slirp_segment.h"

#define HDRS (14 + 40 + 20)

struct seen {
	unsigned int n;
	size_t len[8];
	uint32_t seq[8];
	uint8_t flags[8];
	bool csum_ok[8];
};

/* collect() - slirp_segment_fn: note each segment */
static void collect(const uint8_t *f, size_t len, void *opaque)
{
	struct seen *seen = opaque;
	const uint8_t *ip6 = f + 14, *tcp = ip6 + 40;
	size_t tcp_len = (size_t)(ip6[4] << 8 | ip6[5]);
	uint32_t sum;

	g_assert_cmpuint(seen->n, <, 8);
	g_assert_cmpuint(tcp_len, ==, len - 54);
	sum = slirp_csum_add(0, ip6 + 8, 32) + (uint32_t)tcp_len + 6;
	seen->csum_ok[seen->n] = slirp_csum_fold(slirp_csum_add(sum, tcp, tcp_len)) == 0;
	seen->len[seen->n] = len;
	seen->seq[seen->n] = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
			     (uint32_t)tcp[6] << 8 | tcp[7];
	seen->flags[seen->n] = tcp[13];
	seen->n++;
}

static void test_super_frame_is_cut_at_the_mss(void)
{
	static uint8_t f[HDRS + 3000], scratch[2000];
	struct seen seen = { 0 };

	memset(f, 0, sizeof(f));
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[14 + 6] = 6;
	f[14 + 8] = 0xfe;
	f[14 + 24] = 0xfe;
	f[54 + 7] = 100;		/* seq 100 */
	f[54 + 12] = 5 << 4;
	f[54 + 13] = 0x80 | 0x10 | 0x08 | 0x01;	/* CWR ACK PSH FIN */
	memset(f + HDRS, 'x', 3000);

	g_assert_true(slirp_segment_tcp6(f, sizeof(f), 1400, scratch,
					 sizeof(scratch), collect, &seen));
	g_assert_cmpuint(seen.n, ==, 3);
	g_assert_cmpuint(seen.len[0], ==, HDRS + 1400);
	g_assert_cmpuint(seen.len[2], ==, HDRS + 200);
	g_assert_cmpuint(seen.seq[1], ==, 1500);
	g_assert_cmpuint(seen.seq[2], ==, 2900);
	g_assert_cmpuint(seen.flags[0], ==, 0x80 | 0x10);
	g_assert_cmpuint(seen.flags[1], ==, 0x10);
	g_assert_cmpuint(seen.flags[2], ==, 0x10 | 0x08 | 0x01);
	for (unsigned int i = 0; i < 3; i++)
		g_assert_true(seen.csum_ok[i]);
}

static void test_other_frames_are_not_cut(void)
{
	static uint8_t f[HDRS + 100], scratch[2000];
	struct seen seen = { 0 };

	memset(f, 0, sizeof(f));
	f[12] = 0x08;		/* IPv4 */
	g_assert_false(slirp_segment_tcp6(f, sizeof(f), 1400, scratch,
					  sizeof(scratch), collect, &seen));
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14 + 6] = 17;		/* UDP */
	g_assert_false(slirp_segment_tcp6(f, sizeof(f), 1400, scratch,
					  sizeof(scratch), collect, &seen));
	g_assert_cmpuint(seen.n, ==, 0);
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/segment/super-frame-is-cut-at-the-mss",
			test_super_frame_is_cut_at_the_mss);
	g_test_add_func("/segment/other-frames-are-not-cut",
			test_other_frames_are_not_cut);
	return g_test_run();
}
