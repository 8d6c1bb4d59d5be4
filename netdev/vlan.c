/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vlan.c - make a tap an untagged access port of a VLAN.
 *
 * Theory of operation: vlan_attach_tap() is the one entry point; the attach
 * path calls it instead of tap_attach_to_bridge() when the network sets a
 * VLAN. It first looks at the kernel without changing anything and picks
 * one of three layouts (docs/DEVELOPERS.md, "VLANs"):
 *
 * 1. the network's bridge has VLAN filtering (IFLA_BR_VLAN_FILTERING):
 *    attach_filtering() joins the tap to it while down, makes its port
 *    PVID+untagged of the VLAN, removes the bridge's default PVID (VLAN 1)
 *    from it, adds the VLAN tagged to the uplink port when vlan-uplink names
 *    one and it lacks it, and only then brings the tap up, so that no frame
 *    of another VLAN ever reaches it;
 * 2. no filtering, but a vlan-uplink DEV: attach_per_vlan_bridge() makes
 *    (once; later taps reuse them) the 802.1Q device DEV.ID and the bridge
 *    twvID with DEV.ID as its port, and joins the tap to twvID;
 * 3. neither: an error that says which is missing; nothing is changed.
 *
 * Whatever a failing call created itself (the per-VLAN bridge, DEV.ID, the
 * VLAN on the uplink port) is removed again before it returns; the tap is
 * the caller's and goes when its descriptor is closed. What a successful
 * call created stays: it is shared by every tap of the VLAN.
 *
 * libnl-route 3.7 has calls for links and 802.1Q devices, but none for a
 * bridge's attributes or for port VLANs: those messages are built here and
 * sent through netlink_request().
 */
#include "vlan.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/vlan.h>

#include "bridge.h"
#include "error.h"
#include "link_ipv6.h"

/**
 * struct bridge_vlan_state - what the kernel says about a bridge's VLANs
 * @kernel_knows:	the kernel has bridge VLAN filtering at all
 * @filtering:		VLAN filtering is on
 * @default_pvid:	the PVID a new port gets (usually 1), 0 for none
 */
struct bridge_vlan_state {
	bool kernel_knows;
	bool filtering;
	unsigned int default_pvid;
};

/**
 * parse_bridge_vlan_state() - netlink reply callback for bridge_vlan_state()
 * @msg:	an RTM_NEWLINK reply
 * @arg:	struct bridge_vlan_state to fill in
 *
 * Return: NL_OK.
 */
static int parse_bridge_vlan_state(struct nl_msg *msg, void *arg)
{
	struct bridge_vlan_state *state = arg;
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	struct nlattr *br[IFLA_BR_MAX + 1];

	if (nlmsg_parse(nlmsg_hdr(msg), sizeof(struct ifinfomsg), tb, IFLA_MAX,
			NULL) < 0 || !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !info[IFLA_INFO_DATA] ||
	    nla_parse_nested(br, IFLA_BR_MAX, info[IFLA_INFO_DATA], NULL) < 0)
		return NL_OK;
	if (br[IFLA_BR_VLAN_FILTERING])
		state->filtering = nla_get_u8(br[IFLA_BR_VLAN_FILTERING]);
	/* IFLA_BR_VLAN_FILTERING is reported by every kernel; the default
	 * PVID only by one built with CONFIG_BRIDGE_VLAN_FILTERING */
	if (br[IFLA_BR_VLAN_DEFAULT_PVID]) {
		state->kernel_knows = true;
		state->default_pvid = nla_get_u16(br[IFLA_BR_VLAN_DEFAULT_PVID]);
	}
	return NL_OK;
}

/**
 * link_request_new() - an rtnetlink link message for one interface
 * @type:	RTM_GETLINK, RTM_SETLINK, RTM_DELLINK
 * @flags:	extra nlmsg flags (NLM_F_DUMP)
 * @family:	ifi_family: AF_UNSPEC, or AF_BRIDGE for port VLANs
 * @ifindex:	the interface, 0 for a dump
 *
 * Return: the message, or NULL when out of memory.
 */
