/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge.h - Linux bridges: look one up, count its ports, put a tap on it.
 */
#ifndef TAPWARDEN_NETDEV_BRIDGE_H
#define TAPWARDEN_NETDEV_BRIDGE_H

#include <stdbool.h>
#include <net/if.h>
#include <glib.h>

#include "netlink.h"

/**
 * struct bridge - what attaching a port needs to know of a bridge
 * @name:	interface name
 * @ifindex:	interface index
 * @mtu:	the bridge's MTU, which its new ports take
 */
struct bridge {
	char name[IFNAMSIZ];
	int ifindex;
	unsigned int mtu;
};

/* a Linux bridge's ports, at most: port numbers 1-1023 (BR_MAX_PORTS is
 * 1024, and number 0 is reserved); one more is refused with EXFULL */
#define BRIDGE_MAX_PORTS 1023

bool bridge_lookup(struct netlink *nl, const char *name, struct bridge *br,
		   GError **error);
bool bridge_count_ports(struct netlink *nl, const struct bridge *br,
			unsigned int *ports, GError **error);
bool tap_join_bridge(struct netlink *nl, const char *tap_name,
		     const struct bridge *br, const char *alias, bool up,
		     GError **error);
bool tap_attach_to_bridge(struct netlink *nl, const char *tap_name,
			  const struct bridge *br, const char *alias,
			  GError **error);

#endif
