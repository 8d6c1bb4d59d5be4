/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netlink.c - route netlink socket with extended ACK, and the words for
 * every libnl failure.
 *
 * Theory of operation: netlink_open() connects a NETLINK_ROUTE socket
 * (libnl opens it SOCK_CLOEXEC), turns on NETLINK_EXT_ACK and installs an
 * error callback that keeps what the kernel's NLMSG_ERROR said: its errno
 * and its text (NLMSGERR_ATTR_MSG). libnl itself folds the errno into one
 * of its own codes (nl_syserr2nlerr()), which turns EXFULL, ENOSPC, EMLINK
 * and most others into "Unspecific failure"; netlink_set_error() words an
 * error from what the callback kept instead, and is the one place in
 * tapwarden that turns a libnl error into words (netlink_error_words()).
 * netlink_get_link() and netlink_change_link() wrap the libnl-route calls
 * and turn a failure into one line: what failed, the kernel's reason.
 * netlink_add_link() and the netlink_delete_link*() do the same for
 * creating and removing links; netlink_request() sends a hand-built message
 * for what libnl-route 3.7 has no call for (bridge port VLANs, bridge
 * attributes). Every request socket waits at most NETLINK_REPLY_TIMEOUT_S
 * for an answer (netlink_bound_wait()): a request or answer lost (ENOBUFS)
 * then fails the request instead of blocking the process for ever.
 */
#include "netlink.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/errno.h>
#include <netlink/msg.h>

#include "error.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/**
 * struct netlink - a connected route netlink socket
 * @sock:		libnl socket
 * @kernel_errno:	the errno of the kernel's last refusal, 0 when the last
 *			request got none
 * @extack:		the kernel's text for it, "" when it gave none
 */
struct netlink {
	struct nl_sock *sock;
	int kernel_errno;
	char extack[256];
};

/**
 * netlink_begin() - forget the last request's answer, before a new one
 * @nl:		socket
 *
 * errno is cleared too, so that an errno seen after a libnl call is that
 * call's (netlink_error_words() trusts it only where libnl's code agrees).
 */
static void netlink_begin(struct netlink *nl)
{
	nl->kernel_errno = 0;
	nl->extack[0] = '\0';
	errno = 0;
}

/**
 * netlink_keep_error() - libnl error callback: keep the kernel's errno and
 *			  text
 * @who:	sender (unused)
 * @err:	the error message's payload
 * @arg:	struct netlink
 *
 * Return: NL_STOP, so that libnl returns the error to the caller.
 */
