/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * helper_request.c - what every stage of tapwarden-helper does alike.
 *
 * tapwarden-helper is what QEMU executes, and it is kept thin: it links
 * GLib and libseccomp only, so that exec and dynamic linking cost QEMU no
 * more than qemu-bridge-helper does. It reads and checks QEMU's request
 * (helper_request_read()) and serves the broker path itself; the two paths
 * that need more are stage modules it loads from its own directory
 * (helper_run_stage(): dlopen(), in this process, so QEMU's contract holds:
 * one fd on --fd, exit 0 only after it was sent, and the request is read
 * once):
 *   tapwarden-helper-direct.so    direct mode (libnl-route: the tap made here)
 *   tapwarden-helper-usermode.so  user mode (libslirp: the engine process)
 * A module is loaded only for its path, and only when its version is this
 * program's (helper_stage.h). --br's name is checked first (ifname_check(),
 * before any path). Every path ends in helper_send_tap() or helper_die().
 *
 * QEMU waits for the helper's end of its socket to close. When the helper
 * passed that socket on to the broker (helper_request_passed_on()), a copy
 * may live on in flight, unread by a broker that stopped answering, and
 * QEMU would wait for it after the helper exited: helper_die() shuts the
 * socket down, once its line is read.
 */
#include "helper_request.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/socket.h>

#include "config.h"
#include "caller_socket.h"
#include "caller_stderr.h"
#include "confine.h"
#include "error.h"
#include "helper_stage.h"
#include "ifname.h"
#include "rate.h"

/* QEMU's socket, once passed on to the broker; -1 otherwise */
static int passed_on_fd = -1;
/* confine_helper() was done (helper_confine()) */
static bool confined;

/**
 * helper_request_passed_on() - QEMU's socket is about to go to the broker
 * @req:	the request
 */
void helper_request_passed_on(const struct helper_request *req)
{
	passed_on_fd = req->args.fd;
}

/**
 * helper_die() - print one line of error and exit 1
 * @error:	what went wrong; its message is printed
 */
void helper_die(GError *error)
{
	/* one line, and nothing a terminal would interpret, in one write()
	 * (stderr is unbuffered): helpers that fail side by side into one
	 * log do not interleave their lines */
	GString *line = g_string_new("tapwarden: ");

	for (const char *c = error->message; *c; c++)
		g_string_append_c(line, (unsigned char)*c < ' ' || *c == 0x7f ?
				  '?' : *c);
	g_string_append_c(line, '\n');
	fwrite(line->str, 1, line->len, stderr);
	fflush(stderr);
	g_string_free(line, TRUE);
	caller_stderr_wait_read(500);	/* libvirt: before the socket closes */
	if (passed_on_fd >= 0)
		shutdown(passed_on_fd, SHUT_RDWR);
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
 * load_stage() - dlopen() a stage module
 * @module:	its file name
 * @error:	set when no directory holds it, or it does not load
 *
 * The module is looked for next to this program's own file (the build
 * tree, libexecdir, or a copy such as the demo's), then in the libexecdir
 * of the build. What it allocates is freed before it returns: the stage
 * never returns to free it (valgrind would see it lost).
 *
 * Return: the handle, or NULL.
 */
static void *load_stage(const char *module, GError **error)
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	g_autofree char *dir = self ? g_path_get_dirname(self) : NULL;
	const char *const dirs[] = { dir, TAPWARDEN_LIBEXECDIR };

	for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
		g_autofree char *path = NULL;
		void *handle;

		if (!dirs[i])
			continue;
		path = g_build_filename(dirs[i], module, NULL);
		if (!g_file_test(path, G_FILE_TEST_EXISTS))
			continue;
		handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!handle)
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "cannot load %s: %s", path, dlerror());
		return handle;
	}
	g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
		    "cannot find %s (next to tapwarden-helper, or in %s)",
		    module, TAPWARDEN_LIBEXECDIR);
	return NULL;
}

/**
 * helper_run_stage() - serve the request with a stage module
 * @module:	HELPER_STAGE_DIRECT or HELPER_STAGE_USERMODE
 * @req:	the request, read and checked
 *
 * The module (load_stage()) serves in this process and never returns: it
 * sends the tap (helper_send_tap()) or dies (helper_die()).
 */
void helper_run_stage(const char *module, struct helper_request *req)
{
	const struct helper_stage *stage;
	GError *error = NULL;
	void *handle;

	handle = load_stage(module, &error);
	if (!handle)
		helper_die(error);
	stage = dlsym(handle, HELPER_STAGE_SYMBOL);
	if (!stage || strcmp(stage->version, TAPWARDEN_VERSION) ||
	    stage->request_size != sizeof(*req)) {
		g_set_error(&error, TW_ERROR, TW_ERROR_FAILED,
			    "%s is not tapwarden-helper %s's stage (reinstall tapwarden)",
			    module, TAPWARDEN_VERSION);
		helper_die(error);
	}
	stage->serve(req);
	abort();	/* serve() sends the tap and exits, or dies */
}

/**
 * helper_confine() - confine this process (confine_helper()), once; dies
 * on failure
 *
 * The broker path calls it as soon as its request is sent, so that the
 * confinement is done while the broker makes the tap; the others when they
 * hold the tap (helper_send_tap()).
 */
void helper_confine(void)
{
	GError *error = NULL;

	if (confined)
		return;
	if (!confine_helper(&error))
		helper_die(error);
	confined = true;
}

/**
 * helper_send_tap() - confine this process, send the tap to QEMU, exit 0
 * @req:	the request
 * @tap:	the tap to send; closed here
 */
void helper_send_tap(struct helper_request *req, struct tap *tap)
{
	GError *error = NULL;

	passed_on_fd = -1;	/* the tap came: the broker let go of it */
	helper_confine();
	if (!caller_socket_send_fd(req->args.fd, tap->fd, &error))
		helper_die(error);
	tap_close(tap);
	helper_args_clear(&req->args);
	exit(EXIT_SUCCESS);
}
