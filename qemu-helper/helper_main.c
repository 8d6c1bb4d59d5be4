/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_main.c - tapwarden-helper: what QEMU and libvirt execute.
 *
 * The flow is QEMU's helper contract (DESIGN.md section 1): parse the
 * arguments, check the socket QEMU passed, ask the policy where the tap
 * goes, create it, send it, exit 0 only after it was sent. Every failure
 * ends in die(): one line on stderr, exit status 1, and nothing left in the
 * kernel (a tap not yet sent is removed when the process exits).
 *
 * Who serves it (DESIGN.md section 1), in this order: user mode (the
 * network `user' or a mode=user network: user_mode.c, no privilege
 * needed); tapwardend when its socket answers (broker_client.c: the helper
 * relays and needs no privilege); else the helper itself when it holds
 * CAP_NET_ADMIN (direct mode). --config and --acl name policy files for
 * this process, so they mean direct mode: a broker's policy is its own.
 * --inbound and --outbound (rates below the network's) are checked here
 * for their syntax, and against the network by whoever serves.
 *
 * In all three, the helper confines itself (confine_helper(): no
 * capability, no file, its allow-list) as soon as it holds the tap, and
 * sends it to QEMU only from there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>

#include "config.h"
#include "broker_client.h"
#include "broker_socket.h"
#include "caller_socket.h"
#include "caller_stderr.h"
#include "confine.h"
#include "direct_mode.h"
#include "error.h"
#include "helper_args.h"
#include "peer_identity.h"
#include "placement.h"
#include "rate.h"
#include "tap.h"
#include "user_mode.h"

/**
 * die() - print one line of error and exit 1
 * @error:	what went wrong; its message is printed
 */
G_NORETURN static void die(GError *error)
{
	/* one line, and nothing a terminal would interpret */
	fputs("tapwarden: ", stderr);
	for (const char *c = error->message; *c; c++)
		fputc((unsigned char)*c < ' ' || *c == 0x7f ? '?' : *c, stderr);
	fputc('\n', stderr);
	fflush(stderr);
	caller_stderr_wait_read(500);	/* libvirt: before the socket closes */
	g_error_free(error);
	exit(EXIT_FAILURE);
}

/**
 * struct asked_rates - --inbound and --outbound in bits/s, 0 when not given
 * @inbound:	to the guest
 * @outbound:	from the guest
 */
struct asked_rates {
	uint64_t inbound;
	uint64_t outbound;
};

/**
 * parse_asked_rates() - check --inbound and --outbound
 * @args:	the command line
 * @out:	filled in
 * @error:	set, naming the option, when one is no rate
 *
 * Return: true on success.
 */
static bool parse_asked_rates(const struct helper_args *args,
			      struct asked_rates *out, GError **error)
{
	*out = (struct asked_rates){ 0 };
	if (args->inbound &&
	    !rate_parse_bits(args->inbound, &out->inbound, error)) {
		g_prefix_error(error, "--inbound: ");
		return false;
	}
	if (args->outbound &&
	    !rate_parse_bits(args->outbound, &out->outbound, error)) {
		g_prefix_error(error, "--outbound: ");
		return false;
	}
	return true;
}

/**
 * serve_through_broker() - ask tapwardend
 * @args:	the command line
 * @rates:	the rates asked for
 * @tap:	set when the broker sent a tap
 * @absent:	set when no broker listens (then the caller tries direct
 *		mode), or with the refusal or failure (then it dies)
 *
 * Return: false when the broker answered with an error, or when --socket
 * named a broker that is not there.
 */
static bool serve_through_broker(const struct helper_args *args,
				 const struct asked_rates *rates,
				 struct tap *tap, GError **absent)
{
	const char *path = broker_socket_path(args->socket);

	if (broker_request_tap(path, args->bridge, args->use_vnet, args->fd,
			       rates->inbound, rates->outbound, tap, absent))
		return true;
	return g_error_matches(*absent, TW_ERROR, TW_ERROR_NOT_FOUND) &&
	       !args->socket;
}

/**
 * serve_directly() - direct mode: decide and create the tap in-process
 * @args:	the command line
 * @rates:	the rates asked for
 * @broker_absent: why the broker did not serve, for the message when this
 *		process cannot either
 * @tap:	set on success; dies on failure
 */
static void serve_directly(const struct helper_args *args,
			   const struct asked_rates *rates,
			   const GError *broker_absent, struct tap *tap)
{
	struct policy_paths paths = {
		.config = args->config ? args->config : TAPWARDEN_CONFIG_FILE,
		.config_explicit = args->config != NULL,
		.acl = args->acl ? args->acl : TAPWARDEN_BRIDGE_ACL_FILE,
	};
	struct placement place = { 0 };
	struct caller c;
	GError *error = NULL;

	if (!direct_mode_available()) {
		g_set_error(&error, TW_ERROR, TW_ERROR_DENIED,
			    "cannot create a tap for %s: %s%sthis process lacks CAP_NET_ADMIN (start tapwardend, run QEMU as root, or use br=user)",
			    args->bridge,
			    broker_absent ? broker_absent->message : "",
			    broker_absent ? ", and " : "");
		die(error);
	}
	if (!peer_identity(args->fd, &c, NULL, &error) ||
	    !policy_place(&paths, &c, direct_mode_count_leases, NULL,
			  args->bridge, &place, &error) ||
	    !rate_narrow(&place.limits, rates->inbound, rates->outbound,
			 place.network, &error))
		die(error);
	if (place.nat) {
		g_set_error(&error, TW_ERROR, TW_ERROR_DENIED,
			    "%s is a NAT network: only tapwardend serves it (its DHCP and DNS need supervising); start tapwardend",
			    place.network);
		die(error);
	}
	direct_mode_remove_orphans();
	if (!direct_mode_create_tap(&place, args->use_vnet, c.uid, c.pid, tap,
				    &error) ||
	    !tap_set_owner(tap, c.uid, c.gid, &error))
		die(error);
	caller_clear(&c);
}

int main(int argc, char *argv[])
{
	struct helper_args args;
	struct tap tap = { .fd = -1 };
	g_autoptr(network) user_net = NULL;
	struct user_options user_opts;
	struct policy_paths paths;
	struct asked_rates rates;
	GError *error = NULL, *broker_absent = NULL;
	pid_t caller;
	uid_t owner;

	/* setuid or file capabilities would let any user choose the policy
	 * files (--config, --acl) of a privileged process: refuse to run */
	if (getauxval(AT_SECURE)) {
		g_set_error(&error, TW_ERROR, TW_ERROR_DENIED,
			    "tapwarden-helper must not be setuid or have file capabilities: unprivileged users go through tapwardend");
		die(error);
	}
	if (!helper_args_parse(argc, argv, &args, &error))
		die(error);
	if ((args.help || args.version) && (args.fd >= 0 || args.bridge)) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "--help and --version take no --br or --fd");
		die(error);
	}
	if (args.help || args.version) {
		if (args.help)
			fputs(helper_usage, stdout);
		else
			printf("tapwarden-helper %s\n", TAPWARDEN_VERSION);
		helper_args_clear(&args);
		return EXIT_SUCCESS;
	}
	if (!args.bridge) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "missing --br=NAME (see --help)");
		die(error);
	}
	if (args.fd < 0) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "missing --fd=N (see --help)");
		die(error);
	}
	if (!caller_socket_check(args.fd, &caller, &owner, &error) ||
	    !parse_asked_rates(&args, &rates, &error))
		die(error);

	paths = (struct policy_paths){
		.config = args.config ? args.config : TAPWARDEN_CONFIG_FILE,
		.config_explicit = args.config != NULL,
		.acl = args.acl ? args.acl : TAPWARDEN_BRIDGE_ACL_FILE,
	};

	/* 1. user mode: before the broker and direct mode */
	user_opts = (struct user_options){
		.hostfwds = (char **)args.hostfwds->pdata,
		.mtu = args.mtu,
		.no_host_loopback = args.no_host_loopback,
	};
	user_net = user_network_lookup(&paths, args.bridge, &error);
	if (error)
		die(error);
	if (user_net && (args.inbound || args.outbound)) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "--inbound and --outbound are for networks with a tap on the host; %s is a user-mode network",
			    args.bridge);
		die(error);
	}
	if (user_net) {
		if (!user_mode_serve(user_net, &user_opts, args.use_vnet,
				     args.fd, confine_helper, &error))
			die(error);
		helper_args_clear(&args);
		return EXIT_SUCCESS;
	}
	if (user_options_given(&user_opts)) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "--hostfwd, --mtu and --no-host-loopback are for user-mode networks; %s is not one",
			    args.bridge);
		die(error);
	}

	/* 2. the broker; 3. direct mode */
	if (!args.config && !args.acl &&
	    !serve_through_broker(&args, &rates, &tap, &broker_absent))
		die(broker_absent);
	if (tap.fd < 0)
		serve_directly(&args, &rates, broker_absent, &tap);
	g_clear_error(&broker_absent);
	if (!confine_helper(&error) ||
	    !caller_socket_send_fd(args.fd, tap.fd, &error))
		die(error);

	tap_close(&tap);
	helper_args_clear(&args);
	return EXIT_SUCCESS;
}
