/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_rate.c - `RATE[:BURST]' (policy/rate.c), as tapwarden.conf's
 * inbound/outbound and the helper's --inbound/--outbound give it.
 *
 * Input: the text (a NUL byte ends it, as in a C string). Invariants: a
 * refusal is one line of TW_ERROR_INVALID; an accepted rate is within
 * 1kbit..100gbit, its burst 0 (default) or one MTU..64mb and drains within
 * a minute; a rate in whole kbit reads back the same from rate_format().
 */
#include <string.h>

#include "error.h"
#include "fuzz.h"
#include "rate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_malloc(size + 1);
	GError *error = NULL;
	struct qos_rate r;

	memcpy(text, data, size);
	text[size] = '\0';
	if (!rate_parse(text, RATE_DEFAULT_MTU, &r, &error)) {
		FUZZ_CHECK(error && error->domain == TW_ERROR &&
			   error->code == TW_ERROR_INVALID);
		FUZZ_CHECK(error->message[0] && !strchr(error->message, '\n'));
		g_error_free(error);
		return 0;
	}
	FUZZ_CHECK(!error);
	FUZZ_CHECK(r.rate >= QOS_RATE_MIN && r.rate <= QOS_RATE_MAX);
	FUZZ_CHECK(r.burst == 0 || (r.burst >= RATE_DEFAULT_MTU &&
				    r.burst <= QOS_BURST_MAX));
	FUZZ_CHECK((uint64_t)r.burst * 8 / r.rate <= QOS_BURST_SECONDS_MAX);
	if (r.rate % 1000 == 0) {
		g_autofree char *shown = rate_format(r.rate);
		uint64_t back = 0;

		FUZZ_CHECK(rate_parse_bits(shown, &back, NULL));
		FUZZ_CHECK(back == r.rate);
	}
	return 0;
}
