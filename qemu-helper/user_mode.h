/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * user_mode.h - the helper's user mode: a tap with libslirp behind it.
 */
#ifndef TAPWARDEN_QEMU_USER_MODE_H
#define TAPWARDEN_QEMU_USER_MODE_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "network_config.h"
#include "user_network.h"

bool user_mode_serve(struct network *net, const struct user_options *opts,
		     bool use_vnet, int qemu_sock,
		     bool (*confine_self)(GError **error), GError **error);
bool user_mode_start(const struct network *net, bool use_vnet, int *tap_fd,
		     pid_t *engine_pid, GError **error);

#endif
