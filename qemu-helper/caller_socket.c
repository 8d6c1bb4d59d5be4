/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * caller_socket.c - check QEMU's socket, and send the tap over it.
 *
 * Before anything is created, caller_socket_check() makes sure --fd=N is
 * what QEMU's net_bridge_run_helper() gives: an open, connected AF_UNIX
 * stream socket (not stdio, a file, a listening socket). Its peer's
 * credentials, from the kernel (SO_PEERCRED), name the caller in the lease.
 * caller_socket_send_fd() then sends exactly what QEMU's recv_fd() reads:
 * one SCM_RIGHTS message carrying one descriptor and a 1-byte payload.
 */
#include "caller_socket.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "error.h"

/**
 * socket_int_option() - read an int socket option
 * @sock:	socket
 * @option:	SOL_SOCKET option, e.g. SO_TYPE
 *
 * Return: its value, or -1 when it cannot be read.
 */
static int socket_int_option(int sock, int option)
{
	socklen_t len = sizeof(int);
	int value;

	if (getsockopt(sock, SOL_SOCKET, option, &value, &len) < 0)
		return -1;
	return value;
}

/**
 * caller_socket_check() - is @sock a connected unix stream socket
 * @sock:	the --fd number
 * @peer_pid:	the peer's pid (the process that made the socket pair)
 * @peer_uid:	the peer's uid
 * @error:	set with what @sock is instead
 *
 * Return: true when @sock can carry the tap to its caller.
 */
bool caller_socket_check(int sock, pid_t *peer_pid, uid_t *peer_uid,
			 GError **error)
{
	struct ucred cred = { 0 };
	socklen_t len = sizeof(cred);
	const char *what = NULL;

	if (sock <= 2)
		what = "is standard input, output or error, not QEMU's socket";
	else if (fcntl(sock, F_GETFD) < 0)
		what = "is not an open file descriptor";
	else if (socket_int_option(sock, SO_TYPE) < 0)
		/* getsockopt(), not fstat(): no file system is asked (a
		 * file on a FUSE mount would make fstat wait on its server) */
		what = "is not a socket";
	else if (socket_int_option(sock, SO_DOMAIN) != AF_UNIX)
		what = "is not a unix socket";
	else if (socket_int_option(sock, SO_TYPE) != SOCK_STREAM)
		what = "is not a stream socket";
	else if (socket_int_option(sock, SO_ACCEPTCONN) != 0)
		what = "is a listening socket, not a connected one";
	else if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
		 cred.pid <= 0)
		what = "is not a connected socket";

	if (what) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID, "--fd=%d %s",
			    sock, what);
		return false;
	}
	*peer_pid = cred.pid;
	*peer_uid = cred.uid;
	return true;
}

/**
 * caller_socket_send_fd() - send one descriptor as QEMU's recv_fd() expects
 * @sock:	connected unix stream socket
 * @fd:		descriptor to send
 * @error:	set on failure
 *
 * Return: true once the message is queued on the socket.
 */
bool caller_socket_send_fd(int sock, int fd, GError **error)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = { 0 };
	char payload = 0;
	struct iovec iov = { .iov_base = &payload, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	ssize_t rc;

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));

	do {
		rc = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (rc < 0 && errno == EINTR);
	if (rc != 1) {
		int err = rc < 0 ? errno : EIO;

		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "cannot send the tap to the caller: %s",
			    g_strerror(err));
		return false;
	}
	return true;
}
