/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run-like-qemu.c - run a bridge helper exactly as QEMU does, and check
 * what it hands back.
 *
 * Usage: run-like-qemu [--repeat=N] [--quiet] [--pass-fd] HELPER BRIDGE
 *                      [-- COMMAND...]
 *
 * The launch copies QEMU's net_bridge_run_helper() (net/tap.c): SIGCHLD
 * blocked, a socketpair, fork, every other descriptor closed in the child,
 * then `HELPER --use-vnet --fd=N --br=BRIDGE` by execv, or, when HELPER
 * contains a space or a tab, `/bin/sh -c "HELPER --use-vnet --fd=N
 * --br=BRIDGE"` (--br left out when HELPER already has one); then one
 * recvmsg() for one descriptor and a waitpid() (only the received control
 * message is checked more strictly than QEMU does). The descriptor is checked
 * with TUNGETIFF and described on stdout as key=value lines:
 *
 *   ifname=tw0  tap=1  no_pi=1  vnet_hdr=1  helper_status=0  usec=1234
 *
 * With COMMAND, it runs while the tap is held open (TW_TAP=ifname in its
 * environment) and the tap is closed after it exits. With --pass-fd,
 * COMMAND also inherits the descriptor itself, as TW_TAP_FD=N, to send and
 * receive frames as a guest would (then the tap lives as long as COMMAND's
 * descendants hold it, too). --repeat=N launches N times in a row,
 * closing each tap before the next (with --hold: keeping them all open to
 * the end), and prints usec= per launch (the benchmarks' measurement).
 *
 * Exit status: COMMAND's status (0 without COMMAND) on success; 10 when the
 * helper sent no descriptor, 11 when it sent one but exited non-zero, 12
 * when the descriptor is not a tap, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <net/if.h>
#include <linux/if_tun.h>

enum {
	EXIT_USAGE = 2,
	EXIT_NO_FD = 10,
	EXIT_HELPER_FAILED = 11,
	EXIT_NOT_A_TAP = 12,
};

/* close_all_but() - close every descriptor above 2 except @keep (QEMU's
 * close_all_open_fd()) */
static void close_all_but(int keep)
{
	for (int fd = 3; fd < 1024; fd++)
		if (fd != keep)
			close(fd);
}

/* exec_helper() - in the child: exec the helper the way QEMU does */
static void exec_helper(const char *helper, const char *bridge, int fd)
{
	char fd_buf[32], *br_buf = NULL, *cmd = NULL;

	snprintf(fd_buf, sizeof(fd_buf), "--fd=%d", fd);
	if (strchr(helper, ' ') || strchr(helper, '\t')) {
		if (!strstr(helper, "--br=") &&
		    asprintf(&br_buf, "--br=%s", bridge) < 0)
			_exit(1);
		if (asprintf(&cmd, "%s %s %s %s", helper, "--use-vnet", fd_buf,
			     br_buf ? br_buf : "") < 0)
			_exit(1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	} else {
		if (asprintf(&br_buf, "--br=%s", bridge) < 0)
			_exit(1);
		execl(helper, helper, "--use-vnet", fd_buf, br_buf,
		      (char *)NULL);
	}
	_exit(1);
}

/* recv_fd() - QEMU's recv_fd(): one descriptor, 1-byte payload */
static int recv_fd(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	char payload[1];
	struct iovec iov = { .iov_base = payload, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t len;
	int fd;

	do {
		len = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (len < 0 && errno == EINTR);
	if (len <= 0)
		return -1;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET ||
	    cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(fd));
	return fd;
}

/* wait_for() - waitpid() retried on EINTR only, as QEMU does; a child
 * reaped elsewhere (SIGCHLD ignored) counts as a failure */
static void wait_for(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) != pid) {
		if (errno != EINTR) {
			*status = 255 << 8;
			return;
		}
	}
}

/* launch() - one helper run; returns the fd or -1, and its exit status */
static int launch(const char *helper, const char *bridge, int *status)
{
	sigset_t mask, old;
	int sv[2], fd;
	pid_t pid;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &old);
	if (socketpair(PF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		exit(EXIT_USAGE);
	}
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(EXIT_USAGE);
	}
	if (pid == 0) {
		close_all_but(sv[1]);
		exec_helper(helper, bridge, sv[1]);
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	close(sv[0]);
	wait_for(pid, status);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return fd;
}

static long long now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(int argc, char *argv[])
{
	const char *helper, *bridge;
	int repeat = 1, quiet = 0, hold = 0, pass_fd = 0, argi = 1, status = 0;
	int fd = -1;
	char **command = NULL;
	struct ifreq ifr;

	for (; argi < argc && !strncmp(argv[argi], "--", 2) &&
	       strcmp(argv[argi], "--"); argi++) {
		if (!strncmp(argv[argi], "--repeat=", 9))
			repeat = atoi(argv[argi] + 9);
		else if (!strcmp(argv[argi], "--quiet"))
			quiet = 1;
		else if (!strcmp(argv[argi], "--hold"))
			hold = 1;
		else if (!strcmp(argv[argi], "--pass-fd"))
			pass_fd = 1;
		else
			break;
	}
	if (argc - argi < 2 || repeat < 1) {
		fprintf(stderr, "usage: run-like-qemu [--repeat=N] [--hold] [--quiet] [--pass-fd] HELPER BRIDGE [-- COMMAND...]\n");
		return EXIT_USAGE;
	}
	helper = argv[argi];
	bridge = argv[argi + 1];
	if (argc - argi > 2) {
		if (strcmp(argv[argi + 2], "--") || argc - argi < 4) {
			fprintf(stderr, "run-like-qemu: expected -- COMMAND\n");
			return EXIT_USAGE;
		}
		command = &argv[argi + 3];
	}

	for (int i = 0; i < repeat; i++) {
		long long start;

		if (fd >= 0 && !hold)
			close(fd);	/* the kernel removes the tap here */
		start = now_usec();
		fd = launch(helper, bridge, &status);
		if (repeat > 1 || !quiet)
			printf("usec=%lld\n", now_usec() - start);
		if (fd < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			break;
	}
	printf("helper_status=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) :
	       128 + WTERMSIG(status));
	if (fd < 0) {
		printf("fd=none\n");
		return EXIT_NO_FD;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("fd=received-from-failed-helper\n");
		return EXIT_HELPER_FAILED;
	}
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		printf("fd=not-a-tap\n");
		return EXIT_NOT_A_TAP;
	}
	printf("ifname=%s\ntap=%d\nno_pi=%d\nvnet_hdr=%d\n", ifr.ifr_name,
	       !!(ifr.ifr_flags & IFF_TAP), !!(ifr.ifr_flags & IFF_NO_PI),
	       !!(ifr.ifr_flags & IFF_VNET_HDR));
	fflush(stdout);

	if (command) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return EXIT_USAGE;
		}
		if (pid == 0) {
			char fd_text[16];

			setenv("TW_TAP", ifr.ifr_name, 1);
			if (pass_fd) {
				snprintf(fd_text, sizeof(fd_text), "%d", fd);
				setenv("TW_TAP_FD", fd_text, 1);
				fcntl(fd, F_SETFD, 0);	/* COMMAND inherits it */
			}
			execvp(command[0], command);
			perror(command[0]);
			_exit(127);
		}
		wait_for(pid, &status);
		close(fd);
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	close(fd);
	return 0;
}
