/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ifname.h - the one check every bridge or network name passes.
 */
#ifndef TAPWARDEN_POLICY_IFNAME_H
#define TAPWARDEN_POLICY_IFNAME_H

#include <stdbool.h>
#include <glib.h>

bool ifname_check(const char *name, GError **error);

#endif
