/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp_broker.c - the system calls tapwardend makes once confined.
 *
 * What is left after start-up (qemu-helper/tapwardend_main.c): the GLib
 * main loop, accepting connections and answering requests (broker.c),
 * creating taps (netdev/tap.c) and configuring them over route netlink
 * (netdev/ through libnl), watching holders (broker_leases.c: pidfds in
 * an epoll set), reading bridge.conf with the caller's file-system ids
 * (policy/fs_identity.c), asking the account lookup process about users
 * and groups (policy/accounts.c, whose own list is below), closing
 * clients' descriptors in the closer process (fd_reaper.c: started,
 * killed when stuck, reaped; it runs under this same list), reloading
 * tapwarden.conf on SIGHUP. Groups marked NAT and QoS are for those
 * features: netlink, and NAT's ip_forward write.
 */
#include "confine.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <linux/if_tun.h>
#include <asm/ioctls.h>

/* CLONE_PIDFD (Linux 5.2), which older sched.h lacks */
#define FD_REAPER_CLONE_PIDFD 0x00001000

/**
 * seccomp_allow_broker() - tapwardend's allow-list
 * @ctx:	the filter
 *
 * Return: 0 or -errno.
 */
int seccomp_allow_broker(scmp_filter_ctx ctx)
{
	static const int syscalls[] = {
		/* GLib main loop (tapwardend_main.c): poll, its wake-up
		 * eventfd, signals (SIGHUP, SIGTERM) through the wake-up */
		SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(read),
		SCMP_SYS(eventfd2), SCMP_SYS(rt_sigprocmask),
		SCMP_SYS(rt_sigaction),
		/* on_accept(): accept4, SO_PEERCRED, non-blocking, send
		 * timeout */
		SCMP_SYS(accept4), SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
		SCMP_SYS(fcntl),
		/* broker_socket.c, netlink.c, libnl: requests, answers with
		 * descriptors, netlink messages and extended ACKs; the
		 * journal (g_log_writer_journald) */
		SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(recvfrom),
		SCMP_SYS(sendto), SCMP_SYS(getsockname), SCMP_SYS(bind),
		SCMP_SYS(connect),
		/* peer_identity.c, caller_socket checks: the peer of QEMU's
		 * socket */
		SCMP_SYS(getpeername),
		/* peer_identity.c, broker_leases.c: holders' pidfds (pidfd_open
		 * where SO_PEERPIDFD is missing) in an epoll set */
		SCMP_SYS(pidfd_open), SCMP_SYS(epoll_create1),
		SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait),
		SCMP_SYS(epoll_pwait),
		/* tap.c: /dev/net/tun; config_file.c: tapwarden.conf and
		 * bridge.conf (size, type); link_ipv6.c: disable_ipv6 */
		SCMP_SYS(openat), SCMP_SYS(lseek), SCMP_SYS(pread64),
		SCMP_SYS(statx), SCMP_SYS(getdents64),
		/* bridge_acl.c: an include's real path (realpath); whether
		 * a refusal was the caller's (faccessat2) */
		SCMP_SYS(readlinkat), SCMP_SYS(readlink),
		SCMP_SYS(faccessat2),
		/* fs_identity.c: bridge.conf includes with the caller's ids */
		SCMP_SYS(setfsuid), SCMP_SYS(setfsgid), SCMP_SYS(setgroups),
		SCMP_SYS(getgroups),
		/* main(): the socket it made is removed at exit */
		SCMP_SYS(unlink),
		/* fd_reaper.c: the closer (clone below) gets numbers and
		 * acknowledges them over two pipes, is killed when stuck
		 * and reaped by its pidfd; the closer itself checks that its
		 * parent lives (prctl below), reads, closes, writes */
		SCMP_SYS(pipe2), SCMP_SYS(pidfd_send_signal), SCMP_SYS(waitid),
		SCMP_SYS(getppid),
		/* GLib's worker: a thread is started (clone below), names
		 * itself (prctl below), ends */
		SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
		SCMP_SYS(sched_getaffinity),
		/* GLib: hash seeds, g_random; time for logs */
		SCMP_SYS(getrandom), SCMP_SYS(getuid), SCMP_SYS(geteuid),
		SCMP_SYS(getgid), SCMP_SYS(getegid),
		/* NAT: nat_bridge.c writes net.ipv4.ip_forward (pwrite);
		 * libnftables waits for the kernel's answers with select();
		 * it talks netlink (above); the launcher's pidfds come in
		 * recvmsg and are watched in the epoll set (above) */
		SCMP_SYS(pwrite64), SCMP_SYS(pselect6), SCMP_SYS(select),
		/* QoS: libnl-route tc and IFB: netlink (above); IFBs are
		 * removed on a thread pool (below) */
	};
	int rc = seccomp_allow_list(ctx, syscalls, G_N_ELEMENTS(syscalls));

	/* sockets: unix (clients, the journal) and
	 * netlink (route, and nftables for NAT); nothing else */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_NETLINK));
	/* tap.c: the tun ioctls; if_nametoindex(), if_indextoname() (broker.c,
	 * vlan.c): SIOCGIFINDEX, SIOCGIFNAME; stdio: TCGETS */
	static const unsigned long ioctls[] = {
		TUNGETFEATURES, TUNSETIFF, TUNGETIFF, TUNSETOWNER, TUNSETGROUP,
		TUNSETPERSIST, TUNSETOFFLOAD, TUNSETVNETHDRSZ, SIOCGIFINDEX,
		SIOCGIFNAME, TCGETS,
	};
	for (size_t i = 0; !rc && i < G_N_ELEMENTS(ioctls); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, ioctls[i]));
	/* threads (GLib), and fd_reaper.c's closer: exactly a process that
	 * shares the descriptor table, with a pidfd (it runs this filter
	 * too, so it can execute nothing); no other process can be forked;
	 * glibc falls back from clone3 (whose flags seccomp cannot see) to
	 * clone */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				      SCMP_SYS(clone3), 0);
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD,
					      CLONE_THREAD));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_EQ,
					      CLONE_FILES | FD_REAPER_CLONE_PIDFD |
					      SIGCHLD));
	/* signals to its own threads only (glibc, GLib) */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
				      SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	/* GLib's thread pool (broker_leases.c: the IFB reaper, QoS): a new
	 * thread takes its creator's scheduling (sched_setattr of its own
	 * tid, which seccomp cannot tell from another's; without
	 * CAP_SYS_NICE nothing can gain priority by it) */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sched_getattr), 0);
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sched_setattr), 0);
	/* a new thread names itself (GLib: pthread_setname_np); the closer
	 * dies with the broker (fd_reaper.c) */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
				      SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 2,
				      SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG),
				      SCMP_A1(SCMP_CMP_EQ, SIGKILL));
	return rc;
}

