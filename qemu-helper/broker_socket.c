/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_socket.c - carry broker messages (and one fd) over a unix socket.
 *
 * The broker listens on a SOCK_SEQPACKET unix socket, so the kernel keeps
 * message boundaries: one send is one message, and a message longer than
 * BROKER_MSG_MAX arrives truncated (MSG_TRUNC) and is refused. A message
 * may carry one descriptor (SCM_RIGHTS): QEMU's socket with a request, the
 * tap with a reply. Anything more in the ancillary data is closed and the
 * message refused, so a peer can never make the other end hold descriptors
 * it did not ask for.
 *
 * The receive buffer has room for every descriptor the kernel lets one
 * message carry (SCM_MAX_FD): what does not fit is dropped by the kernel
 * inside recvmsg(), in the receiver's own task, and dropping the last
 * reference of a lingering socket waits there. So all of them arrive, and
 * each one not wanted goes to the closer (broker_socket_set_closer(): in
 * the broker, fd_reaper.c's process). Connections made here give up after
 * BROKER_CLIENT_TIMEOUT_S on a broker that does not take the request or
 * does not answer (SO_SNDTIMEO bounds connect() and send, SO_RCVTIMEO each
 * receive), with one line that says so.
 */
#include "broker_socket.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "config.h"
#include "error.h"

/* the kernel's SCM_MAX_FD: the most descriptors one message carries */
#define BROKER_FDS_PER_MESSAGE_MAX 253

/* Linux 6.16; where the kernel lacks it, setting it fails with ENOPROTOOPT */
#ifndef SO_PASSRIGHTS
#define SO_PASSRIGHTS 83
#endif

/**
 * broker_socket_path() - where the broker listens
 * @option:	--socket=PATH, or NULL
 *
 * Return: @option, else $TAPWARDEN_SOCKET, else the built-in default.
 */
const char *broker_socket_path(const char *option)
{
	const char *env = getenv(BROKER_SOCKET_ENV);

	if (option)
		return option;
	if (env && *env)
		return env;
	return TAPWARDEN_SOCKET_PATH;
}

/**
 * broker_socket_set_timeout() - bound every wait on @sock to @seconds
 * @sock:	a socket to the broker
 * @seconds:	for connect() and sends (SO_SNDTIMEO), and for each receive
 *		(SO_RCVTIMEO)
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool broker_socket_set_timeout(int sock, int seconds, GError **error)
{
	struct timeval tv = { .tv_sec = seconds };

	if (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int err = errno;

		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "cannot set a time limit on the broker's socket: %s",
			    g_strerror(err));
		return false;
	}
	return true;
}

/**
 * broker_socket_refuse_fds() - no descriptor may be sent to @sock
 * @sock:	a socket on which none is expected
 *
 * SO_PASSRIGHTS off (Linux 6.16): the kernel refuses the sender's
 * SCM_RIGHTS, so none can even be queued. Kernels without it answer
 * ENOPROTOOPT, and broker_recv() closes what comes.
 */
void broker_socket_refuse_fds(int sock)
{
	int off = 0;

	(void)setsockopt(sock, SOL_SOCKET, SO_PASSRIGHTS, &off, sizeof(off));
}

/**
 * timeout_seconds() - the receive (or send) time limit set on @sock
 * @sock:	socket
 * @option:	SO_RCVTIMEO or SO_SNDTIMEO
 *
 * Return: seconds, 0 when none.
 */
static long timeout_seconds(int sock, int option)
{
	struct timeval tv = { 0 };
	socklen_t len = sizeof(tv);

	if (getsockopt(sock, SOL_SOCKET, option, &tv, &len) < 0)
		return 0;
	return (long)tv.tv_sec;
}

/**
 * broker_connect() - connect to the broker, with BROKER_CLIENT_TIMEOUT_S
 * on every wait
 * @path:	its socket
 * @error:	set on failure; TW_ERROR_NOT_FOUND when no broker listens
 *
 * Return: the connected socket, or -1.
 */
int broker_connect(const char *path, GError **error)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int sock, err;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "socket path too long: %s", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		err = errno;
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "cannot make a socket: %s", g_strerror(err));
		return -1;
	}
	if (!broker_socket_set_timeout(sock, BROKER_CLIENT_TIMEOUT_S, error)) {
		close(sock);
		return -1;
	}
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		err = errno;
		close(sock);
		if (err == EAGAIN || err == EINPROGRESS)	/* backlog full */
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "tapwardend at %s did not take the connection in %d s",
				    path, BROKER_CLIENT_TIMEOUT_S);
		else
			g_set_error(error, TW_ERROR,
				    err == ENOENT || err == ECONNREFUSED ?
				    TW_ERROR_NOT_FOUND : TW_ERROR_FAILED,
				    "no tapwardend at %s: %s", path,
				    g_strerror(err));
		return -1;
	}
	return sock;
}

