/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * confine.c - a process gives up what its remaining work does not need.
 *
 * DESIGN.md section 6, docs/security.md. confine() runs the stages in this
 * order, each one checked, and fails closed (one GError) when a stage the
 * kernel offers does not take:
 *
 *   1. the process must be single-threaded: capabilities and Landlock are
 *      per thread, so a thread started earlier would keep its power;
 *   2. PR_SET_NO_NEW_PRIVS: nothing it could still execute gains privilege
 *      (and Landlock and seccomp need it without CAP_SYS_ADMIN);
 *   3. capabilities: the bounding set emptied (CAP_SETPCAP is needed for
 *      that; a process without any capability gets it by entering a user
 *      namespace of its own first, where unprivileged user namespaces are
 *      allowed), the ambient and inheritable sets cleared, and only
 *      @keep_caps left in the permitted and effective sets; read back;
 *   4. Landlock, where the kernel has it (any ABI; rights it does not know
 *      are left out; no Landlock at all is skipped quietly): only the
 *      spec's paths stay reachable, TCP bind/connect and (ABI 6) abstract
 *      unix sockets and signals outside the domain as the spec says;
 *   5. the seccomp filter last, built with libseccomp
 *      (confine_seccomp_build()): default action kill the process, logged
 *      where the kernel allows (SECCOMP_FILTER_FLAG_LOG);
 *      seccomp_allow_common() plus the process's own list
 *      (policy/seccomp_*.c). The helper's is built the same way at build
 *      time (seccomp-export), so that the program QEMU runs on every VM
 *      start compiles no filter (confine_helper.c).
 *
 * The entry points for each process (confine_broker(),
 * confine_usermode_engine(), confine_usermode_keeper(), confine_launcher(),
 * confine_account_lookup(); confine_helper() in confine_helper.c) are the
 * specs: which capabilities and which paths. In builds with test
 * hooks (meson -Dtest_hooks=true, never a release build) a confined process
 * then does what $TAPWARDEN_TEST_CONFINED asks (policy/confine_test_hook.c).
 */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

#include "config.h"
#include "error.h"

/**
 * struct ll_ruleset_attr - struct landlock_ruleset_attr of ABI 6
 * @fs:		handled file system rights
 * @net:	handled network rights (ABI 4)
 * @scoped:	scopes (ABI 6)
 */
struct ll_ruleset_attr {
	uint64_t fs;
	uint64_t net;
	uint64_t scoped;
};

/**
 * set_errno_error() - "confine WHO: WHAT: strerror(err)"
 * @error:	error to set
 * @spec:	the process
 * @what:	what failed
 * @err:	errno value
 *
 * Return: false.
 */
static bool set_errno_error(GError **error, const struct confine_spec *spec,
			    const char *what, int err)
{
	g_set_error(error, TW_ERROR, TW_ERROR_KERNEL, "confining %s: %s: %s",
		    spec->who, what, g_strerror(err));
	return false;
}

/**
 * single_threaded() - does this process have exactly one thread
 *
 * /proc/PID/task has one directory per thread besides `.' and `..', and
 * procfs counts them in its link count: one stat(), no parsing.
 *
 * Return: true when it has one thread.
 */
static bool single_threaded(void)
{
	struct stat st;

	return stat("/proc/self/task", &st) == 0 && st.st_nlink == 3;
}

/**
 * capabilities_get() - this thread's capability sets
 * @data:	filled in
 *
 * Return: 0 or -1 (errno set).
 */
static int capabilities_get(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	memset(data, 0, 2 * sizeof(*data));
	return (int)syscall(SYS_capget, &hdr, data);
}

/**
 * cap_set_bits() - one 64-bit capability set of @data
 * @lo:		its low 32 bits
 * @hi:		its high 32 bits
 *
 * Return: the set.
 */
