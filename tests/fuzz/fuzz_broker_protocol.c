/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_broker_protocol.c - the broker's decoder, on anything a client sends.
 *
 * Input: one datagram. Invariants: the decoder never reads outside it;
 * a refusal is a TW_ERROR_INVALID with one line of message; what it
 * accepts re-encodes to exactly as many bytes (attribute order may
 * differ), and those decode again to the very same struct.
 */
#include <string.h>

#include "broker_protocol.h"
#include "error.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct broker_msg msg, again;
	uint8_t buf[BROKER_MSG_MAX];
	GError *error = NULL;
	size_t len;

	if (!broker_msg_decode(data, size, &msg, &error)) {
		FUZZ_CHECK(error && error->domain == TW_ERROR &&
			   error->code == TW_ERROR_INVALID);
		FUZZ_CHECK(error->message[0] && !strchr(error->message, '\n'));
		g_error_free(error);
		return 0;
	}
	FUZZ_CHECK(!error);
	FUZZ_CHECK(size >= BROKER_HEADER_SIZE && size <= BROKER_MSG_MAX);

	len = broker_msg_encode(&msg, buf, sizeof(buf));
	FUZZ_CHECK(len == size);
	FUZZ_CHECK(broker_msg_decode(buf, len, &again, &error));
	FUZZ_CHECK(!error);
	FUZZ_CHECK(memcmp(&msg, &again, sizeof(msg)) == 0);
	return 0;
}
