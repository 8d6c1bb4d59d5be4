/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_direct_plain.c - direct mode without the stage module, for the
 * requests that need none of it.
 *
 * Direct mode's stage (tapwarden-helper-direct.so) brings libnl-route, and
 * loading it costs more than anything else the helper does. A request for
 * a network with no VLAN, no rate (the network's or the caller's), no NAT
 * and no max-per-user, on a host with no IFB of tapwarden's, needs a tap on
 * a bridge and nothing else: helper_direct_plain() decides it with the same
 * policy call as the stage (policy_place()) and makes the tap with
 * plain_port_make() (libmnl). On anything else, a refusal included, it
 * returns and the stage serves the request from the start, so the stage
 * stays the one that words every refusal and knows every case.
 */
#include "helper_direct_plain.h"

#include "lease.h"
#include "peer_identity.h"
#include "placement.h"
#include "plain_port.h"
#include "rate.h"

/**
 * note_count_needed() - lease_counter_fn: the network has a max-per-user
 * @data:	bool, set: counting live leases is the stage's (it scans the
 *		kernel with libnl)
 * @uid:	unused
 * @net_name:	unused
 *
 * Return: 0 (the decision is thrown away).
 */
static unsigned int note_count_needed(void *data, uid_t uid,
				      const char *net_name)
{
	(void)uid;
	(void)net_name;
	*(bool *)data = true;
	return 0;
}

/**
 * is_plain() - may this placement be served without the stage
 * @place:	what policy decided
 *
 * Return: true for a bridge and nothing more.
 */
static bool is_plain(const struct placement *place)
{
	return place->bridge[0] && !place->vlan && !place->nat &&
	       !place->limits.inbound.rate && !place->limits.outbound.rate;
}

/**
 * helper_direct_plain() - serve a plain request of direct mode here
 * @req:	the request, read and checked; the caller holds CAP_NET_ADMIN
 *
 * Sends the tap and exits when the request is plain and the kernel does
 * it; returns otherwise, with nothing left, for the stage to serve.
 */
void helper_direct_plain(struct helper_request *req)
{
	struct placement place = { 0 };
	struct tap tap = { .fd = -1 };
	g_autofree char *alias = NULL;
	bool count_needed = false;
	struct caller c;

	if (!peer_identity(req->args.fd, &c, NULL, NULL))
		return;
	if (!policy_place(&req->paths, &c, note_count_needed, &count_needed,
			  req->args.bridge, &place, NULL) ||
	    count_needed ||
	    !rate_narrow(&place.limits, req->inbound, req->outbound,
			 place.network, NULL) ||
	    !is_plain(&place))
		goto give_up;
	alias = lease_alias_format(c.uid, place.network, c.pid, 0);
	if (!plain_port_make(place.bridge, req->args.use_vnet, alias, &tap))
		goto give_up;
	if (!tap_set_owner(&tap, c.uid, c.gid, NULL)) {
		tap_close(&tap);
		goto give_up;
	}
	caller_clear(&c);
	g_clear_pointer(&alias, g_free);	/* helper_send_tap() exits */
	helper_send_tap(req, &tap);

give_up:
	caller_clear(&c);
}
