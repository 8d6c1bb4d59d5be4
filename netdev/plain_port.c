/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plain_port.c - a new tap made a port of a plain bridge, with libmnl
 * only: direct mode's path for the requests that need nothing more.
 *
 * Direct mode's full path (the stage module tapwarden-helper-direct.so:
 * libnl-route, VLANs, QoS, the sweep of orphan IFBs, every refusal in
 * words) costs QEMU the loading of three libraries on every VM start,
 * about as much as qemu-bridge-helper's whole set-up. Most requests need
 * none of it: a network with no VLAN and no rate, on a bridge that is
 * there. plain_port_make() does for those what the full path does
 * (bridge.c, direct_mode.c), in the same order and with the same result
 * in the kernel: the bridge read by its name (its own name, a bridge), the
 * tap made (tap.c), IPv6 off while it is down (link_ipv6_sysctl.c), and one
 * RTM_SETLINK that gives it a MAC, the bridge's MTU, the lease alias, the
 * bridge as master and IFF_UP.
 *
 * It never words a refusal. On anything it does not expect (no such
 * bridge, an IFB of tapwarden's that may be an orphan, a kernel that says
 * no, a read-only /proc/sys) it gives up and leaves nothing: the tap is
 * not persistent, so closing it removes it with everything set on it. The
 * caller then hands the request to the full path, which does it again and
 * says what is wrong. So there is one set of error words (netlink.c), and
 * the full path stays the one that knows every case.
 */
#include "plain_port.h"

#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <libmnl/libmnl.h>

#include "link_ipv6_sysctl.h"
#include "qos.h"	/* QOS_IFB_PREFIX only */

/* how long the kernel may take to answer (as netlink.c's requests) */
#define PLAIN_PORT_REPLY_TIMEOUT_S 5
/* room for the largest request here: names, the alias, a MAC, four u32 */
#define PLAIN_PORT_REQUEST_SIZE 1024

/**
 * struct link_seen - what a RTM_NEWLINK answer said of a link
 * @index:	its interface index, 0 when none came
 * @mtu:	its MTU
 * @name:	its own name
 * @kind:	IFLA_INFO_KIND, "" when it has none
 */
struct link_seen {
	int index;
	unsigned int mtu;
	char name[IFNAMSIZ];
	char kind[16];
};

/**
 * struct ifb_search - the dump of IFBs
 * @found:	an IFB with tapwarden's prefix was seen
 */
struct ifb_search {
	bool found;
};

/**
 * rtnl_open() - a bound route netlink socket that waits a bounded time
 *
 * Return: the socket, or NULL.
 */
static struct mnl_socket *rtnl_open(void)
{
	struct timeval timeout = { .tv_sec = PLAIN_PORT_REPLY_TIMEOUT_S };
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO,
		       &timeout, sizeof(timeout)) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

/**
 * rtnl_talk() - send one request, run @cb on each answer until its end
 * @nl:		socket from rtnl_open()
 * @nlh:	the request (its sequence number is set here)
 * @cb:		called for each data message, or NULL
 * @data:	passed to @cb
 *
 * Return: true when the kernel answered without error (an ACK, or the end
 * of a dump).
 */
static bool rtnl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh,
		      mnl_cb_t cb, void *data)
{
	char buf[32768];	/* a dump's messages (libmnl 1.0.5: MNL_SOCKET_DUMP_SIZE) */
	unsigned int portid = mnl_socket_get_portid(nl);
	unsigned int seq = (unsigned int)time(NULL);
	ssize_t n;
	int rc;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return false;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n <= 0)
			return false;
		rc = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
	} while (rc == MNL_CB_OK);
	return rc == MNL_CB_STOP;
}

/**
 * link_attr() - mnl_attr_parse() callback: note one attribute of a link
 * @attr:	the attribute
 * @data:	struct link_seen
 *
 * Return: MNL_CB_OK.
 */
static int link_attr(const struct nlattr *attr, void *data)
{
	struct link_seen *seen = data;
	const struct nlattr *info;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			g_strlcpy(seen->name, mnl_attr_get_str(attr),
				  sizeof(seen->name));
		break;
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			seen->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		mnl_attr_for_each_nested(info, attr)
			if (mnl_attr_get_type(info) == IFLA_INFO_KIND &&
			    mnl_attr_validate(info, MNL_TYPE_STRING) == 0)
				g_strlcpy(seen->kind, mnl_attr_get_str(info),
					  MIN(sizeof(seen->kind),
					      (size_t)mnl_attr_get_payload_len(info) + 1));
		break;
	}
	return MNL_CB_OK;
}

/**
 * parse_link() - one RTM_NEWLINK into @seen
 * @nlh:	the message
 * @seen:	filled in
 *
 * Return: MNL_CB_OK, or MNL_CB_ERROR when it is no link message.
 */
static int parse_link(const struct nlmsghdr *nlh, struct link_seen *seen)
{
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return MNL_CB_ERROR;
	ifi = mnl_nlmsg_get_payload(nlh);
	*seen = (struct link_seen){ .index = ifi->ifi_index };
	return mnl_attr_parse(nlh, sizeof(*ifi), link_attr, seen) < 0 ?
	       MNL_CB_ERROR : MNL_CB_OK;
}

/**
 * on_link() - rtnl_talk() callback: the answer to a RTM_GETLINK by name
 * @nlh:	the answer
 * @data:	struct link_seen
 *
 * Return: MNL_CB_OK, or MNL_CB_ERROR.
 */
