/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuse-stuck.c - a FUSE file whose close never ends, passed to tapwardend.
 *
 *   fuse-stuck SOCKET COUNT [PAUSE_MS]
 *
 * What any unprivileged user can do (tests/integration/hostile_fds.sh): in
 * a user and mount namespace of its own it mounts a FUSE file system served
 * by its own child, whose one file `f' can be opened but whose FLUSH (sent
 * by the kernel on every close() of a descriptor of it, in the closing
 * task, and waited for uninterruptibly: flush is a forced request) is
 * never answered, except for this program's own closes. It then makes
 * COUNT connections to the broker at SOCKET, each passing a new descriptor
 * of `f' with a REQ_LIST (which carries none, so the broker refuses and
 * closes it), PAUSE_MS apart (default 0), and prints for each `answered',
 * `closed' (turned away) or `silent' (no answer in 2 s), then `flushes N' (how many FLUSH requests from others
 * the server holds) and `ready'. It keeps the mount, and every held
 * FLUSH, until its standard input closes or it is killed; then the
 * server's end of /dev/fuse closes, the kernel aborts the connection and
 * every close waiting on it returns.
 *
 * The server is the minimum the kernel needs: INIT, LOOKUP of `f',
 * GETATTR, OPEN, RELEASE; everything else gets ENOSYS.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/fuse.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define FILE_NODE 2

/**
 * die() - print a line and exit 2
 * @what:	what failed (errno is appended)
 */
static void die(const char *what)
{
	fprintf(stderr, "fuse-stuck: %s: %s\n", what, strerror(errno));
	exit(2);
}

/**
 * write_file() - write @text to @path
 * @path:	a /proc file
 * @text:	its new content
 */
static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		die(path);
	close(fd);
}

/**
 * reply() - answer request @unique with @error and @len bytes of @out
 * @dev:	/dev/fuse
 * @unique:	the request
 * @error:	0 or -errno
 * @out:	the answer's body, or NULL
 * @len:	its size
 */
static void reply(int dev, uint64_t unique, int error, const void *out,
		  size_t len)
{
	char buf[sizeof(struct fuse_out_header) + 256];
	struct fuse_out_header h = {
		.len = (uint32_t)(sizeof(h) + len), .error = error,
		.unique = unique,
	};

	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), out, len);
	if (write(dev, buf, h.len) < 0 && errno != ENOENT)
		die("write /dev/fuse");
}

/**
 * fill_attr() - the attributes of the root (a directory) or of `f'
 * @node:	node id
 * @attr:	filled in
 */
static void fill_attr(uint64_t node, struct fuse_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	attr->ino = node;
	attr->mode = node == FILE_NODE ? S_IFREG | 0666 : S_IFDIR | 0755;
	attr->nlink = 1;
}

/**
 * serve() - the FUSE server: answer everything but others' FLUSH
 * @dev:	/dev/fuse
 * @own:	this program's pid: its own closes are answered
 * @report:	a pipe: one byte per FLUSH held
 */
