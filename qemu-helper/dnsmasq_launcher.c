/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dnsmasq_launcher.c - the process that starts and stops dnsmasq for the
 * broker.
 *
 * The broker never calls execve (its seccomp allow-list forbids it) and
 * holds no CAP_KILL, yet each NAT network needs a dnsmasq. So tapwardend
 * forks this launcher at start-up, before any confinement, and talks to it
 * over a SOCK_SEQPACKET socketpair. The launcher accepts only two requests
 * (struct dnsmasq_request, one datagram of exactly that size), checks every
 * field as hostile (names of [A-Za-z0-9_.-], the range inside the subnet
 * and not the gateway), builds dnsmasq's argv itself (dnsmasq_argv()) and
 * answers with struct dnsmasq_reply:
 *
 *   START  find the network's dnsmasq by its marker, `--pid-file=RUN/NET.pid'
 *          in its argv (/proc/PID/cmdline); one with exactly the wanted argv
 *          is adopted, any other is stopped; then fork + exec a new one. The
 *          reply carries a pidfd (pidfd_open() right after fork, before the
 *          child can be reaped, or right after the match for an adopted
 *          one, checked again after it is opened), by SCM_RIGHTS.
 *   STOP   SIGTERM every dnsmasq with the network's marker, SIGKILL after
 *          2 s, remove its pid file.
 *
 * Only a dnsmasq of the launcher's own network namespace counts
 * (in_own_netns()): a broker in another namespace with the same network
 * name and run directory has the same marker, and adopting (or stopping)
 * its dnsmasq would leave one of the two networks without DHCP.
 *
 * So after a broker is killed and started again, a network has exactly one
 * dnsmasq. The launcher reaps its children once a second and exits when
 * the broker's end closes; the dnsmasqs it started keep running (to be
 * adopted by the next broker). dnsmasq runs as the `dnsmasq' user (Debian's
 * dnsmasq-base makes it), else `nobody', with that user's primary group.
 */
#include "dnsmasq_launcher.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "confine.h"
#include "error.h"
#include "nat_nft.h"

#define CMDLINE_MAX 4096
#define STOP_WAIT_MS 2000

/**
 * ipv4_text() - dotted form of a host-order address
 * @addr:	address
 *
 * Return: a new string.
 */
static char *ipv4_text(uint32_t addr)
{
	struct in_addr in = { .s_addr = htonl(addr) };
	char buf[INET_ADDRSTRLEN];

	return g_strdup(inet_ntop(AF_INET, &in, buf, sizeof(buf)));
}

/**
 * request_valid() - is every field of @req in bounds
 * @req:	the request
 * @error:	set with what is wrong
 *
 * Return: true when valid.
 */
static bool request_valid(const struct dnsmasq_request *req, GError **error)
{
	uint32_t mask, net, bcast;

	if (!memchr(req->network, '\0', sizeof(req->network)) ||
	    !nat_nft_name_ok(req->network)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID, "bad network name");
		return false;
	}
	if (req->op == DNSMASQ_STOP)
		return true;
	if (req->op != DNSMASQ_START) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID, "unknown request %u",
			    req->op);
		return false;
	}
	if (!memchr(req->bridge, '\0', sizeof(req->bridge)) ||
	    !nat_nft_name_ok(req->bridge) || req->prefix < 8 || req->prefix > 30) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID, "bad bridge or prefix");
		return false;
	}
	mask = ~0u << (32 - req->prefix);
	net = req->gateway & mask;
	bcast = net | ~mask;
	if (req->gateway == net || req->gateway == bcast ||
	    req->first > req->last || (req->first & mask) != net ||
	    (req->last & mask) != net || req->first == net ||
	    req->last == bcast ||
	    (req->gateway >= req->first && req->gateway <= req->last)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "the DHCP range is not inside the subnet or holds the gateway");
		return false;
	}
	return true;
}

/**
 * dnsmasq_user() - the user dnsmasq runs as, and its group
 * @group:	set to the group's name (new string)
 *
 * Return: a new string: "dnsmasq" if that user exists, else "nobody".
 */