static uint64_t cap_set_bits(uint32_t lo, uint32_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

/**
 * drop_capabilities() - stage 3: empty the bounding, ambient and
 * inheritable sets; keep @spec->keep_caps in permitted and effective
 * @spec:	the process
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool drop_capabilities(const struct confine_spec *spec, GError **error)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	uint64_t permitted, keep;
	int cap;

	if (capabilities_get(data) < 0)
		return set_errno_error(error, spec, "capget", errno);
	permitted = cap_set_bits(data[0].permitted, data[1].permitted);
	/* without CAP_SETPCAP the bounding set cannot shrink; a process that
	 * keeps no capability may leave for a user namespace of its own,
	 * where it holds them all (it only loses what it gives up anyway) */
	if (!(cap_set_bits(data[0].effective, data[1].effective) &
	      (1ULL << CAP_SETPCAP)) && !spec->keep_caps &&
	    prctl(PR_CAPBSET_READ, 0) > 0 && unshare(CLONE_NEWUSER) == 0) {
		if (capabilities_get(data) < 0)
			return set_errno_error(error, spec, "capget", errno);
		permitted = 0;	/* what it holds there is the namespace's */
	}
	if (cap_set_bits(data[0].effective, data[1].effective) &
	    (1ULL << CAP_SETPCAP)) {
		/* up to the last capability this kernel knows (EINVAL
		 * after it); one call per capability */
		for (cap = 0;; cap++) {
			bool keep_it = spec->keep_bounding && cap < 64 &&
				       (spec->keep_caps & (1ULL << cap));
			int rc = keep_it ? prctl(PR_CAPBSET_READ, cap) :
					   prctl(PR_CAPBSET_DROP, cap);

			if (rc < 0 && errno == EINVAL)
				break;
			if (rc < 0)
				return set_errno_error(error, spec,
						       "PR_CAPBSET_DROP", errno);
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return set_errno_error(error, spec, "PR_CAP_AMBIENT_CLEAR_ALL",
				       errno);
	keep = spec->keep_caps & permitted;
	memset(data, 0, 2 * sizeof(*data));
	data[0].permitted = data[0].effective = (uint32_t)keep;
	data[1].permitted = data[1].effective = (uint32_t)(keep >> 32);
	if (spec->keep_bounding) {
		data[0].inheritable = (uint32_t)keep;
		data[1].inheritable = (uint32_t)(keep >> 32);
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return set_errno_error(error, spec, "capset", errno);
	if (capabilities_get(data) < 0)
		return set_errno_error(error, spec, "capget", errno);
	if (cap_set_bits(data[0].effective, data[1].effective) != keep ||
	    cap_set_bits(data[0].permitted, data[1].permitted) != keep ||
	    cap_set_bits(data[0].inheritable, data[1].inheritable) !=
	    (spec->keep_bounding ? keep : 0))
		return set_errno_error(error, spec, "capabilities not dropped",
				       EPERM);
	return true;
}

/**
 * landlock_handled() - the rights this kernel's Landlock ABI handles
 * @abi:	its ABI version
 * @attr:	filled in
 * @spec:	the process (TCP and scopes)
 */
static void landlock_handled(int abi, struct ll_ruleset_attr *attr,
			     const struct confine_spec *spec)
{
	*attr = (struct ll_ruleset_attr){
		.fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1,	/* ABI 1 */
	};
	if (abi >= 2)
		attr->fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		attr->fs |= LL_FS_TRUNCATE;
	if (abi >= 4 && !spec->landlock_tcp)
		attr->net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
	if (abi >= 5)
		attr->fs |= LL_FS_IOCTL_DEV;
	if (abi >= 6)
		attr->scoped = spec->landlock_scope;
}

/**
 * landlock_add_path() - one rule of @spec
 * @ruleset:	the ruleset
 * @rule:	path and rights
 * @handled:	rights the ruleset handles
 * @spec:	the process
 * @error:	set on failure
 *
 * Return: true on success (or an optional path that does not exist).
 */
static bool landlock_add_path(int ruleset, const struct confine_path *rule,
			      uint64_t handled,
			      const struct confine_spec *spec, GError **error)
{
	struct landlock_path_beneath_attr beneath = { 0 };
	struct stat st;
	int fd, err;

	fd = open(rule->path, O_PATH | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && rule->optional)
		return true;
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = errno;
		if (fd >= 0)
			close(fd);
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "confining %s: %s: %s", spec->who, rule->path,
			    g_strerror(err));
		return false;
	}
	beneath.parent_fd = fd;
	beneath.allowed_access = rule->access & handled;
	if (!S_ISDIR(st.st_mode))
		beneath.allowed_access &= LL_FS_FILE;
	if (beneath.allowed_access &&
	    syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH,
		    &beneath, 0) < 0) {
		err = errno;
		close(fd);
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "confining %s: Landlock rule for %s: %s", spec->who,
			    rule->path, g_strerror(err));
		return false;
	}
	close(fd);
	return true;
}

