/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_netns.h - the namespace side of user mode: a tap where the guest is.
 */
#ifndef TAPWARDEN_NETDEV_SLIRP_NETNS_H
#define TAPWARDEN_NETDEV_SLIRP_NETNS_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

/* slirp4netns's address for a namespace's tap, so that scripts carry over */
#define SLIRP_NETNS_ADDRESS	"10.0.2.100"

/**
 * struct slirp_netns_link - a tap made in another network namespace
 * @tap_fd:	the tap (blocking; slirp_netns_join(): with IFF_VNET_HDR when
 *		the kernel has it, see @vnet_hdr)
 * @vnet_hdr:	@tap_fd has IFF_VNET_HDR
 * @packet_fd:	private namespaces: an unbound AF_PACKET socket of that
 *		namespace, for slirp_pump_new_packet(); else -1
 * @ifindex:	the tap's interface index in its namespace
 * @keeper:	private namespaces: the process that holds them open (it
 *		exits when this process closes @keeper_fd or exits); else 0
 * @keeper_fd:	our end of the socket the keeper waits on, or -1
 */
struct slirp_netns_link {
	int tap_fd;
	bool vnet_hdr;
	int packet_fd;
	int ifindex;
	pid_t keeper;
	int keeper_fd;
};

/* how the keeper confines itself once set up (policy/confine.c; netdev
 * does not depend on policy) */
typedef bool (*slirp_keeper_confine)(GError **error);

bool slirp_netns_new_private(unsigned int mtu, bool vnet_hdr,
			     slirp_keeper_confine confine_keeper,
			     struct slirp_netns_link *link, GError **error);
bool slirp_netns_join(int userns_fd, int netns_fd, const char *tap_name,
		      unsigned int mtu, struct slirp_netns_link *link,
		      GError **error);
void slirp_netns_link_clear(struct slirp_netns_link *link);

#endif
