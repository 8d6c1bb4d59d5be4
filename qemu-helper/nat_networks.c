/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat_networks.c - the broker's NAT networks.
 *
 * Theory of operation: a mode=nat network is made when its first tap is
 * asked for (nat_networks_ensure(), from broker.c): the bridge and its
 * gateway address (netdev/nat_bridge.c), IPv4 forwarding, the network's
 * nftables chains in one transaction (netdev/nat_nft.c), and its dnsmasq
 * (through the launcher, dnsmasq_launcher.c, since the broker executes
 * nothing). Later requests find the network in the table and just attach.
 * A failure takes away what that call made (rules, a bridge it created).
 *
 * The kernel is the truth (DESIGN.md section 4): at start and after each
 * SIGHUP, nat_networks_reconcile() lists which networks have chains in
 * tapwarden's table. Those still configured as NAT networks are applied
 * again (the chains replaced in one transaction, so never two copies; the
 * launcher adopts the running dnsmasq when its argv is what the
 * configuration asks for, else replaces it); the others lose their chains
 * and their dnsmasq. Bridges stay: taps may still be on them.
 *
 * dnsmasq is watched through the pidfd the launcher passes; when it exits
 * it is started again after a back-off (0.5 s doubling to 30 s; back to
 * 0.5 s once one ran for 30 s).
 */
#include "nat_networks.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <glib-unix.h>

#include "dnsmasq_launcher.h"
#include "error.h"
#include "nat_bridge.h"
#include "nat_nft.h"
#include "netlink.h"

#define RESTART_FIRST_MS 500
#define RESTART_MAX_MS 30000
#define RAN_LONG_ENOUGH_US (30 * G_USEC_PER_SEC)
#define LEASE_FILE_MAX (1 << 20)

/**
 * struct nat_networks - every NAT network the broker has made
 * @launcher:	the dnsmasq launcher's connection
 * @run_dir:	where dnsmasq's lease and pid files are
 * @entries:	name -> struct nat_entry
 */
struct nat_networks {
	int launcher;
	char *run_dir;
	GHashTable *entries;
};

/**
 * struct nat_entry - one network in force
 * @nn:		the table
 * @name:	network name
 * @bridge:	its bridge
 * @nat:	its settings as applied (own copy)
 * @pidfd:	its dnsmasq, or -1
 * @pid:	its dnsmasq's pid, 0 when none
 * @watch_id:	source watching @pidfd
 * @restart_id:	source of a pending restart
 * @failures:	restarts in a row (for the back-off)
 * @started:	when dnsmasq was last started (monotonic, us)
 */
struct nat_entry {
	struct nat_networks *nn;
	char name[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	struct nat_settings nat;
	int pidfd;
	pid_t pid;
	guint watch_id;
	guint restart_id;
	unsigned int failures;
	gint64 started;
};

/**
 * dnsmasq_forget() - stop watching an entry's dnsmasq (it keeps running)
 * @e:		entry
 */
static void dnsmasq_forget(struct nat_entry *e)
{
	if (e->watch_id)
		g_source_remove(e->watch_id);
	if (e->restart_id)
		g_source_remove(e->restart_id);
	if (e->pidfd >= 0)
		close(e->pidfd);
	e->watch_id = e->restart_id = 0;
	e->pidfd = -1;
	e->pid = 0;
}

/**
 * entry_free() - free an entry (a GDestroyNotify)
 * @data:	struct nat_entry
 */
static void entry_free(void *data)
{
	struct nat_entry *e = data;

	dnsmasq_forget(e);
	nat_settings_clear(&e->nat);
	g_free(e);
}

/**
 * nat_networks_new() - an empty table
 * @launcher_fd:	the launcher's connection (from dnsmasq_launcher_spawn())
 * @run_dir:		where dnsmasq's files are
 *
 * Return: the table; free with nat_networks_free().
 */
struct nat_networks *nat_networks_new(int launcher_fd, const char *run_dir)
{
	struct nat_networks *nn = g_new0(struct nat_networks, 1);

	nn->launcher = launcher_fd;
	nn->run_dir = g_strdup(run_dir);
	nn->entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					    entry_free);
	return nn;
}

/**
 * nat_networks_free() - forget every network; rules and dnsmasq stay
 * @nn:		table, or NULL
 *
 * The launcher's connection is closed: it exits, its dnsmasqs go on for
 * the next broker to adopt.
 */
void nat_networks_free(struct nat_networks *nn)
{
	if (!nn)
		return;
	g_hash_table_unref(nn->entries);
	if (nn->launcher >= 0)
		close(nn->launcher);
	g_free(nn->run_dir);
	g_free(nn);
}

static bool dnsmasq_start(struct nat_entry *e, GError **error);
static gboolean on_restart(gpointer data);

/**
 * schedule_restart() - start @e's dnsmasq again after the back-off
 * @e:		entry
 */
