/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_direct_main.c - tapwarden-helper-direct: direct mode, the stage
 * tapwarden-helper executes when no broker serves and it holds
 * CAP_NET_ADMIN (root QEMU, libvirt's system mode; DESIGN.md section 1,
 * case 3).
 *
 * The same arguments as tapwarden-helper, checked again; the policy is
 * decided in this process (policy_place(), the decision the broker takes
 * too) and the tap made here (direct_mode.c). A NAT network is refused:
 * only tapwardend supervises its DHCP and DNS.
 */
#include <stdlib.h>

#include "capability.h"
#include "direct_mode.h"
#include "error.h"
#include "helper_request.h"
#include "peer_identity.h"
#include "placement.h"
#include "rate.h"

int main(int argc, char *argv[])
{
	struct helper_request req;
	struct placement place = { 0 };
	struct tap tap = { .fd = -1 };
	struct caller c;
	GError *error = NULL;

	helper_request_read(argc, argv, &req);
	if (!capability_net_admin_effective()) {
		g_set_error(&error, TW_ERROR, TW_ERROR_DENIED,
			    "cannot create a tap for %s: this process lacks CAP_NET_ADMIN (start tapwardend, run QEMU as root, or use br=user)",
			    req.args.bridge);
		helper_die(error);
	}
	if (!peer_identity(req.args.fd, &c, NULL, &error) ||
	    !policy_place(&req.paths, &c, direct_mode_count_leases, NULL,
			  req.args.bridge, &place, &error) ||
	    !rate_narrow(&place.limits, req.inbound, req.outbound,
			 place.network, &error))
		helper_die(error);
	if (place.nat) {
		g_set_error(&error, TW_ERROR, TW_ERROR_DENIED,
			    "%s is a NAT network: only tapwardend serves it (its DHCP and DNS need supervising); start tapwardend",
			    place.network);
		helper_die(error);
	}
	direct_mode_remove_orphans();
	if (!direct_mode_create_tap(&place, req.args.use_vnet, c.uid, c.pid,
				    &tap, &error) ||
	    !tap_set_owner(&tap, c.uid, c.gid, &error))
		helper_die(error);
	caller_clear(&c);
	helper_send_tap(&req, &tap);
}
