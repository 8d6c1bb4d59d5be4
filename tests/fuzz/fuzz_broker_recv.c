/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_broker_recv.c - broker_recv(), on any message with any number of
 * descriptors attached.
 *
 * Input: byte 0 is how many descriptors the message carries (0-253, the
 * kernel's SCM_MAX_FD; more is taken modulo 254), byte 1 bit 0 whether the
 * receiver takes one (the broker for a tap request: fd != NULL), bit 1
 * whether a second message follows, bit 2 whether the descriptors are
 * sockets (else /dev/null); the rest is the datagram. It goes over a
 * SOCK_SEQPACKET socketpair, as from a client to the broker.
 *
 * Invariants: no descriptor is ever dropped inside recvmsg() (MSG_CTRUNC
 * never comes: the buffer has room for all); each one passed is either
 * returned (one, when the receiver takes one and the message is good) or
 * handed to the closer exactly once, and no other; afterwards the process
 * holds exactly the descriptors it held before; a refusal is one line of
 * TW_ERROR_INVALID (TW_ERROR_NOT_FOUND for an empty datagram).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "broker_socket.h"
#include "error.h"
#include "fuzz.h"

#define FDS_MAX 253
#define SCAN_FDS 2048

static int closed_count;
static int passed[FDS_MAX];
static int passed_n;

/**
 * count_closer() - the closer under test: check and close
 * @fd:		a descriptor the peer passed
 * @data:	unused
 */
static void count_closer(int fd, void *data)
{
	bool known = false;

	(void)data;
	for (int i = 0; i < passed_n; i++)
		if (passed[i] == fd) {
			known = true;
			passed[i] = -1;	/* handed over once only */
		}
	FUZZ_CHECK(known);
	closed_count++;
	close(fd);
}

/**
 * open_fds() - how many descriptors this process holds
 *
 * Return: the count among the first SCAN_FDS.
 */
static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < SCAN_FDS; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/**
 * send_with_fds() - send @data with @n descriptors attached
 * @sock:	sending end
 * @data:	the datagram
 * @size:	its length
 * @n:		how many descriptors
 * @sockets:	socketpair ends instead of /dev/null
 */
static void send_with_fds(int sock, const uint8_t *data, size_t size, int n,
			  bool sockets)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FDS_MAX)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	int fds[FDS_MAX];

	for (int i = 0; i < n; i++) {
		int pair[2];

		if (sockets) {
			FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC,
					      0, pair) == 0);
			close(pair[1]);
			fds[i] = pair[0];
		} else {
			fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		}
		FUZZ_CHECK(fds[i] >= 0);
	}
	if (n) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
	}
	FUZZ_CHECK(sendmsg(sock, &mh, MSG_DONTWAIT) == (ssize_t)size);
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct broker_msg msg;
	GError *error = NULL;
	int pair[2], n, fd = -1, before;
	bool take, second, sockets, ok;

	if (size < 2 || size - 2 > 8192)
		return 0;
	n = data[0] % (FDS_MAX + 1);
	take = data[1] & 1;
	second = data[1] & 2;
	sockets = data[1] & 4;
	data += 2;
	size -= 2;

	before = open_fds();
	FUZZ_CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
			      pair) == 0);
	send_with_fds(pair[0], data, size, n, sockets);
	if (second)	/* left in the queue: dropped with the socket */
		send_with_fds(pair[0], data, size, n ? 1 : 0, false);

	closed_count = 0;
	passed_n = 0;
	broker_socket_set_closer(count_closer, NULL);
	{
		/* what recvmsg() will install: the lowest free numbers */
		int probe[FDS_MAX];

		for (int i = 0; i < n; i++) {
			probe[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
			FUZZ_CHECK(probe[i] >= 0);
		}
		for (int i = 0; i < n; i++) {
			passed[passed_n++] = probe[i];
			close(probe[i]);
		}
	}
	ok = broker_recv(pair[1], &msg, take ? &fd : NULL, &error);
	broker_socket_set_closer(NULL, NULL);

	if (ok) {
		FUZZ_CHECK(!error);
		FUZZ_CHECK(n <= 1 && (n == 0 || take));
		FUZZ_CHECK(closed_count == 0);
		FUZZ_CHECK(!take || (fd >= 0) == (n == 1));
	} else {
		FUZZ_CHECK(error && error->domain == TW_ERROR &&
			   (error->code == TW_ERROR_INVALID ||
			    (error->code == TW_ERROR_NOT_FOUND && size == 0)));
		FUZZ_CHECK(error->message[0] && !strchr(error->message, '\n'));
		FUZZ_CHECK(fd < 0);
		FUZZ_CHECK(closed_count == n);	/* every one, none dropped */
		g_error_free(error);
	}
	if (fd >= 0)
		close(fd);
	close(pair[0]);
	close(pair[1]);
	FUZZ_CHECK(open_fds() == before);
	return 0;
}
