/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - what every fuzz target shares.
 *
 * A target is one file fuzz_NAME.c defining LLVMFuzzerTestOneInput(). It is
 * linked twice (tests/fuzz/meson.build): with libFuzzer into fuzz-NAME when
 * the compiler is clang, and with replay_main.c into replay-NAME with any
 * compiler, which the unit suite runs over corpus/NAME/. A broken invariant
 * must abort (FUZZ_CHECK), never just print, so both notice it.
 */
#ifndef TAPWARDEN_FUZZ_H
#define TAPWARDEN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* FUZZ_CHECK() - abort with the condition's text unless @cond holds */
#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

const char *fuzz_scratch_dir(void);
char *fuzz_write_file(const char *name, const uint8_t *data, size_t size);

#endif
