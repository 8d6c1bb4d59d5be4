/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lease.c - format the lease record stored in a tap's interface alias.
 *
 * DESIGN.md section 4: the kernel is the only store. A tap's alias reads
 * "tapwarden uid=UID net=NETWORK pid=PID since=UNIXTIME" so that a restarted
 * broker, `ip link` and `tapwarden list` all find the owner from the kernel.
 * A tap that is an access port of a VLAN has " vlan=ID" appended.
 */
#include "lease.h"

#include <time.h>

/**
 * lease_alias_format() - the alias text for a tap
 * @owner:	uid the tap was created for
 * @network:	network (or bridge) name the caller asked for
 * @caller:	pid of the process that asked (QEMU)
 * @vlan:	the VLAN the tap is an access port of, 0 for none
 *
 * Return: a newly allocated string.
 */
char *lease_alias_format(uid_t owner, const char *network, pid_t caller,
			 unsigned int vlan)
{
	g_autofree char *vlan_part = vlan ? g_strdup_printf(" vlan=%u", vlan) :
					    g_strdup("");

	return g_strdup_printf("tapwarden uid=%u net=%s pid=%d since=%lld%s",
			       (unsigned int)owner, network, (int)caller,
			       (long long)time(NULL), vlan_part);
}
