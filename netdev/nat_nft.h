/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat_nft.h - the nftables rules of one NAT network, through libnftables.
 */
#ifndef TAPWARDEN_NETDEV_NAT_NFT_H
#define TAPWARDEN_NETDEV_NAT_NFT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "nft_name.h"

/* tapwarden's own table; nothing outside it is ever touched */
#define NAT_NFT_FAMILY	"ip"
#define NAT_NFT_TABLE	"tapwarden"
/* chains of one network: net/NAME/KIND, KIND one of these */
#define NAT_NFT_CHAINS	4

/**
 * struct nat_port_forward - one `forward' entry: host port to guest
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @host_port:	port on the host's addresses
 * @guest_addr:	the guest's IPv4 address, host byte order
 * @guest_port:	port on the guest
 */
struct nat_port_forward {
	uint8_t proto;
	uint16_t host_port;
	uint32_t guest_addr;
	uint16_t guest_port;
};

/**
 * struct nat_ruleset - what one network's rules are made from
 * @network:	its name (nat_nft_name_ok())
 * @bridge:	its bridge (nat_nft_name_ok())
 * @gateway:	the bridge's address, host byte order
 * @prefix:	the subnet's prefix length, 1-30
 * @forwards:	port forwards into the subnet
 * @n_forwards:	how many
 */
struct nat_ruleset {
	const char *network;
	const char *bridge;
	uint32_t gateway;
	unsigned int prefix;
	const struct nat_port_forward *forwards;
	unsigned int n_forwards;
};

bool nat_nft_apply(const struct nat_ruleset *rs, GError **error);
bool nat_nft_remove(const char *network, GError **error);
GHashTable *nat_nft_chain_counts(GError **error);
char *nat_nft_script(const struct nat_ruleset *rs);

#endif
