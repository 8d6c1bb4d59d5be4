/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * direct_mode.h - serve a request in-process when the helper is privileged.
 */
#ifndef TAPWARDEN_QEMU_DIRECT_MODE_H
#define TAPWARDEN_QEMU_DIRECT_MODE_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "placement.h"
#include "tap.h"

unsigned int direct_mode_count_leases(void *data, uid_t uid,
				      const char *network);
bool direct_mode_create_tap_named(const struct placement *place, bool use_vnet,
				  uid_t owner, pid_t caller,
				  const char *name_hint, char *joined,
				  struct tap *tap, GError **error);
void direct_mode_remove_orphans(void);
bool direct_mode_create_tap(const struct placement *place, bool use_vnet,
			    uid_t owner, pid_t caller, struct tap *tap,
			    GError **error);

#endif
