/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker.h - tapwardend's state and its answer to one request.
 */
#ifndef TAPWARDEN_QEMU_BROKER_H
#define TAPWARDEN_QEMU_BROKER_H

#include <stdbool.h>
#include <glib.h>

#include "broker_answer.h"
#include "broker_leases.h"
#include "nat_networks.h"
#include "network_config.h"

/**
 * struct broker - what every request is answered from
 * @cfg:		the networks in force
 * @config_path:	tapwarden.conf
 * @config_explicit:	--config was given: the file must exist
 * @acl_path:		bridge.conf
 * @leases:		live leases
 * @nat:		the NAT networks made (nat_networks.c)
 */
struct broker {
	struct network_config *cfg;
	const char *config_path;
	bool config_explicit;
	const char *acl_path;
	struct broker_leases *leases;
	struct nat_networks *nat;
};

bool broker_load_config(struct broker *b, GError **error);
struct broker_answer *broker_serve(struct broker *b, int sock, uid_t account);

#endif
