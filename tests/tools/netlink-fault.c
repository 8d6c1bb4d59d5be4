/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netlink-fault.c - make chosen netlink calls of a process fail, for
 * fault-injection tests only (LD_PRELOAD; never installed).
 *
 * TW_NETLINK_FAULT=OP:N[+P] fails the Nth call of OP (and, with +P, every
 * Pth call after it) on a NETLINK_ROUTE socket, counting from 1 in each
 * process: OP `send' is sendmsg/sendto/send, which then fails with ENOBUFS
 * before the kernel sees the message (the request is not done); OP `recv'
 * is recvmsg/recvfrom/recv, which the kernel has answered: the answer is
 * read and thrown away, and the call fails with ENOBUFS (the request may
 * be done, and the process does not know).
 * TW_NETLINK_FAULT_ARMED=signal counts calls only while armed: SIGUSR2
 * arms and disarms in turn (so a broker starts up unharmed, and the test
 * arms it when it wants).
 * TW_NETLINK_FAULT_LOG=FILE gets a line `PID OP N` for every failure made,
 * so that a test knows whether call N happened at all.
 * TW_NETLINK_FAULT_PROTOCOL=netfilter counts NETLINK_NETFILTER sockets
 * (libnftables' transactions) instead of NETLINK_ROUTE.
 * TW_NETLINK_DELAY_GETLINK=NAME:MS holds every RTM_GETLINK request for
 * the link called NAME for MS milliseconds before it goes out (it is not
 * failed), so that a test can let another process act between two reads.
 * Other sockets and other processes' calls are left alone.
 *
 * The processes it runs in confine themselves (policy/confine.c), so it
 * makes no system call of its own after start-up: the log is opened, the
 * signal handler installed, at load; netlink sockets are known from
 * socket() (their protocol noted per descriptor, forgotten at close()).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

enum fault_op { FAULT_SEND, FAULT_RECV };

static atomic_ulong calls[2];
static atomic_bool armed = true;
static int log_fd = -1;
/* the protocol of each netlink socket this process made, + 1 (0: none) */
#define MAX_FDS 65536
static atomic_uchar netlink_protocol[MAX_FDS];

static void toggle_armed(int sig)
{
	(void)sig;
	atomic_store(&armed, !atomic_load(&armed));
}

__attribute__((constructor)) static void fault_init(void)
{
	const char *path = getenv("TW_NETLINK_FAULT_LOG");
	const char *arm = getenv("TW_NETLINK_FAULT_ARMED");

	if (path)
		log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (arm && !strcmp(arm, "signal")) {
		struct sigaction sa = { .sa_handler = toggle_armed,
					.sa_flags = SA_RESTART };

		atomic_store(&armed, false);
		sigaction(SIGUSR2, &sa, NULL);
	}
}

int socket(int domain, int type, int protocol)
{
	static int (*next)(int, int, int);
	int fd;

	if (!next)
		next = dlsym(RTLD_NEXT, "socket");
	fd = next(domain, type, protocol);
	if (fd >= 0 && fd < MAX_FDS)
		atomic_store(&netlink_protocol[fd],
			     domain == AF_NETLINK ? (unsigned char)(protocol + 1) : 0);
	return fd;
}

int close(int fd)
{
	static int (*next)(int);

	if (!next)
		next = dlsym(RTLD_NEXT, "close");
	if (fd >= 0 && fd < MAX_FDS)
		atomic_store(&netlink_protocol[fd], 0);
	return next(fd);
}

/* is_target_netlink() - is @fd a netlink socket of the protocol faulted:
 * NETLINK_ROUTE, or NETLINK_NETFILTER with TW_NETLINK_FAULT_PROTOCOL */
static bool is_target_netlink(int fd)
{
	const char *which = getenv("TW_NETLINK_FAULT_PROTOCOL");
	int target = which && !strcmp(which, "netfilter") ? NETLINK_NETFILTER :
		     NETLINK_ROUTE;

	return fd >= 0 && fd < MAX_FDS &&
	       atomic_load(&netlink_protocol[fd]) == target + 1;
}

/* fd_is_route_netlink() - is @fd a NETLINK_ROUTE socket */
static bool fd_is_route_netlink(int fd)
{
	return fd >= 0 && fd < MAX_FDS &&
	       atomic_load(&netlink_protocol[fd]) == NETLINK_ROUTE + 1;
}

/* log_fault() - one line to $TW_NETLINK_FAULT_LOG (opened at load) */
static void log_fault(const char *op, unsigned long n)
{
	char line[64];
	int len;

	if (log_fd < 0)
		return;
	len = snprintf(line, sizeof(line), "%d %s %lu\n", (int)getpid(), op, n);
	if (write(log_fd, line, (size_t)len) < 0)
		len = 0;
}

/* should_fail() - count this call of @op on @fd; is it one to fail */
static bool should_fail(enum fault_op op, int fd)
{
	static const char *const names[] = { "send", "recv" };
	const char *spec = getenv("TW_NETLINK_FAULT");
	unsigned long first, period = 0, n;
	char name[8];
	int saved = errno;
	bool fail = false;

	if (!spec || !is_target_netlink(fd))
		goto out;
	if (!atomic_load(&armed))
		goto out;
	if (sscanf(spec, "%7[a-z]:%lu+%lu", name, &first, &period) < 2 ||
	    strcmp(name, names[op]) || first == 0)
		goto out;
	n = atomic_fetch_add(&calls[op], 1) + 1;
	fail = n == first || (period && n > first && (n - first) % period == 0);
	if (fail)
		log_fault(names[op], n);
out:
	errno = saved;
	return fail;
}

/* getlink_name() - the IFLA_IFNAME of an RTM_GETLINK request in @buf, or
 * NULL */
static const char *getlink_name(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	const struct rtattr *rta;
	size_t left;

	if (len < NLMSG_LENGTH(sizeof(struct ifinfomsg)) ||
	    nlh->nlmsg_len > len || nlh->nlmsg_type != RTM_GETLINK)
		return NULL;
	rta = (const struct rtattr *)((const char *)NLMSG_DATA(nlh) +
				      NLMSG_ALIGN(sizeof(struct ifinfomsg)));
	left = nlh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct ifinfomsg)));
	for (; RTA_OK(rta, left); rta = RTA_NEXT(rta, left))
		if (rta->rta_type == IFLA_IFNAME &&
		    memchr(RTA_DATA(rta), '\0', RTA_PAYLOAD(rta)))
			return RTA_DATA(rta);
	return NULL;
}