static int netlink_keep_error(struct sockaddr_nl *who, struct nlmsgerr *err,
			      void *arg)
{
	struct netlink *nl = arg;
	struct nlmsghdr *hdr = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	size_t offset = sizeof(*err);
	struct nlattr *attrs, *attr;
	int len, rem;

	(void)who;
	nl->kernel_errno = err->error < 0 ? -err->error : err->error;
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
 * netlink_error_words() - the words for a failed libnl call
 * @rc:			what libnl returned (a negative NLE_* code)
 * @kernel_errno:	the errno of the kernel's NLMSG_ERROR answer, 0 when
 *			the kernel refused nothing (libnl failed on its own)
 * @extack:		the kernel's text (NLMSGERR_ATTR_MSG), or "" or NULL
 * @local_errno:	errno right after the call: libnl folds the errno of its
 *			own failed system calls into its code as well
 *
 * The kernel's text comes first, with its errno's words; without it, the
 * errno's words (strerror). libnl's own texts are used only where no errno
 * is known, and its "Unspecific failure" never: that is an errno lost.
 *
 * Return: a new string, for the caller to free.
 */
char *netlink_error_words(int rc, int kernel_errno, const char *extack,
			  int local_errno)
{
	bool text = extack && *extack;

	if (kernel_errno > 0 && text)
		return g_strdup_printf("%s (%s)", extack,
				       g_strerror(kernel_errno));
	if (kernel_errno > 0)
		return g_strdup(g_strerror(kernel_errno));
	if (text)
		return g_strdup(extack);
	/* a request socket's receive timeout (netlink_bound_wait()) */
	if (rc == -NLE_AGAIN)
		return g_strdup_printf("no answer from the kernel in %d s",
				       NETLINK_REPLY_TIMEOUT_S);
	/* the code is this errno's, as nl_syserr2nlerr() folded it */
	if (local_errno > 0 && nl_syserr2nlerr(local_errno) == -rc)
		return g_strdup(g_strerror(local_errno));
	if (rc == -NLE_FAILURE)
		return g_strdup("libnl failed and gave no reason");
	if (rc >= 0 || -rc > NLE_MAX)	/* nl_geterror() says "Unspecific" */
		return g_strdup_printf("libnl error %d", rc);
	return g_strdup(nl_geterror(rc));
}

/**
 * netlink_set_error() - set @error to "WHAT: the reason" for a libnl failure
 * @error:	the error to set, or NULL
 * @code:	its code (enum tw_error_code)
 * @nl:		the socket whose last request failed, for the kernel's errno
 *		and text; NULL when the failure was no request on one (a
 *		message that could not be built, a socket of libnl's own)
 * @rc:		what libnl returned (negative)
 * @format:	printf format of WHAT failed
 * @...:	its arguments
 *
 * Call it right after the failed call: it reads errno (see
 * netlink_error_words()).
 */
void netlink_set_error(GError **error, int code, const struct netlink *nl,
		       int rc, const char *format, ...)
{
	int local_errno = errno;
	g_autofree char *what = NULL;
	g_autofree char *words = NULL;
	va_list ap;

	if (!error)
		return;
	va_start(ap, format);
	what = g_strdup_vprintf(format, ap);
	va_end(ap);
	words = netlink_error_words(rc, nl ? nl->kernel_errno : 0,
				    nl ? nl->extack : NULL, local_errno);
	g_set_error(error, TW_ERROR, code, "%s: %s", what, words);
}

/**
 * netlink_kernel_errno() - the errno of the kernel's refusal of the last
 *			    request on @nl
 * @nl:		socket
 *
 * Return: a positive errno, or 0 when the kernel refused nothing.
 */
int netlink_kernel_errno(const struct netlink *nl)
{
	return nl->kernel_errno;
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
	errno = 0;
	rc = nl_connect(nl->sock, NETLINK_ROUTE);
	if (rc < 0) {
		netlink_set_error(error, TW_ERROR_KERNEL, NULL, rc,
				  "cannot open a route netlink socket");
		goto fail;
	}
	netlink_bound_wait(nl->sock);
	fd = nl_socket_get_fd(nl->sock);
	/* older kernels lack these; their messages then just lack the text */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_modify_err_cb(nl->sock, NL_CB_CUSTOM, netlink_keep_error, nl);
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
 * netlink_transact() - send a request and read its answer to the end
 * @nl:		socket
 * @msg:	the request (sent with NLM_F_ACK)
 * @on_reply:	called for each reply message of a get or a dump, or NULL
 *		when only the acknowledgement counts
 * @arg:	passed to @on_reply
 *
 * Return: 0 or more on success, a negative libnl code on failure (the
 * kernel's own errno and text then in @nl).
 */
static int netlink_transact(struct netlink *nl, struct nl_msg *msg,
			    nl_recvmsg_msg_cb_t on_reply, void *arg)
{
	uint16_t flags = nlmsg_hdr(msg)->nlmsg_flags;
	/* NLM_F_DUMP is two bits that a new-request's NLM_F_EXCL and
	 * NLM_F_REPLACE reuse: only both, and no NLM_F_CREATE, mean a dump */
	bool dump = (flags & NLM_F_DUMP) == NLM_F_DUMP &&
		    !(flags & NLM_F_CREATE);
	int rc;

	netlink_begin(nl);
	rc = nl_send_auto(nl->sock, msg);
	if (rc >= 0 && on_reply) {
		struct nl_cb *sock_cb = nl_socket_get_cb(nl->sock);
		/* a copy keeps the socket's error callback (errno, extack) */
		struct nl_cb *cb = nl_cb_clone(sock_cb);

		nl_cb_put(sock_cb);	/* nl_socket_get_cb() took a reference */
		if (!cb)
			return -NLE_NOMEM;
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, arg);
		rc = nl_recvmsgs(nl->sock, cb);
		nl_cb_put(cb);
	}
	/* a dump ends with NLMSG_DONE; anything else with an ACK */
	if (rc >= 0 && !dump)
		rc = nl_wait_for_ack(nl->sock);
	return rc;
}

/**
 * keep_link() - nl_msg_parse() callback: keep the first link object
 * @obj:	an object parsed from a reply
 * @arg:	struct rtnl_link **, NULL until the first
 */
static void keep_link(struct nl_object *obj, void *arg)
{
	struct rtnl_link **link = arg;

	if (*link || strcmp(nl_object_get_type(obj), "route/link"))
		return;
	nl_object_get(obj);
	*link = (struct rtnl_link *)obj;
}

/**
 * on_link_reply() - the answer to RTM_GETLINK, parsed by libnl-route
 * @msg:	the reply
 * @arg:	struct rtnl_link **
 *
 * Return: NL_OK.
 */
static int on_link_reply(struct nl_msg *msg, void *arg)
{
	(void)nl_msg_parse(msg, keep_link, arg);
	return NL_OK;
}

/**
 * netlink_get_link() - the kernel's current state of a link, by name
 * @nl:		socket
 * @name:	interface name
 * @error:	set on failure; TW_ERROR_NOT_FOUND when there is no such link
 *
 * rtnl_link_get_kernel() would do, but it drops the kernel's errno before
 * the socket's error callback sees it; the request is the same.
 *
 * Return: a reference the caller puts, or NULL with @error set.
 */
struct rtnl_link *netlink_get_link(struct netlink *nl, const char *name,
				   GError **error)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct rtnl_link *link = NULL;
	struct nl_msg *msg;
	int rc = -NLE_NOMEM;

	msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) >= 0 &&
	    nla_put_string(msg, IFLA_IFNAME, name) >= 0 &&
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) >= 0)
		rc = netlink_transact(nl, msg, on_link_reply, &link);
	else
		netlink_begin(nl);
	nlmsg_free(msg);
	if (rc >= 0 && link)
		return link;
	if (link)
		rtnl_link_put(link);
	if (rc >= 0 || nl->kernel_errno == ENODEV) {
		g_set_error(error, TW_ERROR, TW_ERROR_NOT_FOUND,
			    "no interface %s", name);
		return NULL;
	}
	netlink_set_error(error, TW_ERROR_KERNEL, nl, rc,
			  "cannot look up interface %s", name);
	return NULL;
}

