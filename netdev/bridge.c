/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge.c - look up a Linux bridge and make a tap one of its ports.
 *
 * tap_attach_to_bridge() does in one RTM_NEWLINK request what
 * qemu-bridge-helper does in four ioctls: the tap gets a random MAC with
 * first octet 0xFE (a bridge takes the lowest port MAC as its own; 0xFE is
 * never the lowest), its MTU becomes the bridge's, its alias records the
 * lease, it joins the bridge and comes up. The request names the tap, so
 * no request reads it first. The kernel applies the address and MTU
 * before the master, so the bridge never sees the tap's old address.
 *
 * A bridge has at most BRIDGE_MAX_PORTS ports; the kernel refuses one more
 * with EXFULL ("Exchange full", and no extack), so tap_join_bridge() then
 * counts the bridge's ports (bridge_count_ports(): a dump of the links
 * whose master it is) and says the bridge is full. Nothing is counted on
 * the way to success: a request costs the same on a bridge of 10 ports as
 * on one of 1000.
 */
#include "bridge.h"

#include <errno.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/route/link/bridge.h>

#include "error.h"
#include "link_ipv6.h"
#include "tap.h"

/**
 * bridge_lookup() - find a bridge by name
 * @nl:		netlink socket
 * @name:	the bridge's interface name
 * @br:		filled in on success
 * @error:	set on failure: no such interface, or not a bridge
 *
 * Return: true on success.
 */
bool bridge_lookup(struct netlink *nl, const char *name, struct bridge *br,
		   GError **error)
{
	g_autoptr(rtnl_link) link = NULL;
	GError *local = NULL;

	link = netlink_get_link(nl, name, &local);
	if (!link) {
		if (g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND)) {
			g_clear_error(&local);
			g_set_error(error, TW_ERROR, TW_ERROR_NOT_FOUND,
				    "bridge %s does not exist", name);
		} else {
			g_propagate_error(error, local);
		}
		return false;
	}
	/* the kernel also finds a link by an alternative name; the ACL saw
	 * @name, so only the link's own name may pass (CVE-2019-13164 class) */
	if (strcmp(rtnl_link_get_name(link), name)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "%s is an alternative name of %s: use its own name",
			    name, rtnl_link_get_name(link));
		return false;
	}
	if (!rtnl_link_is_bridge(link)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "%s is not a bridge", name);
		return false;
	}
	g_strlcpy(br->name, name, sizeof(br->name));
	br->ifindex = rtnl_link_get_ifindex(link);
	br->mtu = rtnl_link_get_mtu(link);
	return true;
}

/**
 * struct port_count - bridge_count_ports()'s tally
 * @master:	the bridge's interface index
 * @ports:	links seen whose master it is
 */
struct port_count {
	int master;
	unsigned int ports;
};

/**
 * count_port() - netlink_request() callback: count a link of the bridge
 * @msg:	one RTM_NEWLINK of the dump
 * @arg:	struct port_count
 *
 * The kernel filters the dump by master (IFLA_MASTER in the request) since
 * Linux 4.14; each link's IFLA_MASTER is checked anyway, for older ones.
 *
 * Return: NL_OK.
 */
static int count_port(struct nl_msg *msg, void *arg)
{
	struct port_count *count = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct nlattr *master;

	if (hdr->nlmsg_type != RTM_NEWLINK ||
	    !nlmsg_valid_hdr(hdr, sizeof(struct ifinfomsg)))
		return NL_OK;
	master = nlmsg_find_attr(hdr, sizeof(struct ifinfomsg), IFLA_MASTER);
	if (master && nla_len(master) >= (int)sizeof(uint32_t) &&
	    nla_get_u32(master) == (uint32_t)count->master)
		count->ports++;
	return NL_OK;
}

/**
 * bridge_count_ports() - how many ports a bridge has now
 * @nl:		netlink socket
 * @br:		the bridge, from bridge_lookup()
 * @ports:	set to the count on success
 * @error:	set on failure, with the kernel's reason
 *
 * One dump of the bridge's ports (without statistics): a cost that grows
 * with them, for error paths and tools, not for every request.
 *
 * Return: true on success.
 */