/**
 * landlock_restrict() - stage 4: only @spec's paths stay reachable
 * @spec:	the process
 * @error:	set on failure
 *
 * Return: true on success, and when the kernel has no Landlock.
 */
static bool landlock_restrict(const struct confine_spec *spec, GError **error)
{
	struct ll_ruleset_attr attr;
	int abi, ruleset;

	abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0,
			   LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0) {
		if (errno == ENOSYS || errno == EOPNOTSUPP)
			return true;	/* not built, or disabled at boot */
		return set_errno_error(error, spec, "Landlock", errno);
	}
	landlock_handled(abi, &attr, spec);
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr,
			       sizeof(attr), 0);
	if (ruleset < 0)
		return set_errno_error(error, spec, "Landlock ruleset", errno);
	for (size_t i = 0; i < spec->n_paths; i++) {
		if (!landlock_add_path(ruleset, &spec->paths[i], attr.fs, spec,
				       error)) {
			close(ruleset);
			return false;
		}
	}
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0) {
		int err = errno;

		close(ruleset);
		return set_errno_error(error, spec, "Landlock", err);
	}
	close(ruleset);
	return true;
}

/**
 * confine_seccomp_build() - the seccomp filter of an allow-list
 * @allow:	the process's list (policy/seccomp_*.c)
 *
 * Default action: kill the process; seccomp_allow_common() and @allow
 * (and, in builds with test hooks, what the hook's calls need) allowed.
 * confine() loads what this builds; seccomp-export (seccomp_export.c)
 * writes it out at build time for the helper (confine_helper.c).
 *
 * Return: the filter (seccomp_release() it), or NULL with errno set.
 */
scmp_filter_ctx confine_seccomp_build(int (*allow)(scmp_filter_ctx ctx))
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int rc;

	if (!ctx) {
		errno = ENOMEM;
		return NULL;
	}
	/* log what is killed, where the kernel can (Linux 4.14) */
	(void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	rc = seccomp_allow_common(ctx);
	if (!rc)
		rc = allow(ctx);
#ifdef TAPWARDEN_TEST_HOOKS
	if (!rc)
		rc = seccomp_allow_test_hook(ctx);
#endif
	if (rc) {
		seccomp_release(ctx);
		errno = -rc;
		return NULL;
	}
	return ctx;
}

/**
 * seccomp_restrict() - stage 5: the allow-list; everything else kills
 * @spec:	the process
 * @error:	set on failure
 *
 * A filter built at build time (@spec->filter) is loaded as it is, with
 * SECCOMP_FILTER_FLAG_LOG where the kernel has it, as libseccomp loads
 * the others (SCMP_FLTATR_CTL_LOG).
 *
 * Return: true on success.
 */
static bool seccomp_restrict(const struct confine_spec *spec, GError **error)
{
	scmp_filter_ctx ctx;
	int rc;

	if (spec->filter) {
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			    SECCOMP_FILTER_FLAG_LOG, spec->filter) == 0 ||
		    (errno == EINVAL &&
		     syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
			     spec->filter) == 0))
			return true;
		return set_errno_error(error, spec, "seccomp", errno);
	}
	ctx = confine_seccomp_build(spec->allow);
	if (!ctx)
		return set_errno_error(error, spec, "seccomp", errno);
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc)
		return set_errno_error(error, spec, "seccomp", -rc);
	return true;
}