static char *dnsmasq_user(char **group)
{
	struct passwd *pw = getpwnam("dnsmasq");
	struct group *gr;

	if (!pw)
		pw = getpwnam("nobody");
	gr = pw ? getgrgid(pw->pw_gid) : NULL;
	*group = g_strdup(gr ? gr->gr_name : "nogroup");
	return g_strdup(pw ? pw->pw_name : "nobody");
}

/**
 * dnsmasq_argv() - dnsmasq's command line for one network
 * @run_dir:	where pid and lease files go (absolute)
 * @req:	a START request
 * @error:	set when @req is not valid
 *
 * Return: a NULL-terminated argv (g_strfreev()), or NULL.
 */
char **dnsmasq_argv(const char *run_dir, const struct dnsmasq_request *req,
		    GError **error)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *gw = NULL, *first = NULL, *last = NULL, *mask = NULL;
	g_autofree char *group = NULL, *user = NULL;

	if (!request_valid(req, error))
		return NULL;
	gw = ipv4_text(req->gateway);
	first = ipv4_text(req->first);
	last = ipv4_text(req->last);
	mask = ipv4_text(~0u << (32 - req->prefix));
	user = dnsmasq_user(&group);
	g_ptr_array_add(argv, g_strdup(DNSMASQ_PATH));
	g_ptr_array_add(argv, g_strdup("--keep-in-foreground"));
	g_ptr_array_add(argv, g_strdup("--conf-file=/dev/null"));
	/* the marker the launcher finds this network's dnsmasq by */
	g_ptr_array_add(argv, g_strdup_printf("--pid-file=%s/%s.pid", run_dir,
					      req->network));
	g_ptr_array_add(argv, g_strdup_printf("--user=%s", user));
	g_ptr_array_add(argv, g_strdup_printf("--group=%s", group));
	g_ptr_array_add(argv, g_strdup("--bind-interfaces"));
	g_ptr_array_add(argv, g_strdup_printf("--interface=%s", req->bridge));
	g_ptr_array_add(argv, g_strdup("--except-interface=lo"));
	g_ptr_array_add(argv, g_strdup_printf("--listen-address=%s", gw));
	g_ptr_array_add(argv, g_strdup("--log-facility=-"));
	g_ptr_array_add(argv, g_strdup("--strict-order"));
	g_ptr_array_add(argv, g_strdup_printf("--dhcp-range=%s,%s,%s,1h",
					      first, last, mask));
	g_ptr_array_add(argv, g_strdup_printf("--dhcp-lease-max=%u",
					      req->last - req->first + 1));
	g_ptr_array_add(argv, g_strdup("--dhcp-no-override"));
	g_ptr_array_add(argv, g_strdup("--dhcp-authoritative"));
	g_ptr_array_add(argv, g_strdup_printf("--dhcp-leasefile=%s/%s.leases",
					      run_dir, req->network));
	g_ptr_array_add(argv, NULL);
	return (char **)g_ptr_array_free(g_steal_pointer(&argv), FALSE);
}

/**
 * read_cmdline() - the argv of process @pid
 * @pid:	process
 *
 * Return: a new NULL-terminated vector, or NULL (gone, kernel thread,
 * zombie, or longer than CMDLINE_MAX).
 */
static char **read_cmdline(pid_t pid)
{
	char path[64], buf[CMDLINE_MAX + 1];
	GPtrArray *argv;
	ssize_t n;
	int fd;

	g_snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0 || n > CMDLINE_MAX || buf[n - 1] != '\0')
		return NULL;
	argv = g_ptr_array_new();
	for (ssize_t i = 0; i < n; i += (ssize_t)strlen(buf + i) + 1)
		g_ptr_array_add(argv, g_strdup(buf + i));
	g_ptr_array_add(argv, NULL);
	return (char **)g_ptr_array_free(argv, FALSE);
}

/**
 * runs_as_dnsmasq() - does @pid run as root or as dnsmasq's own user
 * @pid:	process
 *
 * The argv of a process is whatever its owner passed to execve(): anyone
 * can run a process that looks like a network's dnsmasq. Only root (and
 * the account dnsmasq drops to) can make one of those uids, so a lookalike
 * of another user is neither adopted (it would keep the real dnsmasq from
 * starting) nor counted.
 *
 * Return: true when its real uid is 0 or dnsmasq's.
 */
