/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * direct_mode.c - create and configure the tap in the helper itself.
 *
 * DESIGN.md section 1, case 3: when QEMU or libvirt run the helper with
 * CAP_NET_ADMIN (as root), it needs no broker. The order is what keeps
 * failures clean: everything that can be checked without creating anything
 * (the bridge exists and is a bridge) is checked first; the tap is created
 * only then, non-persistent, so that on any later failure closing its
 * descriptor makes the kernel remove it with all its settings. A network
 * with a VLAN goes through vlan_attach_tap() instead of
 * tap_attach_to_bridge(); it removes what it made itself on failure.
 * Rate limits (netdev/qos.c) come last, once the tap has its final MTU and
 * before its descriptor is handed out; on failure qos_apply() removes the
 * IFB it made and closing the tap removes the rest.
 */
#include "direct_mode.h"

#include <string.h>
#include <net/if.h>
#include <unistd.h>

#include "bridge.h"
#include "error.h"
#include "lease.h"
#include "link_watch.h"
#include "netlink.h"
#include "qos.h"
#include "vlan.h"

/**
 * direct_mode_count_leases() - live taps of @uid on @network, from the kernel
 * @data:	unused (a lease_counter_fn)
 * @uid:	user
 * @net_name:	network name
 *
 * Direct mode has no broker to remember leases, so it scans the kernel.
 *
 * Return: the count; G_MAXUINT when the kernel cannot be asked, so that a
 * max-per-user refuses rather than admits.
 */
unsigned int direct_mode_count_leases(void *data, uid_t uid,
				      const char *net_name)
{
	g_autoptr(GArray) leases = lease_scan(NULL);
	unsigned int n = 0;

	if (!leases)
		return G_MAXUINT;
	for (unsigned int i = 0; i < leases->len; i++) {
		const struct lease *l = &g_array_index(leases, struct lease, i);

		n += l->uid == uid && !strcmp(l->network, net_name);
	}
	return n;
}

/**
 * joined_bridge() - the bridge a just-attached tap is a port of
 * @nl:		the netlink socket of the request
 * @tap_name:	the tap
 * @place:	the placement (its bridge is the answer without a VLAN)
 * @out:	set to the name (IFNAMSIZ bytes)
 */
static void joined_bridge(struct netlink *nl, const char *tap_name,
			  const struct placement *place, char *out)
{
	g_autoptr(rtnl_link) link = NULL;
	int master;

	g_strlcpy(out, place->bridge, IFNAMSIZ);
	if (!place->vlan)
		return;
	link = netlink_get_link(nl, tap_name, NULL);
	master = link ? rtnl_link_get_master(link) : 0;
	if (master > 0 && !if_indextoname((unsigned int)master, out))
		g_strlcpy(out, place->bridge, IFNAMSIZ);
}

/**
 * direct_mode_create_tap_named() - a configured tap on the placement's bridge
 * @place:	where policy put the request
 * @use_vnet:	ask for IFF_VNET_HDR
 * @owner:	uid recorded in the lease
 * @caller:	pid recorded in the lease
 * @name_hint:	a name believed free ("tw12"), or NULL to let the kernel
 *		choose; a taken name falls back to the kernel's choice
 * @joined:	if not NULL, set to the bridge the tap joined (a VLAN
 *		network's tap may be on a per-VLAN bridge, not place->bridge)
 * @tap:	filled in on success; the caller owns its fd
 * @error:	set on failure; then nothing is left in the kernel
 *
 * Return: true on success.
 */
bool direct_mode_create_tap_named(const struct placement *place, bool use_vnet,
				  uid_t owner, pid_t caller,
				  const char *name_hint, char *joined,
				  struct tap *tap, GError **error)
{
	g_autoptr(netlink) nl = NULL;
	g_autofree char *alias = NULL;
	struct vlan_port vlan = {
		.bridge = place->bridge,
		.vlan = place->vlan,
		.uplink = place->vlan_uplink,
	};
	GError *taken = NULL;
	struct bridge br;
	bool attached;

	nl = netlink_open(error);
	if (!nl)
		return false;
	if (place->bridge[0] && !bridge_lookup(nl, place->bridge, &br, error))
		return false;
	if (!name_hint || !tap_create_named(use_vnet, name_hint, tap, &taken)) {
		if (taken && !g_error_matches(taken, TW_ERROR, TW_ERROR_EXISTS)) {
			g_propagate_error(error, taken);
			return false;
		}
		g_clear_error(&taken);
		if (!tap_create(use_vnet, tap, error))
			return false;
	}
	alias = lease_alias_format(owner, place->network, caller, place->vlan);
	if (place->vlan)
		attached = vlan_attach_tap(nl, tap->name, &vlan, alias, error);
	else
		attached = tap_attach_to_bridge(nl, tap->name, &br, alias,
						error);
	if (!attached || !qos_apply(nl, tap->name, &place->limits, error)) {
		tap_close(tap);
		return false;
	}
	if (joined)
		joined_bridge(nl, tap->name, place, joined);
	return true;
}

/**
 * direct_mode_remove_orphans() - remove IFBs whose tap is gone
 *
 * With no broker to watch taps go, each direct-mode run sweeps what taps
 * that went before left behind (netdev/qos.c); failures only leave them
 * for the next run.
 */
void direct_mode_remove_orphans(void)
{
	g_autoptr(netlink) nl = netlink_open(NULL);

	if (nl)
		qos_remove_orphans(nl);
}

/**
 * direct_mode_create_tap() - a configured tap, named by the kernel
 * @place:	where policy put the request
 * @use_vnet:	ask for IFF_VNET_HDR
 * @owner:	uid recorded in the lease
 * @caller:	pid recorded in the lease
 * @tap:	filled in on success; the caller owns its fd
 * @error:	set on failure; then nothing is left in the kernel
 *
 * Return: true on success.
 */
bool direct_mode_create_tap(const struct placement *place, bool use_vnet,
			    uid_t owner, pid_t caller, struct tap *tap,
			    GError **error)
{
	return direct_mode_create_tap_named(place, use_vnet, owner, caller,
					    NULL, NULL, tap, error);
}
