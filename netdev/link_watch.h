/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link_watch.h - find the kernel's leases: a scan, and a watch of changes.
 */
#ifndef TAPWARDEN_NETDEV_LINK_WATCH_H
#define TAPWARDEN_NETDEV_LINK_WATCH_H

#include <stdbool.h>
#include <glib.h>

#include "lease.h"

GArray *lease_scan(GError **error);

/**
 * struct link_watch_ops - what a watch reports
 * @lease:	a tap with a lease appeared or changed (its master, say)
 * @gone:	interface @ifindex was removed (any interface: the receiver
 *		knows which ones it cares about)
 * @data:	passed to both
 */
struct link_watch_ops {
	void (*lease)(const struct lease *lease, void *data);
	void (*gone)(int ifindex, void *data);
	void *data;
};

struct link_watch;
struct link_watch *link_watch_new(const struct link_watch_ops *ops,
				  GError **error);
int link_watch_fd(const struct link_watch *lw);
bool link_watch_dispatch(struct link_watch *lw, bool *overrun,
			 GError **error);
void link_watch_free(struct link_watch *lw);

#endif