static void schedule_restart(struct nat_entry *e)
{
	unsigned int delay = RESTART_FIRST_MS << MIN(e->failures, 6u);

	delay = MIN(delay, RESTART_MAX_MS);
	e->failures++;
	g_message("network %s: dnsmasq starts again in %u ms", e->name, delay);
	e->restart_id = g_timeout_add(delay, on_restart, e);
}

/**
 * on_restart() - the back-off is over: start dnsmasq again
 * @data:	entry
 *
 * Return: G_SOURCE_REMOVE.
 */
static gboolean on_restart(gpointer data)
{
	struct nat_entry *e = data;
	GError *error = NULL;

	e->restart_id = 0;
	if (!dnsmasq_start(e, &error)) {
		g_warning("network %s: %s", e->name, error->message);
		g_error_free(error);
		schedule_restart(e);
	}
	return G_SOURCE_REMOVE;
}

/**
 * on_dnsmasq_exit() - an entry's dnsmasq exited
 * @fd:		its pidfd
 * @cond:	unused
 * @data:	entry
 *
 * Return: G_SOURCE_REMOVE.
 */
static gboolean on_dnsmasq_exit(int fd, GIOCondition cond, gpointer data)
{
	struct nat_entry *e = data;

	g_warning("network %s: dnsmasq (pid %d) exited", e->name, (int)e->pid);
	e->watch_id = 0;
	close(e->pidfd);
	e->pidfd = -1;
	e->pid = 0;
	if (g_get_monotonic_time() - e->started >= RAN_LONG_ENOUGH_US)
		e->failures = 0;
	schedule_restart(e);
	return G_SOURCE_REMOVE;
}

/**
 * dnsmasq_start() - have the launcher adopt or start @e's dnsmasq; watch it
 * @e:		entry (with DHCP)
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool dnsmasq_start(struct nat_entry *e, GError **error)
{
	struct dnsmasq_request req = {
		.op = DNSMASQ_START,
		.gateway = e->nat.gateway,
		.prefix = e->nat.prefix,
	};
	bool adopted = false;

	dnsmasq_forget(e);
	g_strlcpy(req.network, e->name, sizeof(req.network));
	g_strlcpy(req.bridge, e->bridge, sizeof(req.bridge));
	nat_dhcp_range(e->nat.gateway, e->nat.prefix, &req.first, &req.last);
	if (!dnsmasq_launcher_start(e->nn->launcher, &req, &e->pidfd, &e->pid,
				    &adopted, error))
		return false;
	e->started = g_get_monotonic_time();
	e->watch_id = g_unix_fd_add(e->pidfd, G_IO_IN, on_dnsmasq_exit, e);
	g_message("network %s: dnsmasq %s (pid %d)", e->name,
		  adopted ? "adopted" : "started", (int)e->pid);
	return true;
}

/**
 * entry_apply() - make @net's kernel state and dnsmasq what it says
 * @nn:		table
 * @net:	a mode=nat network
 * @error:	set on failure; what this call made is taken away again
 *
 * Return: true on success.
 */
static bool entry_apply(struct nat_networks *nn, const struct network *net,
			GError **error)
{
	struct nat_entry *e = g_hash_table_lookup(nn->entries, net->name);
	struct nat_ruleset rs = {
		.network = net->name, .bridge = net->bridge,
		.gateway = net->nat.gateway, .prefix = net->nat.prefix,
		.forwards = (const struct nat_port_forward *)net->nat.forwards->data,
		.n_forwards = net->nat.forwards->len,
	};
	g_autoptr(netlink) nl = netlink_open(error);
	bool created = false, is_new = e == NULL;

	if (!nl || !nat_bridge_ensure(nl, net->bridge, net->nat.gateway,
				      net->nat.prefix, &created, error))
		return false;
	if (!nat_ipv4_forwarding_enable(error) || !nat_nft_apply(&rs, error))
		goto undo;
	if (is_new) {
		e = g_new0(struct nat_entry, 1);
		e->nn = nn;
		e->pidfd = -1;
		nat_settings_init(&e->nat);
		g_strlcpy(e->name, net->name, sizeof(e->name));
		g_hash_table_insert(nn->entries, e->name, e);
	}
	g_strlcpy(e->bridge, net->bridge, sizeof(e->bridge));
	e->nat.gateway = net->nat.gateway;
	e->nat.prefix = net->nat.prefix;
	e->nat.dhcp = net->nat.dhcp;
	g_array_set_size(e->nat.forwards, 0);
	g_array_append_vals(e->nat.forwards, net->nat.forwards->data,
			    net->nat.forwards->len);
	e->failures = 0;
	if (net->nat.dhcp) {
		if (dnsmasq_start(e, error))
			return true;
	} else {
		dnsmasq_forget(e);	/* dhcp=no: none may run */
		if (dnsmasq_launcher_stop(nn->launcher, e->name, error))
			return true;
	}
	if (is_new) {
		g_hash_table_remove(nn->entries, net->name);
		nat_nft_remove(net->name, NULL);
	} else if (net->nat.dhcp) {
		schedule_restart(e);
	}
undo:
	if (created)
		nat_bridge_remove(nl, net->bridge);
	return false;
}

