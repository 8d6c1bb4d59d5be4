/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * usernet_command.c - `tapwarden usernet PID [OPTION...]`.
 *
 * Gives the network namespace of process PID its network through the same
 * engine as the helper's user mode, as slirp4netns does for rootless
 * containers: a tap (default name tap0) in that namespace, configured
 * (SLIRP_NETNS_ADDRESS/24, default route via 10.0.2.2, MTU, lo up; IPv6 by
 * libslirp's router advertisements), with libslirp behind it in this
 * process's own namespace. Here the engine holds the tap itself, so the
 * pump reads and writes its descriptor (slirp_pump_new_tap()), with
 * virtio-net headers and offloads: the namespace's stack sends 64 KiB
 * super-frames whatever its MTU, and gets libslirp's segments joined.
 *
 * The order keeps failures clean: options are checked, PID is pinned with a
 * pidfd and its namespaces opened (then PID is checked to still be the same
 * process), the tap is made, the engine built (a forwarded port in use fails
 * here), the process confined as the helper's engine is (policy/confine.c),
 * and only then is readiness reported (--ready-fd). The command runs
 * until PID exits (its pidfd becomes readable), then exits 0; the tap goes
 * with it.
 *
 * A namespace is given its network by its own user: when PID's user
 * namespace is not ours, its owner must be us. Root's usernet in a user's
 * namespace would leave a process of root's in a namespace that user
 * controls (its child that makes the tap there, and an engine running as
 * root for the user's frames), so it is refused, with who should run it.
 */
#include "usernet_command.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/nsfs.h>

#include "confine.h"
#include "error.h"
#include "slirp.h"
#include "slirp_netns.h"
#include "slirp_pump.h"
#include "user_network.h"

/**
 * struct usernet_options - the command line
 * @hostfwds:	--hostfwd=, repeatable
 * @mtu:	--mtu=
 * @no_host_loopback: --no-host-loopback
 * @tap:	--tap=NAME
 * @ready_fd:	--ready-fd=N, -1 if not given
 */
struct usernet_options {
	char **hostfwds;
	char *mtu;
	gboolean no_host_loopback;
	char *tap;
	int ready_fd;
};

/**
 * usernet_fail() - print one line of error
 * @error:	what went wrong (freed)
 *
 * Return: EXIT_FAILURE.
 */
static int usernet_fail(GError *error)
{
	fputs("tapwarden: ", stderr);
	for (const char *c = error->message; *c; c++)
		fputc((unsigned char)*c < ' ' || *c == 0x7f ? '?' : *c, stderr);
	fputc('\n', stderr);
	g_error_free(error);
	return EXIT_FAILURE;
}

/**
 * parse_pid() - PID argument, strictly
 * @text:	the argument
 * @pid:	set on success
 *
 * Return: true when @text is a positive decimal number.
 */
static bool parse_pid(const char *text, pid_t *pid)
{
	guint64 value;

	if (!g_ascii_isdigit(text[0]) ||
	    !g_ascii_string_to_unsigned(text, 10, 1, G_MAXINT32, &value, NULL))
		return false;
	*pid = (pid_t)value;
	return true;
}

/**
 * open_namespaces() - pin PID and open its user and network namespaces
 * @pid:	the process
 * @pidfd:	set to its pidfd
 * @userns_fd:	set to its user namespace, or -1 when it is ours
 * @netns_fd:	set to its network namespace
 * @error:	set on failure; also when its user namespace is another
 *		user's
 *
 * Return: true on success.
 */
static bool open_namespaces(pid_t pid, int *pidfd, int *userns_fd,
			    int *netns_fd, GError **error)
{
	g_autofree char *user_path = g_strdup_printf("/proc/%d/ns/user", pid);
	g_autofree char *net_path = g_strdup_printf("/proc/%d/ns/net", pid);
	struct stat theirs, ours;
	uid_t owner;

	*pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (*pidfd < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_NOT_FOUND,
			    "no process %d: %s", pid, g_strerror(errno));
		return false;
	}
	*netns_fd = open(net_path, O_RDONLY | O_CLOEXEC);
	*userns_fd = open(user_path, O_RDONLY | O_CLOEXEC);
	if (*netns_fd < 0 || *userns_fd < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "cannot open the namespaces of process %d: %s",
			    pid, g_strerror(errno));
		return false;
	}
	/* the namespaces are PID's only if PID has not been replaced since */
	if (syscall(SYS_pidfd_send_signal, *pidfd, 0, NULL, 0) < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_NOT_FOUND,
			    "process %d has exited", pid);
		return false;
	}
	if (fstat(*userns_fd, &theirs) == 0 &&
	    stat("/proc/self/ns/user", &ours) == 0 &&
	    theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev) {
		close(*userns_fd);
		*userns_fd = -1;
		return true;
	}
	if (ioctl(*userns_fd, NS_GET_OWNER_UID, &owner) < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "cannot tell whose user namespace process %d is in: %s",
			    pid, g_strerror(errno));
		return false;
	}
	if (owner != geteuid()) {
		g_set_error(error, TW_ERROR, TW_ERROR_DENIED,
			    "process %d is in a user namespace of uid %u: run tapwarden usernet as that user, not as uid %u",
			    pid, (unsigned int)owner, (unsigned int)geteuid());
		return false;
	}
	return true;
}

