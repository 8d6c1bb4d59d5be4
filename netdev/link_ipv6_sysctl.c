/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link_ipv6_sysctl.c - disable_ipv6 of one link, the sysctl no netlink
 * message sets (link_ipv6.c says why tapwarden's links have no IPv6).
 *
 * It needs nothing but libc, so that the helper's direct path without the
 * stage module (plain_port.c) and link_disable_ipv6(), which falls back
 * to netlink where /proc/sys is read-only, share it.
 */
#include "link_ipv6_sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <net/if.h>

/**
 * link_ipv6_sysctl_off() - write 1 to the link's disable_ipv6
 * @name:	the link (still down)
 *
 * Return: 0 when IPv6 is off, or when the kernel has none; else the errno
 * of the failure (EROFS, EACCES or EPERM: /proc/sys is not writable here).
 */
int link_ipv6_sysctl_off(const char *name)
{
	char path[sizeof("/proc/sys/net/ipv6/conf//disable_ipv6") + IFNAMSIZ];
	int fd, err;
	bool ok;

	if ((size_t)snprintf(path, sizeof(path),
			     "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
			     name) >= sizeof(path))
		return ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : errno;	/* ENOENT: no IPv6 */
	ok = write(fd, "1", 1) == 1;
	err = ok ? 0 : errno;
	close(fd);
	return err;
}
