/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_direct_stage.c - tapwarden-helper-direct.so: direct mode, the
 * stage module tapwarden-helper loads when no broker serves and it holds
 * CAP_NET_ADMIN (root QEMU, libvirt's system mode; DESIGN.md section 1,
 * case 3).
 *
 * The request was read and checked by the helper (helper_request_read());
 * the policy is decided here (policy_place(), the decision the broker
 * takes too) and the tap made here (direct_mode.c). A NAT network is
 * refused: only tapwardend supervises its DHCP and DNS.
 */
#include "capability.h"
#include "config.h"
#include "direct_mode.h"
#include "error.h"
#include "helper_request.h"
#include "helper_stage.h"
#include "peer_identity.h"
#include "placement.h"
#include "rate.h"

/**
 * serve_direct() - place the request, make the tap, send it to QEMU
 * @req:	the request, read and checked
 */
static void serve_direct(struct helper_request *req)
{
	struct placement place = { 0 };
	struct tap tap = { .fd = -1 };
	struct caller c;
	GError *error = NULL;

	if (!capability_net_admin_effective()) {
		g_set_error(&error, TW_ERROR, TW_ERROR_DENIED,
			    "cannot create a tap for %s: this process lacks CAP_NET_ADMIN (start tapwardend, run QEMU as root, or use br=user)",
			    req->args.bridge);
		helper_die(error);
	}
	if (!peer_identity(req->args.fd, &c, NULL, &error) ||
	    !policy_place(&req->paths, &c, direct_mode_count_leases, NULL,
			  req->args.bridge, &place, &error) ||
	    !rate_narrow(&place.limits, req->inbound, req->outbound,
			 place.network, &error))
		helper_die(error);
	if (place.nat) {
		g_set_error(&error, TW_ERROR, TW_ERROR_DENIED,
			    "%s is a NAT network: only tapwardend serves it (its DHCP and DNS need supervising); start tapwardend",
			    place.network);
		helper_die(error);
	}
	direct_mode_remove_orphans();
	if (!direct_mode_create_tap(&place, req->args.use_vnet, c.uid, c.pid,
				    &tap, &error) ||
	    !tap_set_owner(&tap, c.uid, c.gid, &error))
		helper_die(error);
	caller_clear(&c);
	helper_send_tap(req, &tap);
}

const struct helper_stage tapwarden_helper_stage = {
	.version = TAPWARDEN_VERSION,
	.request_size = sizeof(struct helper_request),
	.serve = serve_direct,
};
