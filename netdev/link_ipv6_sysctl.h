/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * link_ipv6_sysctl.h - switch IPv6 off on a link by its sysctl
 * (link_ipv6.h has the fallback for a read-only /proc/sys).
 */
#ifndef TAPWARDEN_NETDEV_LINK_IPV6_SYSCTL_H
#define TAPWARDEN_NETDEV_LINK_IPV6_SYSCTL_H

int link_ipv6_sysctl_off(const char *name);

#endif
