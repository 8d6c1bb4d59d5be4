/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link_watch.c - find the kernel's leases: a scan, and a watch of removals.
 *
 * DESIGN.md section 4: the kernel is the truth. lease_scan() dumps every
 * link (RTM_GETLINK) and keeps the taps whose alias is a lease; the broker
 * builds its view from it at start, for `tapwarden list`, and whenever it
 * may have missed events.
 *
 * A link_watch is a non-blocking route netlink socket subscribed to
 * RTNLGRP_LINK that reports interfaces that go. A bridge notifies every
 * one of its ports (several RTM_NEWLINK each) whenever a port joins it, so
 * with 1000 taps on a bridge one more tap brings thousands of messages; a
 * classic BPF filter on the socket lets the kernel drop all but the
 * RTM_DELLINK of whole interfaces (family AF_UNSPEC) before they are
 * queued, which keeps the broker's cost per request flat. When the kernel
 * had to drop notifications anyway (ENOBUFS), link_watch_dispatch() says
 * so (@overrun) and the receiver scans again.
 */
#include "link_watch.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "error.h"
#include "netlink.h"

/* Receive buffer of the watch: room for a burst of ~1000 taps' events */
#define LINK_WATCH_RCVBUF (4u << 20)

/**
 * lease_of_link() - the lease a link carries, if any
 * @cache:	the link cache @link is from (names the master)
 * @link:	a link object
 * @lease:	filled in
 *
 * Return: true when @link's alias is a lease.
 */
static bool lease_of_link(struct nl_cache *cache, struct rtnl_link *link,
			  struct lease *lease)
{
	const char *name = rtnl_link_get_name(link);
	int master = rtnl_link_get_master(link);

	memset(lease, 0, sizeof(*lease));
	if (!name || !lease_alias_parse(rtnl_link_get_ifalias(link), lease))
		return false;
	g_strlcpy(lease->ifname, name, sizeof(lease->ifname));
	lease->ifindex = rtnl_link_get_ifindex(link);
	if (master <= 0 || !rtnl_link_i2name(cache, master, lease->bridge,
					     sizeof(lease->bridge)))
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
	if (!err) {
		netlink_bound_wait(sock);
		err = rtnl_link_alloc_cache(sock, AF_UNSPEC, &cache);
	}
	if (err) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot list network interfaces: %s",
			    netlink_error_text(err));
		nl_socket_free(sock);
		return NULL;
	}
	leases = g_array_new(FALSE, FALSE, sizeof(struct lease));
	for (struct nl_object *obj = nl_cache_get_first(cache); obj;
	     obj = nl_cache_get_next(obj)) {
		struct lease lease;

		if (lease_of_link(cache, (struct rtnl_link *)obj, &lease))
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
 * watch_message() - libnl's callback for each received message
 * @msg:	a RTM_DELLINK (the socket filter passes nothing else)
 * @arg:	the watch
 *
 * Return: NL_OK.
 */
static int watch_message(struct nl_msg *msg, void *arg)
{
	struct link_watch *lw = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	const struct ifinfomsg *ifi;

	if (hdr->nlmsg_type != RTM_DELLINK ||
	    hdr->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return NL_OK;
	ifi = nlmsg_data(hdr);
	if (ifi->ifi_family == AF_UNSPEC)
		lw->ops.gone(ifi->ifi_index, lw->ops.data);
	return NL_OK;
}

/**
 * only_dellink_filter() - let the kernel queue only whole-link removals
 * @fd:		the watch's socket
 *
 * Classic BPF loads halfwords in network byte order; netlink headers are
 * in host order, hence htons() on the constant.
 *
 * Return: 0, or -1 with errno set.
 */
static int only_dellink_filter(int fd)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
			 offsetof(struct nlmsghdr, nlmsg_type)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htons(RTM_DELLINK), 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS,
			 NLMSG_HDRLEN + offsetof(struct ifinfomsg, ifi_family)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNSPEC, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = G_N_ELEMENTS(code), .filter = code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
			  sizeof(prog));
}

/**
 * link_watch_new() - subscribe to link removals
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
	if (!err && only_dellink_filter(nl_socket_get_fd(lw->sock)) < 0)
		err = -nl_syserr2nlerr(errno);
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
