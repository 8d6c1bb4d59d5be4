/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_stage.h - what a stage module of tapwarden-helper exports.
 *
 * Direct mode and user mode need libraries the broker path does not
 * (libnl-route, libslirp), so they are shared modules that tapwarden-helper
 * loads with dlopen() only for their path (helper_run_stage()). Each
 * exports one symbol, HELPER_STAGE_SYMBOL, a struct helper_stage: its
 * version and the size of the request it reads, which must be the
 * program's own (a module of another build is refused, never called), and
 * the function that serves the request. Nothing else is exported
 * (helper_stage.map), so the module's copies of shared code bind to
 * themselves.
 */
#ifndef TAPWARDEN_QEMU_HELPER_STAGE_H
#define TAPWARDEN_QEMU_HELPER_STAGE_H

#include <stddef.h>

struct helper_request;

/**
 * struct helper_stage - a stage module's entry
 * @version:		TAPWARDEN_VERSION of the build
 * @request_size:	sizeof(struct helper_request) of the build
 * @serve:		serve @req; never returns (helper_send_tap() or
 *			helper_die())
 */
struct helper_stage {
	const char *version;
	size_t request_size;
	void (*serve)(struct helper_request *req);
};

#define HELPER_STAGE_SYMBOL "tapwarden_helper_stage"

/* what each module defines, under HELPER_STAGE_SYMBOL */
extern const struct helper_stage tapwarden_helper_stage;

#endif
