/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_answer.h - a list answer sent as fast as its reader takes it,
 * never blocking the broker.
 */
#ifndef TAPWARDEN_QEMU_BROKER_ANSWER_H
#define TAPWARDEN_QEMU_BROKER_ANSWER_H

#include <stdbool.h>
#include <glib.h>

#include "broker_protocol.h"

/**
 * broker_answer_next_fn - fill in the next message of a list
 * @state:	the list's state
 * @msg:	to fill in (initialised by the callee)
 *
 * Return: true when @msg is the next message, false at the end of the list.
 */
typedef bool (*broker_answer_next_fn)(void *state, struct broker_msg *msg);

/**
 * enum broker_answer_status - what broker_answer_pump() left
 * @BROKER_ANSWER_DONE:	the whole list and its BROKER_REP_END were sent
 * @BROKER_ANSWER_WAIT:	more to send: call again when the socket is writable
 * @BROKER_ANSWER_FAILED: the peer is gone or the socket failed
 */
enum broker_answer_status {
	BROKER_ANSWER_DONE,
	BROKER_ANSWER_WAIT,
	BROKER_ANSWER_FAILED,
};

struct broker_answer;

struct broker_answer *broker_answer_new(int sock, broker_answer_next_fn next,
					void *state,
					GDestroyNotify free_state);
enum broker_answer_status broker_answer_pump(struct broker_answer *a,
					     bool *progress);
unsigned int broker_answer_sent(const struct broker_answer *a);
void broker_answer_free(struct broker_answer *a);

#endif