/**
 * confine() - give up everything @spec does not keep
 * @spec:	the process's capabilities, paths and system calls
 * @error:	set on failure; the process should then exit
 *
 * Return: true when every stage took.
 */
bool confine(const struct confine_spec *spec, GError **error)
{
	if (!single_threaded()) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "confining %s: it must have one thread (capabilities and Landlock are per thread)",
			    spec->who);
		return false;
	}
	/* what libc and GLib load on first use, loaded while files can be
	 * read: the message catalogue and character set conversion behind
	 * g_strerror(), the time zone behind the log's time stamps */
	(void)g_strerror(EPIPE);
	tzset();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return set_errno_error(error, spec, "PR_SET_NO_NEW_PRIVS", errno);
	if (!drop_capabilities(spec, error) ||
	    !landlock_restrict(spec, error))
		return false;
#ifdef TAPWARDEN_TEST_HOOKS
	/* test builds under valgrind only: valgrind runs in the process and
	 * cannot work under a filter (nor install one) */
	if (!confine_test_without_seccomp())
#endif
	if (!seccomp_restrict(spec, error))
		return false;
#ifdef TAPWARDEN_TEST_HOOKS
	confine_test_hook(spec->who);
#endif
	return true;
}

/* tapwardend: creating and configuring taps (CAP_NET_ADMIN), reading
 * bridge.conf includes with the caller's file-system ids (fs_identity.c:
 * setfsuid, setfsgid, setgroups) */
#define BROKER_CAPS ((1ULL << CAP_NET_ADMIN) | (1ULL << CAP_SETUID) | \
		     (1ULL << CAP_SETGID))

/**
 * confine_broker() - tapwardend, once its socket, configuration, netlink
 * sockets and leases are set up
 * @paths:	its configuration files and run directory
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool confine_broker(const struct confine_broker_paths *paths, GError **error)
{
	g_autofree char *config_dir = g_path_get_dirname(paths->config);
	g_autofree char *acl_dir = g_path_get_dirname(paths->acl);
	const struct confine_path rules[] = {
		/* tap_create(): open, TUNSETIFF */
		{ "/dev/net/tun", LANDLOCK_ACCESS_FS_READ_FILE |
		  LANDLOCK_ACCESS_FS_WRITE_FILE | LL_FS_IOCTL_DEV, false },
		/* broker_load_config() on SIGHUP; an editor replaces the file,
		 * so the rule is on its directory */
		{ config_dir, LL_FS_READ, true },
		/* bridge_acl.c: bridge.conf per request, and its includes */
		{ acl_dir, LL_FS_READ, true },
		/* link_ipv6_disable(): disable_ipv6 of taps and per-VLAN
		 * devices before they go up */
		{ "/proc/sys/net/ipv6/conf", LANDLOCK_ACCESS_FS_READ_FILE |
		  LANDLOCK_ACCESS_FS_WRITE_FILE, true },
		/* nat_bridge.c: net.ipv4.ip_forward */
		{ "/proc/sys/net/ipv4/ip_forward", LANDLOCK_ACCESS_FS_READ_FILE |
		  LANDLOCK_ACCESS_FS_WRITE_FILE, true },
		/* main(): the socket it made is removed at exit */
		{ paths->run_dir, LL_FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE |
		  LL_FS_TRUNCATE | LANDLOCK_ACCESS_FS_REMOVE_FILE |
		  LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
		  LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_SOCK, true },
		/* nat_networks.c: dnsmasq's lease files (the network's state) */
		{ paths->nat_run_dir, LL_FS_READ, true },
