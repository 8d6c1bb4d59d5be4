/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link_watch.c - find the kernel's leases: a scan, and a watch of removals.
 *
 * DESIGN.md section 4: the kernel is the truth. lease_scan() dumps every
 * link (RTM_GETLINK, no statistics) and keeps the taps whose alias is a
 * lease, reading the messages as they come rather than into a libnl cache
 * (4000 taps made that cache 8 MB of the broker's heap, which it kept); the
 * broker builds its view from it at start, for `tapwarden list`, and
 * whenever it may have missed events.
 *
 * A link_watch is a non-blocking route netlink socket subscribed to
 * RTNLGRP_LINK that reports interfaces that go. A bridge notifies every
 * one of its ports (several RTM_NEWLINK each) whenever a port joins it, so
 * with 1000 taps on a bridge one more tap brings thousands of messages; a
 * classic BPF filter on the socket lets the kernel drop all but the
 * RTM_DELLINK of whole interfaces (family AF_UNSPEC) before they are
 * queued, which keeps the broker's cost per request flat. When the kernel
 * had to drop notifications anyway (ENOBUFS), link_watch_dispatch() says
 * so (@overrun) and the receiver scans again. Only the kernel's messages
 * count (sender port 0): a process holding CAP_NET_ADMIN may send any
 * netlink port a forged RTM_DELLINK, which would end a live lease.
 */
#include "link_watch.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "error.h"
#include "netlink.h"

/* Receive buffer of the watch: room for a burst of ~1000 taps' events */
#define LINK_WATCH_RCVBUF (4u << 20)

/**
 * struct scan - what lease_scan() gathers from one dump of every link
 * @leases:	struct lease of each tap whose alias is a lease (@bridge not
 *		yet filled)
 * @masters:	the master's interface index of each of @leases (parallel)
 * @bridges:	interface index -> name (g_strdup) of every bridge
 */
struct scan {
	GArray *leases;
	GArray *masters;
	GHashTable *bridges;
};

/**
 * link_kind_is() - does a link's IFLA_LINKINFO say it is of @kind
 * @linkinfo:	the IFLA_LINKINFO attribute, or NULL
 * @kind:	"bridge", "tun"
 *
 * Return: true when it does.
 */
static bool link_kind_is(struct nlattr *linkinfo, const char *kind)
{
	struct nlattr *attr;
	char found[16];

	if (!linkinfo)
		return false;
	attr = nla_find(nla_data(linkinfo), nla_len(linkinfo), IFLA_INFO_KIND);
	if (!attr)
		return false;
	nla_strlcpy(found, attr, sizeof(found));
	return !strcmp(found, kind);
}

/**
 * scan_link() - netlink_request() callback: one link of the dump
 * @msg:	a RTM_NEWLINK
 * @arg:	struct scan
 *
 * Only what a lease needs is read (name, alias, master, and the names of
 * bridges), straight from the message: a libnl cache of every link would
 * hold thousands of objects at once, and the broker's heap would keep
 * that size after a scan.
 *
 * Return: NL_OK.
 */
static int scan_link(struct nl_msg *msg, void *arg)
{
	struct scan *scan = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;
	char alias[IFALIASZ];
	struct lease lease;
	int master = 0;

	if (hdr->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(hdr, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_IFNAME])
		return NL_OK;
	ifi = nlmsg_data(hdr);
	if (link_kind_is(tb[IFLA_LINKINFO], "bridge")) {
		char name[IFNAMSIZ];

		nla_strlcpy(name, tb[IFLA_IFNAME], sizeof(name));
		g_hash_table_insert(scan->bridges,
				    GINT_TO_POINTER(ifi->ifi_index),
				    g_strdup(name));
	}
	if (!tb[IFLA_IFALIAS])
		return NL_OK;
	nla_strlcpy(alias, tb[IFLA_IFALIAS], sizeof(alias));
	memset(&lease, 0, sizeof(lease));
	if (!lease_alias_parse(alias, &lease))
		return NL_OK;
	nla_strlcpy(lease.ifname, tb[IFLA_IFNAME], sizeof(lease.ifname));
	lease.ifindex = ifi->ifi_index;
	if (tb[IFLA_MASTER] && nla_len(tb[IFLA_MASTER]) >= (int)sizeof(uint32_t))
		master = (int)nla_get_u32(tb[IFLA_MASTER]);
	g_array_append_val(scan->leases, lease);
	g_array_append_val(scan->masters, master);
	return NL_OK;
}

/**
 * lease_scan() - every lease the kernel holds now
 * @error:	set on failure
 *
 * One dump of every link, without statistics (RTEXT_FILTER_SKIP_STATS).
 *
 * Return: a new array of struct lease, or NULL with @error set.
 */
GArray *lease_scan(GError **error)
{
	g_autoptr(netlink) nl = netlink_open(error);
	g_autoptr(GHashTable) bridges = g_hash_table_new_full(NULL, NULL, NULL,
							      g_free);
	g_autoptr(GArray) masters = g_array_new(FALSE, FALSE, sizeof(int));
	g_autoptr(GArray) leases = g_array_new(FALSE, FALSE,
					       sizeof(struct lease));
	struct scan scan = {
		.leases = leases, .masters = masters, .bridges = bridges,
	};
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nl_msg *msg;
	bool ok;

	if (!nl)
		return NULL;
	msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return NULL;
	}
	ok = netlink_request(nl, msg, scan_link, &scan,
			     "list network interfaces", error);
	nlmsg_free(msg);
	if (!ok)
		return NULL;
	for (unsigned int i = 0; i < leases->len; i++) {
		struct lease *lease = &g_array_index(leases, struct lease, i);
		const char *bridge = g_hash_table_lookup(bridges,
				GINT_TO_POINTER(g_array_index(masters, int, i)));

		g_strlcpy(lease->bridge, bridge ? bridge : "",
			  sizeof(lease->bridge));
	}
	return g_steal_pointer(&leases);
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
 * Return: NL_OK, or NL_SKIP for a message that is not the kernel's.
 */
static int watch_message(struct nl_msg *msg, void *arg)
{
	struct link_watch *lw = arg;
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	const struct sockaddr_nl *src = nlmsg_get_src(msg);
	const struct ifinfomsg *ifi;

	if (!src || src->nl_pid != 0)
		return NL_SKIP;		/* another process's: forged */
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
	errno = 0;
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
		netlink_set_error(error, TW_ERROR_KERNEL, NULL, err,
				  "cannot watch network interfaces");
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
		int err;

		errno = 0;
		err = nl_recvmsgs_default(lw->sock);

		if (err >= 0)
			continue;
		if (err == -NLE_AGAIN)
			return true;
		/* ENOBUFS (events lost) is libnl's NLE_NOMEM */
		if (err == -NLE_NOMEM || err == -NLE_DUMP_INTR) {
			*overrun = true;
			continue;
		}
		netlink_set_error(error, TW_ERROR_KERNEL, NULL, err,
				  "reading link events");
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
