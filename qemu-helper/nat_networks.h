/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat_networks.h - the broker's NAT networks: made on first use, kept
 * matching the configuration, dnsmasq supervised.
 */
#ifndef TAPWARDEN_QEMU_NAT_NETWORKS_H
#define TAPWARDEN_QEMU_NAT_NETWORKS_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "network_config.h"

/**
 * struct nat_network_state - what `tapwarden networks' shows of one
 * @rules:	all of its nftables chains are in the kernel
 * @dnsmasq_pid: its dnsmasq's pid, 0 when none runs
 * @leases:	DHCP leases in its lease file
 */
struct nat_network_state {
	bool rules;
	pid_t dnsmasq_pid;
	unsigned int leases;
};

struct nat_networks;

struct nat_networks *nat_networks_new(int launcher_fd, const char *run_dir);
void nat_networks_free(struct nat_networks *nn);
bool nat_networks_ensure(struct nat_networks *nn, const struct network *net,
			 GError **error);
void nat_networks_reconcile(struct nat_networks *nn,
			    const struct network_config *cfg);
GHashTable *nat_networks_kernel_chains(void);
void nat_networks_state(struct nat_networks *nn, const struct network *net,
			GHashTable *chains, struct nat_network_state *out);

#endif