static struct nl_msg *link_request_new(int type, int flags,
				       unsigned char family, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = family, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/**
 * bridge_vlan_state() - read a bridge's VLAN filtering and default PVID
 * @nl:		netlink socket
 * @br:		the bridge
 * @state:	filled in on success
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool bridge_vlan_state(struct netlink *nl, const struct bridge *br,
			      struct bridge_vlan_state *state, GError **error)
{
	struct nl_msg *msg = link_request_new(RTM_GETLINK, 0, AF_UNSPEC,
					      br->ifindex);
	g_autofree char *what = g_strdup_printf("read bridge %s", br->name);
	bool ok;

	*state = (struct bridge_vlan_state){ 0 };
	if (!msg) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	ok = netlink_request(nl, msg, parse_bridge_vlan_state, state, what,
			     error);
	nlmsg_free(msg);
	return ok;
}

/**
 * port_vlan_change() - add a VLAN to a bridge port, or remove it
 * @nl:		netlink socket
 * @port:	the port's interface name (for the error)
 * @ifindex:	the port's interface index
 * @vid:	VLAN ID
 * @flags:	BRIDGE_VLAN_INFO_PVID / _UNTAGGED when adding; 0 = tagged
 * @add:	true: add (RTM_SETLINK), false: remove (RTM_DELLINK)
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
static bool port_vlan_change(struct netlink *nl, const char *port, int ifindex,
			     unsigned int vid, unsigned int flags, bool add,
			     GError **error)
{
	struct bridge_vlan_info info = { .flags = flags, .vid = vid };
	g_autofree char *what = g_strdup_printf("%s VLAN %u %s port %s",
						add ? "add" : "remove", vid,
						add ? "to" : "from", port);
	struct nl_msg *msg = link_request_new(add ? RTM_SETLINK : RTM_DELLINK,
					      0, AF_BRIDGE, ifindex);
	struct nlattr *spec;
	bool ok;

	if (!msg || !(spec = nla_nest_start(msg, IFLA_AF_SPEC)) ||
	    nla_put(msg, IFLA_BRIDGE_VLAN_INFO, sizeof(info), &info) < 0 ||
	    nla_nest_end(msg, spec) < 0) {
		nlmsg_free(msg);
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	ok = netlink_request(nl, msg, NULL, NULL, what, error);
	nlmsg_free(msg);
	return ok;
}

/**
 * struct port_vlan_query - one VLAN looked for on one port
 * @ifindex:	the port
 * @vid:	the VLAN
 * @found:	set when the port has it
 */
struct port_vlan_query {
	int ifindex;
	unsigned int vid;
	bool found;
};

/**
 * parse_port_vlans() - netlink reply callback for port_has_vlan()
 * @msg:	one AF_BRIDGE RTM_NEWLINK of the dump
 * @arg:	struct port_vlan_query
 *
 * Return: NL_OK.
 */
static int parse_port_vlans(struct nl_msg *msg, void *arg)
{
	struct port_vlan_query *query = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	const struct ifinfomsg *ifi = nlmsg_data(hdr);
	struct nlattr *tb[IFLA_MAX + 1], *attr;
	int rem;

	if (!nlmsg_valid_hdr(hdr, sizeof(*ifi)) ||
	    ifi->ifi_index != query->ifindex ||
	    nlmsg_parse(hdr, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_AF_SPEC])
		return NL_OK;
	nla_for_each_nested(attr, tb[IFLA_AF_SPEC], rem) {
		const struct bridge_vlan_info *info = nla_data(attr);

		if (nla_type(attr) == IFLA_BRIDGE_VLAN_INFO &&
		    nla_len(attr) >= (int)sizeof(*info) &&
		    info->vid == query->vid)
			query->found = true;
	}
	return NL_OK;
}

/**
 * port_has_vlan() - does a bridge port carry a VLAN (in any way)
 * @nl:		netlink socket
 * @port:	the port's interface name (for the error)
 * @ifindex:	the port's interface index
 * @vid:	VLAN ID
 * @has:	the answer
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool port_has_vlan(struct netlink *nl, const char *port, int ifindex,
			  unsigned int vid, bool *has, GError **error)
{
	struct port_vlan_query query = { .ifindex = ifindex, .vid = vid };
	g_autofree char *what = g_strdup_printf("read the VLANs of port %s",
						port);
	struct nl_msg *msg = link_request_new(RTM_GETLINK, NLM_F_DUMP,
					      AF_BRIDGE, 0);
	bool ok;

	if (!msg || nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN) < 0) {
		nlmsg_free(msg);
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	ok = netlink_request(nl, msg, parse_port_vlans, &query, what, error);
	nlmsg_free(msg);
	*has = query.found;
	return ok;
}

/**
 * link_set_up() - bring a link up
 * @nl:		netlink socket
 * @name:	interface name
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool link_set_up(struct netlink *nl, const char *name, GError **error)
{
	g_autoptr(rtnl_link) orig = netlink_get_link(nl, name, error);
	g_autoptr(rtnl_link) changes = NULL;

	if (!orig)
		return false;
	changes = rtnl_link_alloc();
	if (!changes) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	rtnl_link_set_flags(changes, IFF_UP);
	return netlink_change_link(nl, orig, changes, error);
}

/**
 * uplink_lookup() - the vlan-uplink device, which must exist
 * @nl:		netlink socket
 * @name:	its name
 * @error:	set when it does not exist (TW_ERROR_NOT_FOUND) or on failure
 *
 * Return: a reference the caller puts, or NULL with @error set.
 */
static struct rtnl_link *uplink_lookup(struct netlink *nl, const char *name,
				       GError **error)
{
	GError *local = NULL;
	struct rtnl_link *link = netlink_get_link(nl, name, &local);

	if (!link && g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND)) {
		g_clear_error(&local);
		g_set_error(error, TW_ERROR, TW_ERROR_NOT_FOUND,
			    "vlan-uplink %s does not exist", name);
		return NULL;
	}
	if (!link)
		g_propagate_error(error, local);
	return link;
}

