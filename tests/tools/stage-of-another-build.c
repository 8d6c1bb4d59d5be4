/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stage-of-another-build.c - a stage module of another tapwarden build,
 * for tests only (tests/integration/helper_stages.sh; never installed): it
 * exports the entry a stage exports (qemu-helper/helper_stage.h) with
 * another version. The helper must refuse it and never call it; if it did,
 * the request would be "served" with exit 0 and no tap, which the test
 * sees.
 */
#include <stdlib.h>

#include "helper_stage.h"

/**
 * serve_nothing() - what a module of another build might do: not the
 * helper's business
 * @req:	ignored
 */
static void serve_nothing(struct helper_request *req)
{
	(void)req;
	exit(EXIT_SUCCESS);
}

const struct helper_stage tapwarden_helper_stage = {
	.version = "0-another-build",
	.request_size = 0,
	.serve = serve_nothing,
};
