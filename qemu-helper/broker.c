/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker.c - tapwardend's answer to one request.
 *
 * A connection carries one request (broker_protocol.h) and gets one answer,
 * or a list ended by BROKER_REP_END; then the broker closes it. Who asks is
 * what the kernel says (peer_identity.c), never what the message says; a
 * subordinate uid counts as the user whose /etc/subuid range holds it
 * (peer_account.c), for quotas and rights alike.
 *
 * A tap request is decided by the same policy as direct mode
 * (policy_decide(), with the configuration loaded at start and on SIGHUP,
 * and the live leases of broker_leases.c for max-per-user), then served by
 * the same code (direct_mode_create_tap()), with the tap given to the
 * caller's uid and gid. When the helper passes QEMU's socket along, its
 * peer (QEMU, the process that will hold the tap) is the pid recorded in
 * the lease, provided it runs as the same user as the helper. Rates the
 * helper asks for (BA_INBOUND, BA_OUTBOUND) may only lower the network's
 * (rate_narrow()); a list shows each tap's rates as the kernel has them.
 *
 * A list (leases, networks) is an answer of its own (broker_answer.c): its
 * rows are made one by one as the reader takes them, so a client that
 * does not read stops no one else. Its state is a snapshot of which rows
 * there are (the caller's leases; the networks' names, looked up again
 * row by row, so a reload meanwhile is safe: a network gone is left out).
 * Access lists are shown to root only: they name other users and groups
 * (a user sees whether they may use each network, not who else may).
 */
#include "broker.h"

#include <string.h>
#include <time.h>
#include <net/if.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "broker_answer.h"
#include "broker_socket.h"
#include "caller_socket.h"
#include "direct_mode.h"
#include "error.h"
#include "fd_reaper.h"
#include "peer_account.h"
#include "peer_identity.h"
#include "placement.h"
#include "qos.h"
#include "rate.h"

/**
 * broker_load_config() - load tapwarden.conf; keep the old one on error
 * @b:		broker
 * @error:	set when the file is bad; @b->cfg is then unchanged
 *
 * Return: true when the new configuration is in force.
 */
bool broker_load_config(struct broker *b, GError **error)
{
	struct network_config *cfg;

	cfg = network_config_load(b->config_path, b->config_explicit, error);
	if (!cfg)
		return false;
	network_config_free(b->cfg);
	b->cfg = cfg;
	return true;
}

/**
 * reply_error() - answer with a refusal or failure
 * @sock:	connection
 * @error:	what to say
 */
static void reply_error(int sock, const GError *error)
{
	struct broker_msg msg;

	broker_msg_init(&msg, BROKER_REP_ERROR);
	broker_msg_set_u32(&msg, BA_CODE, (uint32_t)error->code);
	broker_msg_set_text(&msg, error->message);
	broker_send(sock, &msg, -1, NULL);
}

/**
 * policy_query_for() - the query for one caller
 * @b:		broker
 * @c:		caller
 *
 * Return: the query.
 */
static struct policy_query policy_query_for(struct broker *b,
					    const struct caller *c)
{
	return (struct policy_query){
		.cfg = b->cfg, .acl = b->acl_path, .caller = c,
		.includes_as_caller = true,
		.count = broker_leases_count, .count_data = b->leases,
	};
}

/**
 * lease_holder() - the process the lease names: QEMU, from its socket
 * @c:		the helper, as the kernel knows it
 * @qemu_sock:	QEMU's socket passed by the helper, or -1
 * @pid:	set to the holder's pid
 * @pidfd:	set to a pidfd of the holder, or -1 (kernels before 6.5)
 * @error:	set when there is no socket or it is not QEMU's as expected
 *
 * The holder is watched for as long as the tap lives (broker_leases.c),
 * so it must be the process that holds the tap, not the helper: a request
 * without QEMU's socket is refused.
 *
 * Return: true on success.
 */
