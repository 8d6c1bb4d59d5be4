/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * access.c - who may use a network: allow-users, allow-groups, quotas.
 *
 * DESIGN.md section 3. Root may use every network. Anyone else needs to be
 * named in allow-users (by name or uid) or to be a member of a group named
 * in allow-groups (by name or gid), counting the primary and supplementary
 * groups the kernel reported for the caller. A network with neither key is
 * root's only: access is never granted by omission. max-per-user caps the
 * taps one user holds on one network at once, root included.
 *
 * Every decision comes with its reason, the rule that decided, for
 * `tapwarden check` and for the refusal the helper prints.
 */
#include "access.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>

#include "accounts.h"
#include "error.h"

/**
 * caller_user_name() - the name of @uid, or the number if it has none
 * @uid:	user id
 *
 * Return: a newly allocated string.
 */
char *caller_user_name(uid_t uid)
{
	struct account user;

	return accounts_user_by_uid(uid, &user) ? g_strdup(user.name) :
	       g_strdup_printf("%u", uid);
}

/**
 * caller_in_group() - is @gid the caller's primary or a supplementary group
 * @c:		caller
 * @gid:	group
 *
 * Return: true when a member.
 */
bool caller_in_group(const struct caller *c, gid_t gid)
{
	if (c->gid == gid)
		return true;
	for (size_t i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

/**
 * caller_from_user_name() - the identity a login of @name would have
 * @name:	user name, or a uid
 * @c:		filled in (pid 0); free with caller_clear()
 * @error:	set when there is no such user
 *
 * For `tapwarden check USER NETWORK`: the user's groups come from the group
 * database, as at login.
 *
 * Return: true on success.
 */
bool caller_from_user_name(const char *name, struct caller *c, GError **error)
{
	struct account user;
	bool found = accounts_user_by_name(name, &user);
	guint64 uid;

	if (!found && g_ascii_string_to_unsigned(name, 10, 0, G_MAXUINT32 - 1,
						 &uid, NULL))
		found = accounts_user_by_uid((uid_t)uid, &user);
	if (!found) {
		g_autofree char *shown = g_strescape(name, NULL);

		g_set_error(error, TW_ERROR, TW_ERROR_NOT_FOUND,
			    "no user `%s'", shown);
		return false;
	}
	*c = (struct caller){ .uid = user.uid, .peer_uid = user.uid,
			      .gid = user.gid };
	c->groups = accounts_user_groups(&user, &c->ngroups);
	return true;
}

/**
 * caller_clear() - free what a struct caller holds
 * @c:		caller
 */
void caller_clear(struct caller *c)
{
	g_clear_pointer(&c->groups, g_free);
	c->ngroups = 0;
}

/**
 * account_id() - resolve an allow-users/allow-groups entry
 * @entry:	a name or a number
 * @is_group:	look in the group database
 * @id:		set to the id
 *
 * Return: true when the entry names an existing account or is a number.
 */
static bool account_id(const char *entry, bool is_group, guint32 *id)
{
	guint64 number;

	if (g_ascii_string_to_unsigned(entry, 10, 0, G_MAXUINT32 - 1, &number,
				       NULL)) {
		*id = (guint32)number;
		return true;
	}
	if (is_group) {
		gid_t gid;

		if (!accounts_group_by_name(entry, &gid))
			return false;
		*id = gid;
		return true;
	}
	struct account user;

	if (!accounts_user_by_name(entry, &user))
		return false;
	*id = user.uid;
	return true;
}

/**
 * access_network_allows() - may @c use @net at all
 * @net:	the network
 * @c:		the caller
 * @why:	set to the rule that decided (allowed) or the refusal (denied)
 *
 * Return: true when allowed.
 */
bool access_network_allows(const struct network *net, const struct caller *c,
			   char **why)
{
	g_autofree char *user = NULL;	/* named only in what is said */
	guint32 id;

	if (c->uid == 0) {
		*why = g_strdup("root may use every network");
		return true;
	}
	for (char **u = net->allow_users; u && *u; u++) {
		if (account_id(*u, false, &id) && id == c->uid) {
			*why = g_strdup_printf("network %s: allow-users names %s",
					       net->name, *u);
			return true;
		}
	}
	for (char **g = net->allow_groups; g && *g; g++) {
		if (account_id(*g, true, &id) && caller_in_group(c, id)) {
			user = caller_user_name(c->uid);
			*why = g_strdup_printf("network %s: allow-groups names %s, a group of %s",
					       net->name, *g, user);
			return true;
		}
	}
	user = caller_user_name(c->uid);
	if (!net->allow_users && !net->allow_groups)
		*why = g_strdup_printf("user %s may not use network %s: it has no allow-users or allow-groups, so only root may",
				       user, net->name);
	else
		*why = g_strdup_printf("user %s may not use network %s: not in its allow-users or allow-groups",
				       user, net->name);
	return false;
}

/**
 * access_quota_allows() - may @c have one more tap on @net
 * @net:	the network
 * @c:		the caller
 * @live:	taps @c holds on @net now
 * @why:	set to the reason when refused (untouched when allowed)
 *
 * Return: true when under max-per-user (or no limit).
 */
bool access_quota_allows(const struct network *net, const struct caller *c,
			 unsigned int live, char **why)
{
	g_autofree char *user = NULL;

	if (!net->max_per_user || live < net->max_per_user)
		return true;
	user = caller_user_name(c->uid);
	*why = g_strdup_printf("user %s already has %u taps on network %s (max-per-user=%u)",
			       user, live, net->name, net->max_per_user);
	return false;
}
