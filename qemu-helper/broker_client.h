/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_client.h - ask tapwardend for a tap, as the unprivileged helper.
 */
#ifndef TAPWARDEN_QEMU_BROKER_CLIENT_H
#define TAPWARDEN_QEMU_BROKER_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "tap.h"

bool broker_request_tap(const char *path, const char *name, bool use_vnet,
			int qemu_sock, uint64_t inbound, uint64_t outbound,
			void (*while_waiting)(void), struct tap *tap,
			GError **error);

#endif
