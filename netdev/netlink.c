/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netlink.c - route netlink socket with extended ACK.
 *
 * Theory of operation: netlink_open() connects a NETLINK_ROUTE socket
 * (libnl opens it SOCK_CLOEXEC), turns on NETLINK_EXT_ACK and installs an
 * error callback that keeps the kernel's message text (NLMSGERR_ATTR_MSG).
 * netlink_get_link() and netlink_change_link() wrap the libnl-route calls
 * and turn a failure into one line: what failed, the kernel's reason.
 * netlink_add_link() and netlink_delete_link() do the same for creating and
 * removing links; netlink_request() sends a hand-built message for what
 * libnl-route 3.7 has no call for (bridge port VLANs, bridge attributes).
 * Every request socket waits at most NETLINK_REPLY_TIMEOUT_S for an answer
 * (netlink_bound_wait()): a request or answer lost (ENOBUFS) then fails the
 * request instead of blocking the process for ever.
 */
#include "netlink.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>

#include "error.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/**
 * struct netlink - a connected route netlink socket
 * @sock:	libnl socket
 * @extack:	the kernel's text for the last error, "" when it gave none
 */
struct netlink {
	struct nl_sock *sock;
	char extack[256];
};

/**
 * netlink_keep_extack() - libnl error callback: remember the kernel's text
 * @who:	sender (unused)
 * @err:	the error message's payload
 * @arg:	struct netlink
 *
 * Return: NL_STOP, so that libnl returns the error to the caller.
 */
static int netlink_keep_extack(struct sockaddr_nl *who, struct nlmsgerr *err,
			       void *arg)
{
	struct netlink *nl = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	size_t offset = sizeof(*err);
	struct nlattr *attrs, *attr;
	int len, rem;

	nl->extack[0] = '\0';
	if (!(hdr->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	if (!(hdr->nlmsg_flags & NLM_F_CAPPED)) {
		/* the kernel echoed our request: TLVs follow it, aligned */
		if (err->msg.nlmsg_len < NLMSG_HDRLEN)
			return NL_STOP;
		offset += NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (hdr->nlmsg_len < NLMSG_HDRLEN + offset)
		return NL_STOP;
	len = (int)(hdr->nlmsg_len - NLMSG_HDRLEN - offset);
	attrs = (struct nlattr *)((char *)err + offset);
	nla_for_each_attr(attr, attrs, len, rem) {
		size_t n = (size_t)MAX(nla_len(attr), 0);
		const char *text = nla_data(attr);
		const char *nul = memchr(text, '\0', n);

		if (nla_type(attr) != NLMSGERR_ATTR_MSG)
			continue;
		n = MIN(nul ? (size_t)(nul - text) : n, sizeof(nl->extack) - 1);
		memcpy(nl->extack, text, n);
		nl->extack[n] = '\0';
	}
	return NL_STOP;
}

/**
 * netlink_bound_wait() - make a blocking request socket give up waiting for
 *			  the kernel's answer after NETLINK_REPLY_TIMEOUT_S
 * @sock:	connected libnl socket
 *
 * The kernel answers route netlink at once; one that has not answered in
 * that time never will (the request or its answer was dropped).
 */
void netlink_bound_wait(struct nl_sock *sock)
{
	struct timeval limit = { .tv_sec = NETLINK_REPLY_TIMEOUT_S };

	(void)setsockopt(nl_socket_get_fd(sock), SOL_SOCKET, SO_RCVTIMEO,
			 &limit, sizeof(limit));
}

/**
 * netlink_error_text() - libnl's text for an error, and ours for a timeout
 * @rc:		libnl error code (negative)
 *
 * Return: a static string.
 */
const char *netlink_error_text(int rc)
{
	return rc == -NLE_AGAIN ? "no answer from the kernel" : nl_geterror(rc);
}

/**
 * netlink_open() - connect a route netlink socket with extended ACK
 * @error:	set on failure
 *
 * Return: the socket, or NULL with @error set.
 */
struct netlink *netlink_open(GError **error)
{
	struct netlink *nl = g_new0(struct netlink, 1);
	int one = 1, fd, rc;

	nl->sock = nl_socket_alloc();
	if (!nl->sock) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "cannot allocate a netlink socket");
		goto fail;
	}
	rc = nl_connect(nl->sock, NETLINK_ROUTE);
	if (rc < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot open a route netlink socket: %s",
			    nl_geterror(rc));
		goto fail;
	}
	netlink_bound_wait(nl->sock);
	fd = nl_socket_get_fd(nl->sock);
	/* older kernels lack these; their messages then just lack the text */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_modify_err_cb(nl->sock, NL_CB_CUSTOM, netlink_keep_extack, nl);
	return nl;
fail:
	netlink_close(nl);
	return NULL;
}

/**
 * netlink_close() - close and free a socket from netlink_open()
 * @nl:		the socket, or NULL
 */
void netlink_close(struct netlink *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		nl_socket_free(nl->sock);
	g_free(nl);
}

/**
 * netlink_reason() - the kernel's text if it gave one, else libnl's
 * @nl:		socket that saw the error
 * @rc:		libnl error code (negative)
 *
 * Return: a string valid until the next request on @nl.
 */
