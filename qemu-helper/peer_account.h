/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peer_account.h - which account a caller counts as: for a subordinate uid,
 * the user it is subordinate to.
 */
#ifndef TAPWARDEN_QEMU_PEER_ACCOUNT_H
#define TAPWARDEN_QEMU_PEER_ACCOUNT_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

#include "access.h"

bool peer_account_uid(uid_t uid, uid_t *account, GError **error);
void peer_account_attribute(struct caller *c, uid_t account);

#endif