bool bridge_count_ports(struct netlink *nl, const struct bridge *br,
			unsigned int *ports, GError **error)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct port_count count = { .master = br->ifindex };
	g_autofree char *what = g_strdup_printf("list the ports of bridge %s",
						br->name);
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	bool ok;

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_MASTER, (uint32_t)br->ifindex) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	ok = netlink_request(nl, msg, count_port, &count, what, error);
	nlmsg_free(msg);
	if (ok)
		*ports = count.ports;
	return ok;
}

/**
 * join_refused() - the error for a tap the kernel would not make a port
 * @nl:		netlink socket the refusal came on
 * @tap_name:	the tap
 * @br:		the bridge
 * @refusal:	the error netlink_change_link() gave (taken over)
 * @error:	set to @refusal, or to "bridge BR has N ports, the kernel's
 *		limit" when that is why
 *
 * Return: false.
 */
static bool join_refused(struct netlink *nl, const char *tap_name,
			 const struct bridge *br, GError *refusal,
			 GError **error)
{
	unsigned int ports = 0;

	if (netlink_kernel_errno(nl) == EXFULL &&
	    bridge_count_ports(nl, br, &ports, NULL) &&
	    ports >= BRIDGE_MAX_PORTS) {
		g_error_free(refusal);
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot add %s to %s: bridge %s has %u ports, the kernel's limit",
			    tap_name, br->name, br->name, ports);
		return false;
	}
	g_propagate_error(error, refusal);
	return false;
}


/**
 * tap_join_bridge() - configure a new tap and make it a bridge port
 * @nl:		netlink socket
 * @tap_name:	the tap's interface name
 * @br:		the bridge, from bridge_lookup()
 * @alias:	interface alias to record (the lease)
 * @up:		bring it up in the same request; false leaves it down, for a
 *		caller that must set up the port (its VLANs) before any frame
 *		can pass
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
bool tap_join_bridge(struct netlink *nl, const char *tap_name,
		     const struct bridge *br, const char *alias, bool up,
		     GError **error)
{
	g_autoptr(rtnl_link) by_name = rtnl_link_alloc();
	g_autoptr(rtnl_link) changes = rtnl_link_alloc();
	struct nl_addr *mac_addr;
	GError *refusal = NULL;
	unsigned char mac[6];

	if (!by_name || !changes) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	if (!tap_random_mac(mac, error))
		return false;
	mac_addr = nl_addr_build(AF_LLC, mac, sizeof(mac));
	if (!mac_addr) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	/* @by_name has no index: the request names the tap (IFLA_IFNAME) and
	 * the kernel finds it by that name, so nothing reads the tap first */
	rtnl_link_set_name(changes, tap_name);
	rtnl_link_set_addr(changes, mac_addr);	/* takes its own reference */
	nl_addr_put(mac_addr);
	rtnl_link_set_mtu(changes, br->mtu);
	rtnl_link_set_ifalias(changes, alias);
	rtnl_link_set_master(changes, br->ifindex);
	if (up)
		rtnl_link_set_flags(changes, IFF_UP);
	if (!link_disable_ipv6(nl, tap_name, error))
		return false;
	if (!netlink_change_link(nl, by_name, changes, &refusal))
		return join_refused(nl, tap_name, br, refusal, error);
	return true;
}

/**
 * tap_attach_to_bridge() - configure a new tap, make it a bridge port, up
 * @nl:		netlink socket
 * @tap_name:	the tap's interface name
 * @br:		the bridge, from bridge_lookup()
 * @alias:	interface alias to record (the lease)
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
bool tap_attach_to_bridge(struct netlink *nl, const char *tap_name,
			  const struct bridge *br, const char *alias,
			  GError **error)
{
	return tap_join_bridge(nl, tap_name, br, alias, true, error);
}
