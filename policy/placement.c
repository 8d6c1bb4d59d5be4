/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * placement.c - turn a requested name into a bridge, or a refusal.
 *
 * DESIGN.md section 3: a name that is a [network NAME] of tapwarden.conf is
 * served as that network says; any other name is a bridge name checked
 * against qemu-bridge-helper's bridge.conf (default deny). Only a network
 * sets a VLAN: a plain bridge name never gets one. A broken
 * tapwarden.conf refuses every request: a network must never be served
 * from half a configuration.
 */
#include "placement.h"

#include "bridge_acl.h"
#include "error.h"
#include "ifname.h"
#include "network_config.h"

/**
 * policy_place() - decide the bridge for @name
 * @paths:	configuration files
 * @name:	what the caller asked for (--br=NAME)
 * @out:	filled in when allowed
 * @error:	set with the reason when refused or on bad configuration
 *
 * Return: true when the request is allowed.
 */
bool policy_place(const struct policy_paths *paths, const char *name,
		  struct placement *out, GError **error)
{
	g_autoptr(network_config) cfg = NULL;
	g_autoptr(bridge_acl) acl = NULL;
	const struct network *net;
	GError *local = NULL;

	if (!ifname_check(name, error))
		return false;
	cfg = network_config_load(paths->config, paths->config_explicit,
				  error);
	if (!cfg)
		return false;

	*out = (struct placement){ 0 };	/* no VLAN unless the network has one */
	g_strlcpy(out->network, name, sizeof(out->network));
	net = network_config_find(cfg, name);
	if (net) {
		g_strlcpy(out->bridge, net->bridge, sizeof(out->bridge));
		out->vlan = net->vlan;
		g_strlcpy(out->vlan_uplink, net->vlan_uplink,
			  sizeof(out->vlan_uplink));
		return true;
	}

	acl = bridge_acl_load(paths->acl, &local);
	if (!acl) {
		if (g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND)) {
			g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
				    "%s is not a network of %s, and there is no %s to allow it as a bridge",
				    name, paths->config, paths->acl);
			g_error_free(local);
		} else {
			g_propagate_error(error, local);
		}
		return false;
	}
	if (!bridge_acl_allows(acl, name)) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "bridge %s is not allowed by %s", name, paths->acl);
		return false;
	}
	g_strlcpy(out->bridge, name, sizeof(out->bridge));
	return true;
}
