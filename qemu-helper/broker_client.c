/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_client.c - ask tapwardend for a tap, as the unprivileged helper.
 *
 * The helper relays: the name, vnet_hdr and the rates asked for
 * (--inbound, --outbound) go to the broker, with QEMU's
 * socket attached so that the broker can see, from the kernel, which
 * process will hold the tap; the tap's fd comes back, or a refusal whose
 * text the helper prints as its one line of error. The fd that comes back
 * is checked to be a tap (TUNGETIFF) before QEMU gets it.
 */
#include "broker_client.h"

#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#include "broker_socket.h"
#include "error.h"

/**
 * broker_request_tap() - get a tap for @name from the broker at @path
 * @path:	the broker's socket
 * @name:	network or bridge name
 * @use_vnet:	ask for IFF_VNET_HDR
 * @qemu_sock:	QEMU's socket, passed along for the lease
 * @inbound:	--inbound in bits/s, 0 for none (the broker checks it)
 * @outbound:	--outbound in bits/s, 0 for none
 * @while_waiting: called once the request is sent, before the answer is
 *		read (the helper confines itself while the broker works), or
 *		NULL
 * @tap:	filled in on success; the caller owns its fd
 * @error:	set on failure; TW_ERROR_NOT_FOUND when no broker listens
 *
 * Return: true when the tap was received.
 */
bool broker_request_tap(const char *path, const char *name, bool use_vnet,
			int qemu_sock, uint64_t inbound, uint64_t outbound,
			void (*while_waiting)(void), struct tap *tap,
			GError **error)
{
	struct broker_msg msg;
	struct ifreq ifr = { 0 };
	int sock, fd = -1;
	bool ok;

	broker_msg_init(&msg, BROKER_REQ_TAP);
	if (!broker_msg_set_str(&msg, BA_NAME, name)) {
		/* helper_request_read() refused it already; never cut it */
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "name too long: %zu bytes, at most %d", strlen(name),
			    IFNAMSIZ - 1);
		return false;
	}
	sock = broker_connect(path, error);
	if (sock < 0)
		return false;
	broker_msg_set_u32(&msg, BA_VNET_HDR, use_vnet);
	if (inbound)
		broker_msg_set_u64(&msg, BA_INBOUND, inbound);
	if (outbound)
		broker_msg_set_u64(&msg, BA_OUTBOUND, outbound);
	ok = broker_send(sock, &msg, qemu_sock, error);
	if (ok && while_waiting)
		while_waiting();
	ok = ok && broker_recv(sock, &msg, &fd, error);
	close(sock);
	if (!ok) {
		g_prefix_error(error, "tapwardend at %s: ", path);
		if (error && *error && (*error)->code == TW_ERROR_NOT_FOUND)
			(*error)->code = TW_ERROR_FAILED; /* it was there */
		return false;
	}
	if (msg.type == BROKER_REP_ERROR) {
		if (fd >= 0)
			close(fd);
		g_set_error(error, TW_ERROR,
			    msg.code == TW_ERROR_NOT_FOUND ? TW_ERROR_FAILED :
			    (int)msg.code, "%s", msg.text);
		return false;
	}
	if (msg.type != BROKER_REP_TAP || fd < 0 ||
	    ioctl(fd, TUNGETIFF, &ifr) < 0 || !(ifr.ifr_flags & IFF_TAP)) {
		if (fd >= 0)
			close(fd);
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "tapwardend at %s answered without a tap", path);
		return false;
	}
	tap->fd = fd;
	g_strlcpy(tap->name, ifr.ifr_name, sizeof(tap->name));
	tap->vnet_hdr = ifr.ifr_flags & IFF_VNET_HDR;
	return true;
}