static bool runs_as_dnsmasq(pid_t pid)
{
	g_autofree char *group = NULL, *user = dnsmasq_user(&group);
	g_autofree char *status = NULL;
	char path[64];
	struct passwd *pw = getpwnam(user);
	const char *line;
	unsigned long uid;

	g_snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!g_file_get_contents(path, &status, NULL, NULL))
		return false;
	line = strstr(status, "\nUid:\t");
	if (!line || sscanf(line, "\nUid:\t%lu", &uid) != 1)
		return false;
	return uid == 0 || (pw && uid == pw->pw_uid);
}

/**
 * in_own_netns() - does @pid live in the launcher's network namespace
 * @pid:	process
 *
 * /proc/PID/ns/net would say, but reading it needs ptrace rights over
 * dnsmasq (another uid, not dumpable), which the launcher does not hold.
 * /proc/PID/net/ shows the entries of PID's network namespace itself, with
 * no such check: each namespace has its own `dev' entry, so the two are
 * the same file exactly when the namespaces are the same.
 *
 * Return: true when they are the same namespace.
 */
static bool in_own_netns(pid_t pid)
{
	struct stat own, theirs;
	char path[64];

	g_snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	return stat("/proc/self/net/dev", &own) == 0 &&
	       stat(path, &theirs) == 0 && own.st_dev == theirs.st_dev &&
	       own.st_ino == theirs.st_ino;
}

/**
 * pidfd_still_runs() - has the process of @pidfd not exited yet
 * @pidfd:	a pidfd
 *
 * What was read of /proc/PID after the pidfd was opened is that
 * process's while it still runs: its pid cannot have been reused.
 *
 * Return: true when it runs.
 */
static bool pidfd_still_runs(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) == 0;
}

/**
 * find_marked() - the processes that are dnsmasq with @marker in argv,
 * running as root or dnsmasq's user, in this network namespace
 * @marker:	"--pid-file=RUN/NET.pid"
 *
 * Return: array of pid_t (GINT_TO_POINTER).
 */
static GPtrArray *find_marked(const char *marker)
{
	GPtrArray *found = g_ptr_array_new();
	DIR *dir = opendir("/proc");
	struct dirent *de;

	while (dir && (de = readdir(dir))) {
		g_auto(GStrv) argv = NULL;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == getpid())
			continue;
		argv = read_cmdline((pid_t)pid);
		if (argv && argv[0] && !strcmp(argv[0], DNSMASQ_PATH) &&
		    g_strv_contains((const char *const *)argv, marker) &&
		    runs_as_dnsmasq((pid_t)pid) && in_own_netns((pid_t)pid))
			g_ptr_array_add(found, GINT_TO_POINTER((int)pid));
	}
	if (dir)
		closedir(dir);
	return found;
}

/**
 * pidfd_open_checked() - a pidfd of @pid, if it still runs @argv
 * @pid:	process
 * @argv:	the argv it must have
 *
 * Return: the pidfd, or -1.
 */
