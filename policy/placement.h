/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * placement.h - decide where a requested tap goes, and whether it may.
 */
#ifndef TAPWARDEN_POLICY_PLACEMENT_H
#define TAPWARDEN_POLICY_PLACEMENT_H

#include <stdbool.h>
#include <net/if.h>
#include <glib.h>

#include "access.h"
#include "network_config.h"

/**
 * struct policy_paths - where the configuration is
 * @config:		tapwarden.conf
 * @config_explicit:	given on the command line: it must exist
 * @acl:		qemu-bridge-helper's bridge.conf
 */
struct policy_paths {
	const char *config;
	bool config_explicit;
	const char *acl;
};

/**
 * struct placement - what policy decided for one request
 * @network:	the name asked for (a network, or a bridge under bridge.conf)
 * @bridge:	the bridge the tap joins ("" with a per-VLAN bridge only)
 * @vlan:	the network's VLAN (1-4094), 0 for none; never the caller's
 * @vlan_uplink: the network's vlan-uplink, or ""
 * @nat:	the network is mode=nat: only the broker can serve it
 * @limits:	the network's rate limits, lowered by the caller's options
 *		(rate_narrow()); rate 0: none
 */
struct placement {
	char network[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	unsigned int vlan;
	char vlan_uplink[IFNAMSIZ];
	bool nat;
	struct qos_limits limits;
};

/* live taps of @uid on @network, for max-per-user */
typedef unsigned int (*lease_counter_fn)(void *data, uid_t uid,
					 const char *network);

/**
 * struct policy_query - everything one decision looks at
 * @cfg:		the networks (tapwarden.conf)
 * @acl:		bridge.conf path, for names that are no network
 * @caller:		who asks
 * @includes_as_caller:	read bridge.conf and its includes with @caller's
 *			rights (qemu-bridge-helper's meaning: their
 *			permissions are policy)
 * @count:		counts live leases, for max-per-user
 * @count_data:		passed to @count
 */
struct policy_query {
	const struct network_config *cfg;
	const char *acl;
	const struct caller *caller;
	bool includes_as_caller;
	lease_counter_fn count;
	void *count_data;
};

bool policy_decide(const struct policy_query *q, const char *name,
		   struct placement *out, char **rule, GError **error);
bool policy_place(const struct policy_paths *paths, const struct caller *c,
		  lease_counter_fn count, void *count_data, const char *name,
		  struct placement *out, GError **error);

#endif
