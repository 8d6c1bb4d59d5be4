/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * access.h - who may use a network: allow-users, allow-groups, quotas.
 */
#ifndef TAPWARDEN_POLICY_ACCESS_H
#define TAPWARDEN_POLICY_ACCESS_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "network_config.h"

/**
 * struct caller - who asks, as the kernel says (SO_PEERCRED, SO_PEERGROUPS)
 * @uid:	user id: the account it counts as (for a subordinate uid of a
 *		user, that user: qemu-helper/peer_account.c, in the broker)
 * @peer_uid:	the uid the kernel reported (SO_PEERCRED)
 * @gid:	primary group id
 * @pid:	process id
 * @groups:	supplementary groups
 * @ngroups:	number of @groups
 */
struct caller {
	uid_t uid;
	uid_t peer_uid;
	gid_t gid;
	pid_t pid;
	gid_t *groups;
	size_t ngroups;
};

char *caller_user_name(uid_t uid);
bool caller_in_group(const struct caller *c, gid_t gid);
bool caller_from_user_name(const char *name, struct caller *c,
			   GError **error);
void caller_clear(struct caller *c);

bool access_network_allows(const struct network *net, const struct caller *c,
			   char **why);
bool access_quota_allows(const struct network *net, const struct caller *c,
			 unsigned int live, char **why);

#endif
