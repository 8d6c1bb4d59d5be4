/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * accounts.h - users and groups by name and number (NSS), in this process
 * or, for the confined broker, from a lookup process.
 */
#ifndef TAPWARDEN_POLICY_ACCOUNTS_H
#define TAPWARDEN_POLICY_ACCOUNTS_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

/* Subordinate uid ranges, as newuidmap reads them */
#define ACCOUNTS_SUBUID_FILE "/etc/subuid"
/* Most groups of one user carried back from the lookup process */
#define ACCOUNTS_MAX_GROUPS 4096

/**
 * struct account - a user of the password database
 * @uid:	user id
 * @gid:	primary group
 * @name:	user name
 */
struct account {
	uid_t uid;
	gid_t gid;
	char name[256];
};

bool accounts_user_by_name(const char *name, struct account *out);
bool accounts_user_by_uid(uid_t uid, struct account *out);
bool accounts_group_by_name(const char *name, gid_t *gid);
gid_t *accounts_user_groups(const struct account *user, size_t *n);
int accounts_subuid_owner(uid_t uid, uid_t *owner);
bool accounts_subuid_line_owner(const char *line, uid_t uid, char **user);
bool accounts_start_lookup_process(GError **error);

#endif
