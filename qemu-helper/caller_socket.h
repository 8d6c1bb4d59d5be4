/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * caller_socket.h - the unix socket QEMU hands the helper (--fd=N).
 */
#ifndef TAPWARDEN_QEMU_CALLER_SOCKET_H
#define TAPWARDEN_QEMU_CALLER_SOCKET_H

#include <stdbool.h>
#include <sys/types.h>
#include <glib.h>

bool caller_socket_check(int sock, pid_t *peer_pid, uid_t *peer_uid,
			 GError **error);
bool caller_socket_send_fd(int sock, int fd, GError **error);

#endif
