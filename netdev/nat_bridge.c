/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat_bridge.c - the bridge of a NAT network, its gateway address, and
 * IPv4 forwarding.
 *
 * nat_bridge_ensure() makes what the network's first tap needs and leaves
 * alone what is already right: the bridge is created if it does not exist
 * (with a fixed MAC, so that the gateway's MAC does not change as taps come
 * and go, and no host IPv6, netdev/link_ipv6.c), gets the gateway address
 * unless it has it, and comes up. An existing link of that name that is no
 * bridge is refused. It reports whether it created the bridge, so that a
 * caller that fails later can take it away again (nat_bridge_remove()).
 * IPv4 forwarding is a sysctl: no netlink message sets it.
 */
#include "nat_bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>

#include "error.h"
#include "link_ipv6.h"

/**
 * struct addr_search - looking for one address on one link
 * @ifindex:	the link
 * @addr:	the address, network byte order
 * @prefix:	its prefix length
 * @found:	set when seen
 */
struct addr_search {
	int ifindex;
	uint32_t addr;
	unsigned int prefix;
	bool found;
};

/**
 * on_addr() - one RTM_NEWADDR of the dump
 * @msg:	the message
 * @arg:	struct addr_search
 *
 * Return: NL_OK.
 */
static int on_addr(struct nl_msg *msg, void *arg)
{
	struct addr_search *s = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct ifaddrmsg *ifa = nlmsg_data(hdr);
	struct nlattr *attr;
	int rem;

	if (hdr->nlmsg_type != RTM_NEWADDR ||
	    hdr->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    ifa->ifa_family != AF_INET || (int)ifa->ifa_index != s->ifindex ||
	    ifa->ifa_prefixlen != s->prefix)
		return NL_OK;
	nlmsg_for_each_attr(attr, hdr, sizeof(*ifa), rem) {
		if (nla_type(attr) == IFA_LOCAL && nla_len(attr) == 4 &&
		    nla_get_u32(attr) == s->addr)
			s->found = true;
	}
	return NL_OK;
}

/**
 * has_address() - does link @ifindex carry @addr/@prefix
 * @nl:		netlink socket
 * @ifindex:	the link
 * @addr:	address, host byte order
 * @prefix:	prefix length
 * @found:	set to the answer
 * @error:	set when the kernel cannot be asked
 *
 * Return: true on success.
 */
static bool has_address(struct netlink *nl, int ifindex, uint32_t addr,
			unsigned int prefix, bool *found, GError **error)
{
	struct addr_search s = { ifindex, htonl(addr), prefix, false };
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
	bool ok;

	if (!msg || nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	ok = netlink_request(nl, msg, on_addr, &s, "list addresses", error);
	nlmsg_free(msg);
	*found = s.found;
	return ok;
}

/**
 * add_address() - give link @ifindex the address @addr/@prefix
 * @nl:		netlink socket
 * @ifindex:	the link
 * @name:	its name, for the message
 * @addr:	address, host byte order
 * @prefix:	prefix length
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
static bool add_address(struct netlink *nl, int ifindex, const char *name,
			uint32_t addr, unsigned int prefix, GError **error)
{
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = NULL;
	struct nl_msg *msg = NULL;
	uint32_t be = htonl(addr);
	g_autofree char *what = g_strdup_printf("give %s its gateway address",
						name);
	bool ok = false;
	int rc;

	if (!a || !(local = nl_addr_build(AF_INET, &be, 4))) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		goto out;
	}
	nl_addr_set_prefixlen(local, (int)prefix);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, AF_INET);
	rc = rtnl_addr_set_local(a, local);
	if (rc >= 0)
		rc = rtnl_addr_build_add_request(a, NLM_F_CREATE | NLM_F_REPLACE,
						 &msg);
	if (rc < 0) {
		netlink_set_error(error, TW_ERROR_FAILED, NULL, rc, "cannot %s",
				  what);
		goto out;
	}
	ok = netlink_request(nl, msg, NULL, NULL, what, error);
out:
	nlmsg_free(msg);
	nl_addr_put(local);
	rtnl_addr_put(a);
	return ok;
}

/**
 * create_bridge() - a new bridge @name, down, with a fixed MAC and no IPv6
 * @nl:		netlink socket
 * @name:	its name
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool create_bridge(struct netlink *nl, const char *name, GError **error)
{
	g_autoptr(rtnl_link) link = rtnl_link_alloc();
	struct nl_addr *mac;
	uint8_t bytes[6] = { 0x52, 0x54, 0x00 };
	uint32_t r = 0;

	if (!link) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	/* getrandom(), not g_random_int(): GLib's first use opens
	 * /dev/urandom, which the confined broker may not (policy/confine.c) */
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)getpid() ^ (uint32_t)time(NULL);
	/* QEMU's and libvirt's prefix; set, so the bridge keeps it */
	bytes[3] = (uint8_t)r;
	bytes[4] = (uint8_t)(r >> 8);
	bytes[5] = (uint8_t)(r >> 16);
	mac = nl_addr_build(AF_LLC, bytes, sizeof(bytes));
	if (!mac || rtnl_link_set_type(link, "bridge") < 0) {
		nl_addr_put(mac);
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	rtnl_link_set_name(link, name);
	rtnl_link_set_addr(link, mac);
	nl_addr_put(mac);
	if (!netlink_add_link(nl, link, error))
		return false;
	if (!link_disable_ipv6(nl, name, error)) {
		netlink_delete_link(nl, name, NULL);
		return false;
	}
	return true;
}