static const char *netlink_reason(const struct netlink *nl, int rc)
{
	return nl->extack[0] ? nl->extack : netlink_error_text(rc);
}

/**
 * netlink_get_link() - the kernel's current state of a link, by name
 * @nl:		socket
 * @name:	interface name
 * @error:	set on failure; TW_ERROR_NOT_FOUND when there is no such link
 *
 * Return: a reference the caller puts, or NULL with @error set.
 */
struct rtnl_link *netlink_get_link(struct netlink *nl, const char *name,
				   GError **error)
{
	struct rtnl_link *link = NULL;
	int rc;

	nl->extack[0] = '\0';
	rc = rtnl_link_get_kernel(nl->sock, 0, name, &link);
	if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV || (rc >= 0 && !link)) {
		g_set_error(error, TW_ERROR, TW_ERROR_NOT_FOUND,
			    "no interface %s", name);
		return NULL;
	}
	if (rc < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot look up interface %s: %s", name,
			    netlink_reason(nl, rc));
		return NULL;
	}
	return link;
}

/**
 * netlink_change_link() - apply @changes to a link in one request
 * @nl:		socket
 * @orig:	the link as the kernel holds it (from netlink_get_link())
 * @changes:	the attributes to set
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
bool netlink_change_link(struct netlink *nl, struct rtnl_link *orig,
			 struct rtnl_link *changes, GError **error)
{
	int rc;

	nl->extack[0] = '\0';
	rc = rtnl_link_change(nl->sock, orig, changes, 0);
	if (rc < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot configure %s: %s",
			    rtnl_link_get_name(orig), netlink_reason(nl, rc));
		return false;
	}
	return true;
}

/**
 * netlink_add_link() - create a link (RTM_NEWLINK, NLM_F_CREATE|NLM_F_EXCL)
 * @nl:		socket
 * @link:	the new link: kind, name and any attributes to start with
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
bool netlink_add_link(struct netlink *nl, struct rtnl_link *link,
		      GError **error)
{
	int rc;

	nl->extack[0] = '\0';
	rc = rtnl_link_add(nl->sock, link, NLM_F_CREATE | NLM_F_EXCL);
	if (rc < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot create %s: %s", rtnl_link_get_name(link),
			    netlink_reason(nl, rc));
		return false;
	}
	return true;
}

/**
 * netlink_delete_link() - remove a link, by name
 * @nl:		socket
 * @name:	interface name
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
bool netlink_delete_link(struct netlink *nl, const char *name, GError **error)
{
	g_autoptr(rtnl_link) link = rtnl_link_alloc();
	int rc;

	if (!link) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	rtnl_link_set_name(link, name);
	nl->extack[0] = '\0';
	rc = rtnl_link_delete(nl->sock, link);
	if (rc < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot remove %s: %s", name, netlink_reason(nl, rc));
		return false;
	}
	return true;
}

/**
 * netlink_socket() - the libnl socket, for libnl calls that read (caches)
 * @nl:		socket
 *
 * Return: the socket, owned by @nl.
 */
struct nl_sock *netlink_socket(struct netlink *nl)
{
	return nl->sock;
}

/**
 * netlink_request() - send a request libnl-route has no call for
 * @nl:		socket
 * @msg:	the request (sent with NLM_F_ACK)
 * @on_reply:	called for each reply message of a get or a dump, or NULL
 *		when only the acknowledgement counts
 * @arg:	passed to @on_reply
 * @what:	what the request does, for the error: "cannot WHAT: reason"
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
bool netlink_request(struct netlink *nl, struct nl_msg *msg,
		     nl_recvmsg_msg_cb_t on_reply, void *arg,
		     const char *what, GError **error)
{
	uint16_t flags = nlmsg_hdr(msg)->nlmsg_flags;
	/* NLM_F_DUMP is two bits that a new-request's NLM_F_EXCL and
	 * NLM_F_REPLACE reuse: only both, and no NLM_F_CREATE, mean a dump */
	bool dump = (flags & NLM_F_DUMP) == NLM_F_DUMP &&
		    !(flags & NLM_F_CREATE);
	struct nl_cb *cb = NULL;
	int rc;

	nl->extack[0] = '\0';
	rc = nl_send_auto(nl->sock, msg);
	if (rc >= 0 && on_reply) {
		struct nl_cb *sock_cb = nl_socket_get_cb(nl->sock);

		/* a copy keeps the socket's error callback (extack) */
		cb = nl_cb_clone(sock_cb);
		nl_cb_put(sock_cb);	/* nl_socket_get_cb() took a reference */
		if (!cb) {
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "out of memory");
			return false;
		}
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, arg);
		rc = nl_recvmsgs(nl->sock, cb);
		nl_cb_put(cb);
	}
	/* a dump ends with NLMSG_DONE; anything else with an ACK */
	if (rc >= 0 && !dump)
		rc = nl_wait_for_ack(nl->sock);
	if (rc < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL, "cannot %s: %s",
			    what, netlink_reason(nl, rc));
		return false;
	}
	return true;
}
