/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp_reply.h - one result message, with descriptors, from a child process.
 */
#ifndef TAPWARDEN_NETDEV_SLIRP_REPLY_H
#define TAPWARDEN_NETDEV_SLIRP_REPLY_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#define SLIRP_REPLY_MAX_FDS 2

void slirp_reply_send(int sock, int32_t value, const int *fds,
		      unsigned int n_fds);
void slirp_reply_send_error(int sock, const GError *error);
bool slirp_reply_receive(int sock, int32_t *value, int *fds,
			 unsigned int n_fds, GError **error);

#endif