/**
 * usernet_command() - `tapwarden usernet PID [OPTION...]`
 * @argc:	argument count, from "usernet" on
 * @argv:	arguments, argv[0] being "usernet"
 *
 * Return: the exit status.
 */
int usernet_command(int argc, char **argv)
{
	struct usernet_options opts = { .ready_fd = -1 };
	GOptionEntry entries[] = {
		{ "hostfwd", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opts.hostfwds,
		  "forward a host port to the namespace (QEMU's hostfwd syntax; repeatable)",
		  "[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT" },
		{ "mtu", 0, 0, G_OPTION_ARG_STRING, &opts.mtu,
		  "MTU, 1280 to 65520 (default 1500)", "N" },
		{ "no-host-loopback", 0, 0, G_OPTION_ARG_NONE,
		  &opts.no_host_loopback,
		  "10.0.2.2 does not reach the host's 127.0.0.1", NULL },
		{ "tap", 0, 0, G_OPTION_ARG_STRING, &opts.tap,
		  "name of the tap in the namespace (default tap0)", "NAME" },
		{ "ready-fd", 0, 0, G_OPTION_ARG_INT, &opts.ready_fd,
		  "write \"1\" to descriptor N once the network works", "N" },
		{ 0 },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(
		"PID - give the network namespace of PID a user-mode network");
	struct slirp_netns_link link = { .tap_fd = -1, .packet_fd = -1,
					 .keeper_fd = -1 };
	int pidfd = -1, userns_fd = -1, netns_fd = -1, status = EXIT_FAILURE;
	g_autoptr(slirp_engine) engine = NULL;
	g_autoptr(network) net = network_new();
	struct slirp_settings settings;
	struct user_options user_opts;
	struct slirp_pump *pump;
	struct in_addr guest;
	GError *error = NULL;
	pid_t pid;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_summary(ctx,
		"The namespace gets a tap with " SLIRP_NETNS_ADDRESS "/24, gateway "
		SLIRP_GATEWAY ", DNS " SLIRP_DNS ", IPv6 " SLIRP_PREFIX6 "/64;\n"
		"the command runs until PID exits.");
	if (!g_option_context_parse(ctx, &argc, &argv, &error))
		return usernet_fail(error);
	if (argc != 2 || !parse_pid(argv[1], &pid)) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "usage: tapwarden usernet PID [OPTION...] (see --help)");
		goto out;
	}
	if (opts.tap && !opts.tap[0]) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "--tap needs a name");
		goto out;
	}
	user_opts = (struct user_options){
		.hostfwds = opts.hostfwds,
		.mtu = opts.mtu,
		.no_host_loopback = opts.no_host_loopback,
	};
	g_strlcpy(net->name, "usernet", sizeof(net->name));
	if (!user_network_apply(net, &user_opts, &error))
		goto out;
	inet_pton(AF_INET, SLIRP_NETNS_ADDRESS, &guest);
	user_network_settings(net, guest, &settings);

	if (!open_namespaces(pid, &pidfd, &userns_fd, &netns_fd, &error))
		goto out;
	if (!slirp_netns_join(userns_fd, netns_fd,
			      opts.tap ? opts.tap : "tap0", settings.mtu,
			      &link, &error))
		goto out;
	if (fcntl(link.tap_fd, F_SETFL, O_NONBLOCK) < 0) {
		g_set_error(&error, TW_ERROR, TW_ERROR_KERNEL,
			    "cannot make the tap non-blocking: %s",
			    g_strerror(errno));
		goto out;
	}
	pump = slirp_pump_new_tap(link.tap_fd, settings.mtu, link.vnet_hdr,
				  &error);
	link.tap_fd = -1;
	if (!pump)
		goto out;
	engine = slirp_engine_new(&settings, pump, &error);
	if (!engine || !confine_usermode_engine(&error))
		goto out;

	if (opts.ready_fd >= 0) {
		(void)!write(opts.ready_fd, "1", 1);
		close(opts.ready_fd);
	}
	if (slirp_engine_run(engine, pidfd, &error))
		status = EXIT_SUCCESS;
out:
	if (error)
		status = usernet_fail(error);
	slirp_netns_link_clear(&link);
	if (pidfd >= 0)
		close(pidfd);
	if (userns_fd >= 0)
		close(userns_fd);
	if (netns_fd >= 0)
		close(netns_fd);
	g_strfreev(opts.hostfwds);
	g_free(opts.mtu);
	g_free(opts.tap);
	return status;
}
