/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_usermode_stage.c - tapwarden-helper-usermode.so: user mode, the
 * stage module tapwarden-helper loads for the network `user' and mode=user
 * networks (DESIGN.md section 5).
 *
 * The request was read and checked by the helper (helper_request_read());
 * user_mode.c starts the engine process (libslirp) and this process sends
 * its tap to QEMU from its confined state.
 */
#include <stdlib.h>

#include "config.h"
#include "confine.h"
#include "error.h"
#include "helper_request.h"
#include "helper_stage.h"
#include "user_mode.h"
#include "user_network.h"

/**
 * serve_usermode() - start the engine for the request's network, send its
 * tap to QEMU
 * @req:	the request, read and checked
 */
static void serve_usermode(struct helper_request *req)
{
	g_autoptr(network) user_net = NULL;
	struct user_options opts;
	GError *error = NULL;

	user_net = user_network_lookup(&req->paths, req->args.bridge, &error);
	if (!user_net && !error)
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "%s is not a user-mode network", req->args.bridge);
	if (error)
		helper_die(error);
	if (req->args.inbound || req->args.outbound) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "--inbound and --outbound are for networks with a tap on the host; %s is a user-mode network",
			    req->args.bridge);
		helper_die(error);
	}
	opts = helper_user_options(req);
	if (!user_mode_serve(user_net, &opts, req->args.use_vnet, req->args.fd,
			     confine_helper, &error))
		helper_die(error);
	helper_args_clear(&req->args);
	exit(EXIT_SUCCESS);
}

const struct helper_stage tapwarden_helper_stage = {
	.version = TAPWARDEN_VERSION,
	.request_size = sizeof(struct helper_request),
	.serve = serve_usermode,
};
