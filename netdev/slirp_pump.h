/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_pump.h - batched Ethernet frame I/O between a tap and libslirp.
 */
#ifndef TAPWARDEN_NETDEV_SLIRP_PUMP_H
#define TAPWARDEN_NETDEV_SLIRP_PUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct slirp_pump;

/**
 * slirp_pump_deliver_fn - called for each frame received from the guest
 * @frame:	the Ethernet frame (valid only during the call)
 * @len:	its length
 * @opaque:	what the caller gave slirp_pump_receive()
 */
typedef void (*slirp_pump_deliver_fn)(const uint8_t *frame, size_t len,
				      void *opaque);

struct slirp_pump *slirp_pump_new_packet(int packet_fd, int ifindex,
					 unsigned int mtu, GError **error);
struct slirp_pump *slirp_pump_new_tap(int tap_fd, unsigned int mtu,
				      bool vnet_hdr, GError **error);
int slirp_pump_fd(const struct slirp_pump *pump);
bool slirp_pump_receive(struct slirp_pump *pump, slirp_pump_deliver_fn deliver,
			void *opaque, GError **error);
void slirp_pump_queue(struct slirp_pump *pump, const void *frame, size_t len);
bool slirp_pump_flush(struct slirp_pump *pump, GError **error);
void slirp_pump_free(struct slirp_pump *pump);
typedef struct slirp_pump slirp_pump;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(slirp_pump, slirp_pump_free)

#endif
