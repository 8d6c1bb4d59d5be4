/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_leases.c - the broker's view of the live leases, kept from the kernel.
 *
 * DESIGN.md section 4: what the kernel holds is the truth; this table is a
 * cache of it, keyed by interface index. It is filled by a scan at start
 * (so a broker killed and restarted knows every live tap at once), gets
 * each tap the broker grants, and is kept current by a link watch: a tap
 * that goes (QEMU closed its fd, or QEMU died) is dropped on its
 * RTM_DELLINK, together with whatever per-tap state the broker holds for
 * it (lease_ended()). broker_leases_refresh() reads every pending removal
 * before a decision that counts leases, so a tap closed a moment ago no
 * longer counts against max-per-user; broker_leases_rescan() (used for
 * root's `tapwarden list`, and when the kernel dropped events) makes the
 * table exactly the kernel's leases again.
 *
 * A tap's holder is watched too, by a pidfd (readable when the process
 * exits): the owner of a tap may make it persistent (TUNSETPERSIST needs
 * no capability), and such a tap would outlive QEMU and could be taken up
 * again without asking the broker. When the holder exits and its tap is
 * still there with no process attached (no carrier), the broker removes
 * it; at start, a lease whose holder is gone is removed the same way. A
 * tap that still has carrier is in use and stays: libvirt runs the helper
 * itself and hands the tap to QEMU, so its holder is libvirtd, which may
 * exit or restart while QEMU runs on. Such a tap is "handed on": the
 * process that holds it now is not known, so its carrier is looked at
 * every HANDED_ON_CHECK_MS, and the tap is removed (by interface index)
 * once no descriptor is attached any more; else a holder's child could
 * keep the tap open, make it persistent after the holder exited, and own a
 * tap the broker had stopped watching.
 *
 * A tap's IFB (netdev/qos.c, outbound limits) does not go with the tap:
 * lease_ended() hands it to a worker thread that removes it (removing a
 * device takes the kernel ~15 ms, which the next request must not wait
 * for); the tap number is not handed out again while its IFB is still
 * there (broker_leases_free_name()). At start every IFB whose tap is gone
 * (the broker was not running when it went) is removed.
 *
 * What a request asks of the table costs the same however many leases it
 * holds: besides the table, two counts are kept as leases come and go
 * (lease_counted()): how many leases use each tap number, for the lowest
 * free name (broker_leases_free_name()), and how many taps each user has
 * on each network, for max-per-user (broker_leases_count()). Walking 4000
 * leases for either took a third of a request's CPU time.
 */
#include "broker_leases.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/epoll.h>

#include "error.h"
#include "link_watch.h"
#include "netlink.h"
#include "qos.h"
#include "tap.h"

/* tap numbers counted for free names: tw0 - tw65535 (more leases than
 * that would be needed before a higher number is the lowest free one) */
#define TAP_NUMBERS_COUNTED 65536u
/* at most this many numbers are passed over for an IFB still there */
#define TAP_IFB_SKIPS_MAX 64u
/* how often the carrier of a tap whose holder is gone is looked at */
#define HANDED_ON_CHECK_MS 1000u

/**
 * struct broker_leases - live leases
 * @by_ifindex:	ifindex -> struct lease_entry
 * @numbers:	leases per tap number (tw<N>: @numbers[N]), N below
 *		@numbers_len; numbers from @numbers_len on are unused
 * @numbers_len: length of @numbers
 * @per_user:	"UID/NETWORK" -> leases of that user on that network
 * @watch:	link events
 * @holders:	epoll set of the holders' pidfds (data: the lease's ifindex):
 *		one descriptor for the main loop to poll however many leases
 *		there are, so that a request costs the same with 1000 leases
 * @ifb_reaper:	one worker thread removing the IFBs of ended leases
 *		(struct lease copies)
 * @handed_on:	ifindex set of the leases whose holder exited while the tap
 *		was still open (check_handed_on())
 * @handed_on_timer: the source that looks at them, 0 while there are none
 */
struct broker_leases {
	GHashTable *by_ifindex;
	guint8 *numbers;
	unsigned int numbers_len;
	GHashTable *per_user;
	struct link_watch *watch;
	int holders;
	GThreadPool *ifb_reaper;
	GHashTable *handed_on;
	guint handed_on_timer;
};

/**
 * struct lease_entry - a lease and the watch on its holder
 * @lease:	the lease (first: a struct lease_entry * is a struct lease *)
 * @bl:		the table
 * @pidfd:	the holder's pidfd (in @bl's @holders), or -1
 */
struct lease_entry {
	struct lease lease;
	struct broker_leases *bl;
	int pidfd;
};

/**
 * tap_number() - N of a tap named tw<N>
 * @ifname:	interface name
 * @n:		set to N
 *
 * Return: false when @ifname is no tw<N> with N below TAP_NUMBERS_COUNTED.
 */
