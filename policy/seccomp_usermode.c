/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp_usermode.c - the system calls of user mode's two long-lived
 * processes once confined (qemu-helper/user_mode.c):
 *  - the engine: libslirp (netdev/slirp.c) moving the guest's frames
 *    between the packet ring of the namespace's tap (netdev/slirp_pump.c)
 *    and the host's sockets, until the tap goes;
 *  - the keeper (netdev/slirp_netns.c): asleep in the namespaces it made
 *    until the engine closes its end.
 */
#include "confine.h"

#include <sys/socket.h>
#include <asm/ioctls.h>

/**
 * seccomp_allow_usermode_engine() - the engine's allow-list
 * @ctx:	the filter
 *
 * Return: 0 or -errno.
 */
int seccomp_allow_usermode_engine(scmp_filter_ctx ctx)
{
	static const int syscalls[] = {
		/* slirp_engine_run(): poll, the packet ring and its wake-ups */
		SCMP_SYS(poll), SCMP_SYS(ppoll),
		/* slirp_pump.c: frames out (sendmmsg, PACKET_QDISC_BYPASS),
		 * in from the ring; the tap fd for tapwarden usernet */
		SCMP_SYS(sendmmsg), SCMP_SYS(recvmmsg), SCMP_SYS(read),
		SCMP_SYS(readv),
		/* libslirp: the guest's TCP, UDP and ICMP (ping) sockets on
		 * the host, and hostfwd connections accepted */
		SCMP_SYS(connect), SCMP_SYS(bind), SCMP_SYS(listen),
		SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(shutdown),
		SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(sendmsg),
		SCMP_SYS(recvmsg), SCMP_SYS(getsockname),
		SCMP_SYS(getpeername), SCMP_SYS(setsockopt),
		SCMP_SYS(getsockopt), SCMP_SYS(fcntl),
		/* libslirp's DNS: the host's nameserver from /etc/resolv.conf
		 * (stat, then read when it changed) */
		SCMP_SYS(openat), SCMP_SYS(lseek),
		/* libslirp: TCP initial sequence numbers, DHCP transaction
		 * ids */
		SCMP_SYS(getrandom),
		/* engine_main(): the tap to the helper (slirp_reply_send());
		 * at the end, the keeper reaped (slirp_netns_link_clear()) */
		SCMP_SYS(wait4),
	};
	static const int families[] = { AF_INET, AF_INET6 };
	int rc = seccomp_allow_list(ctx, syscalls, G_N_ELEMENTS(syscalls));

	/* libslirp: host sockets of the guest's connections: IPv4, IPv6 */
	for (size_t i = 0; !rc && i < G_N_ELEMENTS(families); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				      SCMP_A0(SCMP_CMP_EQ, families[i]));
	/* libslirp: bytes waiting on a socket (FIONREAD) and out-of-band
	 * data (SIOCATMARK) */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, FIONREAD));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, SIOCATMARK));
	return rc;
}

/**
 * seccomp_allow_usermode_keeper() - the keeper's allow-list
 * @ctx:	the filter
 *
 * Return: 0 or -errno.
 */
int seccomp_allow_usermode_keeper(scmp_filter_ctx ctx)
{
	static const int syscalls[] = {
		/* child_private(): the tap and the packet socket to the
		 * engine (slirp_reply_send()), then wait for its end (EOF) */
		SCMP_SYS(sendmsg), SCMP_SYS(read),
	};

	return seccomp_allow_list(ctx, syscalls, G_N_ELEMENTS(syscalls));
}
