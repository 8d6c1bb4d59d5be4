/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qos.c - per-tap rate limits, through libnl-route (no `tc').
 *
 * Theory of operation (DESIGN.md section 2, "qos"): a tap's limits are
 * seen from the guest.
 *
 *  * inbound (to the guest) is the tap's egress: an HTB root qdisc 1: with
 *    one class 1:1 (rate = ceil = the limit, burst = the bucket) that every
 *    packet falls into (default class). It lives and dies with the tap.
 *
 *  * outbound (from the guest) enters the host on the tap's ingress, where
 *    the kernel cannot queue. The tap gets an ingress qdisc with one u32
 *    filter (match everything) whose mirred action redirects each frame to
 *    the egress of an IFB device, QOS_IFB_PREFIX + the tap's number
 *    ("twi3" for "tw3"), which has the same HTB as above. The IFB is the
 *    one object that does not go with the tap: its alias records the tap's
 *    name and interface index ("tapwarden-ifb tap=tw3 ifindex=57"), and
 *    qos_remove() (the broker, on the tap's RTM_DELLINK) and
 *    qos_remove_orphans() (broker start, each direct-mode run) delete IFBs
 *    whose tap is gone. Policing (act_police) would need no IFB, but
 *    drops instead of queueing; measured with TCP it misses the rate by far
 *    more (docs/DEVELOPERS.md, "QoS"), and this machine's kernel lacks it.
 *
 * qos_apply() checks what it can first (names, burst against the MTU),
 * then makes everything; on failure it removes the IFB it made, and the
 * caller closes the tap, which takes the tap's qdiscs and filter with it.
 * qos_read() reads the effective rates back from the kernel: the classes
 * are the truth, not what was asked for.
 */
#include "qos.h"

#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>
#include <linux/if_link.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/class.h>
#include <netlink/route/classifier.h>
#include <netlink/route/action.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/act/mirred.h>

#include "error.h"
#include "link_ipv6.h"
#include "tap.h"

/* HTB handles: qdisc 1:, its one class 1:1 */
#define QOS_HTB_HANDLE TC_HANDLE(1, 0)
#define QOS_HTB_CLASS TC_HANDLE(1, 1)
#define QOS_INGRESS_HANDLE TC_HANDLE(0xffffU, 0)	/* U: 0xffff << 16 overflows an int */
/* The IFB's queue (packets): the default of 32 drops TCP bursts */
#define QOS_IFB_TXQLEN 1000
/* HTB quantum: only one class, so it only bounds a dequeue round */
#define QOS_HTB_QUANTUM 60000
/* Default burst: this many milliseconds of the rate ... */
#define QOS_DEFAULT_BURST_MS 4
/* ... and at least this many full frames */
#define QOS_DEFAULT_BURST_FRAMES 2

typedef struct rtnl_qdisc rtnl_qdisc;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rtnl_qdisc, rtnl_qdisc_put)
typedef struct rtnl_class rtnl_class;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rtnl_class, rtnl_class_put)
typedef struct rtnl_cls rtnl_cls;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rtnl_cls, rtnl_cls_put)
typedef struct rtnl_act rtnl_act;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rtnl_act, rtnl_act_put)
typedef struct nl_cache nl_cache;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(nl_cache, nl_cache_free)

/**
 * qos_limits_any() - does @limits limit anything
 * @limits:	limits
 *
 * Return: true when either direction has a rate.
 */
bool qos_limits_any(const struct qos_limits *limits)
{
	return limits->inbound.rate || limits->outbound.rate;
}

/**
 * qos_default_burst() - the bucket when none is configured
 * @rate:	bits per second
 * @mtu:	the link's MTU
 *
 * QOS_DEFAULT_BURST_MS of the rate, at least QOS_DEFAULT_BURST_FRAMES
 * full frames, at most QOS_BURST_MAX.
 *
 * Return: bytes.
 */
uint32_t qos_default_burst(uint64_t rate, unsigned int mtu)
{
	uint64_t burst = rate / 8 * QOS_DEFAULT_BURST_MS / 1000;
	uint64_t frames = (uint64_t)QOS_DEFAULT_BURST_FRAMES * (mtu + ETH_HLEN);

	burst = MAX(burst, frames);
	return (uint32_t)MIN(burst, (uint64_t)QOS_BURST_MAX);
}

/**
 * tap_number() - the N of a tap named tw<N>
 * @tap_name:	the tap
 *
 * Return: the digits after TAP_NAME_PREFIX, or NULL when @tap_name is not
 * tw<digits>.
 */
static const char *tap_number(const char *tap_name)
{
	const char *digits = tap_name + strlen(TAP_NAME_PREFIX);

	if (!g_str_has_prefix(tap_name, TAP_NAME_PREFIX) || !*digits ||
	    strspn(digits, "0123456789") != strlen(digits))
		return NULL;
	return digits;
}

/**
 * qos_ifb_name() - the IFB of a tap: tw<N> -> twi<N>
 * @tap_name:	the tap
 * @ifb:	set to the IFB's name
 *
 * Return: false when @tap_name is no tw<N> or the name would not fit.
 */
bool qos_ifb_name(const char *tap_name, char ifb[IFNAMSIZ])
{
	const char *digits = tap_number(tap_name);

	return digits && (size_t)g_snprintf(ifb, IFNAMSIZ, QOS_IFB_PREFIX "%s",
					     digits) < IFNAMSIZ;
}

/**
 * tc_send() - send a built tc request and free it
 * @nl:		socket
 * @rc:		what the build call returned
 * @msg:	the request (freed)
 * @what:	for the error: "cannot WHAT: reason"
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
static bool tc_send(struct netlink *nl, int rc, struct nl_msg *msg,
		    const char *what, GError **error)
{
	bool ok;

	if (rc < 0) {
		netlink_set_error(error, TW_ERROR_FAILED, NULL, rc, "cannot %s",
				  what);
		nlmsg_free(msg);
		return false;
	}
	ok = netlink_request(nl, msg, NULL, NULL, what, error);
	nlmsg_free(msg);
	return ok;
}

/**
 * add_htb() - HTB 1: with the one class 1:1 at @limit, as root of @dev
 * @nl:		socket
 * @dev:	the device whose egress is shaped
 * @ifindex:	its index
 * @mtu:	its MTU
 * @limit:	rate and burst
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool add_htb(struct netlink *nl, const char *dev, int ifindex,
		    unsigned int mtu, const struct qos_rate *limit,
		    GError **error)
{
	g_autoptr(rtnl_qdisc) qdisc = rtnl_qdisc_alloc();
	g_autoptr(rtnl_class) class = rtnl_class_alloc();
	g_autofree char *what = g_strdup_printf("shape %s", dev);
	uint32_t burst = limit->burst ? limit->burst :
				       qos_default_burst(limit->rate, mtu);
	uint64_t bytes = limit->rate / 8;
	struct nl_msg *msg = NULL;
	int rc;

	if (!qdisc || !class) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	rtnl_tc_set_ifindex(TC_CAST(qdisc), ifindex);
	rtnl_tc_set_parent(TC_CAST(qdisc), TC_H_ROOT);
	rtnl_tc_set_handle(TC_CAST(qdisc), QOS_HTB_HANDLE);
	rc = rtnl_tc_set_kind(TC_CAST(qdisc), "htb");
	if (rc >= 0)
		rc = rtnl_htb_set_defcls(qdisc, QOS_HTB_CLASS);
	if (rc >= 0)
		rc = rtnl_qdisc_build_add_request(qdisc,
						  NLM_F_CREATE | NLM_F_EXCL,
						  &msg);
	if (!tc_send(nl, rc, msg, what, error))
		return false;

	rtnl_tc_set_ifindex(TC_CAST(class), ifindex);
	rtnl_tc_set_parent(TC_CAST(class), QOS_HTB_HANDLE);
	rtnl_tc_set_handle(TC_CAST(class), QOS_HTB_CLASS);
	rtnl_tc_set_mtu(TC_CAST(class), mtu + ETH_HLEN);
	rc = rtnl_tc_set_kind(TC_CAST(class), "htb");
	if (rc >= 0)
		rc = rtnl_htb_set_rate64(class, bytes);
	if (rc >= 0)
		rc = rtnl_htb_set_ceil64(class, bytes);
	if (rc >= 0)
		rc = rtnl_htb_set_rbuffer(class, burst);
	if (rc >= 0)
		rc = rtnl_htb_set_cbuffer(class, burst);
	if (rc >= 0)
		rc = rtnl_htb_set_quantum(class, QOS_HTB_QUANTUM);
	msg = NULL;
	if (rc >= 0)
		rc = rtnl_class_build_add_request(class,
						  NLM_F_CREATE | NLM_F_EXCL,
						  &msg);
	return tc_send(nl, rc, msg, what, error);
}

/**
 * redirect_ingress() - the tap's ingress to the IFB's egress
 * @nl:		socket
 * @tap_name:	the tap
 * @tap_index:	its index
 * @ifb_index:	the IFB's index
 * @error:	set on failure
 *
 * An ingress qdisc, and one u32 filter that matches every frame (key
 * 0/0 at offset 0) with a mirred action: redirect to the IFB's egress,
 * then the frame is the IFB's (TC_ACT_STOLEN).
 *
 * Return: true on success.
 */
static bool redirect_ingress(struct netlink *nl, const char *tap_name,
			     int tap_index, int ifb_index, GError **error)
{
	g_autoptr(rtnl_qdisc) ingress = rtnl_qdisc_alloc();
	g_autoptr(rtnl_cls) filter = rtnl_cls_alloc();
	g_autoptr(rtnl_act) mirred = rtnl_act_alloc();
	g_autofree char *what = g_strdup_printf("redirect %s's traffic",
						tap_name);
	struct nl_msg *msg = NULL;
	int rc;

	if (!ingress || !filter || !mirred) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	rtnl_tc_set_ifindex(TC_CAST(ingress), tap_index);
	rtnl_tc_set_parent(TC_CAST(ingress), TC_H_INGRESS);
	rtnl_tc_set_handle(TC_CAST(ingress), QOS_INGRESS_HANDLE);
	rc = rtnl_tc_set_kind(TC_CAST(ingress), "ingress");
	if (rc >= 0)
		rc = rtnl_qdisc_build_add_request(ingress,
						  NLM_F_CREATE | NLM_F_EXCL,
						  &msg);
	if (!tc_send(nl, rc, msg, what, error))
		return false;

	rc = rtnl_tc_set_kind(TC_CAST(mirred), "mirred");
	if (rc >= 0)
		rc = rtnl_mirred_set_action(mirred, TCA_EGRESS_REDIR);
	if (rc >= 0)
		rc = rtnl_mirred_set_policy(mirred, TC_ACT_STOLEN);
	if (rc >= 0)
		rc = rtnl_mirred_set_ifindex(mirred, (uint32_t)ifb_index);
	rtnl_tc_set_ifindex(TC_CAST(filter), tap_index);
	rtnl_tc_set_parent(TC_CAST(filter), QOS_INGRESS_HANDLE);
	if (rc >= 0)
		rc = rtnl_tc_set_kind(TC_CAST(filter), "u32");
	rtnl_cls_set_protocol(filter, ETH_P_ALL);
	rtnl_cls_set_prio(filter, 1);
	if (rc >= 0)
		rc = rtnl_u32_add_key_uint32(filter, 0, 0, 0, 0);
	if (rc >= 0)
		rc = rtnl_u32_set_cls_terminal(filter);
	if (rc >= 0)
		rc = rtnl_u32_add_action(filter, mirred);	/* takes a ref */
	msg = NULL;
	if (rc >= 0)
		rc = rtnl_cls_build_add_request(filter,
						NLM_F_CREATE | NLM_F_EXCL,
						&msg);
	return tc_send(nl, rc, msg, what, error);
}

/**
 * alias_tap_index() - the tap index an IFB's alias records
 * @alias:	the IFB's alias, or NULL
 *
 * Return: the index, or 0 when the alias is not an IFB record of ours.
 */
static int alias_tap_index(const char *alias)
{
	const char *field;
	guint64 index;

	if (!alias || !g_str_has_prefix(alias, QOS_IFB_ALIAS_PREFIX))
		return 0;
	field = strstr(alias, " ifindex=");
	if (!field || !g_ascii_string_to_unsigned(field + strlen(" ifindex="),
						  10, 1, G_MAXINT, &index,
						  NULL))
		return 0;
	return (int)index;
}

/**
 * ifb_tap_index() - the tap index an IFB link's alias records
 * @link:	the IFB
 *
 * Return: the index, or 0 when the alias is not an IFB record of ours.
 */
static int ifb_tap_index(struct rtnl_link *link)
{
	return alias_tap_index(rtnl_link_get_ifalias(link));
}

/**
 * delete_ifb() - remove an IFB by its interface index
 * @nl:		socket
 * @name:	its name, for the message
 * @ifindex:	its index: never another device that took the name since
 * @error:	set on failure; an IFB already gone is no failure
 *
 * Return: true when it is gone.
 */
static bool delete_ifb(struct netlink *nl, const char *name, int ifindex,
		       GError **error)
{
	GError *local = NULL;

	if (netlink_delete_link_index(nl, ifindex, name, &local))
		return true;
	if (g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND)) {
		g_error_free(local);
		return true;
	}
	g_propagate_error(error, local);
	return false;
}

/**
 * ifb_is_ours() - is @link an IFB that tapwarden made
 * @link:	a link named twi<N>
 *
 * An IFB of that name is ours with our alias, or with none: the alias is
 * set right after creation, so a helper killed in between leaves none.
 *
 * Return: true when it is.
 */
static bool ifb_is_ours(struct rtnl_link *link)
{
	const char *alias = rtnl_link_get_ifalias(link);

	return !g_strcmp0(rtnl_link_get_type(link), "ifb") &&
	       (!alias || !*alias || g_str_has_prefix(alias, QOS_IFB_ALIAS_PREFIX));
}

/**
 * discard_ifb() - remove the IFB @ifb this request made, whatever the
 * answers to the requests before said
 * @nl:		socket
 * @ifb:	its name
 *
 * A lost answer (the kernel did it; the caller heard an error) can leave
 * an IFB that the request thinks it never made, and can leave @nl out of
 * step with the kernel (the next answer read is a stale one): so this
 * works on a socket of its own, looks, and tries again while an IFB of
 * ours by that name is there (the name is tw<N>'s, and tw<N> is this
 * request's).
 */
static void discard_ifb(struct netlink *request_nl, const char *ifb)
{
	struct netlink *nl = netlink_open(NULL);

	if (!nl)
		nl = request_nl;
	for (int attempt = 0; attempt < 3; attempt++) {
		g_autoptr(rtnl_link) link = netlink_get_link(nl, ifb, NULL);

		if (!link)	/* gone, or the question's answer was lost */
			continue;
		if (!ifb_is_ours(link))
			break;
		delete_ifb(nl, ifb, rtnl_link_get_ifindex(link), NULL);
	}
	if (nl != request_nl)
		netlink_close(nl);
}

/**
 * make_ifb() - create the tap's IFB, record the tap in its alias, up
 * @nl:		socket
 * @ifb:	its name
 * @tap_name:	the tap
 * @tap_index:	the tap's index
 * @ifb_index:	set to the IFB's index
 * @error:	set on failure; then no IFB of that name is left
 *
 * An IFB of that name left by a tap that is gone is removed first. The
 * kernel takes no alias in the request that creates a link, so the alias
 * and IFF_UP follow in a second one; until then the name alone says whose
 * it is (qos_remove_orphans() looks at the tap of that number).
 *
 * Return: true on success.
 */
static bool make_ifb(struct netlink *nl, const char *ifb, const char *tap_name,
		     int tap_index, int *ifb_index, GError **error)
{
	g_autoptr(rtnl_link) old = netlink_get_link(nl, ifb, NULL);
	g_autoptr(rtnl_link) link = rtnl_link_alloc();
	g_autoptr(rtnl_link) made = NULL;
	g_autoptr(rtnl_link) changes = rtnl_link_alloc();
	g_autofree char *alias = g_strdup_printf(QOS_IFB_ALIAS_PREFIX "tap=%s ifindex=%d",
						 tap_name, tap_index);
	GError *local = NULL;

	if (!link || !changes) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "out of memory");
		return false;
	}
	/* tw<N> is new, so an IFB twi<N> of ours belonged to a tap now gone;
	 * anything else of that name is someone else's: leave it */
	if (old && !ifb_is_ours(old)) {
		g_set_error(error, TW_ERROR, TW_ERROR_EXISTS,
			    "cannot limit %s's outbound traffic: %s exists and is not tapwarden's IFB",
			    tap_name, ifb);
		return false;
	}
	if (old && !delete_ifb(nl, ifb, rtnl_link_get_ifindex(old), error))
		return false;
	if (rtnl_link_set_type(link, "ifb") < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "libnl knows no ifb links");
		return false;
	}
	rtnl_link_set_name(link, ifb);
	rtnl_link_set_txqlen(link, QOS_IFB_TXQLEN);
	if (!netlink_add_link(nl, link, &local)) {
		bool no_ifb = strstr(local->message, "Unknown device type") ||
			      strstr(local->message, "not supported");

		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL, "%s%s",
			    local->message,
			    no_ifb ? " (limiting outbound traffic needs IFB devices: module ifb)" : "");
		g_error_free(local);
		discard_ifb(nl, ifb);	/* made, though the answer was lost */
		return false;
	}
	made = netlink_get_link(nl, ifb, error);
	if (!made)
		goto fail;
	rtnl_link_set_ifalias(changes, alias);
	rtnl_link_set_flags(changes, IFF_UP);
	if (!link_disable_ipv6(nl, ifb, error) ||
	    !netlink_change_link(nl, made, changes, error))
		goto fail;
	*ifb_index = rtnl_link_get_ifindex(made);
	return true;
fail:
	discard_ifb(nl, ifb);
	return false;
}

/**
 * check_burst() - an explicit burst must hold one full frame
 * @dev:	the device, for the message
 * @mtu:	its MTU
 * @limit:	the limit
 * @what:	"inbound" or "outbound"
 * @error:	set when the burst is smaller than the MTU
 *
 * Return: true when it is not.
 */
static bool check_burst(const char *dev, unsigned int mtu,
			const struct qos_rate *limit, const char *what,
			GError **error)
{
	if (!limit->rate || !limit->burst || limit->burst >= mtu)
		return true;
	g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
		    "%s burst of %u bytes is smaller than the MTU of %s (%u)",
		    what, limit->burst, dev, mtu);
	return false;
}

/**
 * qos_apply() - give a new tap its limits
 * @nl:		socket
 * @tap_name:	the tap (tw<N>), already attached (its MTU is final)
 * @limits:	what to apply; a direction with rate 0 is left alone
 * @error:	set on failure; then the IFB is removed again, and the
 *		caller closes the tap, which takes its qdiscs along
 *
 * Return: true on success.
 */
bool qos_apply(struct netlink *nl, const char *tap_name,
	       const struct qos_limits *limits, GError **error)
{
	g_autoptr(rtnl_link) tap = NULL;
	char ifb[IFNAMSIZ];
	unsigned int mtu;
	int tap_index, ifb_index = 0;

	if (!qos_limits_any(limits))
		return true;
	if (!qos_ifb_name(tap_name, ifb)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "cannot limit %s: not a tapwarden tap name",
			    tap_name);
		return false;
	}
	tap = netlink_get_link(nl, tap_name, error);
	if (!tap)
		return false;
	tap_index = rtnl_link_get_ifindex(tap);
	mtu = rtnl_link_get_mtu(tap);
	if (!check_burst(tap_name, mtu, &limits->inbound, "inbound", error) ||
	    !check_burst(tap_name, mtu, &limits->outbound, "outbound", error))
		return false;
	if (limits->inbound.rate &&
	    !add_htb(nl, tap_name, tap_index, mtu, &limits->inbound, error))
		return false;
	if (!limits->outbound.rate)
		return true;
	if (!make_ifb(nl, ifb, tap_name, tap_index, &ifb_index, error))
		return false;
	if (add_htb(nl, ifb, ifb_index, mtu, &limits->outbound, error) &&
	    redirect_ingress(nl, tap_name, tap_index, ifb_index, error))
		return true;
	discard_ifb(nl, ifb);
	return false;
}

/**
 * qos_remove() - remove a tap's IFB (the rest went with the tap)
 * @nl:		socket
 * @tap_name:	the tap
 * @tap_ifindex: its index, or 0: then the IFB goes only if the tap of its
 *		name is gone
 *
 * Only an IFB whose alias records this tap is removed, by its index, so
 * that this may run in another thread while a new tap of the same name gets
 * a new IFB. Removing a device takes the kernel ~15 ms (RCU grace
 * periods), which is why the broker does it off its main loop.
 */
void qos_remove(struct netlink *nl, const char *tap_name, int tap_ifindex)
{
	g_autoptr(rtnl_link) link = NULL;
	char ifb[IFNAMSIZ];

	if (!qos_ifb_name(tap_name, ifb))
		return;
	link = netlink_get_link(nl, ifb, NULL);
	if (!link || !ifb_tap_index(link))
		return;
	if (tap_ifindex ? ifb_tap_index(link) != tap_ifindex :
			  !!if_nametoindex(tap_name))
		return;
	delete_ifb(nl, ifb, rtnl_link_get_ifindex(link), NULL);
}

/**
 * class_rate() - the rate of HTB class 1:1 on a device
 * @nl:		socket
 * @ifindex:	the device
 *
 * Return: bits per second, 0 when there is no such class.
 */
static uint64_t class_rate(struct netlink *nl, int ifindex)
{
	g_autoptr(nl_cache) cache = NULL;
	struct rtnl_class *class;
	uint64_t bytes = 0;

	if (rtnl_class_alloc_cache(netlink_socket(nl), ifindex, &cache) < 0)
		return 0;
	class = rtnl_class_get(cache, ifindex, QOS_HTB_CLASS);
	if (!class)
		return 0;
	if (g_strcmp0(rtnl_tc_get_kind(TC_CAST(class)), "htb") ||
	    rtnl_htb_get_rate64(class, &bytes) < 0)
		bytes = 0;
	rtnl_class_put(class);
	return bytes * 8;
}

/**
 * qos_read() - a tap's effective limits, from the kernel
 * @nl:		socket
 * @tap_name:	the tap
 * @limits:	filled in (rates only; 0 where there is no limit)
 *
 * Return: false when the tap is gone.
 */
bool qos_read(struct netlink *nl, const char *tap_name,
	      struct qos_limits *limits)
{
	g_autoptr(rtnl_link) tap = netlink_get_link(nl, tap_name, NULL);
	g_autoptr(rtnl_link) ifb = NULL;
	char ifb_name[IFNAMSIZ];

	*limits = (struct qos_limits){ 0 };
	if (!tap)
		return false;
	limits->inbound.rate = class_rate(nl, rtnl_link_get_ifindex(tap));
	if (qos_ifb_name(tap_name, ifb_name))
		ifb = netlink_get_link(nl, ifb_name, NULL);
	if (ifb && ifb_tap_index(ifb) == rtnl_link_get_ifindex(tap))
		limits->outbound.rate = class_rate(nl,
						   rtnl_link_get_ifindex(ifb));
	return true;
}

/**
 * struct ifb_seen - one IFB of a dump
 * @ifindex:	its index
 * @name:	its name
 * @recorded:	the tap index its alias records, 0 for none
 * @ours:	its alias is ours or empty
 */
struct ifb_seen {
	int ifindex;
	char name[IFNAMSIZ];
	int recorded;
	bool ours;
};

/**
 * collect_ifb() - netlink_request() callback: keep each IFB of the dump
 * @msg:	one RTM_NEWLINK
 * @arg:	GArray of struct ifb_seen
 *
 * Return: NL_OK.
 */
static int collect_ifb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *hdr = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];
	const struct ifinfomsg *ifi = nlmsg_data(hdr);
	struct ifb_seen seen = { .ifindex = ifi->ifi_index };
	const char *alias = NULL;

	if (hdr->nlmsg_type != RTM_NEWLINK ||
	    nlmsg_parse(hdr, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0 ||
	    !tb[IFLA_IFNAME] || !tb[IFLA_LINKINFO] ||
	    nla_parse_nested(info, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) < 0 ||
	    !info[IFLA_INFO_KIND] ||
	    strcmp(nla_get_string(info[IFLA_INFO_KIND]), "ifb"))
		return NL_OK;	/* a kernel that ignores the kind filter */
	nla_strlcpy(seen.name, tb[IFLA_IFNAME], sizeof(seen.name));
	if (tb[IFLA_IFALIAS])
		alias = nla_get_string(tb[IFLA_IFALIAS]);
	seen.recorded = alias_tap_index(alias);
	seen.ours = !alias || !*alias ||
		    g_str_has_prefix(alias, QOS_IFB_ALIAS_PREFIX);
	g_array_append_val((GArray *)arg, seen);
	return NL_OK;
}

/**
 * dump_ifbs() - every IFB device, in one dump the kernel filters by kind
 * @nl:		socket
 *
 * Only IFBs come back (IFLA_LINKINFO/IFLA_INFO_KIND in the request), so
 * the cost does not grow with the taps and bridges there are: direct mode
 * runs this on every request.
 *
 * Return: a GArray of struct ifb_seen, or NULL.
 */
static GArray *dump_ifbs(struct netlink *nl)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	g_autoptr(GArray) ifbs = g_array_new(FALSE, FALSE,
					     sizeof(struct ifb_seen));
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	struct nlattr *linkinfo;
	bool ok;

	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    !(linkinfo = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "ifb") < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	nla_nest_end(msg, linkinfo);
	ok = netlink_request(nl, msg, collect_ifb, ifbs, "list IFB devices",
			     NULL);
	nlmsg_free(msg);
	return ok ? g_steal_pointer(&ifbs) : NULL;
}

/**
 * qos_remove_orphans() - remove every IFB whose tap is gone
 * @nl:		socket
 *
 * An IFB twi<N> is an orphan when there is no tw<N>, or its alias records
 * another interface index than tw<N>'s (the number was reused).
 *
 * Return: how many were removed.
 */
unsigned int qos_remove_orphans(struct netlink *nl)
{
	g_autoptr(GArray) ifbs = dump_ifbs(nl);
	unsigned int removed = 0;

	if (!ifbs)
		return 0;
	for (unsigned int i = 0; i < ifbs->len; i++) {
		const struct ifb_seen *ifb = &g_array_index(ifbs, struct ifb_seen, i);
		const char *digits = ifb->name + strlen(QOS_IFB_PREFIX);
		g_autofree char *tap_name = NULL;
		int tap_index;

		if (!ifb->ours || !g_str_has_prefix(ifb->name, QOS_IFB_PREFIX) ||
		    !*digits || strspn(digits, "0123456789") != strlen(digits))
			continue;
		tap_name = g_strconcat(TAP_NAME_PREFIX, digits, NULL);
		tap_index = (int)if_nametoindex(tap_name);
		if (tap_index && (!ifb->recorded || ifb->recorded == tap_index))
			continue;
		removed += delete_ifb(nl, ifb->name, ifb->ifindex, NULL);
	}
	return removed;
}