/**
 * broker_send() - send one message, with a descriptor if @fd >= 0
 * @sock:	connected socket
 * @msg:	message
 * @fd:		descriptor to pass, or -1
 * @error:	set on failure
 *
 * Return: true when the whole message was sent.
 */
bool broker_send(int sock, const struct broker_msg *msg, int fd,
		 GError **error)
{
	uint8_t buf[BROKER_MSG_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	iov.iov_len = broker_msg_encode(msg, buf, sizeof(buf));
	if (!iov.iov_len) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "message too long to send");
		return false;
	}
	if (fd >= 0) {
		struct cmsghdr *cmsg;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)iov.iov_len) {
		int err = n < 0 ? errno : EMSGSIZE;

		if (err == EAGAIN)
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "the other end took nothing in %ld s",
				    timeout_seconds(sock, SO_SNDTIMEO));
		else
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "cannot send to the other end: %s",
				    g_strerror(err));
		return false;
	}
	return true;
}

static broker_fd_closer fd_closer;
static void *fd_closer_data;

/**
 * broker_socket_set_closer() - how descriptors a peer passed are closed
 * @closer:	called for each descriptor refused or not taken; NULL: close()
 * @data:	passed to @closer
 *
 * The broker closes what a client passed without ever blocking on it
 * (fd_reaper.c); helper and command line trust their broker and close.
 */
void broker_socket_set_closer(broker_fd_closer closer, void *data)
{
	fd_closer = closer;
	fd_closer_data = data;
}

/**
 * broker_close_passed_fd() - close one descriptor a peer passed
 * @fd:		the descriptor
 */
void broker_close_passed_fd(int fd)
{
	if (fd_closer)
		fd_closer(fd, fd_closer_data);
	else
		close(fd);
}

/**
 * close_passed_fds() - close every descriptor in @mh's ancillary data
 * @mh:		received message
 * @keep:	descriptor not to close (-1 for none)
 */
static void close_passed_fds(struct msghdr *mh, int keep)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (fd != keep)
				broker_close_passed_fd(fd);
		}
	}
}

/**
 * broker_recv() - receive and decode one message
 * @sock:	connected socket
 * @msg:	filled in
 * @fd:		if not NULL, set to a passed descriptor or -1; if NULL, a
 *		message carrying one is refused
 * @error:	set on failure: end of file, malformed, or too many fds;
 *		TW_ERROR_NOT_FOUND when the peer closed before sending
 *
 * Return: true on success; the caller owns *@fd.
 */
bool broker_recv(int sock, struct broker_msg *msg, int *fd, GError **error)
{
	uint8_t buf[BROKER_MSG_MAX + 1];
	union {
		char buf[CMSG_SPACE(sizeof(int) * BROKER_FDS_PER_MESSAGE_MAX)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	int passed = -1, count = 0;
	ssize_t n;

	if (fd)
		*fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		int err = errno;

		if (err == EAGAIN)	/* SO_RCVTIMEO */
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "did not answer in %ld s",
				    timeout_seconds(sock, SO_RCVTIMEO));
		else
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "cannot receive: %s", g_strerror(err));
		return false;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			count += (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(&passed, CMSG_DATA(c), sizeof(int));
		}
	}
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || count > 1 ||
	    (count == 1 && !fd)) {
		close_passed_fds(&mh, -1);
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "malformed message: %s",
			    (mh.msg_flags & MSG_TRUNC) ? "longer than allowed" :
			    "unexpected descriptors attached");
		return false;
	}
	if (n == 0) {
		close_passed_fds(&mh, -1);	/* an empty message with fds */
		g_set_error(error, TW_ERROR, TW_ERROR_NOT_FOUND,
			    "the other end closed the connection");
		return false;
	}
	if (!broker_msg_decode(buf, (size_t)n, msg, error)) {
		close_passed_fds(&mh, -1);
		return false;
	}
	if (fd)
		*fd = count ? passed : -1;
	return true;
}