/**
 * seccomp_allow_account_lookup() - the broker's account lookup process
 * (accounts.c): questions in, NSS, answers out
 * @ctx:	the filter
 *
 * Return: 0 or -errno.
 */
int seccomp_allow_account_lookup(scmp_filter_ctx ctx)
{
	static const int syscalls[] = {
		/* lookup_main(): the broker's questions and the answers */
		SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(recvmsg),
		SCMP_SYS(sendmsg),
		/* NSS files: nsswitch.conf (checked for changes), passwd,
		 * group */
		SCMP_SYS(openat), SCMP_SYS(read), SCMP_SYS(lseek),
		SCMP_SYS(pread64), SCMP_SYS(statx), SCMP_SYS(fcntl),
		/* NSS services: nscd's and systemd-userdbd's unix sockets */
		SCMP_SYS(connect), SCMP_SYS(poll), SCMP_SYS(ppoll),
		SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
		SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getrandom),
		/* glibc's NSS blocks signals around its lookups */
		SCMP_SYS(rt_sigprocmask),
		/* NSS: paths of what it loaded, directories (nss-systemd) */
		SCMP_SYS(readlinkat), SCMP_SYS(readlink),
		SCMP_SYS(getdents64),
	};
	int rc = seccomp_allow_list(ctx, syscalls, G_N_ELEMENTS(syscalls));

	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	return rc;
}
