/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_request.h - what every path of tapwarden-helper does alike:
 * read QEMU's request, die with one line, run a stage module, send the tap.
 */
#ifndef TAPWARDEN_QEMU_HELPER_REQUEST_H
#define TAPWARDEN_QEMU_HELPER_REQUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

#include "helper_args.h"
#include "placement.h"
#include "tap.h"
#include "user_network.h"

/**
 * struct helper_request - QEMU's request, checked
 * @args:	the command line
 * @inbound:	--inbound in bits/s, 0 when not given
 * @outbound:	--outbound in bits/s, 0 when not given
 * @paths:	the policy files (--config, --acl, or the defaults)
 * @caller:	the pid at the other end of --fd
 * @owner:	its uid
 */
struct helper_request {
	struct helper_args args;
	uint64_t inbound;
	uint64_t outbound;
	struct policy_paths paths;
	pid_t caller;
	uid_t owner;
};

G_NORETURN void helper_die(GError *error);
void helper_request_passed_on(const struct helper_request *req);
void helper_request_read(int argc, char *argv[], struct helper_request *req);
struct user_options helper_user_options(const struct helper_request *req);
G_NORETURN void helper_run_stage(const char *module,
				 struct helper_request *req);
void helper_confine(void);
G_NORETURN void helper_send_tap(struct helper_request *req, struct tap *tap);

/* the stage modules tapwarden-helper loads (from its own directory) */
#define HELPER_STAGE_DIRECT	"tapwarden-helper-direct.so"
#define HELPER_STAGE_USERMODE	"tapwarden-helper-usermode.so"

#endif
