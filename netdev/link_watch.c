/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link_watch.c - find the kernel's leases: a scan, and a watch of changes.
 *
 * DESIGN.md section 4: the kernel is the truth. lease_scan() dumps every
 * link (RTM_GETLINK) and keeps the taps whose alias is a lease; the broker
 * builds its view from it at start and whenever it may have missed events.
 * A link_watch is a non-blocking route netlink socket subscribed to
 * RTNLGRP_LINK; link_watch_dispatch() reads what is pending and reports
 * leases that appear or change and interfaces that go. When the kernel had
 * to drop notifications (ENOBUFS), it says so (@overrun) and the receiver
 * scans again.
 */
#include "link_watch.h"

#include <errno.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "error.h"

/* Receive buffer of the watch: room for a burst of ~1000 taps' events */
#define LINK_WATCH_RCVBUF (4u << 20)

/**
 * lease_of_link() - the lease a link carries, if any
 * @link:	a link object
 * @lease:	filled in
 *
 * Return: true when @link's alias is a lease.
 */
static bool lease_of_link(struct rtnl_link *link, struct lease *lease)
{
	const char *name = rtnl_link_get_name(link);
	int master = rtnl_link_get_master(link);

	memset(lease, 0, sizeof(*lease));
	if (!name || !lease_alias_parse(rtnl_link_get_ifalias(link), lease))
		return false;
	g_strlcpy(lease->ifname, name, sizeof(lease->ifname));
	lease->ifindex = rtnl_link_get_ifindex(link);
	if (master <= 0 || !if_indextoname((unsigned int)master, lease->bridge))
		lease->bridge[0] = '\0';
	return true;
}

/**
 * lease_scan() - every lease the kernel holds now
 * @error:	set on failure
 *
 * Return: a new array of struct lease, or NULL with @error set.
 */
GArray *lease_scan(GError **error)
{
	struct nl_sock *sock = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	GArray *leases;
	int err;

	if (!sock) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot allocate a netlink socket");
		return NULL;
	}
	err = nl_connect(sock, NETLINK_ROUTE);
	if (!err)
		err = rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache);
	if (err) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot list network interfaces: %s",
			    nl_geterror(err));
		nl_socket_free(sock);
		return NULL;
	}
	leases = g_array_new(FALSE, FALSE, sizeof(struct lease));
	for (struct nl_object *obj = nl_cache_get_first(cache); obj;
	     obj = nl_cache_get_next(obj)) {
		struct lease lease;

		if (lease_of_link((struct rtnl_link *)obj, &lease))
			g_array_append_val(leases, lease);
	}
	nl_cache_free(cache);
	nl_socket_free(sock);
	return leases;
}

/**
 * struct link_watch - a subscription to link events
 * @sock:	netlink socket in RTNLGRP_LINK
 * @ops:	receiver
 */
struct link_watch {
	struct nl_sock *sock;
	struct link_watch_ops ops;
};

/**
 * watch_object() - one parsed link event
 * @obj:	the link
 * @arg:	the watch
 */
static void watch_object(struct nl_object *obj, void *arg)
{
	struct link_watch *lw = arg;
	struct rtnl_link *link = (struct rtnl_link *)obj;
	struct lease lease;

	if (nl_object_get_msgtype(obj) == RTM_DELLINK) {
		lw->ops.gone(rtnl_link_get_ifindex(link), lw->ops.data);
		return;
	}
	if (lease_of_link(link, &lease))
		lw->ops.lease(&lease, lw->ops.data);
}

/**
 * watch_message() - libnl's callback for each received message
 * @msg:	the message
 * @arg:	the watch
 *
 * Return: NL_OK.
 */
static int watch_message(struct nl_msg *msg, void *arg)
{
	int type = nlmsg_hdr(msg)->nlmsg_type;

	if (type == RTM_NEWLINK || type == RTM_DELLINK)
		nl_msg_parse(msg, watch_object, arg);
	return NL_OK;
}

/**
 * link_watch_new() - subscribe to link events
 * @ops:	receiver (copied)
 * @error:	set on failure
 *
 * Return: the watch, or NULL with @error set.
 */
struct link_watch *link_watch_new(const struct link_watch_ops *ops,
				  GError **error)
{
	struct link_watch *lw = g_new0(struct link_watch, 1);
	int err;

	lw->ops = *ops;
	lw->sock = nl_socket_alloc();
	if (!lw->sock) {
		g_free(lw);
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot allocate a netlink socket");
		return NULL;
	}
	nl_socket_disable_seq_check(lw->sock);
	nl_socket_modify_cb(lw->sock, NL_CB_VALID, NL_CB_CUSTOM, watch_message,
			    lw);
	err = nl_connect(lw->sock, NETLINK_ROUTE);
	if (!err)
		err = nl_socket_add_membership(lw->sock, RTNLGRP_LINK);
	if (!err)
		err = nl_socket_set_nonblocking(lw->sock);
	if (!err)
		err = nl_socket_set_buffer_size(lw->sock, LINK_WATCH_RCVBUF, 0);
	if (err) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot watch network interfaces: %s",
			    nl_geterror(err));
		link_watch_free(lw);
		return NULL;
	}
	return lw;
}

/**
 * link_watch_fd() - the descriptor to poll for readability
 * @lw:		watch
 *
 * Return: the socket's descriptor.
 */
int link_watch_fd(const struct link_watch *lw)
{
	return nl_socket_get_fd(lw->sock);
}

/**
 * link_watch_dispatch() - report every pending event, without blocking
 * @lw:		watch
 * @overrun:	set to true when events were lost: scan again
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool link_watch_dispatch(struct link_watch *lw, bool *overrun,
			 GError **error)
{
	*overrun = false;
	for (;;) {
		int err = nl_recvmsgs_default(lw->sock);

		if (err >= 0)
			continue;
		if (err == -NLE_AGAIN)
			return true;
		if (err == -NLE_NOMEM || err == -NLE_DUMP_INTR ||
		    (err == -NLE_FAILURE && errno == ENOBUFS)) {
			*overrun = true;
			continue;
		}
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "reading link events: %s", nl_geterror(err));
		return false;
	}
}

/**
 * link_watch_free() - unsubscribe
 * @lw:		watch, or NULL
 */
void link_watch_free(struct link_watch *lw)
{
	if (!lw)
		return;
	nl_socket_free(lw->sock);
	g_free(lw);
}
