/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fs_identity.h - open files with another user's file-system rights.
 */
#ifndef TAPWARDEN_POLICY_FS_IDENTITY_H
#define TAPWARDEN_POLICY_FS_IDENTITY_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

/* Most supplementary groups carried (the kernel's NGROUPS_MAX) */
#define FS_IDENTITY_MAX_GROUPS 65536

/**
 * struct fs_identity - whose rights a file is opened with
 * @uid:	file-system uid
 * @gid:	file-system gid
 * @groups:	supplementary groups
 * @ngroups:	number of @groups
 */
struct fs_identity {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	size_t ngroups;
};

/**
 * struct fs_identity_saved - what fs_identity_leave() restores
 * @uid:	previous file-system uid
 * @gid:	previous file-system gid
 * @groups:	previous supplementary groups
 * @ngroups:	number of @groups
 * @switched:	the identity was changed (false: it already was the one asked)
 */
struct fs_identity_saved {
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	size_t ngroups;
	bool switched;
};

bool fs_identity_enter(const struct fs_identity *id,
		       struct fs_identity_saved *saved, GError **error);
void fs_identity_leave(struct fs_identity_saved *saved);

#endif
