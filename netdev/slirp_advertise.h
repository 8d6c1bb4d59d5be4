/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_advertise.h - tell the guest the link MTU where libslirp does not.
 */
#ifndef TAPWARDEN_NETDEV_SLIRP_ADVERTISE_H
#define TAPWARDEN_NETDEV_SLIRP_ADVERTISE_H

#include <stddef.h>
#include <stdint.h>

/* Room a frame needs beyond its length for slirp_advertise_mtu() */
#define SLIRP_ADVERTISE_GROWTH 8

size_t slirp_advertise_mtu(uint8_t *frame, size_t len, size_t room,
			   unsigned int mtu);

#endif
