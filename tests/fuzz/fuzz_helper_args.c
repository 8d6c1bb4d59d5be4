/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_helper_args.c - tapwarden-helper's command line
 * (qemu-helper/helper_args.c), as QEMU or a shell might pass it.
 *
 * Input: the arguments separated by NUL bytes (argv[0] is added). An
 * invariant: a refusal is one line of TW_ERROR_INVALID; success sets only
 * what a parser may set (an --fd of -1 or a descriptor number).
 */
#include <string.h>

#include "error.h"
#include "fuzz.h"
#include "helper_args.h"

/* Most arguments made from one input */
#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *text = g_malloc(size + 1);
	char *argv[MAX_ARGS + 2] = { "tapwarden-helper" };
	struct helper_args args;
	GError *error = NULL;
	int argc = 1;

	memcpy(text, data, size);
	text[size] = '\0';
	/* every NUL ends one argument; the last one ends at the end */
	for (char *p = text; argc <= MAX_ARGS && p <= text + size;
	     p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	if (!helper_args_parse(argc, argv, &args, &error)) {
		FUZZ_CHECK(error && error->domain == TW_ERROR &&
			   error->code == TW_ERROR_INVALID);
		FUZZ_CHECK(error->message[0] && !strchr(error->message, '\n'));
		g_error_free(error);
	} else {
		FUZZ_CHECK(!error);
		FUZZ_CHECK(args.fd >= -1);
	}
	helper_args_clear(&args);
	return 0;
}
