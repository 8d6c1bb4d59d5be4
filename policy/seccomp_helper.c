/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp_helper.c - the system calls tapwarden-helper makes once
 * confined: from the moment it holds the tap (direct mode, user mode) or
 * has sent its request to the broker (it confines itself while the broker
 * works), it only reads the broker's answer and checks the tap in it,
 * sends the tap to QEMU (caller_socket_send_fd()), closes it and exits, or
 * prints one line of error and lets its reader take it.
 */
#include "confine.h"

#include <unistd.h>
#include <sys/socket.h>
#include <asm/ioctls.h>
#include <linux/if_tun.h>

/**
 * seccomp_allow_helper() - the helper's allow-list
 * @ctx:	the filter
 *
 * Return: 0 or -errno.
 */
int seccomp_allow_helper(scmp_filter_ctx ctx)
{
	static const int syscalls[] = {
		/* caller_socket_send_fd(): the tap to QEMU, SCM_RIGHTS */
		SCMP_SYS(sendmsg),
		/* broker_recv(): the broker's answer, with the tap */
		SCMP_SYS(recvmsg),
		/* die(): QEMU's socket, passed to a broker that took it */
		SCMP_SYS(shutdown),
		/* die(): caller_stderr_wait_read() waits for its reader */
		SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
	};
	int rc = seccomp_allow_list(ctx, syscalls, G_N_ELEMENTS(syscalls));

	/* caller_stderr_wait_read(): bytes of stderr's pipe not read yet */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2,
				      SCMP_A0(SCMP_CMP_EQ, STDERR_FILENO),
				      SCMP_A1(SCMP_CMP_EQ, FIONREAD));
	/* broker_recv(): the time limit it names when the broker is silent */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getsockopt), 2,
				      SCMP_A1(SCMP_CMP_EQ, SOL_SOCKET),
				      SCMP_A2(SCMP_CMP_EQ, SO_RCVTIMEO));
	/* broker_request_tap(): what the broker sent is a tap */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, TUNGETIFF));
	return rc;
}
