/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_netns.c - the namespace side of user mode: a tap where the guest is.
 *
 * Theory of operation: libslirp must run in the caller's own network
 * namespace (its sockets are the guest's connections to the world), while
 * the tap must live in a namespace where this unprivileged process holds
 * CAP_NET_ADMIN. So a child process does the namespace work and sends the
 * results back (slirp_reply.h: the interface index and the descriptors, or
 * an error line):
 *
 *  - slirp_netns_new_private() (QEMU's user mode): the child makes a new
 *    user namespace (mapping only the caller's own uid and gid) and a new
 *    network namespace, creates the tap there, brings it up with the MTU
 *    and no IPv6 address of its own (the kernel side of that tap must stay
 *    silent: the guest talks to libslirp only), and sends the tap plus an
 *    AF_PACKET socket of that namespace. It then stays, asleep, as the
 *    namespaces' visible holder ("keeper"), and exits when the engine
 *    closes its end or dies (PR_SET_PDEATHSIG), so the namespaces are
 *    findable while in use and gone with the engine.
 *  - slirp_netns_join() (tapwarden usernet PID): the child enters PID's
 *    user namespace (if not ours) and network namespace, creates the tap
 *    under the name asked for, configures it as slirp4netns --configure does
 *    (lo up; tap up with the MTU, SLIRP_NETNS_ADDRESS/24, default route via
 *    the gateway; IPv6 comes from libslirp's router advertisements), sends
 *    the tap and exits.
 *
 * Sockets and taps keep their namespace whatever process holds them, so
 * after the hand-over the engine reads and writes them from its own one.
 */
#include "slirp_netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/if_addr.h>
#include <linux/if_tun.h>
#include <netlink/route/addr.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/route.h>

#include "error.h"
#include "netlink.h"
#include "slirp.h"
#include "slirp_reply.h"
#include "tap.h"

/**
 * child_fail() - send @error to the parent and end the child
 * @sock:	the child's end
 * @error:	what went wrong (freed)
 */
G_NORETURN static void child_fail(int sock, GError *error)
{
	slirp_reply_send_error(sock, error);
	g_error_free(error);
	_exit(1);
}

/**
 * set_kernel_error() - set @error to "WHAT: strerror(errno)"
 * @error:	error to set
 * @what:	what failed
 *
 * Return: false.
 */
static bool set_kernel_error(GError **error, const char *what)
{
	int err = errno;

	g_set_error(error, TW_ERROR, TW_ERROR_KERNEL, "%s: %s", what,
		    g_strerror(err));
	return false;
}

/**
 * write_file() - write @text to @path in one write()
 * @path:	file, e.g. /proc/self/uid_map
 * @text:	contents
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool write_file(const char *path, const char *text, GError **error)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = (ssize_t)strlen(text);
	bool ok;

	if (fd < 0)
		return set_kernel_error(error, path);
	ok = write(fd, text, (size_t)len) == len;
	if (!ok)
		set_kernel_error(error, path);
	close(fd);
	return ok;
}

/**
 * enter_private_namespaces() - new user and network namespaces
 * @error:	set on failure
 *
 * Only the caller's own uid and gid are mapped (to 0), which needs no
 * privilege; that root holds CAP_NET_ADMIN over the new network namespace.
 *
 * Return: true on success.
 */
static bool enter_private_namespaces(GError **error)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		int err = errno;

		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot create a user and network namespace: %s%s",
			    g_strerror(err),
			    err == EPERM || err == ENOSPC ?
			    " (are user namespaces disabled? see user.max_user_namespaces)" : "");
		return false;
	}
	if (!write_file("/proc/self/setgroups", "deny", error))
		return false;
	g_snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	if (!write_file("/proc/self/uid_map", map, error))
		return false;
	g_snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	return write_file("/proc/self/gid_map", map, error);
}

/**
 * link_set() - rename (optional), set the MTU and bring a link up
 * @nl:		netlink socket
 * @name:	the link
 * @new_name:	its new name, or NULL
 * @mtu:	MTU, 0 to keep it
 * @no_ipv6_address: give it no IPv6 address of its own
 * @error:	set on failure, with the kernel's reason
 *
 * Return: true on success.
 */
static bool link_set(struct netlink *nl, const char *name,
		     const char *new_name, unsigned int mtu,
		     bool no_ipv6_address, GError **error)
{
	g_autoptr(rtnl_link) link = netlink_get_link(nl, name, error);
	g_autoptr(rtnl_link) changes = NULL;

	if (!link)
		return false;
	if (new_name) {
		/* a link is renamed while down, then brought up */
		changes = rtnl_link_alloc();
		rtnl_link_set_name(changes, new_name);
		if (!netlink_change_link(nl, link, changes, error))
			return false;
		g_clear_pointer(&link, rtnl_link_put);
		g_clear_pointer(&changes, rtnl_link_put);
		link = netlink_get_link(nl, new_name, error);
		if (!link)
			return false;
	}
	changes = rtnl_link_alloc();
	if (mtu)
		rtnl_link_set_mtu(changes, mtu);
	if (no_ipv6_address)
		rtnl_link_inet6_set_addr_gen_mode(changes,
			rtnl_link_inet6_str2addrgenmode("none"));
	rtnl_link_set_flags(changes, IFF_UP);
	return netlink_change_link(nl, link, changes, error);
}

/**
 * add_address_and_route() - SLIRP_NETNS_ADDRESS/24 and a default route
 * @ifindex:	the tap
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool add_address_and_route(int ifindex, GError **error)
{
	struct nl_sock *sock = nl_socket_alloc();
	struct rtnl_addr *addr = rtnl_addr_alloc();
	struct rtnl_route *route = rtnl_route_alloc();
	struct rtnl_nexthop *hop = rtnl_route_nh_alloc();
	struct nl_addr *local = NULL, *dst = NULL, *gateway = NULL;
	const char *what = "cannot connect to route netlink";
	int rc;

	if (!sock || !addr || !route || !hop) {
		rc = -NLE_NOMEM;
		goto out;
	}
	rc = nl_connect(sock, NETLINK_ROUTE);
	if (rc < 0)
		goto out;
	what = "cannot add " SLIRP_NETNS_ADDRESS "/24";
	nl_addr_parse(SLIRP_NETNS_ADDRESS "/24", AF_INET, &local);
	rtnl_addr_set_ifindex(addr, ifindex);
	rtnl_addr_set_local(addr, local);
	rc = rtnl_addr_add(sock, addr, 0);
	if (rc < 0)
		goto out;

	what = "cannot add the default route via " SLIRP_GATEWAY;
	nl_addr_parse("0.0.0.0/0", AF_INET, &dst);
	nl_addr_parse(SLIRP_GATEWAY, AF_INET, &gateway);
	rtnl_route_set_family(route, AF_INET);
	rtnl_route_set_dst(route, dst);
	rtnl_route_nh_set_ifindex(hop, ifindex);
	rtnl_route_nh_set_gateway(hop, gateway);
	rtnl_route_add_nexthop(route, hop);
	hop = NULL;
	rc = rtnl_route_add(sock, route, 0);
out:
	if (rc < 0)
		netlink_set_error(error, TW_ERROR_KERNEL, NULL, rc, "%s", what);
	if (hop)
		rtnl_route_nh_free(hop);
	nl_addr_put(local);
	nl_addr_put(dst);
	nl_addr_put(gateway);
	if (route)
		rtnl_route_put(route);
	if (addr)
		rtnl_addr_put(addr);
	if (sock)
		nl_socket_free(sock);
	return rc >= 0;
}

/**
 * child_private() - the child of slirp_netns_new_private(); never returns
 * @sock:	its end of the socket pair
 * @mtu:	the tap's MTU
 * @vnet_hdr:	ask for IFF_VNET_HDR on the tap
 * @confine_keeper: confines the keeper before it answers, or NULL
 */
G_NORETURN static void child_private(int sock, unsigned int mtu,
				     bool vnet_hdr,
				     slirp_keeper_confine confine_keeper)
{
	struct tap tap = { .fd = -1 };
	g_autoptr(netlink) nl = NULL;
	GError *error = NULL;
	int fds[2], ifindex;
	char byte;

	/* the keeper lives long: it holds nothing of its parent but @sock */
	close_range(3, (unsigned int)sock - 1, 0);
	close_range((unsigned int)sock + 1, ~0u, 0);
	if (!enter_private_namespaces(&error) ||
	    !tap_create(vnet_hdr, &tap, &error) ||
	    !(nl = netlink_open(&error)) ||
	    !link_set(nl, tap.name, NULL, mtu, true, &error))
		child_fail(sock, error);
	fds[0] = tap.fd;
	fds[1] = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fds[1] < 0) {
		set_kernel_error(&error, "cannot open a packet socket");
		child_fail(sock, error);
	}
	ifindex = (int)if_nametoindex(tap.name);
	g_clear_pointer(&nl, netlink_close);
	/* from here on it only answers and waits */
	if (confine_keeper && !confine_keeper(&error))
		child_fail(sock, error);
	slirp_reply_send(sock, ifindex, fds, 2);
	close(fds[0]);
	close(fds[1]);
	/* keep the namespaces visible until the engine is done */
	while (read(sock, &byte, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/**
 * child_join() - the child of slirp_netns_join(); never returns
 * @sock:	its end of the socket pair
 * @userns_fd:	user namespace to enter first, or -1
 * @netns_fd:	network namespace to enter
 * @tap_name:	the tap's name there
 * @mtu:	its MTU
 */
G_NORETURN static void child_join(int sock, int userns_fd, int netns_fd,
				  const char *tap_name, unsigned int mtu)
{
	struct tap tap = { .fd = -1 };
	g_autoptr(netlink) nl = NULL;
	GError *error = NULL;
	int ifindex;

	if (userns_fd >= 0 && setns(userns_fd, CLONE_NEWUSER) < 0) {
		set_kernel_error(&error, "cannot enter the user namespace");
		child_fail(sock, error);
	}
	if (setns(netns_fd, CLONE_NEWNET) < 0) {
		set_kernel_error(&error, "cannot enter the network namespace");
		child_fail(sock, error);
	}
	if (!tap_create(true, &tap, &error) ||
	    !(nl = netlink_open(&error)) ||
	    !link_set(nl, "lo", NULL, 0, false, &error) ||
	    !link_set(nl, tap.name, tap_name, mtu, false, &error))
		child_fail(sock, error);
	ifindex = (int)if_nametoindex(tap_name);
	if (!add_address_and_route(ifindex, &error))
		child_fail(sock, error);
	slirp_reply_send(sock, ifindex, &tap.fd, 1);
	_exit(0);
}

/**
 * fork_child() - a socket pair and a child that dies with us
 * @child_sock:	set to the child's end (in the child)
 * @parent_sock: set to the parent's end (in the parent)
 * @error:	set on failure
 *
 * Return: the child's pid (0 in the child), or -1 with @error set.
 */
static pid_t fork_child(int *child_sock, int *parent_sock, GError **error)
{
	int pair[2];
	pid_t parent = getpid(), pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		set_kernel_error(error, "socketpair");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		set_kernel_error(error, "fork");
		close(pair[0]);
		close(pair[1]);
		return -1;
	}
	if (pid == 0) {
		close(pair[0]);
		*child_sock = pair[1];
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(1);
		return 0;
	}
	close(pair[1]);
	*parent_sock = pair[0];
	return pid;
}

/**
 * slirp_netns_new_private() - a tap in new user and network namespaces
 * @mtu:	the tap's MTU
 * @vnet_hdr:	ask for IFF_VNET_HDR (QEMU's --use-vnet: offloads)
 * @confine_keeper: confines the keeper once it has made the tap, or NULL
 * @link:	filled in on success; clear with slirp_netns_link_clear()
 * @error:	set on failure; then no process or namespace is left
 *
 * Return: true on success.
 */
bool slirp_netns_new_private(unsigned int mtu, bool vnet_hdr,
			     slirp_keeper_confine confine_keeper,
			     struct slirp_netns_link *link, GError **error)
{
	int child_sock = -1, sock = -1, fds[2];
	int32_t ifindex = 0;
	pid_t pid;

	*link = (struct slirp_netns_link){ .tap_fd = -1, .packet_fd = -1,
					   .keeper_fd = -1 };
	pid = fork_child(&child_sock, &sock, error);
	if (pid < 0)
		return false;
	if (pid == 0)
		child_private(child_sock, mtu, vnet_hdr, confine_keeper);
	link->keeper = pid;
	link->keeper_fd = sock;
	if (!slirp_reply_receive(sock, &ifindex, fds, 2, error)) {
		int status = 0;

		close(sock);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(status)) {	/* e.g. its seccomp filter */
			g_clear_error(error);
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "the namespaces' keeper killed by signal %d (%s)",
				    WTERMSIG(status), strsignal(WTERMSIG(status)));
		}
		*link = (struct slirp_netns_link){ .tap_fd = -1,
						   .packet_fd = -1,
						   .keeper_fd = -1 };
		return false;
	}
	link->ifindex = ifindex;
	link->tap_fd = fds[0];
	link->packet_fd = fds[1];
	return true;
}

