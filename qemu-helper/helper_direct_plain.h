/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_direct_plain.h - direct mode without the stage module, for the
 * requests that need none of it (helper_direct_plain.c).
 */
#ifndef TAPWARDEN_QEMU_HELPER_DIRECT_PLAIN_H
#define TAPWARDEN_QEMU_HELPER_DIRECT_PLAIN_H

#include "helper_request.h"

void helper_direct_plain(struct helper_request *req);

#endif