static bool lease_holder(const struct caller *c, int qemu_sock, pid_t *pid,
			 int *pidfd, GError **error)
{
	pid_t qemu_pid;
	uid_t qemu_uid;

	*pidfd = -1;
	if (qemu_sock < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "malformed request: a tap request carries QEMU's socket");
		return false;
	}
	if (!caller_socket_check(qemu_sock, &qemu_pid, &qemu_uid, error))
		return false;
	if (qemu_uid != c->peer_uid) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "the socket passed along belongs to uid %u, not to the caller (uid %u)",
			    (unsigned int)qemu_uid, (unsigned int)c->peer_uid);
		return false;
	}
	*pid = qemu_pid;
	*pidfd = peer_pidfd(qemu_sock);
	return true;
}

/**
 * nat_network_ready() - a NAT network is made before its tap joins it
 * @b:		broker
 * @place:	what policy decided
 * @error:	set when the network cannot be made
 *
 * Return: true when @place is no NAT network or it is ready.
 */
static bool nat_network_ready(struct broker *b, const struct placement *place,
			      GError **error)
{
	const struct network *net = network_config_find(b->cfg, place->network);

	return !net || net->mode != NETWORK_MODE_NAT ||
	       nat_networks_ensure(b->nat, net, error);
}

/**
 * nat_state_attrs() - a NAT network's state, in its REP_NETWORK
 * @b:		broker
 * @net:	the network
 * @chains:	the kernel's chains, listed on the first NAT network of the
 *		answer (NULL until then) and kept for the others
 * @msg:	its message
 */
static void nat_state_attrs(struct broker *b, const struct network *net,
			    GHashTable **chains, struct broker_msg *msg)
{
	struct nat_network_state st;
	struct in_addr gw = { .s_addr = htonl(net->nat.gateway) };
	char addr[INET_ADDRSTRLEN], text[BROKER_ADDRESS_MAX + 1];

	if (net->mode != NETWORK_MODE_NAT)
		return;
	if (!*chains)
		*chains = nat_networks_kernel_chains();
	nat_networks_state(b->nat, net, *chains, &st);
	g_snprintf(text, sizeof(text), "%s/%u",
		   inet_ntop(AF_INET, &gw, addr, sizeof(addr)), net->nat.prefix);
	broker_msg_set_str(msg, BA_ADDRESS, text);
	broker_msg_set_u32(msg, BA_RULES, st.rules);
	if (net->nat.dhcp) {
		broker_msg_set_u32(msg, BA_DNSMASQ_PID, (uint32_t)st.dnsmasq_pid);
		broker_msg_set_u32(msg, BA_DHCP_LEASES, st.leases);
	}
}

/**
 * serve_tap() - BROKER_REQ_TAP: decide, create, send
 * @b:		broker
 * @sock:	connection
 * @req:	the request
 * @c:		the caller
 * @qemu_sock:	QEMU's socket passed along, or -1
 * @error:	set on refusal or failure
 *
 * Return: true when the tap was sent.
 */
static bool serve_tap(struct broker *b, int sock, const struct broker_msg *req,
		      const struct caller *c, int qemu_sock, GError **error)
{
	struct policy_query q = policy_query_for(b, c);
	g_autofree char *rule = NULL;
	g_autofree char *user = NULL;
	struct placement place = { 0 };
	struct tap tap = { .fd = -1 };
	struct broker_msg reply;
	struct lease lease = { 0 };
	char name_hint[IFNAMSIZ];
	pid_t holder;
	int holder_fd = -1;

	if (!lease_holder(c, qemu_sock, &holder, &holder_fd, error))
		return false;
	if (!broker_leases_refresh(b->leases, error) ||
	    !policy_decide(&q, req->name, &place, &rule, error) ||
	    !rate_narrow(&place.limits, req->inbound, req->outbound,
			 place.network, error))
		goto fail;
	if (!nat_network_ready(b, &place, error))
		goto fail;
	broker_leases_free_name(b->leases, name_hint);
	if (!direct_mode_create_tap_named(&place, req->vnet_hdr, c->uid, holder,
					  name_hint, lease.bridge, &tap, error))
		goto fail;
	if (!tap_set_owner(&tap, c->uid, c->gid, error)) {
		tap_close(&tap);
		goto fail;
	}

	g_strlcpy(lease.ifname, tap.name, sizeof(lease.ifname));
	lease.ifindex = (int)if_nametoindex(tap.name);
	lease.uid = c->uid;
	g_strlcpy(lease.network, place.network, sizeof(lease.network));
	lease.pid = holder;
	lease.since = (int64_t)time(NULL);
	lease.vlan = place.vlan;

	broker_msg_init(&reply, BROKER_REP_TAP);
	broker_msg_set_str(&reply, BA_IFNAME, tap.name);
	broker_msg_set_u32(&reply, BA_VNET_HDR, tap.vnet_hdr);
	if (!broker_send(sock, &reply, tap.fd, error)) {
		tap_close(&tap);	/* the kernel removes it */
		goto fail;
	}
	tap_close(&tap);
	if (lease.ifindex > 0)
		broker_leases_add(b->leases, &lease, holder_fd);
	else if (holder_fd >= 0)
		close(holder_fd);
	/* the name only now: the tap is on its way while it is looked up */
	user = caller_user_name(c->uid);
	g_message("granted %s on bridge %s to user %s (uid %u) pid %d for %s: %s",
		  tap.name, lease.bridge, user, (unsigned int)c->uid,
		  (int)holder, place.network, rule);
	return true;

fail:
	if (holder_fd >= 0)
		close(holder_fd);
	return false;
}