#ifdef CONFINE_SANITIZER
		/* sanitizer builds only: LeakSanitizer reads /proc/self */
		{ "/proc", LL_FS_READ, false },
#endif
	};
	const struct confine_spec spec = {
		.who = "tapwardend",
		.keep_caps = BROKER_CAPS,
		.paths = rules,
		.n_paths = G_N_ELEMENTS(rules),
		/* no TCP at all; no abstract unix sockets outside the domain;
		 * signals stay open for the NAT launcher's children */
		.landlock_scope = LL_SCOPE_ABSTRACT_UNIX,
		.allow = seccomp_allow_broker,
	};
	/* libnl read /proc/net/psched already (tapwardend_main.c); users
	 * and groups come from the lookup process (accounts.c) */
	return confine(&spec, error);
}

/**
 * confine_account_lookup() - the broker's account lookup process
 * (accounts.c), running as nobody, once NSS is loaded
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool confine_account_lookup(GError **error)
{
	const struct confine_path rules[] = {
		/* NSS: nsswitch.conf, passwd, group (replaced by every edit,
		 * so /etc itself; file permissions keep nobody from the
		 * secrets) */
		{ "/etc", LANDLOCK_ACCESS_FS_READ_FILE, false },
		/* NSS modules named in a changed nsswitch.conf */
		{ "/usr/lib", LANDLOCK_ACCESS_FS_READ_FILE, true },
		{ "/lib", LANDLOCK_ACCESS_FS_READ_FILE, true },
#ifdef CONFINE_SANITIZER
		{ "/proc", LL_FS_READ, false },
#endif
	};
	const struct confine_spec spec = {
		.who = "lookup",
		.paths = rules,
		.n_paths = G_N_ELEMENTS(rules),
		.landlock_scope = LL_SCOPE_SIGNAL,
		.allow = seccomp_allow_account_lookup,
	};
	gid_t groups[1];
	int ngroups = 1;

	/* NSS loads its modules on first use, while they can be mapped */
	(void)getpwuid(0);
	(void)getgrgid(0);
	(void)getgrouplist("root", 0, groups, &ngroups);
	return confine(&spec, error);
}

/**
 * confine_usermode_engine() - the user-mode engine, once libslirp, the tap
 * and the packet ring are set up
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool confine_usermode_engine(GError **error)
{
	g_autofree char *resolv = realpath("/etc/resolv.conf", NULL);
	g_autofree char *resolv_dir = resolv ? g_path_get_dirname(resolv) : NULL;
	const struct confine_path rules[] = {
		/* libslirp's DNS forwarding reads the host's nameserver from
		 * /etc/resolv.conf when it changed: the file where it is a
		 * plain file (a rename makes it stale: the last nameserver
		 * read stays), the directory of what it links to otherwise
		 * (resolvconf, systemd-resolved rewrite it there) */
		{ resolv && strcmp(resolv, "/etc/resolv.conf") ? resolv_dir :
		  "/etc/resolv.conf", LANDLOCK_ACCESS_FS_READ_FILE, true },
#ifdef CONFINE_SANITIZER
		{ "/proc", LL_FS_READ, false },
#endif
	};
	const struct confine_spec spec = {
		.who = "engine",
		.paths = rules,
		.n_paths = G_N_ELEMENTS(rules),
		/* libslirp connects TCP for the guest */
		.landlock_tcp = true,
		.landlock_scope = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL,
		.allow = seccomp_allow_usermode_engine,
	};

	return confine(&spec, error);
}

/**
 * confine_usermode_keeper() - the namespaces' keeper, once it has sent
 * the tap and the packet socket
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool confine_usermode_keeper(GError **error)
{
	const struct confine_spec spec = {
		.who = "keeper",
		.paths = CONFINE_NO_FILES,
		.landlock_scope = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL,
		.allow = seccomp_allow_usermode_keeper,
	};

	return confine(&spec, error);
}

/* the launcher: dnsmasq needs these (its --user drop, DHCP's raw and
 * privileged-port sockets, its own interface settings) */
