/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_args.c - parse the command line QEMU and libvirt give the helper.
 *
 * QEMU's net_bridge_run_helper() runs `HELPER --use-vnet --fd=N --br=NAME`,
 * or, when the helper string has a space, `/bin/sh -c "HELPER_STRING
 * --use-vnet --fd=N [--br=NAME]"`; so tapwarden's own options come first
 * and any order must work. Every option is strict: an unknown one, one given
 * twice, a value that is not what it should be, or a stray argument is an
 * error with one line saying which. The caller checks --fd and --br against
 * the kernel and the policy; here they are only parsed.
 */
#include "helper_args.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "error.h"

const char helper_usage[] =
	"Usage: tapwarden-helper [OPTION...] [--use-vnet] --br=NAME --fd=N\n"
	"\n"
	"Give QEMU a tap device on network or bridge NAME, sent over the unix\n"
	"socket N as QEMU's -netdev tap,helper= and -netdev bridge expect.\n"
	"NAME is a [network NAME] of tapwarden.conf, or a bridge allowed by\n"
	"qemu-bridge-helper's bridge.conf.\n"
	"\n"
	"  --use-vnet       enable virtio-net headers (IFF_VNET_HDR) if the kernel has them\n"
	"  --br=NAME        network or bridge to join\n"
	"  --fd=N           connected unix stream socket to send the tap on\n"
	"  --config=FILE    tapwarden.conf to use instead of " TAPWARDEN_CONFIG_FILE "\n"
	"  --acl=FILE       bridge ACL to use instead of " TAPWARDEN_BRIDGE_ACL_FILE "\n"
	"                   (--config or --acl: served in this process, never by tapwardend)\n"
	"  --socket=PATH    tapwardend's socket (default $" "TAPWARDEN_SOCKET, else " TAPWARDEN_SOCKET_PATH ")\n"
	"  --inbound=RATE   limit traffic to the guest to RATE (kbit, mbit, gbit);\n"
	"                   only below the network's own limit\n"
	"  --outbound=RATE  limit traffic from the guest to RATE, likewise\n"
	"\n"
	"User-mode networks (NAME `user', or mode=user in tapwarden.conf):\n"
	"  --hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT\n"
	"                   forward a host port to the guest (QEMU's syntax; repeatable)\n"
	"  --mtu=N          link MTU, 1280 to 65520 (default 1500)\n"
	"  --no-host-loopback  the gateway 10.0.2.2 does not reach the host's 127.0.0.1\n"
	"  -h, --help       show this help and exit\n"
	"  -V, --version    show the version and exit\n"
	"\n"
	"QEMU:    -netdev tap,id=n0,helper=/usr/libexec/tapwarden-helper,br=NAME\n"
	"         -netdev tap,id=n0,\"helper=/usr/libexec/tapwarden-helper --hostfwd=tcp::2222-:22\",br=user\n"
	"libvirt: bridge_helper = \"/usr/libexec/tapwarden-helper\" in qemu.conf\n";

/**
 * parse_fd_number() - parse the value of --fd strictly
 * @text:	the value
 * @fd:		the number, on success
 *
 * Return: true when @text is a decimal number from 0 to INT_MAX.
 */
static bool parse_fd_number(const char *text, int *fd)
{
	char *end;
	long value;

	if (!g_ascii_isdigit(text[0]))
		return false;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end || value > INT_MAX)
		return false;
	*fd = (int)value;
	return true;
}

/**
 * option_value() - the value of `--name=VALUE` or `--name VALUE`
 * @argc:	argument count
 * @argv:	arguments
 * @i:		index of the current argument; advanced past a separate value
 * @name:	option name with its dashes, e.g. "--br"
 * @value:	set to the value when the option matches
 * @error:	set when the option matches but has no value
 *
 * Return: true when argv[*i] is this option (check @error for a bad one).
 */
static bool option_value(int argc, char *const argv[], int *i,
			 const char *name, const char **value, GError **error)
{
	size_t len = strlen(name);
	const char *arg = argv[*i];

	if (strncmp(arg, name, len))
		return false;
	if (arg[len] == '=') {
		*value = arg + len + 1;
		return true;
	}
	if (arg[len] != '\0')
		return false;
	if (*i + 1 >= argc) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "option %s needs a value", name);
		return true;
	}
	*value = argv[++*i];
	return true;
}