/**
 * struct lease_rows - a lease list being answered
 * @leases:	copies of the leases to show (struct lease)
 * @next:	index of the next row
 * @nl:		netlink socket for each tap's rates
 */
struct lease_rows {
	GArray *leases;
	guint next;
	struct netlink *nl;
};

/**
 * lease_rows_free() - free a lease list's state
 * @data:	struct lease_rows
 */
static void lease_rows_free(gpointer data)
{
	struct lease_rows *rows = data;

	g_array_unref(rows->leases);
	netlink_close(rows->nl);
	g_free(rows);
}

/**
 * lease_row() - the next REP_LEASE (a broker_answer_next_fn)
 * @state:	struct lease_rows
 * @msg:	filled in
 *
 * Return: false after the last lease.
 */
static bool lease_row(void *state, struct broker_msg *msg)
{
	struct lease_rows *rows = state;
	const struct lease *lease;
	g_autofree char *user = NULL;
	struct qos_limits limits;

	if (rows->next >= rows->leases->len)
		return false;
	lease = &g_array_index(rows->leases, struct lease, rows->next++);
	/* the rates in force are the kernel's classes (0: none) */
	qos_read(rows->nl, lease->ifname, &limits);
	user = caller_user_name(lease->uid);
	broker_msg_init(msg, BROKER_REP_LEASE);
	broker_msg_set_str(msg, BA_IFNAME, lease->ifname);
	broker_msg_set_u32(msg, BA_UID, lease->uid);
	if (!broker_msg_set_str(msg, BA_USER, user))
		broker_msg_set_str(msg, BA_USER, "?");	/* BA_UID says */
	broker_msg_set_str(msg, BA_NAME, lease->network);
	if (lease->bridge[0])
		broker_msg_set_str(msg, BA_BRIDGE, lease->bridge);
	broker_msg_set_u32(msg, BA_PID, (uint32_t)lease->pid);
	broker_msg_set_u64(msg, BA_SINCE, (uint64_t)lease->since);
	if (lease->vlan)
		broker_msg_set_u32(msg, BA_VLAN, lease->vlan);
	if (limits.inbound.rate)
		broker_msg_set_u64(msg, BA_INBOUND, limits.inbound.rate);
	if (limits.outbound.rate)
		broker_msg_set_u64(msg, BA_OUTBOUND, limits.outbound.rate);
	return true;
}

/**
 * serve_list() - BROKER_REQ_LIST: the caller's leases; root's: all
 * @b:		broker
 * @sock:	connection
 * @c:		the caller
 * @error:	set on failure
 *
 * Return: the answer to send, or NULL with @error set.
 */
