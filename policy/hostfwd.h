/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostfwd.h - QEMU's hostfwd syntax for user-mode port forwards.
 */
#ifndef TAPWARDEN_POLICY_HOSTFWD_H
#define TAPWARDEN_POLICY_HOSTFWD_H

#include <stdbool.h>
#include <glib.h>

#include "slirp.h"

bool hostfwd_parse(const char *text, struct slirp_forward *fwd,
		   GError **error);

#endif
