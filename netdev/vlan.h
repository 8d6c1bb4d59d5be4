/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vlan.h - make a tap an untagged access port of a VLAN.
 */
#ifndef TAPWARDEN_NETDEV_VLAN_H
#define TAPWARDEN_NETDEV_VLAN_H

#include <stdbool.h>
#include <glib.h>

#include "netlink.h"

/* Per-VLAN bridges are named VLAN_BRIDGE_PREFIX + ID, e.g. "twv100" */
#define VLAN_BRIDGE_PREFIX "twv"
#define VLAN_ID_MIN 1
#define VLAN_ID_MAX 4094

/**
 * struct vlan_port - where a network with a VLAN puts its taps
 * @bridge:	the network's bridge, or "" (then only @uplink counts)
 * @vlan:	the VLAN ID, VLAN_ID_MIN to VLAN_ID_MAX
 * @uplink:	the trunk that carries @vlan tagged (vlan-uplink), or ""
 */
struct vlan_port {
	const char *bridge;
	unsigned int vlan;
	const char *uplink;
};

unsigned int vlan_remove_stale_temporaries(struct netlink *nl);
bool vlan_attach_tap(struct netlink *nl, const char *tap_name,
		     const struct vlan_port *port, const char *alias,
		     GError **error);

#endif
