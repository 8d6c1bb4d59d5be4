/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * placement.c - turn a requested name into a bridge, or a refusal.
 *
 * DESIGN.md section 3: a name that is a [network NAME] of tapwarden.conf is
 * served as that network says, to the users it allows (access.c) and within
 * its max-per-user; any other name is a bridge name checked against
 * qemu-bridge-helper's bridge.conf (default deny), read with the caller's
 * rights: a caller who may not read bridge.conf gets no bridge from it,
 * and its includes count for a caller only if the caller could read them. Only a network sets a VLAN:
 * a plain bridge name never gets one. A broken tapwarden.conf
 * refuses every request: a network must never be served from half a
 * configuration.
 *
 * policy_decide() is the one decision, used by the broker (configuration
 * loaded once, reloaded on SIGHUP) and by policy_place(), the helper's
 * direct mode, which loads the configuration for its single request.
 */
#include "placement.h"

#include "bridge_acl.h"
#include "error.h"
#include "ifname.h"
#include "vlan.h"

#include <string.h>

/**
 * decide_bridge_acl() - @name is no network: ask bridge.conf
 * @q:		the query
 * @name:	bridge name
 * @rule:	set to the deciding rule when allowed
 * @error:	set with the reason when refused
 *
 * Return: true when allowed.
 */
static bool decide_bridge_acl(const struct policy_query *q, const char *name,
			      char **rule, GError **error)
{
	g_autoptr(bridge_acl) acl = NULL;
	g_autofree char *why = NULL;
	g_autofree char *acl_shown = g_strescape(q->acl, NULL);
	struct fs_identity as = {
		.uid = q->caller->uid, .gid = q->caller->gid,
		.groups = q->caller->groups, .ngroups = q->caller->ngroups,
	};
	GError *local = NULL;

	acl = bridge_acl_load_as(q->acl, q->includes_as_caller ? &as : NULL,
				 &local);
	if (!acl) {
		if (g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND)) {
			g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
				    "%s is not a network, and there is no %s to allow it as a bridge",
				    name, acl_shown);
			g_error_free(local);
		} else if (g_error_matches(local, TW_ERROR, TW_ERROR_DENIED)) {
			/* its permissions are policy: qemu-bridge-helper
			 * refused such a caller too */
			g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
				    "%s is not a network, and uid %u may not read %s, which would allow it as a bridge",
				    name, (unsigned int)q->caller->uid, acl_shown);
			g_error_free(local);
		} else {
			g_propagate_error(error, local);
		}
		return false;
	}
	if (!bridge_acl_decide(acl, name, &why)) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "bridge %s is not allowed by %s (%s)", name,
			    acl_shown, why);
		return false;
	}
	if (rule)
		*rule = g_steal_pointer(&why);
	return true;
}

/**
 * bridge_is_no_networks() - refuse a plain bridge name a network owns
 * @cfg:	the networks
 * @name:	a bridge name asked for
 * @error:	set when @name is a network's bridge or a per-VLAN bridge
 *
 * A network's rules (allow-users, max-per-user, its VLAN) would mean
 * nothing if its bridge could be asked for by name under bridge.conf, and
 * tapwarden's per-VLAN bridges exist only for their networks. Root, whom
 * no network restricts, is not asked this.
 *
 * Return: true when @name is nobody's network bridge.
 */
static bool bridge_is_no_networks(const struct network_config *cfg,
				  const char *name, GError **error)
{
	const struct network *net = network_config_find_bridge(cfg, name);

	if (net) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "bridge %s belongs to network %s: ask for the network (br=%s)",
			    name, net->name, net->name);
		return false;
	}
	if (g_str_has_prefix(name, VLAN_BRIDGE_PREFIX)) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "%s is a per-VLAN bridge of tapwarden: ask for its network",
			    name);
		return false;
	}
	return true;
}

/**
 * policy_decide() - decide the bridge for @name
 * @q:		configuration, caller and lease count
 * @name:	what the caller asked for (--br=NAME)
 * @out:	filled in when allowed
 * @rule:	if not NULL, set to the rule that allowed it
 * @error:	set with the reason when refused (TW_ERROR_DENIED)
 *
 * Return: true when the request is allowed.
 */
bool policy_decide(const struct policy_query *q, const char *name,
		   struct placement *out, char **rule, GError **error)
{
	g_autofree char *why = NULL, *over = NULL;
	const struct network *net;

	if (!ifname_check(name, error))
		return false;
	*out = (struct placement){ 0 };	/* no VLAN unless the network has one */
	g_strlcpy(out->network, name, sizeof(out->network));
	net = network_config_find(q->cfg, name);
	if (!net && q->caller->uid != 0 &&
	    !bridge_is_no_networks(q->cfg, name, error))
		return false;
	if (!net) {
		if (!decide_bridge_acl(q, name, rule, error))
			return false;
		g_strlcpy(out->bridge, name, sizeof(out->bridge));
		return true;
	}
	if (!access_network_allows(net, q->caller, &why)) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED, "%s", why);
		return false;
	}
	if (!access_quota_allows(net, q->caller,
				 q->count(q->count_data, q->caller->uid,
					  net->name), &over)) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED, "%s", over);
		return false;
	}
	g_strlcpy(out->bridge, net->bridge, sizeof(out->bridge));
	out->vlan = net->vlan;
	out->nat = net->mode == NETWORK_MODE_NAT;
	g_strlcpy(out->vlan_uplink, net->vlan_uplink, sizeof(out->vlan_uplink));
	out->limits = net->limits;
	if (rule)
		*rule = g_steal_pointer(&why);
	return true;
}

/**
 * policy_place() - load the configuration and decide, for one request
 * @paths:	configuration files
 * @c:		the caller
 * @count:	lease counter for max-per-user
 * @count_data:	passed to @count
 * @name:	what the caller asked for
 * @out:	filled in when allowed
 * @error:	set with the reason when refused or on bad configuration
 *
 * Return: true when the request is allowed.
 */
bool policy_place(const struct policy_paths *paths, const struct caller *c,
		  lease_counter_fn count, void *count_data, const char *name,
		  struct placement *out, GError **error)
{
	g_autoptr(network_config) cfg = NULL;
	struct policy_query q = {
		.acl = paths->acl, .caller = c, .includes_as_caller = true,
		.count = count, .count_data = count_data,
	};

	if (!ifname_check(name, error))
		return false;
	cfg = network_config_load(paths->config, paths->config_explicit,
				  error);
	if (!cfg)
		return false;
	q.cfg = cfg;
	return policy_decide(&q, name, out, NULL, error);
}
