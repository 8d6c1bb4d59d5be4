/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fd_reaper.h - close descriptors a client passed, without waiting on them.
 */
#ifndef TAPWARDEN_QEMU_FD_REAPER_H
#define TAPWARDEN_QEMU_FD_REAPER_H

#include <sys/types.h>

void fd_reaper_close(int fd, uid_t from);
unsigned int fd_reaper_pending(uid_t from);

#endif