/**
 * attach_filtering() - layout 1: an access port of a VLAN-filtering bridge
 * @nl:		netlink socket
 * @tap_name:	the tap
 * @br:		the bridge (VLAN filtering on)
 * @state:	its VLAN state
 * @port:	the network's VLAN and uplink
 * @alias:	the lease
 * @error:	set on failure; the uplink is as it was
 *
 * Return: true on success.
 */
static bool attach_filtering(struct netlink *nl, const char *tap_name,
			     const struct bridge *br,
			     const struct bridge_vlan_state *state,
			     const struct vlan_port *port, const char *alias,
			     GError **error)
{
	g_autoptr(rtnl_link) uplink = NULL;
	g_autoptr(rtnl_link) tap = NULL;
	bool uplink_had_vlan = true;
	GError *local = NULL;
	int uplink_index = 0;

	/* checks first: nothing is changed when they fail */
	if (port->uplink[0]) {
		uplink = uplink_lookup(nl, port->uplink, error);
		if (!uplink)
			return false;
		uplink_index = rtnl_link_get_ifindex(uplink);
		if (rtnl_link_get_master(uplink) != br->ifindex) {
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "vlan-uplink %s is not a port of bridge %s",
				    port->uplink, br->name);
			return false;
		}
		if (!port_has_vlan(nl, port->uplink, uplink_index, port->vlan,
				   &uplink_had_vlan, error))
			return false;
	}

	if (!tap_join_bridge(nl, tap_name, br, alias, false, error))
		return false;
	tap = netlink_get_link(nl, tap_name, error);
	if (!tap)
		return false;
	if (!port_vlan_change(nl, tap_name, rtnl_link_get_ifindex(tap),
			      port->vlan, BRIDGE_VLAN_INFO_PVID |
			      BRIDGE_VLAN_INFO_UNTAGGED, true, error))
		return false;
	if (state->default_pvid && state->default_pvid != port->vlan &&
	    !port_vlan_change(nl, tap_name, rtnl_link_get_ifindex(tap),
			      state->default_pvid, 0, false, error))
		return false;
	if (!uplink_had_vlan &&
	    !port_vlan_change(nl, port->uplink, uplink_index, port->vlan, 0,
			      true, error))
		return false;
	if (link_set_up(nl, tap_name, &local))
		return true;

	g_propagate_error(error, local);
	if (!uplink_had_vlan)	/* best effort: the first error is the one */
		(void)port_vlan_change(nl, port->uplink, uplink_index,
				       port->vlan, 0, false, NULL);
	return false;
}

/**
 * vlan_bridge_alias() - the alias that marks a per-VLAN bridge as tapwarden's
 * @port:	the network's VLAN and uplink
 *
 * Return: a newly allocated string.
 */
static char *vlan_bridge_alias(const struct vlan_port *port)
{
	return g_strdup_printf("tapwarden vlan=%u uplink=%s", port->vlan,
			       port->uplink);
}

/**
 * check_vlan_bridge() - an existing twvID must be tapwarden's for this uplink
 * @link:	the existing link called twvID
 * @port:	the network's VLAN and uplink
 * @error:	set when it is not
 *
 * Return: true when the tap may join it.
 */