static bool tap_number(const char *ifname, unsigned int *n)
{
	guint64 v;

	if (!g_str_has_prefix(ifname, TAP_NAME_PREFIX) ||
	    !g_ascii_string_to_unsigned(ifname + strlen(TAP_NAME_PREFIX), 10, 0,
					TAP_NUMBERS_COUNTED - 1, &v, NULL))
		return false;
	*n = (unsigned int)v;
	return true;
}

/**
 * user_key() - the key of a user's leases on a network in @per_user
 * @uid:	user
 * @network:	network name
 * @key:	set to "UID/NETWORK"
 */
static void user_key(uid_t uid, const char *network,
		     char key[16 + IFNAMSIZ])
{
	g_snprintf(key, 16 + IFNAMSIZ, "%u/%s", (unsigned int)uid, network);
}

/**
 * lease_counted() - count a lease in, or out of, the table's counts
 * @bl:		table
 * @lease:	the lease
 * @delta:	+1 when it joins the table, -1 when it leaves
 */
static void lease_counted(struct broker_leases *bl, const struct lease *lease,
			  int delta)
{
	char key[16 + IFNAMSIZ];
	unsigned int n, count;

	if (tap_number(lease->ifname, &n)) {
		if (n >= bl->numbers_len && delta > 0) {
			unsigned int len = MAX(n + 1, MIN(2 * bl->numbers_len + 64,
							  TAP_NUMBERS_COUNTED));

			bl->numbers = g_realloc(bl->numbers, len);
			memset(bl->numbers + bl->numbers_len, 0,
			       len - bl->numbers_len);
			bl->numbers_len = len;
		}
		/* saturates: 255 leases of one name are never live at once */
		if (n < bl->numbers_len && (delta < 0 ? bl->numbers[n] > 0 :
						       bl->numbers[n] < G_MAXUINT8))
			bl->numbers[n] = (guint8)(bl->numbers[n] + delta);
	}
	user_key(lease->uid, lease->network, key);
	count = GPOINTER_TO_UINT(g_hash_table_lookup(bl->per_user, key));
	if (delta > 0)
		count++;
	else if (count > 0)
		count--;
	if (count)
		g_hash_table_insert(bl->per_user, g_strdup(key),
				    GUINT_TO_POINTER(count));
	else
		g_hash_table_remove(bl->per_user, key);
}

/**
 * lease_entry_free() - stop watching the holder, uncount the lease, free
 *			the entry
 * @data:	a struct lease_entry
 */
static void lease_entry_free(gpointer data)
{
	struct lease_entry *e = data;

	lease_counted(e->bl, &e->lease, -1);
	g_hash_table_remove(e->bl->handed_on,
			    GINT_TO_POINTER(e->lease.ifindex));
	if (e->pidfd >= 0)
		close(e->pidfd);	/* which takes it out of the epoll set */
	g_free(e);
}

/**
 * enum tap_state - what remove_tap() found
 * @TAP_GONE:	the lease's tap is not there any more (or not looked at)
 * @TAP_OPEN:	it is there with a descriptor attached: kept
 * @TAP_REMOVED: it was there with none (persistent): removed
 */
enum tap_state { TAP_GONE, TAP_OPEN, TAP_REMOVED };

/**
 * remove_tap() - delete a lease's tap whose holder is gone, unless in use
 * @nl:		a netlink socket
 * @lease:	the lease
 *
 * The interface index is checked first, and the tap is deleted by index:
 * never another link that took its name. A tap has carrier while a
 * descriptor is attached to it (the tun driver turns it off at the last
 * detach): then another process holds it, as QEMU does when libvirtd got
 * the tap.
 *
 * Return: what was found.
 */
static enum tap_state remove_tap(struct netlink *nl, const struct lease *lease)
{
	g_autoptr(rtnl_link) link = NULL;
	GError *error = NULL;

	link = netlink_get_link(nl, lease->ifname, NULL);
	if (!link || rtnl_link_get_ifindex(link) != lease->ifindex)
		return TAP_GONE;
	if (rtnl_link_get_carrier(link))
		return TAP_OPEN;
	if (netlink_delete_link_index(nl, lease->ifindex, lease->ifname,
				      &error)) {
		g_message("removed %s: its holder (pid %d) is gone and it was still there (made persistent?)",
			  lease->ifname, (int)lease->pid);
		return TAP_REMOVED;
	}
	if (!g_error_matches(error, TW_ERROR, TW_ERROR_NOT_FOUND))
		g_warning("cannot remove %s, whose holder is gone: %s",
			  lease->ifname, error->message);
	g_error_free(error);
	return TAP_GONE;
}

/**
 * check_handed_on() - remove the handed-on taps no one holds any more
 * @data:	the table
 *
 * Return: G_SOURCE_CONTINUE while some are left, else G_SOURCE_REMOVE.
 */