static struct broker_answer *serve_list(struct broker *b, int sock,
					const struct caller *c, GError **error)
{
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(netlink) nl = netlink_open(error);
	struct lease_rows *rows;

	if (!nl)
		return NULL;
	/* root sees the kernel's truth; a user the table (no one can make
	 * the broker list every link of the host in a loop) */
	if (c->uid == 0 ? !broker_leases_rescan(b->leases, error) :
			  !broker_leases_refresh(b->leases, error))
		return NULL;
	list = broker_leases_sorted(b->leases);
	rows = g_new0(struct lease_rows, 1);
	rows->leases = g_array_new(FALSE, FALSE, sizeof(struct lease));
	for (unsigned int i = 0; i < list->len; i++) {
		const struct lease *lease = g_ptr_array_index(list, i);

		if (c->uid == 0 || lease->uid == c->uid)
			g_array_append_val(rows->leases, *lease);
	}
	rows->nl = g_steal_pointer(&nl);
	return broker_answer_new(sock, lease_row, rows, lease_rows_free);
}

/**
 * serve_check() - BROKER_REQ_CHECK: would USER get NAME, and why
 * @b:		broker
 * @sock:	connection
 * @req:	the request
 * @c:		the caller: root may ask for anyone, others for themselves
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool serve_check(struct broker *b, int sock,
			const struct broker_msg *req, const struct caller *c,
			GError **error)
{
	struct caller subject;
	struct policy_query q;
	struct placement place;
	struct broker_msg msg;
	g_autofree char *rule = NULL;
	GError *refusal = NULL;
	bool allowed;

	if (!caller_from_user_name(req->user, &subject, error))
		return false;
	if (c->uid != 0 && subject.uid != c->uid) {
		caller_clear(&subject);
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "only root may check another user");
		return false;
	}
	if (!broker_leases_refresh(b->leases, error)) {
		caller_clear(&subject);
		return false;
	}
	q = policy_query_for(b, &subject);
	allowed = policy_decide(&q, req->name, &place, &rule, &refusal);
	caller_clear(&subject);
	broker_msg_init(&msg, BROKER_REP_CHECK);
	broker_msg_set_u32(&msg, BA_ALLOWED, allowed);
	broker_msg_set_text(&msg, allowed ? rule : refusal->message);
	g_clear_error(&refusal);
	return broker_send(sock, &msg, -1, error);
}

/**
 * access_summary() - who may use @net, in configuration words
 * @net:	network
 *
 * Return: a new string.
 */
static char *access_summary(const struct network *net)
{
	g_autofree char *users = net->allow_users ?
		g_strjoinv(";", net->allow_users) : NULL;
	g_autofree char *groups = net->allow_groups ?
		g_strjoinv(";", net->allow_groups) : NULL;

	if (!users && !groups)
		return g_strdup("root only");
	return g_strdup_printf("%s%s%s%s%s", users ? "allow-users=" : "",
			       users ? users : "", users && groups ? " " : "",
			       groups ? "allow-groups=" : "",
			       groups ? groups : "");
}

/**
 * access_lists_key() - a network's allow-users and allow-groups as one
 * string, for networks_allowing()
 * @net:	the network
 *
 * Return: the key (account names hold no `,' or newline).
 */
static char *access_lists_key(const struct network *net)
{
	g_autofree char *users = net->allow_users ?
				 g_strjoinv(",", net->allow_users) : NULL;
	g_autofree char *groups = net->allow_groups ?
				  g_strjoinv(",", net->allow_groups) : NULL;

	return g_strdup_printf("%c%s\n%c%s", users ? 'u' : '-',
			       users ? users : "", groups ? 'g' : '-',
			       groups ? groups : "");
}

/**
 * network_allows() - may @c use @net, remembered for networks with the
 * same allow lists during one listing
 * @seen:	access_lists_key() -> GUINT_TO_POINTER(allowed + 1)
 * @net:	the network
 * @c:		the caller
 *
 * access_network_allows() resolves account names, each a look-up; a
 * listing of 100 000 networks that share their lists asks once.
 *
 * Return: true when allowed.
 */
