/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fd_reaper.c - close what a client controls, without waiting on it.
 *
 * A descriptor received with SCM_RIGHTS can be anything the sender opened.
 * Closing a file on the sender's own FUSE mount waits for the sender's
 * FUSE server (FLUSH), forever if it wants; closing the last reference to a
 * TCP socket with SO_LINGER waits too. And a unix socket (the client's
 * connection itself, or one it passed) may hold, unread in its queue,
 * further descriptors in flight: closing it drops them, and the last
 * reference to such a lingering socket is then dropped by whoever closed.
 * So the broker closes nothing a client controls on its main loop: every
 * such descriptor goes to one reaper thread. Each uid's descriptors waiting
 * there are counted, so that the broker can turn away a uid whose
 * descriptors do not close (fd_reaper_pending()) instead of piling them
 * up.
 */
#include "fd_reaper.h"

#include <unistd.h>
#include <glib.h>

/**
 * struct reap - one descriptor for the reaper thread
 * @fd:		descriptor
 * @from:	uid that passed it
 */
struct reap {
	int fd;
	uid_t from;
};

static GMutex reaper_lock;
static GAsyncQueue *reaper_queue;
static GHashTable *reaper_pending;	/* uid -> count, under reaper_lock */
static gint64 reaper_progress;		/* when a close last ended */

/**
 * reaper_thread() - close queued descriptors, one after the other
 * @data:	unused
 *
 * Return: never.
 */
static gpointer reaper_thread(gpointer data)
{
	for (;;) {
		struct reap *r = g_async_queue_pop(reaper_queue);
		guint n;

		close(r->fd);
		g_mutex_lock(&reaper_lock);
		reaper_progress = g_get_monotonic_time();
		n = GPOINTER_TO_UINT(g_hash_table_lookup(reaper_pending,
							 GUINT_TO_POINTER(r->from)));
		if (n > 1)
			g_hash_table_insert(reaper_pending,
					    GUINT_TO_POINTER(r->from),
					    GUINT_TO_POINTER(n - 1));
		else
			g_hash_table_remove(reaper_pending,
					    GUINT_TO_POINTER(r->from));
		g_mutex_unlock(&reaper_lock);
		g_free(r);
	}
	return NULL;
}

/**
 * fd_reaper_close() - have the reaper thread close @fd
 * @fd:		a descriptor received from a client
 * @from:	the client's uid
 */
void fd_reaper_close(int fd, uid_t from)
{
	struct reap *r;
	guint n;

	g_mutex_lock(&reaper_lock);
	if (!reaper_queue) {
		reaper_progress = g_get_monotonic_time();
		reaper_queue = g_async_queue_new();
		reaper_pending = g_hash_table_new(NULL, NULL);
		g_thread_unref(g_thread_new("fd-reaper", reaper_thread, NULL));
	}
	n = GPOINTER_TO_UINT(g_hash_table_lookup(reaper_pending,
						 GUINT_TO_POINTER(from)));
	g_hash_table_insert(reaper_pending, GUINT_TO_POINTER(from),
			    GUINT_TO_POINTER(n + 1));
	g_mutex_unlock(&reaper_lock);
	r = g_new(struct reap, 1);
	r->fd = fd;
	r->from = from;
	g_async_queue_push(reaper_queue, r);
}

/**
 * fd_reaper_pending() - descriptors of @from waiting while the reaper is stuck
 * @from:	a uid
 *
 * A busy user's descriptors queue for a moment in normal work; they count
 * only while the reaper has closed nothing for a second.
 *
 * Return: the count, 0 while the reaper makes progress.
 */
unsigned int fd_reaper_pending(uid_t from)
{
	guint n = 0;

	g_mutex_lock(&reaper_lock);
	if (reaper_pending &&
	    g_get_monotonic_time() - reaper_progress > G_USEC_PER_SEC)
		n = GPOINTER_TO_UINT(g_hash_table_lookup(reaper_pending,
							 GUINT_TO_POINTER(from)));
	g_mutex_unlock(&reaper_lock);
	return n;
}
