/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lease.c - the lease record stored in a tap's interface alias.
 *
 * DESIGN.md section 4: the kernel is the only store. A tap's alias reads
 * "tapwarden uid=UID net=NETWORK pid=PID since=UNIXTIME" so that a restarted
 * broker, `ip link` and `tapwarden list` all find the owner from the kernel.
 * A tap that is an access port of a VLAN has " vlan=ID" appended.
 * lease_alias_parse() reads it back strictly: any alias it does not accept
 * is not tapwarden's, and a tap without one is not a lease.
 */
#include "lease.h"

#include <string.h>
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

	return g_strdup_printf(LEASE_ALIAS_PREFIX "uid=%u net=%s pid=%d since=%lld%s",
			       (unsigned int)owner, network, (int)caller,
			       (long long)time(NULL), vlan_part);
}

/**
 * parse_number() - a decimal field of the alias
 * @value:	the text after "key="
 * @max:	largest value accepted
 * @out:	set to the number
 *
 * Return: true when @value is a number no larger than @max.
 */
static bool parse_number(const char *value, guint64 max, guint64 *out)
{
	return g_ascii_string_to_unsigned(value, 10, 0, max, out, NULL);
}

/**
 * lease_alias_parse() - read a lease back from a tap's alias
 * @alias:	the alias
 * @lease:	its uid, network, pid and since are filled in
 *
 * Fields may come in any order; unknown fields (added by later versions)
 * are ignored; uid, net, pid and since are required.
 *
 * Return: true when @alias is a tapwarden lease.
 */
bool lease_alias_parse(const char *alias, struct lease *lease)
{
	g_auto(GStrv) fields = NULL;
	unsigned int seen = 0;
	guint64 n;

	if (!alias || !g_str_has_prefix(alias, LEASE_ALIAS_PREFIX))
		return false;
	fields = g_strsplit(alias + strlen(LEASE_ALIAS_PREFIX), " ", 16);
	for (unsigned int i = 0; fields[i]; i++) {
		char *eq = strchr(fields[i], '=');
		const char *value;

		if (!eq)
			return false;
		*eq = '\0';
		value = eq + 1;
		if (!strcmp(fields[i], "uid") &&
		    parse_number(value, G_MAXUINT32 - 1, &n)) {
			lease->uid = (uid_t)n;
			seen |= 1;
		} else if (!strcmp(fields[i], "net") && *value &&
			   strlen(value) < sizeof(lease->network)) {
			g_strlcpy(lease->network, value,
				  sizeof(lease->network));
			seen |= 2;
		} else if (!strcmp(fields[i], "pid") &&
			   parse_number(value, G_MAXINT32, &n)) {
			lease->pid = (pid_t)n;
			seen |= 4;
		} else if (!strcmp(fields[i], "since") &&
			   parse_number(value, G_MAXINT64, &n)) {
			lease->since = (int64_t)n;
			seen |= 8;
		} else if (!strcmp(fields[i], "vlan") &&
			   parse_number(value, 4094, &n) && n > 0) {
			lease->vlan = (unsigned int)n;
		}
	}
	return seen == 15;
}
