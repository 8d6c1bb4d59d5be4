/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * confine.h - each long-lived process gives up what its remaining work
 * does not need (DESIGN.md section 6; docs/security.md).
 */
#ifndef TAPWARDEN_POLICY_CONFINE_H
#define TAPWARDEN_POLICY_CONFINE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <seccomp.h>
#include <linux/filter.h>
#include <linux/landlock.h>

/* AddressSanitizer builds (gcc says so one way, clang another): their
 * runtime's own calls are allowed too (never in a release build) */
#if defined(__SANITIZE_ADDRESS__)
#define CONFINE_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONFINE_SANITIZER 1
#endif
#endif

/* Landlock rights and fields newer than this system's <linux/landlock.h> */
#define LL_FS_TRUNCATE		(1ULL << 14)	/* ABI 3 */
#define LL_FS_IOCTL_DEV		(1ULL << 15)	/* ABI 5 */
#define LL_NET_BIND_TCP		(1ULL << 0)	/* ABI 4 */
#define LL_NET_CONNECT_TCP	(1ULL << 1)	/* ABI 4 */
#define LL_SCOPE_ABSTRACT_UNIX	(1ULL << 0)	/* ABI 6 */
#define LL_SCOPE_SIGNAL		(1ULL << 1)	/* ABI 6 */

#define LL_FS_READ	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_FS_FILE	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | \
			 LANDLOCK_ACCESS_FS_READ_FILE | LL_FS_TRUNCATE | LL_FS_IOCTL_DEV)

/* a process that opens no file once confined (sanitizer builds: their
 * runtime reads /proc/self at exit); for struct confine_spec's @paths and
 * @n_paths */
#ifdef CONFINE_SANITIZER
#define CONFINE_NO_FILES \
	((const struct confine_path[]){ { "/proc", LL_FS_READ, false } }), 1
#else
#define CONFINE_NO_FILES NULL, 0
#endif

/**
 * struct confine_path - one Landlock rule: what stays reachable under a path
 * @path:	file or directory (a file takes only file rights)
 * @access:	LANDLOCK_ACCESS_FS_* rights beneath it (masked to what the
 *		kernel's Landlock ABI handles)
 * @optional:	a path that does not exist is skipped, not an error
 */
struct confine_path {
	const char *path;
	uint64_t access;
	bool optional;
};

/**
 * struct confine_spec - how one process confines itself
 * @who:	its name, for errors and the test hook ("tapwardend", "helper",
 *		"engine", "keeper", "launcher")
 * @keep_caps:	capabilities kept in the permitted and effective sets, as
 *		1ULL << CAP_*; all others go, the bounding, inheritable and
 *		ambient sets are emptied
 * @keep_bounding: keep @keep_caps in the bounding and inheritable sets
 *		too (only for a process that executes another: the launcher)
 * @paths:	Landlock rules (file system), @n_paths of them
 * @n_paths:	number of @paths; 0: no file system access at all
 * @landlock_tcp: keep TCP bind/connect (Landlock ABI 4 restricts them
 *		otherwise)
 * @landlock_scope: LANDLOCK_SCOPE_* (ABI 6) to set
 * @allow:	adds the process's seccomp allow-list to the filter
 * @filter:	instead of @allow: the filter, built at build time from the
 *		process's allow-list (seccomp-export)
 */
struct confine_spec {
	const char *who;
	uint64_t keep_caps;
	bool keep_bounding;
	const struct confine_path *paths;
	size_t n_paths;
	bool landlock_tcp;
	uint64_t landlock_scope;
	int (*allow)(scmp_filter_ctx ctx);
	const struct sock_fprog *filter;
};

bool confine(const struct confine_spec *spec, GError **error);
scmp_filter_ctx confine_seccomp_build(int (*allow)(scmp_filter_ctx ctx));

/**
 * struct confine_broker_paths - what the broker still opens once confined
 * @config:	tapwarden.conf (its directory is readable, for SIGHUP)
 * @acl:	bridge.conf (its directory is readable: per-request reads)
 * @run_dir:	the socket's directory (the broker removes the socket it
 *		made at exit)
 * @nat_run_dir: NAT networks' dnsmasq files (leases, pid files), read by
 *		`tapwarden networks'
 */
struct confine_broker_paths {
	const char *config;
	const char *acl;
	const char *run_dir;
	const char *nat_run_dir;
};

bool confine_broker(const struct confine_broker_paths *paths, GError **error);
bool confine_helper(GError **error);
bool confine_usermode_engine(GError **error);
bool confine_usermode_keeper(GError **error);
bool confine_account_lookup(GError **error);
bool confine_launcher(const char *dnsmasq, const char *run_dir,
		      GError **error);

/* the allow-lists: policy/seccomp_*.c; each returns 0 or -errno */
int seccomp_allow_broker(scmp_filter_ctx ctx);
int seccomp_allow_helper(scmp_filter_ctx ctx);
int seccomp_allow_usermode_engine(scmp_filter_ctx ctx);
int seccomp_allow_usermode_keeper(scmp_filter_ctx ctx);
int seccomp_allow_launcher(scmp_filter_ctx ctx);
int seccomp_allow_account_lookup(scmp_filter_ctx ctx);
int seccomp_allow_common(scmp_filter_ctx ctx);
int seccomp_allow_sanitizer(scmp_filter_ctx ctx);
int seccomp_allow_list(scmp_filter_ctx ctx, const int *syscalls, size_t n);

/* test builds only (meson -Dtest_hooks=true): policy/confine_test_hook.c */
void confine_test_hook(const char *who);
bool confine_test_without_seccomp(void);
int seccomp_allow_test_hook(scmp_filter_ctx ctx);

#endif
