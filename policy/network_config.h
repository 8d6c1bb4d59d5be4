/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network_config.h - tapwarden.conf: the named networks.
 */
#ifndef TAPWARDEN_POLICY_NETWORK_CONFIG_H
#define TAPWARDEN_POLICY_NETWORK_CONFIG_H

#include <stdbool.h>
#include <net/if.h>
#include <glib.h>

#include "nat_config.h"
#include "qos.h"

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
 * @allow_users:	allow-users: user names or numeric uids, NULL if unset
 * @allow_groups:	allow-groups: group names or numeric gids, NULL if unset
 * @max_per_user:	max-per-user: live taps of one user at once, 0 for no limit
 * @mtu:	user mode: `mtu', 0 when not set
 * @host_loopback: user mode: `host-loopback' (default yes)
 * @forwards:	user mode: `hostfwd', struct slirp_forward; never NULL
 * @nat:	mode=nat: address, dhcp, forward (policy/nat_config.c)
 * @limits:	`inbound' and `outbound' (policy/rate.c); rate 0: none
 */
struct network {
	char name[IFNAMSIZ];
	enum network_mode mode;
	char bridge[IFNAMSIZ];
	unsigned int vlan;
	char vlan_uplink[IFNAMSIZ];
	char **allow_users;
	char **allow_groups;
	unsigned int max_per_user;
	unsigned int mtu;
	bool host_loopback;
	GArray *forwards;
	struct nat_settings nat;
	struct qos_limits limits;
};

/* Largest max-per-user accepted */
#define NETWORK_MAX_PER_USER_LIMIT 65535

/* The built-in user-mode network, served with no configuration at all */
#define NETWORK_USER_BUILTIN "user"


struct network *network_new(void);
void network_free(void *net);
typedef struct network network;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(network, network_free)
bool network_mtu_parse(const char *text, unsigned int *mtu, GError **error);

struct network_config;
typedef struct network_config network_config;

struct network_config *network_config_load(const char *path, bool must_exist,
					   GError **error);
const struct network *network_config_find(const struct network_config *cfg,
					  const char *name);
unsigned int network_config_count(const struct network_config *cfg);
GPtrArray *network_config_list(const struct network_config *cfg);
const struct network *network_config_find_bridge(const struct network_config *cfg,
						 const char *bridge);
const char *network_mode_name(enum network_mode mode);
void network_config_free(struct network_config *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(network_config, network_config_free)

#endif
