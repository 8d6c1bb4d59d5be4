/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fd_reaper.h - close descriptors a client passed, in a process the broker
 * never waits for.
 */
#ifndef TAPWARDEN_QEMU_FD_REAPER_H
#define TAPWARDEN_QEMU_FD_REAPER_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

bool fd_reaper_start(GError **error);
void fd_reaper_close(int fd, uid_t from);
bool fd_reaper_turns_away(uid_t from);

#endif