/* maybe_delay() - hold a request $TW_NETLINK_DELAY_GETLINK names; spins on
 * clock_gettime() (the vDSO: no system call a confined process may lack) */
static void maybe_delay(int fd, const void *buf, size_t len)
{
	const char *spec = getenv("TW_NETLINK_DELAY_GETLINK");
	const char *colon, *name;
	struct timespec start, now;
	long ms;
	int saved = errno;

	if (!spec || !(colon = strchr(spec, ':')) || !buf ||
	    !fd_is_route_netlink(fd) || !(name = getlink_name(buf, len)) ||
	    strlen(name) != (size_t)(colon - spec) ||
	    strncmp(name, spec, (size_t)(colon - spec)))
		goto out;
	ms = strtol(colon + 1, NULL, 10);
	clock_gettime(CLOCK_MONOTONIC, &start);
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while ((now.tv_sec - start.tv_sec) * 1000 +
	       (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
out:
	errno = saved;
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*next)(int, const struct msghdr *, int);

	if (!next)
		next = dlsym(RTLD_NEXT, "sendmsg");
	if (msg && msg->msg_iovlen >= 1)
		maybe_delay(fd, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len);
	if (should_fail(FAULT_SEND, fd)) {
		errno = ENOBUFS;
		return -1;
	}
	return next(fd, msg, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *to, socklen_t tolen)
{
	static ssize_t (*next)(int, const void *, size_t, int,
			       const struct sockaddr *, socklen_t);

	if (!next)
		next = dlsym(RTLD_NEXT, "sendto");
	maybe_delay(fd, buf, len);
	if (should_fail(FAULT_SEND, fd)) {
		errno = ENOBUFS;
		return -1;
	}
	return next(fd, buf, len, flags, to, tolen);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*next)(int, struct msghdr *, int);
	ssize_t n;

	if (!next)
		next = dlsym(RTLD_NEXT, "recvmsg");
	n = next(fd, msg, flags);
	/* only a real answer is lost: a peek or an empty queue stays so */
	if (n >= 0 && !(flags & MSG_PEEK) && should_fail(FAULT_RECV, fd)) {
		errno = ENOBUFS;
		return -1;
	}
	return n;
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		 struct sockaddr *from, socklen_t *fromlen)
{
	static ssize_t (*next)(int, void *, size_t, int, struct sockaddr *,
			       socklen_t *);
	ssize_t n;

	if (!next)
		next = dlsym(RTLD_NEXT, "recvfrom");
	n = next(fd, buf, len, flags, from, fromlen);
	if (n >= 0 && !(flags & MSG_PEEK) && should_fail(FAULT_RECV, fd)) {
		errno = ENOBUFS;
		return -1;
	}
	return n;
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}
