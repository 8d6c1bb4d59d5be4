/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network_config.h - tapwarden.conf: the named networks.
 */
#ifndef TAPWARDEN_POLICY_NETWORK_CONFIG_H
#define TAPWARDEN_POLICY_NETWORK_CONFIG_H

#include <stdbool.h>
#include <net/if.h>
#include <glib.h>

enum network_mode {
	NETWORK_MODE_BRIDGE,
	NETWORK_MODE_NAT,
	NETWORK_MODE_USER,
};

/**
 * struct network - one [network NAME] group
 * @name:	the network's name, what --br= names
 * @mode:	how taps on it are connected
 * @bridge:	the bridge its taps join (bridge mode); "" when only
 *		@vlan_uplink is given (one bridge per VLAN, netdev/vlan.c)
 * @vlan:	1-4094: its taps are untagged access ports of this VLAN; 0: none
 * @vlan_uplink: the trunk that carries @vlan tagged, or ""
 */
struct network {
	char name[IFNAMSIZ];
	enum network_mode mode;
	char bridge[IFNAMSIZ];
	unsigned int vlan;
	char vlan_uplink[IFNAMSIZ];
};

struct network_config;
typedef struct network_config network_config;

struct network_config *network_config_load(const char *path, bool must_exist,
					   GError **error);
const struct network *network_config_find(const struct network_config *cfg,
					  const char *name);
unsigned int network_config_count(const struct network_config *cfg);
void network_config_free(struct network_config *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(network_config, network_config_free)

#endif
