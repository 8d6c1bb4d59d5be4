/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp_launcher.c - the system calls of the dnsmasq launcher (NAT) and
 * of the dnsmasq it executes, which inherits the filter.
 *
 * The launcher group is complete; the dnsmasq group is what dnsmasq 2.89
 * is known to call for DHCP and DNS and must be checked by observation
 * (strace -f -c under the NAT tests) when the NAT branch wires
 * confine_launcher() (docs/security.md).
 */
#include "confine.h"

#include <sys/socket.h>

/**
 * seccomp_allow_launcher() - the launcher's (and dnsmasq's) allow-list
 * @ctx:	the filter
 *
 * Return: 0 or -errno.
 */
int seccomp_allow_launcher(scmp_filter_ctx ctx)
{
	static const int syscalls[] = {
		/* the launcher: requests from the broker, dnsmasq started,
		 * pidfds of it sent back, children reaped */
		SCMP_SYS(read), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg),
		SCMP_SYS(poll), SCMP_SYS(ppoll), SCMP_SYS(fork),
		SCMP_SYS(vfork), SCMP_SYS(clone), SCMP_SYS(clone3),
		SCMP_SYS(execve), SCMP_SYS(wait4), SCMP_SYS(waitid),
		SCMP_SYS(pidfd_open), SCMP_SYS(dup2), SCMP_SYS(dup3),
		SCMP_SYS(close_range), SCMP_SYS(prctl), SCMP_SYS(setsid),
		SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
		SCMP_SYS(kill), SCMP_SYS(pidfd_send_signal),
		/* dnsmasq: watches resolv.conf (inotify), its pid file's
		 * owner, duplicated descriptors */
		SCMP_SYS(inotify_init1), SCMP_SYS(inotify_add_watch),
		SCMP_SYS(dup), SCMP_SYS(fchown),
		/* dnsmasq: start-up (dynamic loader, files) */
		SCMP_SYS(openat), SCMP_SYS(access), SCMP_SYS(faccessat2),
		SCMP_SYS(pread64), SCMP_SYS(lseek), SCMP_SYS(arch_prctl),
		SCMP_SYS(set_tid_address), SCMP_SYS(set_robust_list),
		SCMP_SYS(rseq), SCMP_SYS(prlimit64), SCMP_SYS(getrandom),
		SCMP_SYS(uname), SCMP_SYS(getcwd), SCMP_SYS(chdir),
		SCMP_SYS(umask), SCMP_SYS(unlink), SCMP_SYS(rename),
		SCMP_SYS(fsync), SCMP_SYS(ftruncate), SCMP_SYS(pipe2),
		SCMP_SYS(readlink), SCMP_SYS(getdents64), SCMP_SYS(statx),
		SCMP_SYS(mmap),		/* the loader maps code */
		SCMP_SYS(mprotect),
		/* dnsmasq: its --user drop */
		SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setgroups),
		SCMP_SYS(setresuid), SCMP_SYS(setresgid), SCMP_SYS(capget),
		SCMP_SYS(capset), SCMP_SYS(getuid), SCMP_SYS(geteuid),
		SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(getppid),
		/* dnsmasq: DHCP and DNS sockets, netlink for interfaces */
		SCMP_SYS(socket), SCMP_SYS(bind), SCMP_SYS(listen),
		SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(connect),
		SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(setsockopt),
		SCMP_SYS(getsockopt), SCMP_SYS(getsockname), SCMP_SYS(ioctl),
		SCMP_SYS(fcntl), SCMP_SYS(select), SCMP_SYS(pselect6),
		SCMP_SYS(alarm), SCMP_SYS(time), SCMP_SYS(gettimeofday),
		SCMP_SYS(sysinfo), SCMP_SYS(shutdown),
	};

	return seccomp_allow_list(ctx, syscalls, G_N_ELEMENTS(syscalls));
}
