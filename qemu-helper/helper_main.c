/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_main.c - tapwarden-helper: what QEMU and libvirt execute.
 *
 * The flow is QEMU's helper contract (DESIGN.md section 1): parse the
 * arguments, check the socket QEMU passed, ask the policy where the tap
 * goes, get the tap, send it, exit 0 only after it was sent. Every failure
 * ends in helper_die(): one line on stderr, exit status 1, and nothing left
 * in the kernel (a tap not yet sent is removed when the process exits).
 *
 * Who serves it (DESIGN.md section 1), in this order: user mode (the
 * network `user' or a mode=user network: the stage module
 * tapwarden-helper-usermode.so, no privilege needed); tapwardend when its
 * socket answers (broker_client.c: this program relays and needs no
 * privilege); else, when this process holds CAP_NET_ADMIN, direct mode:
 * a tap on a plain bridge here (helper_direct_plain.c, libmnl), anything
 * more (VLANs, rates, max-per-user, every refusal) by the stage module
 * tapwarden-helper-direct.so.
 * --config and --acl name policy files for this process, so they mean
 * direct mode: a broker's policy is its own. --inbound and --outbound
 * (rates below the network's) are checked here for their syntax, and
 * against the network by whoever serves.
 *
 * This program links neither libnl, nor libnftables, nor libslirp:
 * the stage modules do, and are loaded only for their paths
 * (helper_run_stage()). Whoever holds the tap confines itself
 * (confine_helper(): no capability, no file, its allow-list) and sends it
 * to QEMU only from there.
 */
#include <stdlib.h>

#include "broker_client.h"
#include "broker_socket.h"
#include "capability.h"
#include "error.h"
#include "helper_direct_plain.h"
#include "helper_request.h"
#include "user_network.h"

/**
 * serve_through_broker() - ask tapwardend
 * @req:	the request
 * @tap:	set when the broker sent a tap
 * @absent:	set when no broker listens (then the caller tries direct
 *		mode), or with the refusal or failure (then it dies)
 *
 * Return: false when the broker answered with an error, or when --socket
 * named a broker that is not there.
 */
static bool serve_through_broker(const struct helper_request *req,
				 struct tap *tap, GError **absent)
{
	const char *path = broker_socket_path(req->args.socket);

	helper_request_passed_on(req);
	if (broker_request_tap(path, req->args.bridge, req->args.use_vnet,
			       req->args.fd, req->inbound, req->outbound,
			       helper_confine, tap, absent))
		return true;
	return g_error_matches(*absent, TW_ERROR, TW_ERROR_NOT_FOUND) &&
	       !req->args.socket;
}

int main(int argc, char *argv[])
{
	struct helper_request req;
	struct tap tap = { .fd = -1 };
	g_autoptr(network) user_net = NULL;
	struct user_options user_opts;
	GError *error = NULL, *broker_absent = NULL;

	helper_request_read(argc, argv, &req);

	/* 1. user mode: before the broker and direct mode */
	if (user_network_possible(&req.paths, req.args.bridge))
		user_net = user_network_lookup(&req.paths, req.args.bridge,
					       &error);
	if (error)
		helper_die(error);
	if (user_net) {
		/* the stage never returns: nothing of this frame may be left */
		g_clear_pointer(&user_net, network_free);
		helper_run_stage(HELPER_STAGE_USERMODE, &req);
	}
	user_opts = helper_user_options(&req);
	if (user_options_given(&user_opts)) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "--hostfwd, --mtu and --no-host-loopback are for user-mode networks; %s is not one",
			    req.args.bridge);
		helper_die(error);
	}

	/* 2. the broker */
	if (!req.args.config && !req.args.acl &&
	    !serve_through_broker(&req, &tap, &broker_absent))
		helper_die(broker_absent);
	if (tap.fd >= 0)
		helper_send_tap(&req, &tap);

	/* 3. direct mode */
	if (!capability_net_admin_effective()) {
		g_set_error(&error, TW_ERROR, TW_ERROR_DENIED,
			    "cannot create a tap for %s: %s%sthis process lacks CAP_NET_ADMIN (start tapwardend, run QEMU as root, or use br=user)",
			    req.args.bridge,
			    broker_absent ? broker_absent->message : "",
			    broker_absent ? ", and " : "");
		helper_die(error);
	}
	g_clear_error(&broker_absent);
	helper_direct_plain(&req);	/* returns when the stage must serve */
	helper_run_stage(HELPER_STAGE_DIRECT, &req);
}
