/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qos.h - per-tap rate limits (HTB on the tap, HTB on an IFB for the
 * guest's traffic), through libnl-route.
 */
#ifndef TAPWARDEN_NETDEV_QOS_H
#define TAPWARDEN_NETDEV_QOS_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <glib.h>

#include "netlink.h"

/* The IFB of tap tw<N> is QOS_IFB_PREFIX<N>: never a tap name (tw<digits>) */
#define QOS_IFB_PREFIX "twi"
/* What an IFB's alias starts with (not LEASE_ALIAS_PREFIX: it is no lease) */
#define QOS_IFB_ALIAS_PREFIX "tapwarden-ifb "

/* Largest rate accepted anywhere: 100gbit */
#define QOS_RATE_MAX 100000000000ull
/* Smallest: 1kbit */
#define QOS_RATE_MIN 1000ull
/* Largest burst: 64 MiB */
#define QOS_BURST_MAX (64u << 20)
/* A burst must drain within this many seconds at its rate */
#define QOS_BURST_SECONDS_MAX 60

/**
 * struct qos_rate - one direction's limit
 * @rate:	bits per second; 0 for no limit
 * @burst:	bytes that may pass at once above @rate; 0 for the default
 *		(qos_default_burst())
 */
struct qos_rate {
	uint64_t rate;
	uint32_t burst;
};

/**
 * struct qos_limits - a tap's limits, seen from the guest
 * @inbound:	traffic to the guest (the tap's egress)
 * @outbound:	traffic from the guest (the tap's ingress, shaped on its IFB)
 */
struct qos_limits {
	struct qos_rate inbound;
	struct qos_rate outbound;
};

bool qos_limits_any(const struct qos_limits *limits);
uint32_t qos_default_burst(uint64_t rate, unsigned int mtu);
bool qos_ifb_name(const char *tap_name, char ifb[IFNAMSIZ]);
bool qos_apply(struct netlink *nl, const char *tap_name,
	       const struct qos_limits *limits, GError **error);
void qos_remove(struct netlink *nl, const char *tap_name, int tap_ifindex);
bool qos_read(struct netlink *nl, const char *tap_name,
	      struct qos_limits *limits);
unsigned int qos_remove_orphans(struct netlink *nl);

#endif