static bool network_allows(GHashTable *seen, const struct network *net,
			   const struct caller *c)
{
	g_autofree char *key = access_lists_key(net);
	g_autofree char *why = NULL;
	gpointer known = g_hash_table_lookup(seen, key);
	bool allowed;

	if (known)
		return GPOINTER_TO_UINT(known) - 1;
	allowed = access_network_allows(net, c, &why);
	g_hash_table_insert(seen, g_steal_pointer(&key),
			    GUINT_TO_POINTER(allowed + 1));
	return allowed;
}

/**
 * struct network_rows - a network list being answered
 * @b:		broker
 * @names:	the networks' names when the list was asked for (g_free)
 * @next:	index of the next row
 * @caller:	the caller (its own copy of the groups)
 * @counts:	network name (owned) -> the caller's taps on it (root:
 *		everyone's)
 * @allowed:	network_allows()'s memory
 * @chains:	the kernel's NAT chains (nat_state_attrs()), or NULL
 */
struct network_rows {
	struct broker *b;
	GPtrArray *names;
	guint next;
	struct caller caller;
	GHashTable *counts;
	GHashTable *allowed;
	GHashTable *chains;
};

/**
 * network_rows_free() - free a network list's state
 * @data:	struct network_rows
 */
static void network_rows_free(gpointer data)
{
	struct network_rows *rows = data;

	g_ptr_array_unref(rows->names);
	caller_clear(&rows->caller);
	g_hash_table_unref(rows->counts);
	g_hash_table_unref(rows->allowed);
	if (rows->chains)
		g_hash_table_unref(rows->chains);
	g_free(rows);
}

/**
 * network_row() - the next REP_NETWORK (a broker_answer_next_fn)
 * @state:	struct network_rows
 * @msg:	filled in
 *
 * Each network is looked up by name in the configuration in force now: one
 * a reload removed since the list was asked for is left out.
 *
 * Return: false after the last network.
 */
static bool network_row(void *state, struct broker_msg *msg)
{
	struct network_rows *rows = state;
	const struct network *net = NULL;
	g_autofree char *summary = NULL;
	unsigned int count;

	while (!net && rows->next < rows->names->len)
		net = network_config_find(rows->b->cfg,
					  g_ptr_array_index(rows->names,
							    rows->next++));
	if (!net)
		return false;
	/* allow-users and allow-groups name other people: root's to see */
	summary = rows->caller.uid == 0 ? access_summary(net) : g_strdup("-");
	count = GPOINTER_TO_UINT(g_hash_table_lookup(rows->counts, net->name));
	broker_msg_init(msg, BROKER_REP_NETWORK);
	broker_msg_set_str(msg, BA_NAME, net->name);
	broker_msg_set_str(msg, BA_MODE, network_mode_name(net->mode));
	if (net->bridge[0])
		broker_msg_set_str(msg, BA_BRIDGE, net->bridge);
	broker_msg_set_text(msg, summary);
	broker_msg_set_u32(msg, BA_COUNT, count);
	broker_msg_set_u32(msg, BA_LIMIT, net->max_per_user);
	broker_msg_set_u32(msg, BA_ALLOWED,
			   network_allows(rows->allowed, net, &rows->caller));
	nat_state_attrs(rows->b, net, &rows->chains, msg);
	return true;
}

/**
 * serve_networks() - BROKER_REQ_NETWORKS: every network, with its use
 * @b:		broker
 * @sock:	connection
 * @c:		the caller: counts and access are shown for them (root: all)
 * @error:	set on failure
 *
 * Return: the answer to send, or NULL with @error set.
 */
