/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peer_account.c - which account a caller counts as: for a subordinate uid,
 * the user it is subordinate to.
 *
 * In a user namespace of its own a user may become any of the uids mapped
 * to it (its /etc/subuid range, 65 536 of them) without calling
 * setgroups(), so SO_PEERCRED shows the broker a new uid with the user's
 * supplementary groups: every per-user limit (max-per-user, the
 * connections one user may keep waiting) would count each of them apart.
 * So the broker counts such a caller as the user whose range holds its uid
 * (peer_account_uid(): newuidmap, the setuid program that writes a user's
 * namespace's uid_map, maps only the ranges /etc/subuid gives that user).
 * The question goes to the account lookup process (accounts.c), which
 * reads /etc like every account question; one that cannot be answered in
 * time refuses the caller (fail closed).
 *
 * The kernel knows the namespace's owner too (NS_GET_OWNER_UID), but the
 * confined broker cannot ask it: taking a process's user namespace is a
 * ptrace read check, which Landlock scopes to the broker's own domain and
 * which needs CAP_SYS_PTRACE over a nested namespace. /etc/subuid is what
 * gives a user those uids, so it is also what says whose they are.
 *
 * Rights are the owner's, never more than the caller has
 * (peer_account_attribute()): the uid is the owner's (allow-users, quotas,
 * the tap's owner), the groups are those the caller holds that the owner
 * has too (the group database's, as at login). Ranges of root (containers
 * root starts) count their uids apart, as before: root's rights are never
 * given to them.
 */
#include "peer_account.h"

#include "accounts.h"
#include "error.h"

/* the group a nested caller's primary group becomes when the owner lacks
 * it: the kernel's overflow gid, nobody's group */
#define OVERFLOW_GID 65534

/**
 * peer_account_uid() - the uid a caller counts as
 * @uid:	its uid, as the kernel reported it (SO_PEERCRED)
 * @account:	set to the user whose subordinate uid @uid is, when that is
 *		not root; else to @uid
 * @error:	set when this cannot be told (fail closed)
 *
 * Return: true on success.
 */
bool peer_account_uid(uid_t uid, uid_t *account, GError **error)
{
	uid_t owner;
	int found;

	*account = uid;
	if (uid == 0)
		return true;
	found = accounts_subuid_owner(uid, &owner);
	if (found < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "cannot tell whether uid %u is a subordinate uid (%s): the account lookup does not answer",
			    (unsigned int)uid, ACCOUNTS_SUBUID_FILE);
		return false;
	}
	if (found && owner != 0)	/* root's ranges: users apart */
		*account = owner;
	return true;
}

/**
 * peer_account_attribute() - make @c the account it counts as
 * @c:		a caller from peer_identity(); its uid, gid and groups are
 *		changed when it is a subordinate uid of a user
 * @account:	what peer_account_uid() said of its uid (the broker asks
 *		once per connection, when it accepts it)
 *
 * The owner's rights, never more than the caller holds: the uid is the
 * owner's, the groups are the caller's that the owner has too (none when
 * the owner cannot be looked up), the primary group the owner's when the
 * caller holds it, else the caller's own when the owner has it, else the
 * overflow group.
 */
void peer_account_attribute(struct caller *c, uid_t account)
{
	g_autofree gid_t *owner_groups = NULL;
	struct account owner = { .gid = (gid_t)-1 };
	struct caller owners;
	size_t n = 0, kept = 0;
	gid_t gid = OVERFLOW_GID;

	c->peer_uid = c->uid;
	if (account == c->uid)
		return;
	if (accounts_user_by_uid(account, &owner))
		owner_groups = accounts_user_groups(&owner, &n);
	owners = (struct caller){ .gid = owner.gid, .groups = owner_groups,
				  .ngroups = n };
	if (owner_groups && caller_in_group(c, owner.gid))
		gid = owner.gid;
	else if (owner_groups && caller_in_group(&owners, c->gid))
		gid = c->gid;
	for (size_t i = 0; i < c->ngroups; i++)
		if (owner_groups && caller_in_group(&owners, c->groups[i]))
			c->groups[kept++] = c->groups[i];
	c->ngroups = kept;
	c->gid = gid;
	c->uid = account;
}
