/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link_ipv6.h - no host IPv6 on the links tapwarden brings up.
 */
#ifndef TAPWARDEN_NETDEV_LINK_IPV6_H
#define TAPWARDEN_NETDEV_LINK_IPV6_H

#include <stdbool.h>
#include <glib.h>

#include "netlink.h"

bool link_disable_ipv6(struct netlink *nl, const char *name, GError **error);

#endif
