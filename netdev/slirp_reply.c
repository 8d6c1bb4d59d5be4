/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_reply.c - one result message, with descriptors, from a child process.
 *
 * User mode hands work to child processes (the namespace child, the engine
 * process) that answer their parent once, over a SOCK_SEQPACKET pair: either
 * success, a number and descriptors (SCM_RIGHTS), or an error line that the
 * parent reports as its own. A child that dies before answering gives an
 * empty read, reported as such. The wire format is private to one program
 * and its children.
 */
#include "slirp_reply.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "error.h"

/**
 * struct reply_msg - the message
 * @ok:		1: @value and descriptors follow; 0: @text is the error
 * @value:	the child's number (e.g. an interface index)
 * @text:	the error line
 */
struct reply_msg {
	int32_t ok;
	int32_t value;
	char text[480];
};

/**
 * reply_send() - send @msg with @n_fds descriptors
 * @sock:	the child's end
 * @msg:	the message
 * @fds:	descriptors
 * @n_fds:	how many, up to SLIRP_REPLY_MAX_FDS
 */
static void reply_send(int sock, const struct reply_msg *msg, const int *fds,
		       unsigned int n_fds)
{
	union {
		char buf[CMSG_SPACE(SLIRP_REPLY_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control = { 0 };
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = sizeof(*msg) };
	struct msghdr hdr = { .msg_iov = &iov, .msg_iovlen = 1 };

	n_fds = MIN(n_fds, SLIRP_REPLY_MAX_FDS);
	if (n_fds) {
		struct cmsghdr *cmsg;

		hdr.msg_control = control.buf;
		hdr.msg_controllen = CMSG_SPACE(n_fds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&hdr);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(n_fds * sizeof(int));
		memcpy(CMSG_DATA(cmsg), fds, n_fds * sizeof(int));
	}
	(void)sendmsg(sock, &hdr, MSG_NOSIGNAL);
}

/**
 * slirp_reply_send() - answer success, with a number and descriptors
 * @sock:	the child's end
 * @value:	the number
 * @fds:	descriptors (the parent gets copies)
 * @n_fds:	how many, up to SLIRP_REPLY_MAX_FDS
 */
void slirp_reply_send(int sock, int32_t value, const int *fds,
		      unsigned int n_fds)
{
	struct reply_msg msg = { .ok = 1, .value = value };

	reply_send(sock, &msg, fds, n_fds);
}

/**
 * slirp_reply_send_error() - answer failure
 * @sock:	the child's end
 * @error:	what went wrong; its message becomes the parent's error
 */
void slirp_reply_send_error(int sock, const GError *error)
{
	struct reply_msg msg = { 0 };

	g_strlcpy(msg.text, error->message, sizeof(msg.text));
	reply_send(sock, &msg, NULL, 0);
}

/**
 * slirp_reply_receive() - wait for the child's answer
 * @sock:	the parent's end
 * @value:	the number, on success
 * @fds:	set to the @n_fds descriptors, on success (close-on-exec)
 * @n_fds:	how many are expected
 * @error:	set with the child's error, or when it died without answering
 *
 * Return: true on success.
 */
bool slirp_reply_receive(int sock, int32_t *value, int *fds,
			 unsigned int n_fds, GError **error)
{
	union {
		char buf[CMSG_SPACE(SLIRP_REPLY_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} control = { 0 };
	struct reply_msg msg = { 0 };
	struct iovec iov = { .iov_base = &msg, .iov_len = sizeof(msg) };
	struct msghdr hdr = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	int got[SLIRP_REPLY_MAX_FDS] = { -1, -1 };
	unsigned int n_got = 0;
	struct cmsghdr *cmsg;
	ssize_t len;

	do {
		len = recvmsg(sock, &hdr, MSG_CMSG_CLOEXEC);
	} while (len < 0 && errno == EINTR);
	for (cmsg = CMSG_FIRSTHDR(&hdr); cmsg; cmsg = CMSG_NXTHDR(&hdr, cmsg)) {
		unsigned int n;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (unsigned int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		n = MIN(n, SLIRP_REPLY_MAX_FDS - n_got);
		memcpy(got + n_got, CMSG_DATA(cmsg), n * sizeof(int));
		n_got += n;
	}
	if (len == (ssize_t)sizeof(msg) && msg.ok && n_got == n_fds) {
		memcpy(fds, got, n_fds * sizeof(int));
		*value = msg.value;
		return true;
	}
	for (unsigned int i = 0; i < n_got; i++)
		close(got[i]);
	msg.text[sizeof(msg.text) - 1] = '\0';
	if (len == (ssize_t)sizeof(msg) && !msg.ok && msg.text[0])
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "%s", msg.text);
	else
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "the user-mode process ended without answering");
	return false;
}
