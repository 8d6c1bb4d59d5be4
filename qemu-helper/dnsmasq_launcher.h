/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dnsmasq_launcher.h - the process that starts and stops dnsmasq for the
 * broker, which never executes anything itself.
 */
#ifndef TAPWARDEN_QEMU_DNSMASQ_LAUNCHER_H
#define TAPWARDEN_QEMU_DNSMASQ_LAUNCHER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <net/if.h>
#include <glib.h>

#define DNSMASQ_PATH "/usr/sbin/dnsmasq"

enum dnsmasq_op {
	DNSMASQ_START = 1,	/* adopt the network's dnsmasq if it matches, else (re)start it */
	DNSMASQ_STOP,		/* end the network's dnsmasq, if any */
};

/**
 * struct dnsmasq_request - one request, sent as one datagram of this size
 * @op:		enum dnsmasq_op
 * @network:	network name (NUL-terminated)
 * @bridge:	its bridge (START)
 * @gateway:	the bridge's address, host byte order (START)
 * @prefix:	prefix length (START)
 * @first:	first address of the DHCP range (START)
 * @last:	last address of the DHCP range (START)
 */
struct dnsmasq_request {
	uint32_t op;
	char network[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	uint32_t gateway;
	uint32_t prefix;
	uint32_t first;
	uint32_t last;
};

/**
 * struct dnsmasq_reply - the answer; a START's carries a pidfd
 * @status:	0, or an errno value
 * @pid:	dnsmasq's pid (START)
 * @adopted:	1 when a running dnsmasq was kept (START)
 * @text:	what went wrong, NUL-terminated
 */
struct dnsmasq_reply {
	int32_t status;
	int32_t pid;
	uint32_t adopted;
	char text[240];
};

int dnsmasq_launcher_spawn(const char *run_dir, GError **error);
bool dnsmasq_launcher_start(int sock, const struct dnsmasq_request *req,
			    int *pidfd, pid_t *pid, bool *adopted,
			    GError **error);
bool dnsmasq_launcher_stop(int sock, const char *network, GError **error);
char **dnsmasq_argv(const char *run_dir, const struct dnsmasq_request *req,
		    GError **error);

#endif