static int pidfd_open_checked(pid_t pid, char **argv)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	g_auto(GStrv) now = NULL;

	if (fd < 0)
		return -1;
	now = read_cmdline(pid);	/* the pid may have been reused */
	if (!now || !g_strv_equal((const char *const *)now,
				  (const char *const *)argv) ||
	    !runs_as_dnsmasq(pid) || !in_own_netns(pid) ||
	    !pidfd_still_runs(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * stop_pid() - SIGTERM @pid, SIGKILL if it is still there after a while
 * @pid:	a dnsmasq found by its marker
 * @marker:	its marker, checked again once its pidfd is open
 */
static void stop_pid(pid_t pid, const char *marker)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	g_auto(GStrv) argv = NULL;

	if (fd < 0)
		return;
	argv = read_cmdline(pid);	/* still the one found? */
	if (!argv || !g_strv_contains((const char *const *)argv, marker) ||
	    !runs_as_dnsmasq(pid) || !in_own_netns(pid) ||
	    !pidfd_still_runs(fd)) {
		close(fd);
		return;
	}
	syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0);
	if (poll(&p, 1, STOP_WAIT_MS) <= 0)
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
	close(fd);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/**
 * stop_marked() - stop every dnsmasq with @marker but @keep
 * @marker:	its marker
 * @keep:	a pid to leave, or 0
 */
static void stop_marked(const char *marker, pid_t keep)
{
	g_autoptr(GPtrArray) found = find_marked(marker);

	for (unsigned int i = 0; i < found->len; i++) {
		pid_t pid = GPOINTER_TO_INT(g_ptr_array_index(found, i));

		if (pid != keep)
			stop_pid(pid, marker);
	}
}

/**
 * spawn() - fork and exec dnsmasq with @argv
 * @argv:	its argv
 * @pidfd:	set to a pidfd of it
 * @error:	set on failure
 *
 * Return: its pid, or -1.
 */
static pid_t spawn(char **argv, int *pidfd, GError **error)
{
	pid_t pid = fork();
	int err;

	if (pid < 0) {
		err = errno;
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "fork: %s",
			    g_strerror(err));
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		setsid();
		signal(SIGPIPE, SIG_DFL);	/* ignored here, not in dnsmasq */
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		/* stdout and stderr: the broker's log */
		execv(argv[0], argv);
		fprintf(stderr, "tapwardend: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	/* before any waitpid: the pid cannot have been reused yet */
	*pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (*pidfd < 0) {
		err = errno;
		kill(pid, SIGKILL);
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "pidfd_open: %s",
			    g_strerror(err));
		return -1;
	}
	return pid;
}

/**
 * send_reply() - answer, with a descriptor or none
 * @sock:	the broker's connection
 * @reply:	the answer
 * @fd:		descriptor to pass, or -1
 */
static void send_reply(int sock, const struct dnsmasq_reply *reply, int fd)
{
	char control[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)reply, .iov_len = sizeof(*reply) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cmsg;

		msg.msg_control = control;
		msg.msg_controllen = sizeof(control);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/**
 * handle() - serve one request
 * @sock:	the broker's connection
 * @run_dir:	the run directory
 * @req:	the request, not yet checked
 */
static void handle(int sock, const char *run_dir,
		   const struct dnsmasq_request *req)
{
	struct dnsmasq_reply reply = { 0 };
	g_autofree char *marker = NULL;
	g_auto(GStrv) argv = NULL;
	GError *error = NULL;
	int pidfd = -1;

	if (!request_valid(req, &error))
		goto fail;
	marker = g_strdup_printf("--pid-file=%s/%s.pid", run_dir, req->network);
	if (req->op == DNSMASQ_STOP) {
		g_autofree char *pid_file = g_strdup_printf("%s/%s.pid", run_dir,
							    req->network);

		stop_marked(marker, 0);
		unlink(pid_file);
		send_reply(sock, &reply, -1);
		return;
	}
	argv = dnsmasq_argv(run_dir, req, &error);
	if (!argv)
		goto fail;
	{
		g_autoptr(GPtrArray) found = find_marked(marker);

		for (unsigned int i = 0; i < found->len && pidfd < 0; i++) {
			pid_t pid = GPOINTER_TO_INT(g_ptr_array_index(found, i));

			pidfd = pidfd_open_checked(pid, argv);
			if (pidfd >= 0) {
				reply.pid = pid;
				reply.adopted = 1;
			}
		}
	}
	stop_marked(marker, reply.adopted ? reply.pid : 0);
	if (!reply.adopted) {
		reply.pid = spawn(argv, &pidfd, &error);
		if (reply.pid < 0)
			goto fail;
	}
	send_reply(sock, &reply, pidfd);
	close(pidfd);
	return;
fail:
	reply.status = EINVAL;
	g_strlcpy(reply.text, error->message, sizeof(reply.text));
	g_error_free(error);
	send_reply(sock, &reply, -1);
}

/**
 * launcher_main() - the launcher's loop: requests, and reaping
 * @sock:	its end of the socketpair
 * @run_dir:	the run directory
 */
G_NORETURN static void launcher_main(int sock, const char *run_dir)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };

	GError *error = NULL;

	prctl(PR_SET_NAME, "tw-dnsmasq-run");
	signal(SIGPIPE, SIG_IGN);
	/* from here on it may start dnsmasq and nothing else (dnsmasq
	 * inherits all of it: docs/security.md) */
	if (!confine_launcher(DNSMASQ_PATH, run_dir, &error)) {
		g_printerr("tapwardend: dnsmasq launcher: %s\n", error->message);
		_exit(1);
	}
	for (;;) {
		struct dnsmasq_request req;
		ssize_t n;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = recv(sock, &req, sizeof(req), MSG_TRUNC);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			_exit(0);	/* the broker is gone */
		if (n < 0)
			continue;
		if ((size_t)n != sizeof(req)) {
			struct dnsmasq_reply reply = { .status = EINVAL };

			g_strlcpy(reply.text, "malformed request", sizeof(reply.text));
			send_reply(sock, &reply, -1);
			continue;
		}
		handle(sock, run_dir, &req);
	}
}

