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
 * @bridge:	the bridge its taps join (bridge mode)
 * @mtu:	user mode: `mtu', 0 when not set
 * @host_loopback: user mode: `host-loopback' (default yes)
 * @forwards:	user mode: `hostfwd', struct slirp_forward; never NULL
 */
struct network {
	char name[IFNAMSIZ];
	enum network_mode mode;
	char bridge[IFNAMSIZ];
	unsigned int mtu;
	bool host_loopback;
	GArray *forwards;
};

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
void network_config_free(struct network_config *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(network_config, network_config_free)

#endif
