/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_request.c - what every stage of tapwarden-helper does alike.
 *
 * tapwarden-helper is what QEMU executes, and it is kept thin: it links
 * GLib and libseccomp only, so that exec and dynamic linking cost QEMU no
 * more than qemu-bridge-helper does. It serves the broker path itself; for
 * the two paths that need more it executes a stage program from its own
 * directory, with the same arguments and descriptors (the same process, so
 * QEMU's contract holds: one fd on --fd, exit 0 only after it was sent):
 *   tapwarden-helper-direct    direct mode (libnl-route: the tap made here)
 *   tapwarden-helper-usermode  user mode (libslirp: the engine process)
 * Each stage starts with helper_request_read(), which checks QEMU's request
 * again (the stage trusts nothing the previous one decided but which stage
 * it is), --br's name included (ifname_check(), before any path), and ends
 * in helper_send_tap() or helper_die().
 */
#include "helper_request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>

#include "config.h"
#include "caller_socket.h"
#include "caller_stderr.h"
#include "confine.h"
#include "error.h"
#include "ifname.h"
#include "rate.h"

/**
 * helper_die() - print one line of error and exit 1
 * @error:	what went wrong; its message is printed
 */
void helper_die(GError *error)
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
 * parse_asked_rates() - check --inbound and --outbound
 * @req:	the request; its rates are filled in
 * @error:	set, naming the option, when one is no rate
 *
 * Return: true on success.
 */
static bool parse_asked_rates(struct helper_request *req, GError **error)
{
	if (req->args.inbound &&
	    !rate_parse_bits(req->args.inbound, &req->inbound, error)) {
		g_prefix_error(error, "--inbound: ");
		return false;
	}
	if (req->args.outbound &&
	    !rate_parse_bits(req->args.outbound, &req->outbound, error)) {
		g_prefix_error(error, "--outbound: ");
		return false;
	}
	return true;
}

/**
 * helper_request_read() - parse and check QEMU's request; --help and
 * --version are answered here and exit
 * @argc:	from main()
 * @argv:	from main()
 * @req:	filled in; dies on any error
 */
void helper_request_read(int argc, char *argv[], struct helper_request *req)
{
	GError *error = NULL;

	*req = (struct helper_request){ 0 };
	/* setuid or file capabilities would let any user choose the policy
	 * files (--config, --acl) of a privileged process: refuse to run */
	if (getauxval(AT_SECURE)) {
		g_set_error(&error, TW_ERROR, TW_ERROR_DENIED,
			    "tapwarden-helper must not be setuid or have file capabilities: unprivileged users go through tapwardend");
		helper_die(error);
	}
	if (!helper_args_parse(argc, argv, &req->args, &error))
		helper_die(error);
	if ((req->args.help || req->args.version) &&
	    (req->args.fd >= 0 || req->args.bridge)) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "--help and --version take no --br or --fd");
		helper_die(error);
	}
	if (req->args.help || req->args.version) {
		if (req->args.help)
			fputs(helper_usage, stdout);
		else
			printf("tapwarden-helper %s\n", TAPWARDEN_VERSION);
		helper_args_clear(&req->args);
		exit(EXIT_SUCCESS);
	}
	if (!req->args.bridge) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "missing --br=NAME (see --help)");
		helper_die(error);
	}
	if (req->args.fd < 0) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "missing --fd=N (see --help)");
		helper_die(error);
	}
	/* before any path (user mode, the broker, direct mode) sees it: a
	 * name is refused, never cut (CVE-2019-13164's class) */
	if (!ifname_check(req->args.bridge, &error)) {
		g_prefix_error(&error, "--br: ");
		helper_die(error);
	}
	if (!caller_socket_check(req->args.fd, &req->caller, &req->owner,
				 &error) ||
	    !parse_asked_rates(req, &error))
		helper_die(error);
	req->paths = (struct policy_paths){
		.config = req->args.config ? req->args.config :
			  TAPWARDEN_CONFIG_FILE,
		.config_explicit = req->args.config != NULL,
		.acl = req->args.acl ? req->args.acl : TAPWARDEN_BRIDGE_ACL_FILE,
	};
}

/**
 * helper_user_options() - the user-mode options of the request
 * @req:	the request
 *
 * Return: them; they point into @req.
 */
struct user_options helper_user_options(const struct helper_request *req)
{
	return (struct user_options){
		.hostfwds = (char **)req->args.hostfwds->pdata,
		.mtu = req->args.mtu,
		.no_host_loopback = req->args.no_host_loopback,
	};
}

/**
 * helper_exec_stage() - run a stage program in this process
 * @program:	HELPER_STAGE_DIRECT or HELPER_STAGE_USERMODE
 * @argv:	main()'s arguments, passed on as they are
 *
 * The stage is looked for next to this program's own file (the build
 * tree, or libexecdir), then in the libexecdir of the build.
 */
void helper_exec_stage(const char *program, char *argv[])
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = self ? g_path_get_dirname(self) : NULL;
	const char *dirs[] = { dir, TAPWARDEN_LIBEXECDIR };
	GError *error = NULL;
	int err = ENOENT;

	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree char *path = NULL;

		if (!dirs[i])
			continue;
		path = g_build_filename(dirs[i], program, NULL);
		execv(path, argv);
		if (errno != ENOENT || err == ENOENT)
			err = errno;
	}
	g_set_error(&error, TW_ERROR, TW_ERROR_FAILED,
		    "cannot run %s (next to tapwarden-helper, or in %s): %s",
		    program, TAPWARDEN_LIBEXECDIR, g_strerror(err));
	helper_die(error);
}

/**
 * helper_send_tap() - confine this process, send the tap to QEMU, exit 0
 * @req:	the request
 * @tap:	the tap to send; closed here
 */
void helper_send_tap(struct helper_request *req, struct tap *tap)
{
	GError *error = NULL;

	if (!confine_helper(&error) ||
	    !caller_socket_send_fd(req->args.fd, tap->fd, &error))
		helper_die(error);
	tap_close(tap);
	helper_args_clear(&req->args);
	exit(EXIT_SUCCESS);
}
