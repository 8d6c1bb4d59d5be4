/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * broker_socket.h - carry broker messages (and one fd) over a unix socket.
 */
#ifndef TAPWARDEN_QEMU_BROKER_SOCKET_H
#define TAPWARDEN_QEMU_BROKER_SOCKET_H

#include <stdbool.h>
#include <glib.h>

#include "broker_protocol.h"

/* Environment variable naming the broker's socket */
#define BROKER_SOCKET_ENV "TAPWARDEN_SOCKET"

/* a client gives up on a broker that does not answer in this long */
#define BROKER_CLIENT_TIMEOUT_S 30

const char *broker_socket_path(const char *option);
int broker_connect(const char *path, GError **error);
bool broker_socket_set_timeout(int sock, int seconds, GError **error);
void broker_socket_refuse_fds(int sock);
bool broker_send(int sock, const struct broker_msg *msg, int fd,
		 GError **error);
bool broker_recv(int sock, struct broker_msg *msg, int *fd, GError **error);

typedef void (*broker_fd_closer)(int fd, void *data);
void broker_socket_set_closer(broker_fd_closer closer, void *data);
void broker_close_passed_fd(int fd);

#endif