static bool check_vlan_bridge(struct rtnl_link *link,
			      const struct vlan_port *port, GError **error)
{
	g_autofree char *alias = vlan_bridge_alias(port);
	const char *found = rtnl_link_get_ifalias(link);
	const char *name = rtnl_link_get_name(link);

	if (!rtnl_link_is_bridge(link) || !found ||
	    !g_str_has_prefix(found, "tapwarden vlan=")) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "%s exists and is not a per-VLAN bridge of tapwarden",
			    name);
		return false;
	}
	if (strcmp(found, alias)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "%s is in use (%s): one per-VLAN bridge per VLAN ID, cannot serve VLAN %u of %s too",
			    name, found, port->vlan, port->uplink);
		return false;
	}
	return true;
}

/**
 * check_vlan_device() - an existing DEV.ID must be VLAN ID of DEV
 * @link:	the existing link called DEV.ID
 * @uplink:	DEV
 * @port:	the network's VLAN and uplink
 * @bridge_index: ifindex of twvID, 0 when it does not exist yet
 * @error:	set when it does not fit
 *
 * Return: true when it can be (or is) twvID's port.
 */
static bool check_vlan_device(struct rtnl_link *link, struct rtnl_link *uplink,
			      const struct vlan_port *port, int bridge_index,
			      GError **error)
{
	const char *name = rtnl_link_get_name(link);
	int master = rtnl_link_get_master(link);

	if (!rtnl_link_is_vlan(link) ||
	    (unsigned int)rtnl_link_vlan_get_id(link) != port->vlan ||
	    rtnl_link_get_link(link) != rtnl_link_get_ifindex(uplink)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "%s exists and is not VLAN %u of %s", name,
			    port->vlan, port->uplink);
		return false;
	}
	if (master && master != bridge_index) {
		char other[IF_NAMESIZE] = "";

		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "%s is a port of %s, not of tapwarden's %s%u", name,
			    if_indextoname((unsigned int)master, other) ?
			    other : "another bridge",
			    VLAN_BRIDGE_PREFIX, port->vlan);
		return false;
	}
	return true;
}

/**
 * create_vlan_bridge() - make the per-VLAN bridge twvID, up, with its alias
 * @nl:		netlink socket
 * @name:	twvID
 * @port:	the network's VLAN and uplink (for the alias)
 * @raced:	set when another process made @name meanwhile; then this
 *		call made nothing and the caller uses that one
 * @error:	set on failure
 *
 * The kernel takes an alias only in a change, not at creation: the bridge
 * is made under a name of this process and renamed to @name, with its alias
 * and up, in one request, so no one ever sees a twvID without its alias,
 * and of two helpers that race, one wins the rename.
 *
 * Return: true on success.
 */
static bool create_vlan_bridge(struct netlink *nl, const char *name,
			       const struct vlan_port *port, bool *raced,
			       GError **error)
{
	g_autofree char *tmp_name = g_strdup_printf(VLAN_BRIDGE_PREFIX "new%d",
						    (int)getpid());
	g_autofree char *alias = vlan_bridge_alias(port);
	g_autoptr(rtnl_link) link = rtnl_link_bridge_alloc();
	g_autoptr(rtnl_link) changes = rtnl_link_alloc();
	g_autoptr(rtnl_link) made = NULL;
	g_autoptr(rtnl_link) winner = NULL;
	GError *local = NULL;

	*raced = false;
	if (!link || !changes) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	rtnl_link_set_name(link, tmp_name);
	if (!netlink_add_link(nl, link, error))
		return false;
	made = netlink_get_link(nl, tmp_name, &local);
	if (made && link_disable_ipv6(nl, tmp_name, &local)) {
		rtnl_link_set_name(changes, name);
		rtnl_link_set_ifalias(changes, alias);
		rtnl_link_set_flags(changes, IFF_UP);
		if (netlink_change_link(nl, made, changes, &local))
			return true;
	}
	(void)netlink_delete_link(nl, tmp_name, NULL);
	winner = netlink_get_link(nl, name, NULL);
	if (winner) {
		*raced = true;
		g_error_free(local);
		return true;
	}
	g_propagate_error(error, local);
	return false;
}

/**
 * create_vlan_device() - make DEV.ID, a port of the per-VLAN bridge, up
 * @nl:		netlink socket
 * @name:	DEV.ID
 * @uplink:	DEV
 * @vid:	ID
 * @bridge_index: the per-VLAN bridge
 * @error:	set on failure; says so when the kernel has no 802.1Q
 *
 * Return: true on success.
 */
