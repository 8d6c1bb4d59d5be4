/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat_config.h - the keys of a mode=nat network, and the checks across
 * networks.
 */
#ifndef TAPWARDEN_POLICY_NAT_CONFIG_H
#define TAPWARDEN_POLICY_NAT_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "nat_nft.h"

/**
 * struct nat_settings - what a mode=nat network adds
 * @gateway:	`address': the bridge's address, host byte order
 * @prefix:	its prefix length, 8-30
 * @dhcp:	`dhcp': dnsmasq hands out addresses (default yes)
 * @forwards:	`forward': struct nat_port_forward; never NULL
 */
struct nat_settings {
	uint32_t gateway;
	unsigned int prefix;
	bool dhcp;
	GArray *forwards;
};

struct network;

void nat_settings_init(struct nat_settings *nat);
void nat_settings_clear(struct nat_settings *nat);
bool nat_address_parse(const char *text, uint32_t *gateway,
		       unsigned int *prefix, GError **error);
bool nat_forward_parse(const char *text, uint32_t gateway, unsigned int prefix,
		       struct nat_port_forward *fwd, GError **error);
bool nat_network_parse(GKeyFile *kf, const char *group, struct network *net,
		       const char **bad_key, GError **error);
bool nat_config_check(GPtrArray *nets, const struct network **bad_net,
		      const char **bad_key, GError **error);
void nat_dhcp_range(uint32_t gateway, unsigned int prefix, uint32_t *first,
		    uint32_t *last);
bool nat_settings_equal(const struct nat_settings *a,
			const struct nat_settings *b);

#endif
