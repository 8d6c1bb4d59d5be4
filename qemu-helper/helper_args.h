/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_args.h - tapwarden-helper's command line.
 */
#ifndef TAPWARDEN_QEMU_HELPER_ARGS_H
#define TAPWARDEN_QEMU_HELPER_ARGS_H

#include <stdbool.h>
#include <glib.h>

/**
 * struct helper_args - the parsed command line
 * @use_vnet:	--use-vnet: IFF_VNET_HDR wanted
 * @bridge:	--br=NAME: network or bridge name, NULL if not given
 * @fd:		--fd=N: QEMU's end of the socket pair, -1 if not given
 * @config:	--config=FILE, NULL if not given
 * @acl:	--acl=FILE, NULL if not given
 * @socket:	--socket=PATH, NULL if not given
 * @help:	--help was given
 * @version:	--version was given
 * @hostfwds:	user mode: --hostfwd= values, repeatable; NULL-terminated
 * @mtu:	user mode: --mtu=, NULL if not given
 * @no_host_loopback: user mode: --no-host-loopback was given
 * @inbound:	--inbound=RATE (a lower rate to the guest), NULL if not given
 * @outbound:	--outbound=RATE (a lower rate from the guest), NULL if not given
 */
struct helper_args {
	bool use_vnet;
	char *bridge;
	int fd;
	char *config;
	char *acl;
	char *socket;
	bool help;
	bool version;
	GPtrArray *hostfwds;
	char *mtu;
	bool no_host_loopback;
	char *inbound;
	char *outbound;
};

bool helper_args_parse(int argc, char *const argv[], struct helper_args *args,
		       GError **error);
void helper_args_clear(struct helper_args *args);
extern const char helper_usage[];

#endif