static bool create_vlan_device(struct netlink *nl, const char *name,
			       struct rtnl_link *uplink, unsigned int vid,
			       int bridge_index, GError **error)
{
	g_autoptr(rtnl_link) link = rtnl_link_vlan_alloc();
	GError *local = NULL;

	if (!link) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	rtnl_link_set_name(link, name);
	rtnl_link_set_link(link, rtnl_link_get_ifindex(uplink));
	rtnl_link_vlan_set_id(link, (uint16_t)vid);
	rtnl_link_set_master(link, bridge_index);
	if (netlink_add_link(nl, link, &local)) {
		/* up only once it has no IPv6 (no RA from a guest) */
		if (link_disable_ipv6(nl, name, error) &&
		    link_set_up(nl, name, error))
			return true;
		(void)netlink_delete_link(nl, name, NULL);
		return false;
	}
	/* the kernel's words for a missing link kind */
	if (strstr(local->message, "Unknown device type")) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot create %s: this kernel has no 802.1Q VLAN devices (module 8021q)",
			    name);
		g_error_free(local);
	} else {
		g_propagate_error(error, local);
	}
	return false;
}

/**
 * attach_per_vlan_bridge() - layout 2: tap on twvID, with DEV.ID its uplink
 * @nl:		netlink socket
 * @tap_name:	the tap
 * @port:	the network's VLAN and uplink
 * @alias:	the lease
 * @error:	set on failure; what this call created is removed again
 *
 * Return: true on success.
 */
static bool attach_per_vlan_bridge(struct netlink *nl, const char *tap_name,
				   const struct vlan_port *port,
				   const char *alias, GError **error)
{
	g_autofree char *dev_name = g_strdup_printf("%s.%u", port->uplink,
						    port->vlan);
	g_autofree char *br_name = g_strdup_printf(VLAN_BRIDGE_PREFIX "%u",
						   port->vlan);
	g_autoptr(rtnl_link) uplink = NULL;
	g_autoptr(rtnl_link) dev = NULL;
	g_autoptr(rtnl_link) brlink = NULL;
	bool made_bridge = false, made_dev = false;
	struct bridge br;
	GError *local = NULL;

	if (strlen(dev_name) >= IFNAMSIZ) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "vlan-uplink %s is too long for its VLAN device %s (at most %d characters)",
			    port->uplink, dev_name, IFNAMSIZ - 1);
		return false;
	}
	uplink = uplink_lookup(nl, port->uplink, error);
	if (!uplink)
		return false;

	/*
	 * What already exists must be what tapwarden would have made. DEV.ID
	 * is read first: a helper beside this one makes twvID before DEV.ID,
	 * so a DEV.ID seen here has its bridge in the read that follows.
	 */
	dev = netlink_get_link(nl, dev_name, &local);
	if (!dev && !g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND))
		goto fail;
	g_clear_error(&local);
	brlink = netlink_get_link(nl, br_name, &local);
	if (!brlink && !g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND))
		goto fail;
	g_clear_error(&local);
	if (brlink && !check_vlan_bridge(brlink, port, &local))
		goto fail;
	if (dev && !check_vlan_device(dev, uplink, port,
				      brlink ? rtnl_link_get_ifindex(brlink) : 0,
				      &local))
		goto fail;

	if (!brlink) {
		bool raced;

		if (!create_vlan_bridge(nl, br_name, port, &raced, &local))
			goto fail;
		made_bridge = !raced;
		brlink = raced ? netlink_get_link(nl, br_name, &local) : NULL;
		if (raced && (!brlink || !check_vlan_bridge(brlink, port, &local)))
			goto fail;
	}
	if (!bridge_lookup(nl, br_name, &br, &local))
		goto fail;
	if (!dev) {
		made_dev = create_vlan_device(nl, dev_name, uplink, port->vlan,
					      br.ifindex, &local);
		/* another helper may have made it meanwhile: fine if it is ours */
		if (!made_dev &&
		    (!(dev = netlink_get_link(nl, dev_name, NULL)) ||
		     rtnl_link_get_master(dev) != br.ifindex))
			goto fail;
		g_clear_error(&local);
	} else if (!rtnl_link_get_master(dev)) {
		/* left over by a failure between the two steps: re-attach */
		g_autoptr(rtnl_link) changes = rtnl_link_alloc();

		if (!changes) {
			g_set_error(&local, TW_ERROR, TW_ERROR_FAILED,
				    "out of memory");
			goto fail;
		}
		rtnl_link_set_master(changes, br.ifindex);
		rtnl_link_set_flags(changes, IFF_UP);
		if (!netlink_change_link(nl, dev, changes, &local))
			goto fail;
	}
	/* the bridge's MTU follows DEV.ID's now: read it again */
	if (!bridge_lookup(nl, br_name, &br, &local) ||
	    !tap_attach_to_bridge(nl, tap_name, &br, alias, &local))
		goto fail;
	return true;

