/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lease.h - the record of who holds a tap, kept in the tap's alias.
 */
#ifndef TAPWARDEN_NETDEV_LEASE_H
#define TAPWARDEN_NETDEV_LEASE_H

#include <sys/types.h>
#include <glib.h>

char *lease_alias_format(uid_t owner, const char *network, pid_t caller,
			 unsigned int vlan);

#endif
