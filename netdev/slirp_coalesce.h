/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_coalesce.h - join libslirp's TCP segments into GSO frames.
 */
#ifndef TAPWARDEN_NETDEV_SLIRP_COALESCE_H
#define TAPWARDEN_NETDEV_SLIRP_COALESCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

/**
 * struct slirp_coalesce - what a batch slot holds, for joining
 * @tcp:	a plain TCP/IPv4 data segment (more may be appended)
 * @next_seq:	the sequence number a following segment must have
 * @mss:	payload size of the first segment (the GSO segment size)
 * @last_len:	payload size of the last segment joined
 * @segs:	how many segments the slot holds
 */
struct slirp_coalesce {
	bool tcp;
	uint32_t next_seq;
	uint16_t mss, last_len;
	unsigned int segs;
};

void slirp_coalesce_start(struct slirp_coalesce *state, const uint8_t *frame,
			  size_t len);
bool slirp_coalesce_append(struct slirp_coalesce *state, uint8_t *slot,
			   size_t *slot_len, size_t slot_size,
			   const uint8_t *frame, size_t len);
void slirp_coalesce_finish(const struct slirp_coalesce *state, uint8_t *slot,
			   size_t len, struct virtio_net_hdr *vnet);

#endif
