/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capability.h - does this process hold CAP_NET_ADMIN (direct mode).
 */
#ifndef TAPWARDEN_QEMU_CAPABILITY_H
#define TAPWARDEN_QEMU_CAPABILITY_H

#include <stdbool.h>

bool capability_net_admin_effective(void);

#endif