/**
 * nat_bridge_ensure() - the bridge exists, is up and has the gateway address
 * @nl:		netlink socket
 * @name:	the bridge
 * @gateway:	its address, host byte order
 * @prefix:	the subnet's prefix length
 * @created:	set to true when this call created the bridge
 * @error:	set on failure; a bridge this call created is removed again
 *
 * Return: true on success.
 */
bool nat_bridge_ensure(struct netlink *nl, const char *name, uint32_t gateway,
		       unsigned int prefix, bool *created, GError **error)
{
	g_autoptr(rtnl_link) link = NULL;
	g_autoptr(rtnl_link) changes = NULL;
	GError *local = NULL;
	bool found = false;

	*created = false;
	link = netlink_get_link(nl, name, &local);
	if (!link && !g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND)) {
		g_propagate_error(error, local);
		return false;
	}
	g_clear_error(&local);
	if (!link) {
		if (!create_bridge(nl, name, error))
			return false;
		*created = true;
		link = netlink_get_link(nl, name, error);
		if (!link)
			goto fail;
	} else if (!rtnl_link_is_bridge(link) ||
		   strcmp(rtnl_link_get_name(link), name)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "%s exists and is not a bridge", name);
		return false;
	}
	if (!has_address(nl, rtnl_link_get_ifindex(link), gateway, prefix,
			 &found, error) ||
	    (!found && !add_address(nl, rtnl_link_get_ifindex(link), name,
				    gateway, prefix, error)))
		goto fail;
	if (!(rtnl_link_get_flags(link) & IFF_UP)) {
		changes = rtnl_link_alloc();
		if (!changes) {
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "out of memory");
			goto fail;
		}
		rtnl_link_set_flags(changes, IFF_UP);
		if (!netlink_change_link(nl, link, changes, error))
			goto fail;
	}
	return true;
fail:
	if (*created)
		netlink_delete_link(nl, name, NULL);
	*created = false;
	return false;
}

/**
 * nat_bridge_remove() - remove a bridge nat_bridge_ensure() created
 * @nl:		netlink socket
 * @name:	the bridge
 */
void nat_bridge_remove(struct netlink *nl, const char *name)
{
	netlink_delete_link(nl, name, NULL);
}

/**
 * nat_ipv4_forwarding_enable() - net.ipv4.ip_forward = 1
 * @error:	set when it cannot be written
 *
 * Return: true when forwarding is on.
 */
bool nat_ipv4_forwarding_enable(GError **error)
{
	const char *path = "/proc/sys/net/ipv4/ip_forward";
	char now = '0';
	int fd = open(path, O_RDWR | O_CLOEXEC), err;

	if (fd >= 0 && read(fd, &now, 1) == 1 && now == '1') {
		close(fd);
		return true;
	}
	if (fd >= 0 && pwrite(fd, "1", 1, 0) == 1) {
		close(fd);
		return true;
	}
	err = errno;
	if (fd >= 0)
		close(fd);
	g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
		    "cannot switch IPv4 forwarding on (%s): %s", path,
		    g_strerror(err));
	return false;
}
