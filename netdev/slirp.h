/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp.h - the user-mode network engine: libslirp behind a frame pump.
 *
 * One engine serves one guest link: it owns a libslirp instance (DHCP, DNS,
 * IPv4 and IPv6 NAT to this process's sockets, port forwards) and moves the
 * guest's Ethernet frames between it and a struct slirp_pump (slirp_pump.h).
 * It runs until the link goes away (the pump reports an error or hang-up) or
 * until an optional stop descriptor becomes readable (e.g. a pidfd).
 */
#ifndef TAPWARDEN_NETDEV_SLIRP_H
#define TAPWARDEN_NETDEV_SLIRP_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <glib.h>

#include "slirp_pump.h"

/* QEMU's -netdev user defaults; a guest sees the same network */
#define SLIRP_NETWORK		"10.0.2.0"
#define SLIRP_NETMASK		"255.255.255.0"
#define SLIRP_PREFIX_LEN	24
#define SLIRP_GATEWAY		"10.0.2.2"
#define SLIRP_DNS		"10.0.2.3"
#define SLIRP_DHCP_START	"10.0.2.15"
#define SLIRP_PREFIX6		"fec0::"
#define SLIRP_GATEWAY6		"fec0::2"
#define SLIRP_DNS6		"fec0::3"

#define SLIRP_MTU_DEFAULT	1500
#define SLIRP_MTU_MIN		1280	/* IPv6 is always on */
#define SLIRP_MTU_MAX		65520

/**
 * struct slirp_forward - one port forward from the host into the guest
 * @udp:	UDP, else TCP
 * @host_addr:	host address to listen on (INADDR_ANY: all)
 * @host_port:	host port, 1-65535
 * @guest_addr:	guest address (INADDR_ANY: the engine's default guest address)
 * @guest_port:	guest port, 1-65535
 */
struct slirp_forward {
	bool udp;
	struct in_addr host_addr;
	uint16_t host_port;
	struct in_addr guest_addr;
	uint16_t guest_port;
};

/**
 * struct slirp_settings - what an engine gives its guest
 * @mtu:		link MTU, SLIRP_MTU_MIN to SLIRP_MTU_MAX
 * @host_loopback:	the gateway address reaches the host's loopback
 * @guest_addr:		where a forward without a guest address goes
 * @forwards:		port forwards
 * @n_forwards:		how many
 */
struct slirp_settings {
	unsigned int mtu;
	bool host_loopback;
	struct in_addr guest_addr;
	const struct slirp_forward *forwards;
	unsigned int n_forwards;
};

struct slirp_engine;

struct slirp_engine *slirp_engine_new(const struct slirp_settings *settings,
				      struct slirp_pump *pump, GError **error);
bool slirp_engine_run(struct slirp_engine *engine, int stop_fd,
		      GError **error);
void slirp_engine_free(struct slirp_engine *engine);
typedef struct slirp_engine slirp_engine;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(slirp_engine, slirp_engine_free)

#endif
