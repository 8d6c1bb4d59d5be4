/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_segment.h - cut a TCP/IPv6 super-frame into segments for libslirp.
 */
#ifndef TAPWARDEN_NETDEV_SLIRP_SEGMENT_H
#define TAPWARDEN_NETDEV_SLIRP_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*slirp_segment_fn)(const uint8_t *frame, size_t len,
				 void *opaque);

bool slirp_segment_tcp6(const uint8_t *frame, size_t len, size_t mss,
			uint8_t *scratch, size_t scratch_size,
			slirp_segment_fn emit, void *opaque);

#endif
