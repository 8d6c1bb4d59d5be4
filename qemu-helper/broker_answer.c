/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_answer.c - a list answer sent as fast as its reader takes it,
 * never blocking the broker.
 *
 * The broker is one thread with one main loop, so an answer sent with a
 * blocking send() to a client that does not read stops every other user's
 * request: a `networks' answer of 1500 rows fills the socket after a few
 * (the kernel queues at most net.unix.max_dgram_qlen datagrams on an
 * unread SOCK_SEQPACKET socket), and each blocked send waited for its
 * timeout. A list is therefore not made all at once: a broker_answer holds
 * the list's state (broker.c's rows) and at most one encoded message that
 * the socket did not take yet. broker_answer_pump() makes and sends
 * messages with MSG_DONTWAIT until the socket is full (the main loop then
 * waits for it to be writable: tapwardend_main.c), the list ends, or
 * BROKER_ANSWER_BATCH messages went (other connections get their turn).
 * So what one connection costs the broker is its list's state, one
 * message and the kernel's socket buffer, however long the list and
 * however slow the reader; tapwardend_main.c drops a connection whose
 * reader takes nothing for a while.
 */
#include "broker_answer.h"

#include <errno.h>
#include <sys/socket.h>

/* messages sent per pump before other connections get their turn */
#define BROKER_ANSWER_BATCH 64

/**
 * struct broker_answer - a list being sent
 * @sock:	the connection (not owned)
 * @next:	makes the next row
 * @state:	its state
 * @free_state:	frees @state, or NULL
 * @buf:	the encoded message the socket has not taken yet
 * @len:	its length, 0 when none waits
 * @ended:	the list's end is in @buf (or sent)
 * @sent:	messages sent
 */
struct broker_answer {
	int sock;
	broker_answer_next_fn next;
	void *state;
	GDestroyNotify free_state;
	uint8_t buf[BROKER_MSG_MAX];
	size_t len;
	bool ended;
	unsigned int sent;
};

/**
 * broker_answer_new() - a list answer on @sock
 * @sock:	the connection
 * @next:	makes each row
 * @state:	passed to @next, owned by the answer
 * @free_state:	frees @state, or NULL
 *
 * Return: the answer; nothing is sent until broker_answer_pump().
 */
struct broker_answer *broker_answer_new(int sock, broker_answer_next_fn next,
					void *state, GDestroyNotify free_state)
{
	struct broker_answer *a = g_new0(struct broker_answer, 1);

	a->sock = sock;
	a->next = next;
	a->state = state;
	a->free_state = free_state;
	return a;
}

/**
 * fill() - encode the next message (a row, or the end) into @a's buffer
 * @a:		answer, with none waiting
 *
 * Return: false when a row does not fit in a message (not sent: the list
 * ends there).
 */
static bool fill(struct broker_answer *a)
{
	struct broker_msg msg;

	if (!a->next(a->state, &msg)) {
		broker_msg_init(&msg, BROKER_REP_END);
		a->ended = true;
	}
	a->len = broker_msg_encode(&msg, a->buf, sizeof(a->buf));
	return a->len > 0;
}

/**
 * broker_answer_pump() - send what the socket takes now
 * @a:		answer
 * @progress:	set to true when at least one message was sent
 *
 * Return: BROKER_ANSWER_DONE, _WAIT (the socket is full, or a batch went:
 * call again when it is writable) or _FAILED.
 */
enum broker_answer_status broker_answer_pump(struct broker_answer *a,
					     bool *progress)
{
	*progress = false;
	for (unsigned int i = 0; i < BROKER_ANSWER_BATCH; i++) {
		ssize_t n;

		if (!a->len && (a->ended || !fill(a)))
			return a->ended && !a->len ? BROKER_ANSWER_DONE :
						     BROKER_ANSWER_FAILED;
		do
			n = send(a->sock, a->buf, a->len,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return BROKER_ANSWER_WAIT;
		if (n != (ssize_t)a->len)
			return BROKER_ANSWER_FAILED;
		a->len = 0;
		a->sent++;
		*progress = true;
		if (a->ended)
			return BROKER_ANSWER_DONE;
	}
	return BROKER_ANSWER_WAIT;
}

/**
 * broker_answer_sent() - how many messages went
 * @a:		answer
 *
 * Return: the count.
 */
unsigned int broker_answer_sent(const struct broker_answer *a)
{
	return a->sent;
}

/**
 * broker_answer_free() - free an answer and its list's state
 * @a:		answer, or NULL
 */
void broker_answer_free(struct broker_answer *a)
{
	if (!a)
		return;
	if (a->free_state)
		a->free_state(a->state);
	g_free(a);
}
