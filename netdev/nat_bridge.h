/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat_bridge.h - a NAT network's bridge, its gateway address, forwarding.
 */
#ifndef TAPWARDEN_NETDEV_NAT_BRIDGE_H
#define TAPWARDEN_NETDEV_NAT_BRIDGE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "netlink.h"

bool nat_bridge_ensure(struct netlink *nl, const char *name, uint32_t gateway,
		       unsigned int prefix, bool *created, GError **error);
void nat_bridge_remove(struct netlink *nl, const char *name);
bool nat_ipv4_forwarding_enable(GError **error);

#endif
