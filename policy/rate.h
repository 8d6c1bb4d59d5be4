/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rate.h - rate limits as people write them (tc's units), and the rule
 * that a caller may only ask for less than its network allows.
 */
#ifndef TAPWARDEN_POLICY_RATE_H
#define TAPWARDEN_POLICY_RATE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "qos.h"

/* The MTU a burst must hold when the network sets none */
#define RATE_DEFAULT_MTU 1500

bool rate_parse(const char *text, unsigned int mtu, struct qos_rate *out,
		GError **error);
bool rate_parse_bits(const char *text, uint64_t *bits, GError **error);
char *rate_format(uint64_t bits);
bool rate_narrow(struct qos_limits *limits, uint64_t inbound,
		 uint64_t outbound, const char *network, GError **error);

#endif
