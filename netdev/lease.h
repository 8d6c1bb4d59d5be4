/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lease.h - the record of who holds a tap, kept in the tap's alias.
 */
#ifndef TAPWARDEN_NETDEV_LEASE_H
#define TAPWARDEN_NETDEV_LEASE_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <sys/types.h>
#include <glib.h>

/* What every lease alias starts with */
#define LEASE_ALIAS_PREFIX "tapwarden "

/**
 * struct lease - one tap's record, as read back from the kernel
 * @ifname:	the tap
 * @ifindex:	its interface index
 * @uid:	owner
 * @network:	network (or bridge) name asked for
 * @pid:	process that holds it (QEMU)
 * @since:	creation time, seconds since the epoch
 * @bridge:	its master device now, "" if none
 * @vlan:	the VLAN it is an access port of, 0 for none
 */
struct lease {
	char ifname[IFNAMSIZ];
	int ifindex;
	uid_t uid;
	char network[IFNAMSIZ];
	pid_t pid;
	int64_t since;
	char bridge[IFNAMSIZ];
	unsigned int vlan;
};

char *lease_alias_format(uid_t owner, const char *network, pid_t caller,
			 unsigned int vlan);
bool lease_alias_parse(const char *alias, struct lease *lease);

#endif
