/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_hostfwd.c - a port forward in QEMU's hostfwd syntax
 * (policy/hostfwd.c), as --hostfwd= or a `hostfwd` line of tapwarden.conf
 * gives it.
 *
 * Input: the text (it ends at a NUL byte, as a C string from argv or a
 * key file would). Invariants: a refusal is one line of TW_ERROR_INVALID
 * that quotes the forward; an accepted forward has ports 1-65535, and
 * written back in the canonical form it parses again to the same forward.
 */
#include <string.h>
#include <arpa/inet.h>

#include "error.h"
#include "fuzz.h"
#include "hostfwd.h"

/* same_forward() - do @a and @b forward the same thing */
static bool same_forward(const struct slirp_forward *a,
			 const struct slirp_forward *b)
{
	return a->udp == b->udp && a->host_port == b->host_port &&
	       a->guest_port == b->guest_port &&
	       a->host_addr.s_addr == b->host_addr.s_addr &&
	       a->guest_addr.s_addr == b->guest_addr.s_addr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_strndup((const char *)data, size);
	g_autofree char *again = NULL;
	char host[INET_ADDRSTRLEN], guest[INET_ADDRSTRLEN];
	struct slirp_forward fwd, reparsed;
	GError *error = NULL;

	if (!hostfwd_parse(text, &fwd, &error)) {
		FUZZ_CHECK(error && error->domain == TW_ERROR &&
			   error->code == TW_ERROR_INVALID);
		FUZZ_CHECK(!strncmp(error->message, "hostfwd `", 9));
		FUZZ_CHECK(!strchr(error->message, '\n'));
		g_error_free(error);
		return 0;
	}
	FUZZ_CHECK(!error);
	FUZZ_CHECK(fwd.host_port >= 1 && fwd.guest_port >= 1);
	FUZZ_CHECK(inet_ntop(AF_INET, &fwd.host_addr, host, sizeof(host)));
	FUZZ_CHECK(inet_ntop(AF_INET, &fwd.guest_addr, guest, sizeof(guest)));
	again = g_strdup_printf("%s:%s:%u-%s:%u", fwd.udp ? "udp" : "tcp",
				host, fwd.host_port, guest, fwd.guest_port);
	FUZZ_CHECK(hostfwd_parse(again, &reparsed, &error));
	FUZZ_CHECK(!error && same_forward(&fwd, &reparsed));
	return 0;
}