static gboolean check_handed_on(gpointer data)
{
	struct broker_leases *bl = data;
	g_autoptr(netlink) nl = netlink_open(NULL);
	g_autoptr(GPtrArray) done = g_ptr_array_new();
	GHashTableIter iter;
	gpointer key;

	if (!nl)
		return G_SOURCE_CONTINUE;	/* again at the next tick */
	g_hash_table_iter_init(&iter, bl->handed_on);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		struct lease *lease = g_hash_table_lookup(bl->by_ifindex, key);

		if (!lease || remove_tap(nl, lease) != TAP_OPEN)
			g_ptr_array_add(done, key);	/* its DELLINK ends it */
	}
	for (unsigned int i = 0; i < done->len; i++)
		g_hash_table_remove(bl->handed_on, g_ptr_array_index(done, i));
	if (g_hash_table_size(bl->handed_on))
		return G_SOURCE_CONTINUE;
	bl->handed_on_timer = 0;
	return G_SOURCE_REMOVE;
}

/**
 * holder_gone() - a lease's holder exited: remove its tap, or watch the
 * tap's carrier while another process holds it
 * @bl:		table
 * @lease:	the lease, in @bl
 */
static void holder_gone(struct broker_leases *bl, const struct lease *lease)
{
	g_autoptr(netlink) nl = netlink_open(NULL);

	if (!nl || remove_tap(nl, lease) != TAP_OPEN)
		return;
	g_message("kept %s: its holder (pid %d) is gone, but the tap is still open (handed on, as libvirt hands it to QEMU); removed when no one holds it",
		  lease->ifname, (int)lease->pid);
	g_hash_table_add(bl->handed_on, GINT_TO_POINTER(lease->ifindex));
	if (!bl->handed_on_timer)
		bl->handed_on_timer = g_timeout_add(HANDED_ON_CHECK_MS,
						    check_handed_on, bl);
}

/**
 * broker_leases_reap_holders() - remove the taps whose holder exited
 * @bl:		table
 *
 * Called when broker_leases_holders_fd() is readable.
 */
void broker_leases_reap_holders(struct broker_leases *bl)
{
	struct epoll_event ev[64];
	int n;

	while ((n = epoll_wait(bl->holders, ev, G_N_ELEMENTS(ev), 0)) > 0) {
		for (int i = 0; i < n; i++) {
			struct lease_entry *e = g_hash_table_lookup(bl->by_ifindex,
								    GINT_TO_POINTER((int)ev[i].data.u64));

			if (!e || e->pidfd < 0)
				continue;
			/* level-triggered: stop watching, then remove */
			epoll_ctl(bl->holders, EPOLL_CTL_DEL, e->pidfd, NULL);
			holder_gone(bl, &e->lease);
		}
	}
}

/**
 * broker_leases_holders_fd() - the descriptor to poll for exited holders
 * @bl:		table
 *
 * Return: the epoll descriptor.
 */
int broker_leases_holders_fd(struct broker_leases *bl)
{
	return bl->holders;
}

/**
 * remove_ifb() - the IFB reaper's work: remove an ended lease's IFB
 * @data:	a struct lease (freed)
 * @unused:	the pool's user data
 */
static void remove_ifb(gpointer data, gpointer unused)
{
	g_autofree struct lease *lease = data;
	g_autoptr(netlink) nl = netlink_open(NULL);

	if (nl)
		qos_remove(nl, lease->ifname, lease->ifindex);
}

/**
 * lease_ended() - a tap went: forget it and what belongs to it
 * @bl:		table
 * @lease:	the lease that ended
 *
 * Per-tap state the kernel does not remove with the tap goes here: its
 * IFB (netdev/qos.c).
 */