/**
 * dnsmasq_launcher_spawn() - fork the launcher
 * @run_dir:	where dnsmasq's pid and lease files go (absolute; made 0755)
 * @error:	set on failure
 *
 * Call before any thread is started and before confinement.
 *
 * Return: the broker's end of the socketpair, or -1.
 */
int dnsmasq_launcher_spawn(const char *run_dir, GError **error)
{
	int sv[2], err;
	pid_t pid;

	if (!g_path_is_absolute(run_dir) || strlen(run_dir) > 200 ||
	    g_mkdir_with_parents(run_dir, 0755) < 0) {
		err = errno;
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "run directory %s: %s", run_dir,
			    g_path_is_absolute(run_dir) ? g_strerror(err) :
							  "not an absolute path");
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		err = errno;
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "socketpair: %s",
			    g_strerror(err));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(sv[0]);
		close(sv[1]);
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED, "fork: %s",
			    g_strerror(err));
		return -1;
	}
	if (pid == 0) {
		g_autofree char *dir = g_strdup(run_dir);

		close(sv[0]);
		if (dup2(sv[1], 3) < 0)
			_exit(1);
		syscall(SYS_close_range, 4, ~0u, 0);
		fcntl(3, F_SETFD, FD_CLOEXEC);
		launcher_main(3, dir);
	}
	close(sv[1]);
	return sv[0];
}

/**
 * ask() - send @req, wait for the reply and its descriptor
 * @sock:	the launcher's connection
 * @req:	the request
 * @reply:	filled in
 * @fd:		set to the descriptor passed, or -1
 * @error:	set when the launcher does not answer or refuses
 *
 * Return: true on success.
 */
static bool ask(int sock, const struct dnsmasq_request *req,
		struct dnsmasq_reply *reply, int *fd, GError **error)
{
	char control[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = reply, .iov_len = sizeof(*reply) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	*fd = -1;
	if (send(sock, req, sizeof(*req), MSG_NOSIGNAL) != sizeof(*req)) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "the dnsmasq launcher is gone: %s", g_strerror(errno));
		return false;
	}
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (cmsg = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; cmsg;
	     cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS &&
		    cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
	if (n != sizeof(*reply)) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "the dnsmasq launcher did not answer");
		return false;
	}
	reply->text[sizeof(reply->text) - 1] = '\0';
	if (reply->status) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "dnsmasq: %s", reply->text);
		return false;
	}
	return true;
}

/**
 * dnsmasq_launcher_start() - dnsmasq for one network: adopted or started
 * @sock:	the launcher's connection
 * @req:	a START request
 * @pidfd:	set to a pidfd of that dnsmasq
 * @pid:	set to its pid
 * @adopted:	set to true when a running one was kept
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool dnsmasq_launcher_start(int sock, const struct dnsmasq_request *req,
			    int *pidfd, pid_t *pid, bool *adopted,
			    GError **error)
{
	struct dnsmasq_reply reply;

	if (!ask(sock, req, &reply, pidfd, error))
		return false;
	if (*pidfd < 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "the dnsmasq launcher sent no pidfd");
		return false;
	}
	*pid = reply.pid;
	*adopted = reply.adopted;
	return true;
}

/**
 * dnsmasq_launcher_stop() - end a network's dnsmasq
 * @sock:	the launcher's connection
 * @network:	the network
 * @error:	set on failure
 *
 * Return: true when none runs for it any more.
 */
bool dnsmasq_launcher_stop(int sock, const char *network, GError **error)
{
	struct dnsmasq_request req = { .op = DNSMASQ_STOP };
	struct dnsmasq_reply reply;
	int fd;

	g_strlcpy(req.network, network, sizeof(req.network));
	if (!ask(sock, &req, &reply, &fd, error))
		return false;
	if (fd >= 0)
		close(fd);
	return true;
}