/**
 * netlink_change_link() - apply @changes to a link in one request
 * @nl:		socket
 * @orig:	the link as the kernel holds it (from netlink_get_link()),
 *		or a link without index: then @changes names it, and the
 *		kernel finds it by that name (IFLA_IFNAME)
 * @changes:	the attributes to set
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
bool netlink_change_link(struct netlink *nl, struct rtnl_link *orig,
			 struct rtnl_link *changes, GError **error)
{
	int rc;

	netlink_begin(nl);
	rc = rtnl_link_change(nl->sock, orig, changes, 0);
	if (rc < 0) {
		netlink_set_error(error, TW_ERROR_KERNEL, nl, rc,
				  "cannot configure %s",
				  rtnl_link_get_name(orig) ?
				  rtnl_link_get_name(orig) :
				  rtnl_link_get_name(changes));
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

	netlink_begin(nl);
	rc = rtnl_link_add(nl->sock, link, NLM_F_CREATE | NLM_F_EXCL);
	if (rc < 0) {
		netlink_set_error(error, TW_ERROR_KERNEL, nl, rc,
				  "cannot create %s", rtnl_link_get_name(link));
		return false;
	}
	return true;
}

/**
 * delete_link() - remove the link @link names (by index or by name)
 * @nl:		socket
 * @link:	a link object with an ifindex or a name
 * @name:	the link's name, for the message
 * @error:	set on failure, with the kernel's reason; TW_ERROR_NOT_FOUND
 *		when there is no such link
 *
 * Return: true on success.
 */
static bool delete_link(struct netlink *nl, struct rtnl_link *link,
			const char *name, GError **error)
{
	int rc;

	netlink_begin(nl);
	rc = rtnl_link_delete(nl->sock, link);
	if (rc < 0) {
		bool gone = nl->kernel_errno == ENODEV;

		netlink_set_error(error, gone ? TW_ERROR_NOT_FOUND
					      : TW_ERROR_KERNEL,
				  nl, rc, "cannot remove %s", name);
		return false;
	}
	return true;
}

/**
 * netlink_delete_link() - remove a link, by name
 * @nl:		socket
 * @name:	interface name
 * @error:	set on failure, with the kernel's reason; TW_ERROR_NOT_FOUND
 *		when there is no such link
 *
 * Return: true on success.
 */
bool netlink_delete_link(struct netlink *nl, const char *name, GError **error)
{
	g_autoptr(rtnl_link) link = rtnl_link_alloc();

	if (!link) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	rtnl_link_set_name(link, name);
	return delete_link(nl, link, name, error);
}

/**
 * netlink_delete_link_index() - remove a link, by index: never another
 *				 link that took its name since
 * @nl:		socket
 * @ifindex:	interface index
 * @name:	its name, for the message
 * @error:	set on failure, with the kernel's reason; TW_ERROR_NOT_FOUND
 *		when there is no such link
 *
 * Return: true on success.
 */
bool netlink_delete_link_index(struct netlink *nl, int ifindex,
			       const char *name, GError **error)
{
	g_autoptr(rtnl_link) link = rtnl_link_alloc();

	if (!link) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	rtnl_link_set_ifindex(link, ifindex);
	return delete_link(nl, link, name, error);
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
	int rc = netlink_transact(nl, msg, on_reply, arg);

	if (rc < 0) {
		netlink_set_error(error, TW_ERROR_KERNEL, nl, rc, "cannot %s",
				  what);
		return false;
	}
	return true;
}
