/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * plain_port.h - a new tap on a plain bridge with libmnl only (the
 * helper's direct path without its stage module; plain_port.c).
 */
#ifndef TAPWARDEN_NETDEV_PLAIN_PORT_H
#define TAPWARDEN_NETDEV_PLAIN_PORT_H

#include <stdbool.h>

#include "tap.h"

bool plain_port_make(const char *bridge, bool use_vnet, const char *alias,
		     struct tap *tap);

#endif