/**
 * slirp_netns_join() - a configured tap in an existing network namespace
 * @userns_fd:	its owning user namespace, to enter first; -1 to stay in ours
 * @netns_fd:	the network namespace
 * @tap_name:	the tap's name there
 * @mtu:	its MTU
 * @link:	filled in on success (@tap_fd only); clear with
 *		slirp_netns_link_clear()
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool slirp_netns_join(int userns_fd, int netns_fd, const char *tap_name,
		      unsigned int mtu, struct slirp_netns_link *link,
		      GError **error)
{
	int child_sock = -1, sock = -1, status;
	int32_t ifindex = 0;
	struct ifreq ifr = { 0 };
	pid_t pid;
	bool ok;

	*link = (struct slirp_netns_link){ .tap_fd = -1, .packet_fd = -1,
					   .keeper_fd = -1 };
	pid = fork_child(&child_sock, &sock, error);
	if (pid < 0)
		return false;
	if (pid == 0)
		child_join(child_sock, userns_fd, netns_fd, tap_name, mtu);
	ok = slirp_reply_receive(sock, &ifindex, &link->tap_fd, 1, error);
	link->ifindex = ifindex;
	if (ok && ioctl(link->tap_fd, TUNGETIFF, &ifr) == 0)
		link->vnet_hdr = ifr.ifr_flags & IFF_VNET_HDR;
	close(sock);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return ok;
}

/**
 * slirp_netns_link_clear() - close what @link holds; end its keeper
 * @link:	the link
 */
void slirp_netns_link_clear(struct slirp_netns_link *link)
{
	int status;

	if (link->tap_fd >= 0)
		close(link->tap_fd);
	if (link->packet_fd >= 0)
		close(link->packet_fd);
	if (link->keeper_fd >= 0)
		close(link->keeper_fd);
	if (link->keeper > 0)
		while (waitpid(link->keeper, &status, 0) < 0 && errno == EINTR)
			;
	*link = (struct slirp_netns_link){ .tap_fd = -1, .packet_fd = -1,
					   .keeper_fd = -1 };
}
