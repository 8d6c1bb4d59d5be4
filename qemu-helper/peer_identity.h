/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peer_identity.h - who is at the other end of a unix socket, per the kernel.
 */
#ifndef TAPWARDEN_QEMU_PEER_IDENTITY_H
#define TAPWARDEN_QEMU_PEER_IDENTITY_H

#include <stdbool.h>
#include <glib.h>

#include "access.h"

bool peer_identity(int sock, struct caller *c, int *pidfd, GError **error);
bool peer_is_alive(int pidfd);
int peer_pidfd(int sock);

#endif
