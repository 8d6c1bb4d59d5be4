/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capability.c - does this process hold CAP_NET_ADMIN.
 *
 * Direct mode (DESIGN.md section 1, case 3) is for a helper QEMU runs with
 * CAP_NET_ADMIN; capget() tells, without libcap.
 */
#include "capability.h"

#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

/**
 * capability_net_admin_effective() - is CAP_NET_ADMIN in the effective set
 *
 * Return: true when it is.
 */
bool capability_net_admin_effective(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &
	       CAP_TO_MASK(CAP_NET_ADMIN);
}
