/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_leases.c - the broker's view of the live leases, kept from the kernel.
 *
 * DESIGN.md section 4: what the kernel holds is the truth; this table is a
 * cache of it, keyed by interface index. It is filled by a scan at start
 * (so a broker killed and restarted knows every live tap at once) and kept
 * current by a link watch: a tap that goes (QEMU closed its fd, or QEMU
 * died) is dropped on its RTM_DELLINK, together with whatever per-tap state
 * the broker holds for it (lease_ended()). broker_leases_refresh() reads
 * every pending event before a decision that counts leases, so a tap closed
 * a moment ago no longer counts against max-per-user; when the kernel
 * dropped events it rescans and drops what is gone.
 */
#include "broker_leases.h"

#include <string.h>

#include "link_watch.h"

/**
 * struct broker_leases - live leases
 * @by_ifindex:	ifindex -> struct lease
 * @watch:	link events
 */
struct broker_leases {
	GHashTable *by_ifindex;
	struct link_watch *watch;
};

/**
 * lease_ended() - a tap went: forget it and what belongs to it
 * @bl:		table
 * @lease:	the lease that ended
 *
 * Later per-tap state (rules, shaping) is removed here.
 */
static void lease_ended(struct broker_leases *bl, const struct lease *lease)
{
	g_info("lease ended: %s uid=%u net=%s pid=%d", lease->ifname,
	       (unsigned int)lease->uid, lease->network, (int)lease->pid);
	g_hash_table_remove(bl->by_ifindex, GINT_TO_POINTER(lease->ifindex));
}

/**
 * on_lease() - link watch: a lease tap appeared or changed
 * @lease:	its lease
 * @data:	the table
 */
static void on_lease(const struct lease *lease, void *data)
{
	broker_leases_add(data, lease);
}

/**
 * on_gone() - link watch: an interface was removed
 * @ifindex:	which
 * @data:	the table
 */
static void on_gone(int ifindex, void *data)
{
	struct broker_leases *bl = data;
	struct lease *lease = g_hash_table_lookup(bl->by_ifindex,
						  GINT_TO_POINTER(ifindex));

	if (lease)
		lease_ended(bl, lease);
}

/**
 * rescan() - rebuild the table from a scan of the kernel
 * @bl:		table
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool rescan(struct broker_leases *bl, GError **error)
{
	g_autoptr(GArray) now = lease_scan(error);
	g_autoptr(GHashTable) live = g_hash_table_new(NULL, NULL);
	g_autoptr(GPtrArray) gone = g_ptr_array_new();
	GHashTableIter iter;
	gpointer key, value;

	if (!now)
		return false;
	for (unsigned int i = 0; i < now->len; i++) {
		struct lease *lease = &g_array_index(now, struct lease, i);

		broker_leases_add(bl, lease);
		g_hash_table_add(live, GINT_TO_POINTER(lease->ifindex));
	}
	g_hash_table_iter_init(&iter, bl->by_ifindex);
	while (g_hash_table_iter_next(&iter, &key, &value))
		if (!g_hash_table_contains(live, key))
			g_ptr_array_add(gone, value);
	for (unsigned int i = 0; i < gone->len; i++)
		lease_ended(bl, g_ptr_array_index(gone, i));
	return true;
}

/**
 * broker_leases_new() - subscribe to link events, then scan the kernel
 * @error:	set on failure
 *
 * Subscribing first means nothing that happens during the scan is missed.
 *
 * Return: the table, or NULL with @error set.
 */
struct broker_leases *broker_leases_new(GError **error)
{
	struct broker_leases *bl = g_new0(struct broker_leases, 1);
	struct link_watch_ops ops = {
		.lease = on_lease, .gone = on_gone, .data = bl,
	};

	bl->by_ifindex = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	bl->watch = link_watch_new(&ops, error);
	if (!bl->watch || !rescan(bl, error)) {
		broker_leases_free(bl);
		return NULL;
	}
	return bl;
}

/**
 * broker_leases_refresh() - apply every pending link event
 * @bl:		table
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool broker_leases_refresh(struct broker_leases *bl, GError **error)
{
	bool overrun;

	if (!link_watch_dispatch(bl->watch, &overrun, error))
		return false;
	return !overrun || rescan(bl, error);
}

/**
 * broker_leases_add() - record or update a lease
 * @bl:		table
 * @lease:	the lease (copied)
 */
void broker_leases_add(struct broker_leases *bl, const struct lease *lease)
{
	struct lease *old = g_hash_table_lookup(bl->by_ifindex,
						GINT_TO_POINTER(lease->ifindex));

	if (old && strcmp(old->ifname, lease->ifname)) {
		/* the index was reused: the old tap's removal was missed */
		lease_ended(bl, old);
		old = NULL;
	}
	if (!old)
		g_info("lease: %s uid=%u net=%s pid=%d", lease->ifname,
		       (unsigned int)lease->uid, lease->network,
		       (int)lease->pid);
	g_hash_table_insert(bl->by_ifindex, GINT_TO_POINTER(lease->ifindex),
			    g_memdup2(lease, sizeof(*lease)));
}

/**
 * broker_leases_count() - taps of @uid on @network (a lease_counter_fn)
 * @bl:		table (void * to fit lease_counter_fn)
 * @uid:	user
 * @network:	network name
 *
 * Return: the number of live leases.
 */
unsigned int broker_leases_count(void *bl, uid_t uid, const char *network)
{
	struct broker_leases *table = bl;
	unsigned int n = 0;
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, table->by_ifindex);
	while (g_hash_table_iter_next(&iter, NULL, &value)) {
		const struct lease *lease = value;

		n += lease->uid == uid && !strcmp(lease->network, network);
	}
	return n;
}

/**
 * compare_leases() - order by interface index, i.e. by creation
 * @a:		pointer to a lease pointer
 * @b:		same
 *
 * Return: <0, 0, >0.
 */
static int compare_leases(gconstpointer a, gconstpointer b)
{
	const struct lease *const *la = a, *const *lb = b;

	return ((*la)->ifindex > (*lb)->ifindex) -
	       ((*la)->ifindex < (*lb)->ifindex);
}

/**
 * broker_leases_sorted() - every lease, oldest first
 * @bl:		table
 *
 * Return: a new array of pointers owned by @bl; valid until it changes.
 */
GPtrArray *broker_leases_sorted(struct broker_leases *bl)
{
	GPtrArray *list = g_ptr_array_new();
	GHashTableIter iter;
	gpointer value;

	g_hash_table_iter_init(&iter, bl->by_ifindex);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		g_ptr_array_add(list, value);
	g_ptr_array_sort(list, compare_leases);
	return list;
}

/**
 * broker_leases_size() - number of live leases
 * @bl:		table
 *
 * Return: the count.
 */
unsigned int broker_leases_size(struct broker_leases *bl)
{
	return g_hash_table_size(bl->by_ifindex);
}

/**
 * broker_leases_watch_fd() - the descriptor to poll for link events
 * @bl:		table
 *
 * Return: a descriptor.
 */
int broker_leases_watch_fd(struct broker_leases *bl)
{
	return link_watch_fd(bl->watch);
}

/**
 * broker_leases_free() - free the table
 * @bl:		table, or NULL
 */
void broker_leases_free(struct broker_leases *bl)
{
	if (!bl)
		return;
	link_watch_free(bl->watch);
	g_hash_table_unref(bl->by_ifindex);
	g_free(bl);
}
