/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netlink.h - a route netlink socket that reports the kernel's own reason.
 *
 * Thin layer over libnl-route: one socket per process, extended ACK turned on
 * so that a refusal carries the kernel's text and its errno, and a GError for
 * every failure, worded by netlink_set_error() (the one place that turns a
 * libnl error into words).
 */
#ifndef TAPWARDEN_NETDEV_NETLINK_H
#define TAPWARDEN_NETDEV_NETLINK_H

#include <stdbool.h>
#include <glib.h>
#include <netlink/route/link.h>

struct netlink;

/* how long a request waits for the kernel's answer (netlink_bound_wait()) */
#define NETLINK_REPLY_TIMEOUT_S 5

struct netlink *netlink_open(GError **error);
void netlink_bound_wait(struct nl_sock *sock);
void netlink_close(struct netlink *nl);
/* g_autoptr() needs typedef'ed names */
typedef struct netlink netlink;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(netlink, netlink_close)

char *netlink_error_words(int rc, int kernel_errno, const char *extack,
			  int local_errno);
void netlink_set_error(GError **error, int code, const struct netlink *nl,
		       int rc, const char *format, ...) G_GNUC_PRINTF(5, 6);
int netlink_kernel_errno(const struct netlink *nl);

struct rtnl_link *netlink_get_link(struct netlink *nl, const char *name,
				   GError **error);
bool netlink_change_link(struct netlink *nl, struct rtnl_link *orig,
			 struct rtnl_link *changes, GError **error);

bool netlink_add_link(struct netlink *nl, struct rtnl_link *link,
		      GError **error);
bool netlink_delete_link(struct netlink *nl, const char *name, GError **error);
bool netlink_delete_link_index(struct netlink *nl, int ifindex,
			       const char *name, GError **error);
struct nl_sock *netlink_socket(struct netlink *nl);
bool netlink_request(struct netlink *nl, struct nl_msg *msg,
		     nl_recvmsg_msg_cb_t on_reply, void *arg,
		     const char *what, GError **error);

typedef struct rtnl_link rtnl_link;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rtnl_link, rtnl_link_put)

#endif
