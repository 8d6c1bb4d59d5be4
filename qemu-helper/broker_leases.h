/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_leases.h - the broker's view of the live leases, kept from the kernel.
 */
#ifndef TAPWARDEN_QEMU_BROKER_LEASES_H
#define TAPWARDEN_QEMU_BROKER_LEASES_H

#include <stdbool.h>
#include <glib.h>

#include "lease.h"

struct broker_leases;

struct broker_leases *broker_leases_new(GError **error);
bool broker_leases_refresh(struct broker_leases *bl, GError **error);
bool broker_leases_rescan(struct broker_leases *bl, GError **error);
void broker_leases_add(struct broker_leases *bl, const struct lease *lease,
		       int pidfd);
unsigned int broker_leases_count(void *bl, uid_t uid, const char *network);
GPtrArray *broker_leases_sorted(struct broker_leases *bl);
void broker_leases_free_name(struct broker_leases *bl, char name[IFNAMSIZ]);
unsigned int broker_leases_size(struct broker_leases *bl);
int broker_leases_watch_fd(struct broker_leases *bl);
int broker_leases_holders_fd(struct broker_leases *bl);
void broker_leases_reap_holders(struct broker_leases *bl);
void broker_leases_free(struct broker_leases *bl);

#endif
