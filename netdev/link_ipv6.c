/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link_ipv6.c - no host IPv6 on the links tapwarden brings up.
 *
 * Taps, per-VLAN bridges and VLAN devices carry guests' frames; the host
 * needs no address on them. Left to the kernel's defaults, a link that
 * goes up gets a link-local address and multicast routes (which the kernel
 * inserts in a list that grows with every port: with 1000 taps a large part
 * of each new one's cost) and accepts Router Advertisements: a guest could
 * give the host an address and a default route. disable_ipv6 (a per-link
 * sysctl; no netlink message sets it) switches all of that off.
 *
 * Where /proc/sys is read-only (systemd's ProtectKernelTunables= without a
 * ReadWritePaths= exception) the link at least gets no address of its own
 * (IFLA_INET6_ADDR_GEN_MODE none, by netlink). Either must happen while the
 * link is down.
 */
#include "link_ipv6.h"

#include <errno.h>
#include <linux/if_link.h>
#include <netlink/route/link/inet6.h>

#include "error.h"
#include "link_ipv6_sysctl.h"

/**
 * link_disable_ipv6() - switch IPv6 off on a link that is still down
 * @nl:		netlink socket
 * @name:	the link
 * @error:	set on failure
 *
 * Return: true when IPv6 is off (or the kernel has none), or, with a
 * read-only /proc/sys, when the link will get no IPv6 address.
 */
bool link_disable_ipv6(struct netlink *nl, const char *name, GError **error)
{
	g_autoptr(rtnl_link) orig = NULL;
	g_autoptr(rtnl_link) changes = NULL;
	int err = link_ipv6_sysctl_off(name);

	if (!err)
		return true;
	if (err != EROFS && err != EACCES && err != EPERM) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot switch IPv6 off on %s: %s", name,
			    g_strerror(err));
		return false;
	}
	orig = netlink_get_link(nl, name, error);
	changes = rtnl_link_alloc();
	if (!orig || !changes) {
		if (!orig)
			return false;
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	rtnl_link_inet6_set_addr_gen_mode(changes, IN6_ADDR_GEN_MODE_NONE);
	return netlink_change_link(nl, orig, changes, error);
}