static int on_link(const struct nlmsghdr *nlh, void *data)
{
	return parse_link(nlh, data);
}

/**
 * on_ifb() - rtnl_talk() callback: one link of the dump of IFBs
 * @nlh:	one RTM_NEWLINK
 * @data:	struct ifb_search
 *
 * Return: MNL_CB_OK, or MNL_CB_ERROR.
 */
static int on_ifb(const struct nlmsghdr *nlh, void *data)
{
	struct ifb_search *search = data;
	struct link_seen seen;

	if (parse_link(nlh, &seen) != MNL_CB_OK)
		return MNL_CB_ERROR;
	if (!strcmp(seen.kind, "ifb") &&
	    g_str_has_prefix(seen.name, QOS_IFB_PREFIX))
		search->found = true;
	return MNL_CB_OK;
}

/**
 * link_request() - start a RTM_*LINK request in @buf
 * @buf:	PLAIN_PORT_REQUEST_SIZE bytes, zeroed
 * @type:	RTM_GETLINK or RTM_SETLINK
 * @flags:	NLM_F_* beside NLM_F_REQUEST
 *
 * Return: the message, with an empty struct ifinfomsg (index 0: the link
 * is named by IFLA_IFNAME).
 */
static struct nlmsghdr *link_request(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	return nlh;
}

/**
 * read_bridge() - the bridge @name, read by its name
 * @nl:		socket
 * @name:	the bridge's name
 * @br:		filled in
 *
 * Return: true when @name is a bridge's own name (not an alternative
 * one) and the kernel said its index and MTU.
 */
static bool read_bridge(struct mnl_socket *nl, const char *name,
			struct link_seen *br)
{
	char buf[PLAIN_PORT_REQUEST_SIZE] = { 0 };	/* no byte sent unset */
	/* NLM_F_ACK: the answer is one message, then the ACK ends it */
	struct nlmsghdr *nlh = link_request(buf, RTM_GETLINK, NLM_F_ACK);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	*br = (struct link_seen){ 0 };
	return rtnl_talk(nl, nlh, on_link, br) && br->index > 0 &&
	       br->mtu > 0 && !strcmp(br->name, name) &&
	       !strcmp(br->kind, "bridge");
}

/**
 * ifb_present() - is there an IFB of tapwarden's (a live tap's, or an
 * orphan the full path would sweep: either way that path serves)
 * @nl:		socket
 * @present:	set to the answer
 *
 * One dump the kernel filters by kind (IFLA_LINKINFO in the request), as
 * the stage's sweep asks (qos.c). A kernel filters only for a kind it has
 * registered; without the ifb module it sends every link, so the kind is
 * checked here too. (/sys/module/ifb cannot tell: it is missing for an
 * ifb built in without parameters.)
 *
 * Return: true when the answer is known.
 */
static bool ifb_present(struct mnl_socket *nl, bool *present)
{
	char buf[PLAIN_PORT_REQUEST_SIZE] = { 0 };	/* no byte sent unset */
	struct nlmsghdr *nlh;
	struct ifb_search search = { 0 };
	struct nlattr *info;

	nlh = link_request(buf, RTM_GETLINK, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "ifb");
	mnl_attr_nest_end(nlh, info);
	if (!rtnl_talk(nl, nlh, on_ifb, &search))
		return false;
	*present = search.found;
	return true;
}

/**
 * join_bridge() - configure the new tap and make it a port of @br, up
 * @nl:		socket
 * @tap_name:	the tap, down, on no bridge
 * @br:		the bridge
 * @alias:	the lease
 *
 * Return: true when the kernel did all of it.
 */
static bool join_bridge(struct mnl_socket *nl, const char *tap_name,
			const struct link_seen *br, const char *alias)
{
	char buf[PLAIN_PORT_REQUEST_SIZE] = { 0 };	/* no byte sent unset */
	struct nlmsghdr *nlh = link_request(buf, RTM_SETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	unsigned char mac[6];

	if (!tap_random_mac(mac, NULL))
		return false;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, tap_name);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	mnl_attr_put_u32(nlh, IFLA_MTU, br->mtu);
	mnl_attr_put_strz(nlh, IFLA_IFALIAS, alias);
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)br->index);
	return rtnl_talk(nl, nlh, NULL, NULL);
}

/**
 * plain_port_make() - a new tap, up, a port of bridge @bridge
 * @bridge:	the bridge policy chose
 * @use_vnet:	ask for IFF_VNET_HDR
 * @alias:	the lease (lease_alias_format())
 * @tap:	filled in on success; the caller owns its descriptor
 *
 * Return: true on success; false when the full path must serve the
 * request (then nothing of this call is left in the kernel).
 */
bool plain_port_make(const char *bridge, bool use_vnet, const char *alias,
		     struct tap *tap)
{
	struct mnl_socket *nl = rtnl_open();
	struct link_seen br;
	bool ifbs = true;

	if (!nl)
		return false;
	if (!ifb_present(nl, &ifbs) || ifbs ||	/* the full path sweeps */
	    !read_bridge(nl, bridge, &br) ||
	    !tap_create(use_vnet, tap, NULL))
		goto give_up;
	if (link_ipv6_sysctl_off(tap->name) ||
	    !join_bridge(nl, tap->name, &br, alias)) {
		tap_close(tap);
		goto give_up;
	}
	mnl_socket_close(nl);
	return true;

give_up:
	mnl_socket_close(nl);
	return false;
}