static struct broker_answer *serve_networks(struct broker *b, int sock,
					    const struct caller *c,
					    GError **error)
{
	g_autoptr(GPtrArray) nets = network_config_list(b->cfg);
	g_autoptr(GPtrArray) leases = NULL;
	struct network_rows *rows;

	if (!broker_leases_refresh(b->leases, error))
		return NULL;
	rows = g_new0(struct network_rows, 1);
	rows->b = b;
	rows->names = g_ptr_array_new_full(nets->len, g_free);
	for (unsigned int i = 0; i < nets->len; i++)
		g_ptr_array_add(rows->names,
				g_strdup(((const struct network *)
					  g_ptr_array_index(nets, i))->name));
	rows->caller = *c;
	rows->caller.groups = g_memdup2(c->groups,
					c->ngroups * sizeof(*c->groups));
	rows->counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     NULL);
	rows->allowed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					      NULL);
	leases = broker_leases_sorted(b->leases);
	for (unsigned int j = 0; j < leases->len; j++) {
		const struct lease *l = g_ptr_array_index(leases, j);
		unsigned int n;

		if (c->uid != 0 && l->uid != c->uid)
			continue;
		n = GPOINTER_TO_UINT(g_hash_table_lookup(rows->counts,
							 l->network));
		g_hash_table_insert(rows->counts, g_strdup(l->network),
				    GUINT_TO_POINTER(n + 1));
	}
	return broker_answer_new(sock, network_row, rows, network_rows_free);
}

/**
 * close_from_client() - close a descriptor a client passed (a broker_fd_closer)
 * @fd:		the descriptor
 * @data:	the client's uid_t
 */
static void close_from_client(int fd, void *data)
{
	fd_reaper_close(fd, *(const uid_t *)data);
}

/**
 * broker_serve() - read one request from @sock and answer it
 * @b:		broker
 * @sock:	an accepted connection; the caller closes it afterwards
 * @account:	the account its peer counts as (peer_account_uid() of its
 *		SO_PEERCRED uid, asked when it was accepted)
 *
 * A single answer (a tap, a check, an error) is sent before it returns;
 * a list is returned to be sent as the reader takes it.
 *
 * Return: the list answer still to send (broker_answer_pump()), or NULL.
 */
struct broker_answer *broker_serve(struct broker *b, int sock, uid_t account)
{
	struct broker_answer *list = NULL;
	struct broker_msg req;
	struct caller c = { 0 };
	GError *error = NULL;
	int passed = -1, pidfd = -1;
	bool ok = false;

	broker_msg_init(&req, 0);
	if (!peer_identity(sock, &c, &pidfd, &error))
		goto out;
	peer_account_attribute(&c, account);	/* subordinate uids */
	/* what the client passes is closed without waiting on it */
	broker_socket_set_closer(close_from_client, &c.uid);
	if (!broker_recv(sock, &req, &passed, &error)) {
		if (!g_error_matches(error, TW_ERROR, TW_ERROR_NOT_FOUND)) {
			g_message("refused a message from uid %u: %s",
				  (unsigned int)c.uid, error->message);
			reply_error(sock, error);
		}
		g_clear_error(&error);
		goto out;
	}
	if (!peer_is_alive(pidfd)) {
		g_set_error(&error, TW_ERROR, TW_ERROR_DENIED,
			    "the caller has exited");
		goto out;
	}
	if (passed >= 0 && req.type != BROKER_REQ_TAP) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "malformed message: a descriptor came with request type %u",
			    req.type);
		goto out;
	}
	switch (req.type) {
	case BROKER_REQ_TAP:
		ok = serve_tap(b, sock, &req, &c, passed, &error);
		break;
	case BROKER_REQ_LIST:
		list = serve_list(b, sock, &c, &error);
		ok = list != NULL;
		break;
	case BROKER_REQ_CHECK:
		ok = serve_check(b, sock, &req, &c, &error);
		break;
	case BROKER_REQ_NETWORKS:
		list = serve_networks(b, sock, &c, &error);
		ok = list != NULL;
		break;
	default:
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "malformed message: type %u is not a request",
			    req.type);
		break;
	}
out:
	if (!ok && error) {
		g_autofree char *user = caller_user_name(c.uid);

		if (req.type == BROKER_REQ_TAP) {
			g_autofree char *name = g_strescape(req.name, NULL);

			g_message("refused %s to user %s (uid %u) pid %d: %s",
				  name[0] ? name : "?", user,
				  (unsigned int)c.uid, (int)c.pid,
				  error->message);
		}
		reply_error(sock, error);
	}
	g_clear_error(&error);
	if (passed >= 0)
		broker_close_passed_fd(passed);
	broker_socket_set_closer(NULL, NULL);
	if (pidfd >= 0)
		close(pidfd);
	caller_clear(&c);
	return list;
}
