/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peer_identity.c - who is at the other end of a unix socket, per the kernel.
 *
 * The broker believes nothing a client says about itself. The kernel
 * recorded the peer's uid, gid and pid when it connected (SO_PEERCRED), its
 * supplementary groups (SO_PEERGROUPS) and, on Linux 6.5 and later, gives a
 * pidfd for that very process (SO_PEERPIDFD), which cannot be confused with
 * a later process that reuses the pid. Where SO_PEERPIDFD exists the broker
 * uses the pidfd to check that the process still lives before it records
 * the pid in a lease.
 */
#include "peer_identity.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "error.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/**
 * peer_groups() - the peer's supplementary groups (SO_PEERGROUPS)
 * @sock:	connected unix socket
 * @c:		its groups and ngroups are set
 *
 * Return: true on success.
 */
static bool peer_groups(int sock, struct caller *c)
{
	socklen_t len = 64 * sizeof(gid_t);

	for (int tries = 0; tries < 3; tries++) {
		c->groups = g_realloc(c->groups, len ? len : sizeof(gid_t));
		if (getsockopt(sock, SOL_SOCKET, SO_PEERGROUPS, c->groups,
			       &len) == 0) {
			c->ngroups = len / sizeof(gid_t);
			return true;
		}
		if (errno != ERANGE)
			return false;
	}
	return false;
}

/**
 * peer_identity() - the credentials the kernel holds for @sock's peer
 * @sock:	connected unix socket
 * @c:		filled in; free with caller_clear()
 * @pidfd:	if not NULL, set to a pidfd of the peer, or -1 where the
 *		kernel has no SO_PEERPIDFD
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool peer_identity(int sock, struct caller *c, int *pidfd, GError **error)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	*c = (struct caller){ 0 };
	if (pidfd)
		*pidfd = -1;
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    len != sizeof(cred) || cred.pid <= 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "cannot identify the caller (SO_PEERCRED)");
		return false;
	}
	c->uid = cred.uid;
	c->peer_uid = cred.uid;
	c->gid = cred.gid;
	c->pid = cred.pid;
	if (!peer_groups(sock, c)) {
		caller_clear(c);
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "cannot read the caller's groups (SO_PEERGROUPS)");
		return false;
	}
	if (pidfd) {
		int fd;

		len = sizeof(fd);
		if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &fd, &len) == 0) {
			*pidfd = fd;
		} else if (errno != ENOPROTOOPT) {
			/* the kernel has SO_PEERPIDFD: the peer is gone */
			caller_clear(c);
			g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
				    "the caller has exited");
			return false;
		}
	}
	return true;
}

/**
 * peer_pidfd() - a pidfd of @sock's peer (SO_PEERPIDFD)
 * @sock:	connected unix socket
 *
 * Return: the pidfd, or -1 where the kernel has none (before 6.5) or the
 * peer is gone.
 */
int peer_pidfd(int sock)
{
	socklen_t len = sizeof(int);
	int fd;

	if (getsockopt(sock, SOL_SOCKET, SO_PEERPIDFD, &fd, &len) < 0)
		return -1;
	return fd;
}

/**
 * peer_is_alive() - does the process behind @pidfd still run
 * @pidfd:	a pidfd, or -1 (then: assumed alive)
 *
 * Return: false when the process has exited.
 */
bool peer_is_alive(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	if (pidfd < 0)
		return true;
	/* a pidfd turns readable when its process exits; polling needs no
	 * permission to signal it (a broker that is not root has none) */
	return poll(&p, 1, 0) == 0;
}
