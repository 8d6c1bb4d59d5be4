/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.c - create a non-persistent tap device named tw<N>.
 *
 * The tap is created with TUNSETIFF on a fresh /dev/net/tun descriptor and
 * is never made persistent: the kernel removes it when the last descriptor
 * closes, so a failure anywhere later is cleaned up by tap_close(). Virtio
 * net headers are asked for only when the kernel offers them
 * (TUNGETFEATURES), as qemu-bridge-helper does.
 */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <linux/if_tun.h>

#include "error.h"

#define TUN_DEVICE "/dev/net/tun"

/**
 * tap_create_named() - create a tap device called @name
 * @want_vnet_hdr:	ask for IFF_VNET_HDR (--use-vnet) if the kernel has it
 * @name:		an exact name ("tw7"), or a pattern ("tw%d") for the
 *			kernel to complete
 * @tap:		filled in on success
 * @error:		set on failure; TW_ERROR_EXISTS when @name is taken
 *
 * An exact name is asked for with IFF_TUN_EXCL, so that an existing device
 * of that name is never attached to: only a new tap is ever returned. With
 * a pattern the kernel scans every device of the namespace for a free
 * number, which grows with their count; a caller that knows a free name
 * (the broker does) saves that.
 *
 * Return: true on success; the caller owns @tap->fd.
 */
bool tap_create_named(bool want_vnet_hdr, const char *name, struct tap *tap,
		      GError **error)
{
	unsigned int features = 0;
	struct ifreq ifr = { 0 };
	int fd;

	fd = open(TUN_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot open %s: %s", TUN_DEVICE, g_strerror(err));
		return false;
	}
	if (ioctl(fd, TUNGETFEATURES, &features) < 0)
		features = 0;

	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (want_vnet_hdr && (features & IFF_VNET_HDR))
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (!strchr(name, '%'))
		ifr.ifr_flags |= IFF_TUN_EXCL;
	g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = errno;

		close(fd);
		if (err == EBUSY && (ifr.ifr_flags & IFF_TUN_EXCL)) {
			g_set_error(error, TW_ERROR, TW_ERROR_EXISTS,
				    "%s exists already", name);
			return false;
		}
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot create a tap device: %s%s", g_strerror(err),
			    err == EPERM ? " (CAP_NET_ADMIN in the initial user namespace is needed)" : "");
		return false;
	}

	tap->fd = fd;
	g_strlcpy(tap->name, ifr.ifr_name, sizeof(tap->name));
	tap->vnet_hdr = ifr.ifr_flags & IFF_VNET_HDR;
	return true;
}

/**
 * tap_create() - create a tap device named tw<N>, the kernel choosing N
 * @want_vnet_hdr:	ask for IFF_VNET_HDR (--use-vnet) if the kernel has it
 * @tap:		filled in on success
 * @error:		set on failure
 *
 * Return: true on success; the caller owns @tap->fd.
 */
bool tap_create(bool want_vnet_hdr, struct tap *tap, GError **error)
{
	return tap_create_named(want_vnet_hdr, TAP_NAME_PATTERN, tap, error);
}

/**
 * tap_set_owner() - give the tap to a user (TUNSETOWNER, TUNSETGROUP)
 * @tap:	tap from tap_create()
 * @uid:	owning user
 * @gid:	owning group
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool tap_set_owner(const struct tap *tap, uid_t uid, gid_t gid,
		   GError **error)
{
	if (ioctl(tap->fd, TUNSETOWNER, (unsigned long)uid) < 0 ||
	    ioctl(tap->fd, TUNSETGROUP, (unsigned long)gid) < 0) {
		int err = errno;

		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot give %s to uid %u gid %u: %s", tap->name,
			    (unsigned int)uid, (unsigned int)gid,
			    g_strerror(err));
		return false;
	}
	return true;
}

/**
 * tap_close() - close the descriptor; the kernel then removes the tap
 * @tap:	tap from tap_create(), or one with fd -1
 */
void tap_close(struct tap *tap)
{
	if (tap->fd >= 0)
		close(tap->fd);
	tap->fd = -1;
}

/**
 * tap_random_mac() - a MAC address for a new tap
 * @mac:	set to a random unicast, locally administered address whose
 *		first octet is TAP_MAC_FIRST_OCTET
 * @error:	set when the kernel gives no random bytes
 *
 * What the kernel gives a tap is random too (eth_hw_addr_random()); this
 * one is chosen here so that no request has to read the tap's first.
 *
 * Return: true on success.
 */
bool tap_random_mac(unsigned char mac[6], GError **error)
{
	if (getrandom(mac, 6, 0) != 6) {
		int err = errno;

		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot choose a MAC address: %s", g_strerror(err));
		return false;
	}
	mac[0] = TAP_MAC_FIRST_OCTET;
	return true;
}