/**
 * set_once() - store a string option, refusing a second occurrence
 * @slot:	where the value goes; must be NULL
 * @name:	option name, for the message
 * @value:	the value
 * @error:	set when @slot already holds a value
 *
 * Return: true on success.
 */
static bool set_once(char **slot, const char *name, const char *value,
		     GError **error)
{
	if (*slot) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "option %s given twice", name);
		return false;
	}
	*slot = g_strdup(value);
	return true;
}

/**
 * helper_args_parse() - parse tapwarden-helper's arguments
 * @argc:	argument count, as main() got it
 * @argv:	arguments, as main() got them
 * @args:	filled in; free with helper_args_clear(), also after failure
 * @error:	set on failure, one line naming the offending argument
 *
 * Return: true on success. --br and --fd may still be missing (check them
 * unless @args->help or @args->version).
 */
bool helper_args_parse(int argc, char *const argv[], struct helper_args *args,
		       GError **error)
{
	*args = (struct helper_args){ .fd = -1 };
	args->hostfwds = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(args->hostfwds, NULL);

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *value = NULL;
		GError *local = NULL;

		if (!strcmp(arg, "--use-vnet")) {
			args->use_vnet = true;
		} else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			args->help = true;
		} else if (!strcmp(arg, "--version") || !strcmp(arg, "-V")) {
			args->version = true;
		} else if (!strcmp(arg, "--no-host-loopback")) {
			args->no_host_loopback = true;
		} else if (option_value(argc, argv, &i, "--hostfwd", &value, &local)) {
			if (local)
				goto fail;
			/* keep the array NULL-terminated */
			g_ptr_array_insert(args->hostfwds,
					   (int)args->hostfwds->len - 1,
					   g_strdup(value));
		} else if (option_value(argc, argv, &i, "--mtu", &value, &local)) {
			if (local || !set_once(&args->mtu, "--mtu", value, &local))
				goto fail;
		} else if (option_value(argc, argv, &i, "--inbound", &value, &local)) {
			if (local || !set_once(&args->inbound, "--inbound", value, &local))
				goto fail;
		} else if (option_value(argc, argv, &i, "--outbound", &value, &local)) {
			if (local || !set_once(&args->outbound, "--outbound", value, &local))
				goto fail;
		} else if (option_value(argc, argv, &i, "--br", &value, &local)) {
			if (local || !set_once(&args->bridge, "--br", value, &local))
				goto fail;
		} else if (option_value(argc, argv, &i, "--config", &value, &local)) {
			if (local || !set_once(&args->config, "--config", value, &local))
				goto fail;
		} else if (option_value(argc, argv, &i, "--socket", &value, &local)) {
			if (local || !set_once(&args->socket, "--socket", value, &local))
				goto fail;
		} else if (option_value(argc, argv, &i, "--acl", &value, &local)) {
			if (local || !set_once(&args->acl, "--acl", value, &local))
				goto fail;
		} else if (option_value(argc, argv, &i, "--fd", &value, &local)) {
			g_autofree char *shown = NULL;

			if (local)
				goto fail;
			if (args->fd != -1) {
				g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
					    "option --fd given twice");
				return false;
			}
			if (!parse_fd_number(value, &args->fd)) {
				shown = g_strescape(value, NULL);
				args->fd = -1;
				g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
					    "--fd=%s is not a file descriptor number",
					    shown);
				return false;
			}
		} else {
			g_autofree char *shown = g_strescape(arg, NULL);

			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "unknown argument `%s' (see --help)", shown);
			return false;
		}
		continue;
fail:
		g_propagate_error(error, local);
		return false;
	}
	return true;
}

/**
 * helper_args_clear() - free what helper_args_parse() allocated
 * @args:	parsed arguments
 */
void helper_args_clear(struct helper_args *args)
{
	g_clear_pointer(&args->bridge, g_free);
	g_clear_pointer(&args->config, g_free);
	g_clear_pointer(&args->acl, g_free);
	g_clear_pointer(&args->socket, g_free);
	g_clear_pointer(&args->mtu, g_free);
	g_clear_pointer(&args->inbound, g_free);
	g_clear_pointer(&args->outbound, g_free);
	g_clear_pointer(&args->hostfwds, g_ptr_array_unref);
}
