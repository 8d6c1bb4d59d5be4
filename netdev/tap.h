/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.h - creating tap devices through /dev/net/tun.
 */
#ifndef TAPWARDEN_NETDEV_TAP_H
#define TAPWARDEN_NETDEV_TAP_H

#include <stdbool.h>
#include <net/if.h>
#include <sys/types.h>
#include <glib.h>

/* Name pattern of every tap tapwarden creates; the kernel picks %d */
#define TAP_NAME_PATTERN "tw%d"
#define TAP_NAME_PREFIX "tw"
/* First octet of every tap's MAC: locally administered, sorts last */
#define TAP_MAC_FIRST_OCTET 0xfe

/**
 * struct tap - a tap device held open by this process
 * @fd:		the tun file descriptor; the tap lives while it is open
 * @name:	interface name the kernel chose, e.g. "tw3"
 * @vnet_hdr:	IFF_VNET_HDR is set on it
 */
struct tap {
	int fd;
	char name[IFNAMSIZ];
	bool vnet_hdr;
};

bool tap_create(bool want_vnet_hdr, struct tap *tap, GError **error);
bool tap_create_named(bool want_vnet_hdr, const char *name, struct tap *tap,
		      GError **error);
bool tap_set_owner(const struct tap *tap, uid_t uid, gid_t gid,
		   GError **error);
void tap_close(struct tap *tap);
bool tap_random_mac(unsigned char mac[6], GError **error);

#endif
