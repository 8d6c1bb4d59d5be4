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
 * TW_NETLINK_FAULT_ARMED=FILE counts calls only while FILE exists (so a
 * broker starts up unharmed, and the test arms it when it wants).
 * TW_NETLINK_FAULT_LOG=FILE gets a line `PID OP N` for every failure made,
 * so that a test knows whether call N happened at all.
 * TW_NETLINK_FAULT_PROTOCOL=netfilter counts NETLINK_NETFILTER sockets
 * (libnftables' transactions) instead of NETLINK_ROUTE.
 * Other sockets and other processes' calls are left alone.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <sys/socket.h>

enum fault_op { FAULT_SEND, FAULT_RECV };

static atomic_ulong calls[2];

/* is_target_netlink() - is @fd a netlink socket of the protocol faulted:
 * NETLINK_ROUTE, or NETLINK_NETFILTER with TW_NETLINK_FAULT_PROTOCOL */
static bool is_target_netlink(int fd)
{
	const char *which = getenv("TW_NETLINK_FAULT_PROTOCOL");
	int target = which && !strcmp(which, "netfilter") ? NETLINK_NETFILTER :
		     NETLINK_ROUTE;
	int domain = -1, protocol = -1;
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
	    domain != AF_NETLINK)
		return false;
	len = sizeof(int);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) == 0 &&
	       protocol == target;
}

/* log_fault() - one line to $TW_NETLINK_FAULT_LOG */
static void log_fault(const char *op, unsigned long n)
{
	const char *path = getenv("TW_NETLINK_FAULT_LOG");
	char line[64];
	int fd, len;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	len = snprintf(line, sizeof(line), "%d %s %lu\n", (int)getpid(), op, n);
	if (write(fd, line, (size_t)len) < 0)
		len = 0;
	close(fd);
}

/* should_fail() - count this call of @op on @fd; is it one to fail */
static bool should_fail(enum fault_op op, int fd)
{
	static const char *const names[] = { "send", "recv" };
	const char *spec = getenv("TW_NETLINK_FAULT");
	const char *armed = getenv("TW_NETLINK_FAULT_ARMED");
	unsigned long first, period = 0, n;
	char name[8];
	int saved = errno;
	bool fail = false;

	if (!spec || !is_target_netlink(fd))
		goto out;
	if (armed && access(armed, F_OK) != 0)
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

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*next)(int, const struct msghdr *, int);

	if (!next)
		next = dlsym(RTLD_NEXT, "sendmsg");
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
