/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_usermode_main.c - tapwarden-helper-usermode: user mode, the stage
 * tapwarden-helper executes for the network `user' and mode=user networks
 * (DESIGN.md section 5).
 *
 * The same arguments as tapwarden-helper, checked again; user_mode.c
 * starts the engine process (libslirp) and this process sends its tap to
 * QEMU from its confined state.
 */
#include <stdlib.h>

#include "confine.h"
#include "error.h"
#include "helper_request.h"
#include "user_mode.h"
#include "user_network.h"

int main(int argc, char *argv[])
{
	struct helper_request req;
	g_autoptr(network) user_net = NULL;
	struct user_options opts;
	GError *error = NULL;

	helper_request_read(argc, argv, &req);
	user_net = user_network_lookup(&req.paths, req.args.bridge, &error);
	if (!user_net && !error)
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "%s is not a user-mode network", req.args.bridge);
	if (error)
		helper_die(error);
	if (req.args.inbound || req.args.outbound) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "--inbound and --outbound are for networks with a tap on the host; %s is a user-mode network",
			    req.args.bridge);
		helper_die(error);
	}
	opts = helper_user_options(&req);
	if (!user_mode_serve(user_net, &opts, req.args.use_vnet, req.args.fd,
			     confine_helper, &error))
		helper_die(error);
	helper_args_clear(&req.args);
	return EXIT_SUCCESS;
}
