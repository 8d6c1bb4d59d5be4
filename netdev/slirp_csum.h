/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_csum.h - the Internet checksum, for frames the engine edits.
 */
#ifndef TAPWARDEN_NETDEV_SLIRP_CSUM_H
#define TAPWARDEN_NETDEV_SLIRP_CSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t slirp_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t slirp_csum_fold(uint32_t sum);

#endif