static void serve(int dev, pid_t own, int report)
{
	static char buf[FUSE_MIN_READ_BUFFER + 1024 * 1024];

	for (;;) {
		ssize_t n = read(dev, buf, sizeof(buf));
		struct fuse_in_header *in = (struct fuse_in_header *)buf;
		void *arg = buf + sizeof(*in);

		if (n < 0 && (errno == EINTR || errno == ENOENT))
			continue;
		if (n < (ssize_t)sizeof(*in))
			exit(0);	/* unmounted */
		switch (in->opcode) {
		case FUSE_INIT: {
			struct fuse_init_out out = {
				.major = FUSE_KERNEL_VERSION,
				.minor = FUSE_KERNEL_MINOR_VERSION,
				.max_readahead = 4096, .max_write = 4096,
				.max_background = 16,
				.congestion_threshold = 12, .time_gran = 1,
			};

			reply(dev, in->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_LOOKUP: {
			struct fuse_entry_out out = { .nodeid = FILE_NODE };

			if (in->nodeid != FUSE_ROOT_ID || strcmp(arg, "f")) {
				reply(dev, in->unique, -ENOENT, NULL, 0);
				break;
			}
			out.entry_valid = out.attr_valid = 3600;
			fill_attr(FILE_NODE, &out.attr);
			reply(dev, in->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_GETATTR: {
			struct fuse_attr_out out = { .attr_valid = 3600 };

			fill_attr(in->nodeid, &out.attr);
			reply(dev, in->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_OPEN:
		case FUSE_OPENDIR: {
			struct fuse_open_out out = { .fh = 1 };

			reply(dev, in->unique, 0, &out, sizeof(out));
			break;
		}
		case FUSE_FLUSH:
			if ((pid_t)in->pid == own) {
				reply(dev, in->unique, 0, NULL, 0);
			} else if (write(report, "f", 1) < 0) {
				die("report");
			}
			break;	/* anybody else's: never answered */
		case FUSE_INTERRUPT:
		case FUSE_FORGET:
		case FUSE_BATCH_FORGET:
			break;	/* no answer expected */
		case FUSE_RELEASE:
		case FUSE_RELEASEDIR:
		case FUSE_DESTROY:
			reply(dev, in->unique, 0, NULL, 0);
			break;
		default:
			reply(dev, in->unique, -ENOSYS, NULL, 0);
		}
	}
}

/**
 * pass_one() - one connection to the broker passing a descriptor of @file
 * @sock_path:	the broker's socket
 * @file:	the FUSE file
 *
 * Return: "answered", "closed" or "silent".
 */
static const char *pass_one(const char *sock_path, const char *file)
{
	/* REQ_LIST: magic "TWBR", version 1, type 2, length 12 */
	uint32_t req[3] = { 0x52425754, 1u | (2u << 16), 12 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = req, .iov_len = sizeof(req) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *c;
	char answer[4096];
	struct pollfd p;
	int sock, fd;
	ssize_t n;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(file);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path);
	if (sock < 0 || connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(fd);
		if (sock >= 0)
			close(sock);
		return "closed";	/* turned away before accept */
	}
	memset(&control, 0, sizeof(control));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	n = sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);	/* our own FLUSH is answered */
	if (n < 0) {
		close(sock);
		return "closed";
	}
	p = (struct pollfd){ .fd = sock, .events = POLLIN };
	if (poll(&p, 1, 2000) != 1) {
		close(sock);
		return "silent";
	}
	n = recv(sock, answer, sizeof(answer), MSG_DONTWAIT);
	close(sock);
	return n > 0 ? "answered" : "closed";
}

int main(int argc, char *argv[])
{
	char dir[] = "/tmp/fuse-stuck.XXXXXX", file[64], opts[128], map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	int dev, report[2], count, pause_ms, held = 0;
	pid_t own = getpid(), server;
	struct pollfd p;
	char c;

	if (argc < 3 || argc > 4 || (count = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: fuse-stuck SOCKET COUNT [PAUSE_MS]\n");
		return 2;
	}
	pause_ms = argc == 4 ? atoi(argv[3]) : 0;
	if (!mkdtemp(dir))
		die("mkdtemp");
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		die("unshare (user and mount namespaces)");
	write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	write_file("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	write_file("/proc/self/gid_map", map);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("/dev/fuse");
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0",
		 dev);
	if (mount("fuse-stuck", dir, "fuse", MS_NOSUID | MS_NODEV, opts) < 0)
		die("mount fuse");
	if (pipe2(report, O_CLOEXEC) < 0)
		die("pipe");
	server = fork();
	if (server < 0)
		die("fork");
	if (server == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(report[0]);
		serve(dev, own, report[1]);
	}
	close(report[1]);
	snprintf(file, sizeof(file), "%s/f", dir);
	for (int i = 0; i < count; i++) {
		printf("%s\n", pass_one(argv[1], file));
		fflush(stdout);
		usleep((useconds_t)pause_ms * 1000);
	}
	/* the FLUSHes the server holds: wait a moment for the last ones */
	p = (struct pollfd){ .fd = report[0], .events = POLLIN };
	while (poll(&p, 1, 1000) == 1 && read(report[0], &c, 1) == 1)
		held++;
	printf("flushes %d\nready\n", held);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	kill(server, SIGKILL);
	return 0;
}
