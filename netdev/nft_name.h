/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_name.h - which names may go into an nftables script unquoted.
 *
 * A file of its own, apart from nat_nft.c, so that what checks names
 * (policy, the dnsmasq launcher) does not link libnftables.
 */
#ifndef TAPWARDEN_NETDEV_NFT_NAME_H
#define TAPWARDEN_NETDEV_NFT_NAME_H

#include <stdbool.h>

bool nat_nft_name_ok(const char *name);

#endif