static void lease_ended(struct broker_leases *bl, const struct lease *lease)
{
	struct lease *copy = g_new(struct lease, 1);

	*copy = *lease;
	g_thread_pool_push(bl->ifb_reaper, copy, NULL);
	g_info("lease ended: %s uid=%u net=%s pid=%d", lease->ifname,
	       (unsigned int)lease->uid, lease->network, (int)lease->pid);
	g_hash_table_remove(bl->by_ifindex, GINT_TO_POINTER(lease->ifindex));
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
 * broker_leases_rescan() - make the table the kernel's leases again
 * @bl:		table
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool broker_leases_rescan(struct broker_leases *bl, GError **error)
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

		broker_leases_add(bl, lease, -1);
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
 * remove_orphan_ifbs() - remove the IFBs of taps that went while no
 * broker watched
 */
static void remove_orphan_ifbs(void)
{
	g_autoptr(netlink) nl = netlink_open(NULL);
	unsigned int n;

	if (!nl)
		return;
	n = qos_remove_orphans(nl);
	if (n)
		g_message("removed %u IFB device%s of taps that are gone", n,
			  n == 1 ? "" : "s");
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
		.gone = on_gone, .data = bl,
	};

	bl->by_ifindex = g_hash_table_new_full(NULL, NULL, NULL,
					       lease_entry_free);
	bl->per_user = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					     NULL);
	bl->handed_on = g_hash_table_new(NULL, NULL);
	bl->ifb_reaper = g_thread_pool_new(remove_ifb, NULL, 1, FALSE, NULL);
	bl->holders = epoll_create1(EPOLL_CLOEXEC);
	if (bl->holders < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "epoll: %s",
			    g_strerror(errno));
		broker_leases_free(bl);
		return NULL;
	}
	bl->watch = link_watch_new(&ops, error);
	if (!bl->watch || !broker_leases_rescan(bl, error)) {
		broker_leases_free(bl);
		return NULL;
	}
	remove_orphan_ifbs();
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
	return !overrun || broker_leases_rescan(bl, error);
}

/**
 * broker_leases_add() - record or update a lease, and watch its holder
 * @bl:		table
 * @lease:	the lease (copied)
 * @pidfd:	a pidfd of the holder (taken over), or -1: one is opened for
 *		@lease->pid; if that process is gone, the tap is removed
 */
void broker_leases_add(struct broker_leases *bl, const struct lease *lease,
		       int pidfd)
{
	struct lease_entry *old = g_hash_table_lookup(bl->by_ifindex,
						      GINT_TO_POINTER(lease->ifindex));
	struct lease_entry *e;
	bool gone;

	if (old && !strcmp(old->lease.ifname, lease->ifname)) {
		if (pidfd >= 0)
			close(pidfd);
		return;		/* known: its holder is watched already */
	}
	if (old)	/* the index was reused: the old tap's removal was missed */
		lease_ended(bl, &old->lease);
	g_info("lease: %s uid=%u net=%s pid=%d", lease->ifname,
	       (unsigned int)lease->uid, lease->network, (int)lease->pid);
	e = g_new0(struct lease_entry, 1);
	e->lease = *lease;
	e->bl = bl;
	e->pidfd = pidfd >= 0 ? pidfd :
		   (int)syscall(SYS_pidfd_open, lease->pid, 0);
	gone = e->pidfd < 0 && errno == ESRCH && pidfd < 0;
	if (e->pidfd >= 0) {
		struct epoll_event ev = {
			.events = EPOLLIN, .data.u64 = (uint64_t)lease->ifindex,
		};

		epoll_ctl(bl->holders, EPOLL_CTL_ADD, e->pidfd, &ev);
	}
	g_hash_table_insert(bl->by_ifindex, GINT_TO_POINTER(lease->ifindex),
			    e);
	lease_counted(bl, &e->lease, +1);
	if (gone)
		holder_gone(bl, &e->lease);	/* its DELLINK ends the lease */
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
	char key[16 + IFNAMSIZ];

	user_key(uid, network, key);
	return GPOINTER_TO_UINT(g_hash_table_lookup(table->per_user, key));
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
 * broker_leases_free_name() - the lowest tw<N> no lease holds
 * @bl:		table
 * @name:	set to the name
 *
 * Only a hint: a device of that name may exist that is no lease; the tap
 * is then created under a name the kernel picks (tap_create_named()). A
 * number whose IFB (twi<N>) is still there is skipped.
 */
void broker_leases_free_name(struct broker_leases *bl, char name[IFNAMSIZ])
{
	unsigned int n = 0;

	for (unsigned int skips = 0;; skips++, n++) {
		const guint8 *unused = n < bl->numbers_len ?
			memchr(bl->numbers + n, 0, bl->numbers_len - n) : NULL;
		char ifb[IFNAMSIZ];

		n = unused ? (unsigned int)(unused - bl->numbers) :
			     MAX(n, bl->numbers_len);
		g_snprintf(name, IFNAMSIZ, TAP_NAME_PREFIX "%u", n);
		/* nor one whose IFB is still being removed */
		if (skips >= TAP_IFB_SKIPS_MAX || !qos_ifb_name(name, ifb) ||
		    !if_nametoindex(ifb))
			break;
	}
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
	if (bl->handed_on_timer)
		g_source_remove(bl->handed_on_timer);
	g_hash_table_unref(bl->by_ifindex);	/* uncounts every lease */
	g_hash_table_unref(bl->handed_on);
	g_hash_table_unref(bl->per_user);
	g_free(bl->numbers);
	/* finish the removals of taps that went; live taps keep theirs */
	if (bl->ifb_reaper)
		g_thread_pool_free(bl->ifb_reaper, FALSE, TRUE);
	if (bl->holders >= 0)
		close(bl->holders);
	g_free(bl);
}