/* the program interpreter of the platform's binaries (dnsmasq's) */
#if defined(__x86_64__)
#define DYNAMIC_LOADER "/lib64/ld-linux-x86-64.so.2"
#elif defined(__aarch64__)
#define DYNAMIC_LOADER "/lib/ld-linux-aarch64.so.1"
#else
#define DYNAMIC_LOADER "/lib/ld-linux.so.2"
#endif

#define LAUNCHER_CAPS ((1ULL << CAP_NET_ADMIN) | (1ULL << CAP_NET_RAW) | \
		       (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_SETUID) | \
		       (1ULL << CAP_SETGID) | \
		       (1ULL << CAP_CHOWN) | (1ULL << CAP_KILL))

/**
 * confine_launcher() - the dnsmasq launcher (NAT), forked by tapwardend
 * before it confines itself: it may fork, execute @dnsmasq and wait, and
 * nothing else beyond what dnsmasq itself needs
 * @dnsmasq:	the dnsmasq binary (the only file it may execute)
 * @run_dir:	the broker's run directory (dnsmasq's configuration, leases
 *		and pid files)
 * @error:	set on failure
 *
 * dnsmasq inherits all of it (seccomp filter, Landlock domain, no new
 * privileges): LAUNCHER_CAPS stay in the bounding and inheritable sets, so
 * that dnsmasq started as root gets exactly those, and drops them itself
 * with --user (CAP_CHOWN for its pid file); CAP_KILL stops a
 * dnsmasq that runs as its own user. dnsmasq_launcher.c calls it first
 * thing in the launcher.
 *
 * Return: true on success.
 */
bool confine_launcher(const char *dnsmasq, const char *run_dir,
		      GError **error)
{
	/* the kernel opens dnsmasq's ELF interpreter for execution too */
	g_autofree char *loader = realpath(DYNAMIC_LOADER, NULL);
	const struct confine_path rules[] = {
		/* execve() of dnsmasq, and the libraries it maps */
		{ dnsmasq, LANDLOCK_ACCESS_FS_EXECUTE |
		  LANDLOCK_ACCESS_FS_READ_FILE, false },
		{ loader ? loader : DYNAMIC_LOADER, LANDLOCK_ACCESS_FS_EXECUTE |
		  LANDLOCK_ACCESS_FS_READ_FILE, true },
		{ "/usr/lib", LANDLOCK_ACCESS_FS_READ_FILE, true },
		{ "/lib", LANDLOCK_ACCESS_FS_READ_FILE, true },
		/* dnsmasq: resolv.conf, hosts, passwd (its --user) */
		{ "/etc", LANDLOCK_ACCESS_FS_READ_FILE, false },
		/* dnsmasq_launcher.c: a running dnsmasq is found by its
		 * /proc/PID/cmdline (adopted after a broker restart) */
		{ "/proc", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR, false },
		/* dnsmasq: seeds its random number generator */
		{ "/dev/urandom", LANDLOCK_ACCESS_FS_READ_FILE, false },
		/* dnsmasq: --conf-file=/dev/null; its standard streams */
		{ "/dev/null", LANDLOCK_ACCESS_FS_READ_FILE |
		  LANDLOCK_ACCESS_FS_WRITE_FILE, false },
		/* dnsmasq: its configuration, leases and pid files */
		{ run_dir, LL_FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE |
		  LL_FS_TRUNCATE | LANDLOCK_ACCESS_FS_REMOVE_FILE |
		  LANDLOCK_ACCESS_FS_MAKE_REG, true },
	};
	const struct confine_spec spec = {
		.who = "launcher",
		.keep_caps = LAUNCHER_CAPS,
		.keep_bounding = true,
		.paths = rules,
		.n_paths = G_N_ELEMENTS(rules),
		.landlock_tcp = true,	/* dnsmasq: DNS over TCP, port 53 */
		.allow = seccomp_allow_launcher,
	};

	return confine(&spec, error);
}
