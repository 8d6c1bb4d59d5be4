/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * user_mode.c - the helper's user mode: a tap with libslirp behind it.
 *
 * DESIGN.md section 5. For a user-mode network the helper needs no
 * privilege and no broker. user_mode_start() forks the engine process,
 * which:
 *   1. detaches (own session, / as cwd, stdin and stdout /dev/null, every
 *      inherited descriptor closed but stderr): it outlives the helper and
 *      must hold nothing of QEMU's but the tap's traffic. stderr stays only
 *      if it is a terminal or a file: a pipe or socket is read to its end
 *      by whoever runs the helper (libvirt waits for that before it starts
 *      QEMU), so the engine must not keep it open;
 *   2. has slirp_netns_new_private() make a user and a network namespace
 *      with the tap in it (plus a keeper process that makes them visible);
 *   3. builds the libslirp engine on an AF_PACKET pump bound to that tap,
 *      forwards included, so that a bad port fails now;
 *   4. confines itself (policy/confine.c: no capability, no file, its
 *      allow-list; the keeper confines itself too), and only then answers
 *      the helper with the tap (slirp_reply.h), closes its own copy of it,
 *      and runs the engine.
 * The helper sends the tap to QEMU. From then on QEMU's descriptor is the
 * only one: when QEMU exits (or the helper fails to send it) the kernel
 * removes the tap, the packet socket reports ENETDOWN, the engine returns
 * and exits, the keeper follows, and the namespaces go with them. On any
 * failure before the answer the engine exits and the helper reaps it, so a
 * refusal leaves no process and no namespace.
 */
#include "user_mode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "caller_socket.h"
#include "confine.h"
#include "error.h"
#include "slirp.h"
#include "slirp_netns.h"
#include "slirp_reply.h"
#include "user_network.h"

/**
 * engine_detach() - leave the helper's session and descriptors behind
 * @sock:	the one descriptor to keep (besides stderr); moved to 3
 *
 * Return: the kept descriptor's new number.
 */
static int engine_detach(int sock)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct stat err;

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (fstat(STDERR_FILENO, &err) == 0 &&
		    (S_ISFIFO(err.st_mode) || S_ISSOCK(err.st_mode)))
			dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (sock != 3) {
		dup3(sock, 3, O_CLOEXEC);
		close(sock);
	}
	close_range(4, ~0u, 0);
	(void)setsid();
	(void)!chdir("/");
	return 3;
}

/**
 * engine_main() - the engine process; never returns
 * @sock:	its end of the socket pair to the helper
 * @net:	the user-mode network
 * @use_vnet:	QEMU's --use-vnet: a tap with virtio-net headers
 */
G_NORETURN static void engine_main(int sock, const struct network *net,
				   bool use_vnet)
{
	struct slirp_netns_link link = { .tap_fd = -1, .packet_fd = -1,
					 .keeper_fd = -1 };
	g_autoptr(slirp_engine) engine = NULL;
	struct slirp_settings settings;
	struct slirp_pump *pump;
	struct in_addr guest;
	GError *error = NULL;

	sock = engine_detach(sock);
	inet_pton(AF_INET, SLIRP_DHCP_START, &guest);
	user_network_settings(net, guest, &settings);
	if (!slirp_netns_new_private(settings.mtu, use_vnet,
				     confine_usermode_keeper, &link, &error))
		goto fail;
	pump = slirp_pump_new_packet(link.packet_fd, link.ifindex,
				     settings.mtu, &error);
	link.packet_fd = -1;
	if (!pump)
		goto fail;
	engine = slirp_engine_new(&settings, pump, &error);
	if (!engine || !confine_usermode_engine(&error))
		goto fail;

	slirp_reply_send(sock, 0, &link.tap_fd, 1);
	close(sock);
	close(link.tap_fd);
	link.tap_fd = -1;
	if (!slirp_engine_run(engine, -1, &error)) {
		fprintf(stderr, "tapwarden: user mode %s: %s\n", net->name,
			error->message);
		g_error_free(error);
	}
	g_clear_pointer(&engine, slirp_engine_free);
	slirp_netns_link_clear(&link);
	_exit(0);
fail:
	slirp_reply_send_error(sock, error);
	g_error_free(error);
	slirp_netns_link_clear(&link);
	_exit(1);
}

/**
 * user_mode_serve() - serve QEMU a tap on a user-mode network
 * @net:	the network (from user_network_lookup())
 * @opts:	the caller's user-mode options
 * @use_vnet:	QEMU's --use-vnet
 * @qemu_sock:	QEMU's socket (--fd), already checked
 * @confine_self: confines this process once it holds the tap, before it
 *		sends it
 * @error:	set on failure; then QEMU got no descriptor and nothing is left
 *
 * Return: true once QEMU has the tap and the engine runs.
 */
bool user_mode_serve(struct network *net, const struct user_options *opts,
		     bool use_vnet, int qemu_sock,
		     bool (*confine_self)(GError **error), GError **error)
{
	pid_t engine;
	int tap_fd;
	bool sent;

	if (!user_network_apply(net, opts, error))
		return false;
	if (!user_mode_start(net, use_vnet, &tap_fd, &engine, error))
		return false;
	/* if this fails, closing the tap ends the engine */
	sent = confine_self(error) &&
	       caller_socket_send_fd(qemu_sock, tap_fd, error);
	close(tap_fd);
	return sent;
}

/**
 * user_mode_start() - start the engine of a user-mode network
 * @net:	the network, with the caller's options applied
 * @use_vnet:	QEMU's --use-vnet: a tap with virtio-net headers
 * @tap_fd:	set to the tap to send to QEMU, on success
 * @engine_pid:	set to the engine process, on success
 * @error:	set on failure; then no process or namespace is left
 *
 * Return: true on success.
 */
bool user_mode_start(const struct network *net, bool use_vnet, int *tap_fd,
		     pid_t *engine_pid, GError **error)
{
	int pair[2], status;
	int32_t unused;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
			    "socketpair: %s", g_strerror(errno));
		return false;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL, "fork: %s",
			    g_strerror(errno));
		close(pair[0]);
		close(pair[1]);
		return false;
	}
	if (pid == 0) {
		close(pair[0]);
		engine_main(pair[1], net, use_vnet);
	}
	close(pair[1]);
	if (!slirp_reply_receive(pair[0], &unused, tap_fd, 1, error)) {
		close(pair[0]);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(status)) {	/* e.g. its seccomp filter */
			g_clear_error(error);
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "user mode: the engine killed by signal %d (%s)",
				    WTERMSIG(status), strsignal(WTERMSIG(status)));
		}
		return false;
	}
	close(pair[0]);
	*engine_pid = pid;
	return true;
}
