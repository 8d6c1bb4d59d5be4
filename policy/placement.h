/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * placement.h - decide where a requested tap goes, and whether it may.
 */
#ifndef TAPWARDEN_POLICY_PLACEMENT_H
#define TAPWARDEN_POLICY_PLACEMENT_H

#include <stdbool.h>
#include <net/if.h>
#include <glib.h>

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
 */
struct placement {
	char network[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	unsigned int vlan;
	char vlan_uplink[IFNAMSIZ];
};

bool policy_place(const struct policy_paths *paths, const char *name,
		  struct placement *out, GError **error);

#endif
