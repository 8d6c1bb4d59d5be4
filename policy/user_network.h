/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * user_network.h - which names are user-mode networks, and their settings.
 */
#ifndef TAPWARDEN_POLICY_USER_NETWORK_H
#define TAPWARDEN_POLICY_USER_NETWORK_H

#include <stdbool.h>
#include <glib.h>

#include "network_config.h"
#include "placement.h"
#include "slirp.h"

/**
 * struct user_options - what the caller may add to a user-mode network
 * @hostfwds:	--hostfwd= values (NULL-terminated), or NULL
 * @mtu:	--mtu= value, or NULL
 * @no_host_loopback: --no-host-loopback was given
 */
struct user_options {
	char **hostfwds;
	const char *mtu;
	bool no_host_loopback;
};

bool user_network_possible(const struct policy_paths *paths, const char *name);
struct network *user_network_lookup(const struct policy_paths *paths,
				    const char *name, GError **error);
bool user_options_given(const struct user_options *opts);
bool user_network_apply(struct network *net, const struct user_options *opts,
			GError **error);
void user_network_settings(const struct network *net,
			   struct in_addr guest_addr,
			   struct slirp_settings *settings);

#endif
