/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fs_identity.c - open files with another user's file-system rights.
 *
 * qemu-bridge-helper read bridge.conf with the rights of the user who ran
 * it, so an included per-user file counted only for users who could read
 * it. The broker reads for others; to keep that meaning it switches its
 * file-system uid and gid (setfsuid(2), setfsgid(2), which change nothing
 * but permission checks on files, and clear CAP_DAC_OVERRIDE while not 0)
 * and its supplementary groups to the caller's around each open, and back
 * afterwards. This needs CAP_SETUID and CAP_SETGID; without them the switch
 * fails and so does the read: never silently read with the broker's rights.
 *
 * Every switch is made for the calling thread only, with the raw system
 * calls: setfsuid and setfsgid are per thread anyway, and glibc's
 * setgroups() would change every thread of the process, signalling each
 * and waiting until each has (SIGSETXID): one thread that cannot take a
 * signal (blocked uninterruptibly in the kernel) would stop the broker
 * there for good. The broker's other threads (GLib's) open no files, so
 * nothing else ever sees the caller's groups.
 */
#include "fs_identity.h"

#include <errno.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>

#include "error.h"

/* 32-bit ids: on i386 and 32-bit arm, SYS_setgroups takes 16-bit ones */
#ifdef SYS_setgroups32
#define SYS_SETGROUPS SYS_setgroups32
#else
#define SYS_SETGROUPS SYS_setgroups
#endif

/**
 * thread_setgroups() - set the calling thread's supplementary groups only
 * @n:		number of @groups
 * @groups:	the groups
 *
 * Return: 0, or -1 with errno set.
 */
static int thread_setgroups(size_t n, const gid_t *groups)
{
	return (int)syscall(SYS_SETGROUPS, n, groups);
}

/**
 * fs_identity_enter() - take @id's file-system rights
 * @id:		whose rights
 * @saved:	filled in; pass to fs_identity_leave() afterwards
 * @error:	set when the switch is not possible (missing capability)
 *
 * Return: true when file access now uses @id's rights.
 */
bool fs_identity_enter(const struct fs_identity *id,
		       struct fs_identity_saved *saved, GError **error)
{
	int n, err;

	*saved = (struct fs_identity_saved){
		.uid = (uid_t)setfsuid((uid_t)-1),
		.gid = (gid_t)setfsgid((gid_t)-1),
	};
	if (saved->uid == id->uid && id->uid == geteuid() &&
	    saved->gid == id->gid && id->gid == getegid())
		return true;	/* reading as ourselves: nothing to switch */

	err = EINVAL;
	n = getgroups(0, NULL);
	if (n < 0 || id->ngroups > FS_IDENTITY_MAX_GROUPS)
		goto fail;
	saved->groups = g_new(gid_t, n + 1);
	n = getgroups(n, saved->groups);
	if (n < 0)
		goto fail;
	saved->ngroups = (size_t)n;
	if (thread_setgroups(id->ngroups, id->groups) < 0) {
		err = errno;
		goto fail;
	}
	saved->switched = true;
	setfsgid(id->gid);
	setfsuid(id->uid);
	err = EPERM;	/* setfsuid() reports no error; read the result */
	if ((uid_t)setfsuid((uid_t)-1) != id->uid ||
	    (gid_t)setfsgid((gid_t)-1) != id->gid)
		goto fail;
	return true;

fail:
	fs_identity_leave(saved);
	g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
		    "cannot read files as uid %u: %s (CAP_SETUID and CAP_SETGID are needed)",
		    (unsigned int)id->uid, g_strerror(err));
	return false;
}

/**
 * fs_identity_leave() - restore what fs_identity_enter() changed
 * @saved:	from fs_identity_enter()
 */
void fs_identity_leave(struct fs_identity_saved *saved)
{
	if (saved->switched) {
		setfsuid(saved->uid);
		setfsgid(saved->gid);
		if (thread_setgroups(saved->ngroups, saved->groups) < 0)
			g_error("cannot restore supplementary groups: %s",
				g_strerror(errno));
	}
	g_clear_pointer(&saved->groups, g_free);
	saved->switched = false;
}