fail:
	g_propagate_error(error, local);
	/* best effort: the first error is the one to report */
	if (made_dev)
		(void)netlink_delete_link(nl, dev_name, NULL);
	if (made_bridge)
		(void)netlink_delete_link(nl, br_name, NULL);
	return false;
}

/**
 * vlan_attach_tap() - make a new tap an untagged access port of a VLAN
 * @nl:		netlink socket
 * @tap_name:	the tap, not yet on any bridge
 * @port:	the network's bridge, VLAN and uplink
 * @alias:	interface alias to record (the lease)
 * @error:	set on failure, saying which layout is missing; then nothing
 *		this call made is left (the caller closes the tap)
 *
 * Return: true on success: the tap is up, on its VLAN.
 */
bool vlan_attach_tap(struct netlink *nl, const char *tap_name,
		     const struct vlan_port *port, const char *alias,
		     GError **error)
{
	struct bridge_vlan_state state = { 0 };
	struct bridge br;

	if (port->vlan < VLAN_ID_MIN || port->vlan > VLAN_ID_MAX) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "VLAN %u is not a VLAN ID: %d to %d", port->vlan,
			    VLAN_ID_MIN, VLAN_ID_MAX);
		return false;
	}
	if (port->bridge[0]) {
		if (!bridge_lookup(nl, port->bridge, &br, error) ||
		    !bridge_vlan_state(nl, &br, &state, error))
			return false;
		if (state.filtering)
			return attach_filtering(nl, tap_name, &br, &state,
						port, alias, error);
	}
	if (port->uplink[0])
		return attach_per_vlan_bridge(nl, tap_name, port, alias, error);

	if (!port->bridge[0])
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "VLAN %u needs a bridge with VLAN filtering or a vlan-uplink, and neither is set",
			    port->vlan);
	else if (!state.kernel_knows)
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "VLAN %u: this kernel has no bridge VLAN filtering, and no vlan-uplink is set for a per-VLAN bridge",
			    port->vlan);
	else
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "VLAN %u: bridge %s has no VLAN filtering (vlan_filtering 1), and no vlan-uplink is set for a per-VLAN bridge",
			    port->vlan, port->bridge);
	return false;
}

/**
 * vlan_remove_stale_temporaries() - remove per-VLAN bridges left half-made
 * @nl:		netlink socket
 *
 * create_vlan_bridge() makes a bridge named VLAN_BRIDGE_PREFIX "new" PID
 * and renames it; a process killed in between leaves it. At start the
 * broker removes those whose process is gone.
 *
 * Return: how many were removed.
 */
unsigned int vlan_remove_stale_temporaries(struct netlink *nl)
{
	struct nl_sock *sock = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func(g_free);
	unsigned int removed = 0;

	if (!sock || nl_connect(sock, NETLINK_ROUTE)) {
		nl_socket_free(sock);
		return 0;
	}
	netlink_bound_wait(sock);
	if (rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache)) {
		nl_socket_free(sock);
		return 0;
	}
	for (struct nl_object *obj = nl_cache_get_first(cache); obj;
	     obj = nl_cache_get_next(obj)) {
		const char *name = rtnl_link_get_name((struct rtnl_link *)obj);
		const char *kind = rtnl_link_get_type((struct rtnl_link *)obj);
		guint64 pid;

		if (name && kind && !strcmp(kind, "bridge") &&
		    g_str_has_prefix(name, VLAN_BRIDGE_PREFIX "new") &&
		    g_ascii_string_to_unsigned(name + strlen(VLAN_BRIDGE_PREFIX "new"),
					       10, 1, G_MAXINT32, &pid, NULL) &&
		    kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			g_ptr_array_add(stale, g_strdup(name));
	}
	nl_cache_free(cache);
	nl_socket_free(sock);
	for (unsigned int i = 0; i < stale->len; i++)
		removed += netlink_delete_link(nl, g_ptr_array_index(stale, i),
					       NULL);
	return removed;
}