/**
 * nat_networks_ensure() - the network is made, for a tap to join it
 * @nn:		table
 * @net:	a mode=nat network
 * @error:	set on failure; nothing of this attempt is left
 *
 * Return: true when its bridge, rules and dnsmasq are in place.
 */
bool nat_networks_ensure(struct nat_networks *nn, const struct network *net,
			 GError **error)
{
	struct nat_entry *e = g_hash_table_lookup(nn->entries, net->name);

	if (e && !strcmp(e->bridge, net->bridge) &&
	    nat_settings_equal(&e->nat, &net->nat))
		return true;	/* dnsmasq, if it died, restarts by itself */
	if (!entry_apply(nn, net, error))
		return false;
	g_message("network %s: bridge %s, rules and %s in place", net->name,
		  net->bridge, net->nat.dhcp ? "dnsmasq" : "no DHCP");
	return true;
}

/**
 * entry_remove() - take @name's rules and dnsmasq away
 * @nn:		table
 * @name:	a network no longer configured as NAT
 */
static void entry_remove(struct nat_networks *nn, const char *name)
{
	GError *error = NULL;

	g_hash_table_remove(nn->entries, name);
	if (!dnsmasq_launcher_stop(nn->launcher, name, &error) ||
	    !nat_nft_remove(name, &error)) {
		g_warning("network %s: %s", name, error->message);
		g_error_free(error);
		return;
	}
	g_message("network %s: no longer configured; its rules and dnsmasq are removed",
		  name);
}

/**
 * nat_networks_reconcile() - kernel and dnsmasq as @cfg says
 * @nn:		table
 * @cfg:	the configuration in force
 *
 * Networks with chains in tapwarden's table (or in @nn) that @cfg still
 * has as NAT are applied again; the others are removed. Networks not made
 * yet wait for their first tap.
 */
void nat_networks_reconcile(struct nat_networks *nn,
			    const struct network_config *cfg)
{
	GError *error = NULL;
	g_autoptr(GHashTable) counts = nat_nft_chain_counts(&error);
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter iter;
	gpointer key;

	if (!counts) {
		g_warning("cannot reconcile NAT networks: %s", error->message);
		g_error_free(error);
		return;
	}
	g_hash_table_iter_init(&iter, counts);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		g_ptr_array_add(names, g_strdup(key));
	g_hash_table_iter_init(&iter, nn->entries);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		if (!g_hash_table_contains(counts, key))
			g_ptr_array_add(names, g_strdup(key));
	for (unsigned int i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);
		const struct network *net = network_config_find(cfg, name);

		if (!net || net->mode != NETWORK_MODE_NAT) {
			entry_remove(nn, name);
			continue;
		}
		if (!entry_apply(nn, net, &error)) {
			g_warning("network %s: %s", name, error->message);
			g_clear_error(&error);
			continue;
		}
		g_message("network %s: rules and %s match the configuration",
			  name, net->nat.dhcp ? "dnsmasq" : "no DHCP");
	}
}

/**
 * count_leases() - lines of a dnsmasq lease file
 * @path:	the file
 *
 * Return: the number of leases, 0 when there is no file.
 */
static unsigned int count_leases(const char *path)
{
	g_autofree char *text = NULL;
	unsigned int n = 0;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, NULL) ||
	    len > LEASE_FILE_MAX)
		return 0;
	for (gsize i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

/**
 * nat_networks_kernel_chains() - the chains in tapwarden's table, listed
 * once for a whole `tapwarden networks' answer
 *
 * Return: network name -> number of its chains, or NULL when the kernel
 * cannot be asked (nat_nft_chain_counts()).
 */
GHashTable *nat_networks_kernel_chains(void)
{
	return nat_nft_chain_counts(NULL);
}

/**
 * nat_networks_state() - what `tapwarden networks' shows of @net
 * @nn:		table
 * @net:	a mode=nat network
 * @chains:	nat_networks_kernel_chains() of this listing, or NULL
 * @out:	filled in
 */
void nat_networks_state(struct nat_networks *nn, const struct network *net,
			GHashTable *chains, struct nat_network_state *out)
{
	struct nat_entry *e = g_hash_table_lookup(nn->entries, net->name);
	g_autofree char *leases = g_strdup_printf("%s/%s.leases", nn->run_dir,
						  net->name);

	*out = (struct nat_network_state){ 0 };
	out->rules = chains && GPOINTER_TO_UINT(g_hash_table_lookup(chains, net->name)) ==
			       NAT_NFT_CHAINS;
	out->dnsmasq_pid = e && e->pidfd >= 0 ? e->pid : 0;
	out->leases = net->nat.dhcp ? count_leases(leases) : 0;
}
