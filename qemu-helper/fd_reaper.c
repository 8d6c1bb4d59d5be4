/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fd_reaper.c - close what a client controls, in a process the broker
 * never waits for.
 *
 * A descriptor received with SCM_RIGHTS can be anything the sender opened,
 * and closing it can block the task that closes:
 *  * a file on the sender's own FUSE mount: every close() sends FLUSH to
 *    the sender's server and waits for the answer, uninterruptibly (flush
 *    is a forced request: not even SIGKILL ends the wait once the server
 *    has read it), for as long as the server likes;
 *  * the last reference to a TCP socket with SO_LINGER and unsent data:
 *    tcp_close() waits up to the linger time (interruptibly);
 *  * a unix socket (a client's connection, or one it passed) whose queue
 *    holds descriptors in flight: closing it drops them, and whoever drops
 *    the last reference of one of the above waits.
 * The wait happens in the task that removes the descriptor from its table
 * (close(), and also exit()), even when the descriptor was handed on with
 * SCM_RIGHTS first: FLUSH is sent on every close, not only the last. So
 * the broker never closes such a descriptor itself, on any thread.
 *
 * The closer is a child process that shares the broker's descriptor table
 * (clone(CLONE_FILES), its own memory): the broker writes a descriptor's
 * number into a pipe, one at a time (so that none is committed to a closer
 * before its turn), the closer close()s it, so the wait, if any, is the
 * closer's, and writes the number back; the acknowledgement, read in the
 * main loop, lets the next one go. A closer that has not finished one in
 * CLOSER_STUCK_MS is stuck: it is sent SIGKILL (which ends a linger, not a
 * FLUSH the server has read), counted against the uid whose descriptor it
 * was closing, and a new closer takes over. A stuck closer is reaped
 * whenever it exits (its pidfd in the main loop); none is ever waited for.
 *
 * Only a file that is not a socket can block its closer for good (FLUSH):
 * a socket has no flush, and what its close may wait for (a linger, also
 * of descriptors in flight in its queue) ends with SIGKILL, so a killed
 * closer exits at once. A uid with STUCK_PER_UID_MAX closers stuck on its
 * descriptors and still alive, or more than FILES_WAITING_PER_UID_MAX
 * files waiting, is turned away (fd_reaper_turns_away()). In the first
 * case its files waiting to be closed are parked, open and untouched,
 * until those closers exit (its FUSE server answers or goes), and queued
 * again; its sockets still go to the closer. Turned away, the uid gets no message
 * received, so no new file of its reaches the broker: an attacker holds
 * at most that many processes and the files it passed before, and
 * another user's close waits at most CLOSER_STUCK_MS per stuck closer
 * behind it, never a request. At most STUCK_MAX stuck closers exist;
 * beyond that the current one is left to finish (closes queue, nothing
 * else waits).
 *
 * The closer (`tw-fd-closer') inherits the broker's confinement (seccomp,
 * Landlock, capabilities) and calls only read, close, write and exit; it dies with
 * the broker (PR_SET_PDEATHSIG), so it never keeps the broker's
 * descriptors open after it, unless it is stuck in a FLUSH, which then
 * keeps them until the FUSE server answers or goes.
 *
 * valgrind cannot run a clone that shares the descriptor table
 * ("Unsupported clone() flags"); under it (test builds only, tests/valgrind,
 * which passes no hostile descriptor) the broker closes them itself.
 */
#include "fd_reaper.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <glib.h>
#include <glib-unix.h>

#include "config.h"
#include "confine.h"
#include "error.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* the closer has not closed a descriptor in this long: it is stuck */
#define CLOSER_STUCK_MS 500
/* a uid with this many closers stuck on its descriptors is turned away */
#define STUCK_PER_UID_MAX 2
/* a uid with this many files (not sockets) waiting is turned away */
#define FILES_WAITING_PER_UID_MAX 256
/* at most this many stuck closers at once, of all uids */
#define STUCK_MAX 64
#define TICK_MS 100

/**
 * struct handed - one descriptor given to the closer, not yet acknowledged
 * @fd:		its number in the shared table
 * @from:	the uid that passed it
 * @file:	not a socket: its close may send FLUSH and never end
 */
struct handed {
	int fd;
	uid_t from;
	bool file;
};

/**
 * struct stuck - a closer killed while closing, until it exits
 * @pidfd:	its pidfd
 * @from:	the uid whose descriptor it was closing
 * @watch_id:	its pidfd's source
 */
struct stuck {
	int pidfd;
	uid_t from;
	guint watch_id;
};

/**
 * struct reaper - the broker's side of its closer
 * @to_closer:	pipe: [0] the closer reads numbers, [1] the broker writes
 * @acks:	pipe: [0] the broker reads, [1] the closer acknowledges
 * @pidfd:	the current closer, or -1
 * @queue:	struct handed in order; the head is the closer's while
 *		@written
 * @written:	the head is in the pipe, or being closed
 * @progress:	monotonic time the head was given
 * @stuck_per_uid: uid -> stuck closers of that uid still alive
 * @parked:	uid -> GQueue of struct handed (files), while that uid is
 *		turned away
 * @files_per_uid: uid -> its files queued or parked
 * @stuck_count: stuck closers still alive
 * @tick_id:	the stuck check, while @queue is not empty
 * @said_full:	STUCK_MAX was logged
 */
struct reaper {
	int to_closer[2];
	int acks[2];
	int pidfd;
	GQueue queue;
	bool written;
	gint64 progress;
	GHashTable *stuck_per_uid;
	GHashTable *parked;
	GHashTable *files_per_uid;
	unsigned int stuck_count;
	guint tick_id;
	bool said_full;
};

static struct reaper reaper = {
	.to_closer = { -1, -1 }, .acks = { -1, -1 }, .pidfd = -1,
};

/**
 * closer_main() - the closer: close each number read, acknowledge it
 * @in:		the numbers
 * @ack:	the acknowledgements
 * @parent:	the broker's pid
 *
 * Raw system calls only: this is a clone() of a threaded process, with no
 * lock of glibc's or GLib's to be trusted.
 */
G_NORETURN static void closer_main(int in, int ack, pid_t parent)
{
	uint64_t all = ~(uint64_t)0;
	int fd;

	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof(all));
	syscall(SYS_prctl, PR_SET_NAME, "tw-fd-closer", 0, 0, 0);
	syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (syscall(SYS_getppid) != parent)
		syscall(SYS_exit_group, 0);
	for (;;) {
		long n = syscall(SYS_read, in, &fd, sizeof(fd));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(fd))
			syscall(SYS_exit_group, 0);	/* the broker is gone */
		syscall(SYS_close, fd);
		syscall(SYS_write, ack, &fd, sizeof(fd));
	}
}

/**
 * closer_spawn() - start a closer sharing this process's descriptor table
 * @error:	set on failure
 *
 * Return: true when reaper.pidfd is a new closer.
 */
static bool closer_spawn(GError **error)
{
	pid_t parent = getpid();
	int pidfd = -1;
	long pid;

	/* x86-64 and arm64 order: flags, stack, parent_tid (the pidfd) */
	pid = syscall(SYS_clone, CLONE_FILES | CLONE_PIDFD | SIGCHLD, NULL,
		      &pidfd, NULL, 0);
	if (pid == 0)
		closer_main(reaper.to_closer[0], reaper.acks[1], parent);
	if (pid < 0) {
		int err = errno;

		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "cannot start the process that closes clients' descriptors: %s",
			    g_strerror(err));
		return false;
	}
	reaper.pidfd = pidfd;
	return true;
}

static gboolean on_tick(gpointer data);

/**
 * stuck_of() - closers stuck on descriptors of @from, still alive
 * @from:	a uid
 *
 * Return: their number.
 */
static unsigned int stuck_of(uid_t from)
{
	return GPOINTER_TO_UINT(g_hash_table_lookup(reaper.stuck_per_uid,
						    GUINT_TO_POINTER(from)));
}

/**
 * count_add() - change a count of @table's for @from
 * @table:	uid -> count
 * @from:	a uid
 * @delta:	+1 or -1
 */
static void count_add(GHashTable *table, uid_t from, int delta)
{
	unsigned int n = GPOINTER_TO_UINT(g_hash_table_lookup(table,
							      GUINT_TO_POINTER(from)));

	n = (unsigned int)((int)n + delta);
	if (n)
		g_hash_table_insert(table, GUINT_TO_POINTER(from),
				    GUINT_TO_POINTER(n));
	else
		g_hash_table_remove(table, GUINT_TO_POINTER(from));
}

/**
 * handed_done() - @h is closed (or its closer killed): forget it
 * @h:		popped off the queue
 */
static void handed_done(struct handed *h)
{
	if (h->file)
		count_add(reaper.files_per_uid, h->from, -1);
	g_free(h);
}

/**
 * park() - keep @h open and untouched while its uid is at the limit
 * @h:		a descriptor not given to the closer
 */
static void park(struct handed *h)
{
	GQueue *q = g_hash_table_lookup(reaper.parked,
					GUINT_TO_POINTER(h->from));

	if (!q) {
		q = g_queue_new();
		g_hash_table_insert(reaper.parked, GUINT_TO_POINTER(h->from), q);
	}
	g_queue_push_tail(q, h);
}

/**
 * give_next() - give the closer the next descriptor, if it has none
 */
static void give_next(void)
{
	struct handed *h;

	while (!reaper.written && reaper.pidfd >= 0 &&
	       (h = g_queue_peek_head(&reaper.queue))) {
		if (h->file && stuck_of(h->from) >= STUCK_PER_UID_MAX) {
			park(g_queue_pop_head(&reaper.queue));
			continue;
		}
		if (write(reaper.to_closer[1], &h->fd, sizeof(h->fd)) !=
		    sizeof(h->fd))
			return;	/* cannot be: the pipe holds one; next tick */
		reaper.written = true;
		reaper.progress = g_get_monotonic_time();
	}
	if (!g_queue_is_empty(&reaper.queue) && !reaper.tick_id)
		reaper.tick_id = g_timeout_add(TICK_MS, on_tick, NULL);
}

/**
 * on_stuck_exit() - a stuck closer finally exited: reap it
 * @fd:		its pidfd
 * @cond:	unused
 * @data:	struct stuck
 *
 * The uid's parked descriptors are queued again once it is below the
 * limit.
 *
 * Return: G_SOURCE_REMOVE.
 */
static gboolean on_stuck_exit(int fd, GIOCondition cond, gpointer data)
{
	struct stuck *s = data;
	siginfo_t info;
	GQueue *q;

	syscall(SYS_waitid, P_PIDFD, s->pidfd, &info, WEXITED | WNOHANG,
		NULL);
	close(s->pidfd);	/* the broker's own pidfd */
	count_add(reaper.stuck_per_uid, s->from, -1);
	reaper.stuck_count--;
	q = g_hash_table_lookup(reaper.parked, GUINT_TO_POINTER(s->from));
	if (q && stuck_of(s->from) < STUCK_PER_UID_MAX) {
		struct handed *h;

		while ((h = g_queue_pop_head(q)))
			g_queue_push_tail(&reaper.queue, h);
		g_hash_table_remove(reaper.parked, GUINT_TO_POINTER(s->from));
		g_queue_free(q);
		give_next();
	}
	g_free(s);
	return G_SOURCE_REMOVE;
}

/**
 * on_acks() - the closer closed what it was given: give it the next
 * @fd:		the acknowledgements' pipe
 * @cond:	unused
 * @data:	unused
 *
 * Return: G_SOURCE_CONTINUE.
 */
static gboolean on_acks(int fd, GIOCondition cond, gpointer data)
{
	int acks[256];
	ssize_t n;

	while ((n = read(fd, acks, sizeof(acks))) > 0) {
		for (size_t i = 0; i < (size_t)n / sizeof(int); i++) {
			struct handed *h = g_queue_peek_head(&reaper.queue);

			/* not the head: one a killed closer was charged with
			 * but had not taken, which its successor closed */
			if (!h || !reaper.written || h->fd != acks[i])
				continue;
			handed_done(g_queue_pop_head(&reaper.queue));
			reaper.written = false;
		}
	}
	give_next();
	return G_SOURCE_CONTINUE;
}

/**
 * replace_stuck_closer() - kill the closer, remember it, start another
 */
static void replace_stuck_closer(void)
{
	struct handed *h = g_queue_pop_head(&reaper.queue);
	struct stuck *s = g_new0(struct stuck, 1);
	GError *error = NULL;

	reaper.written = false;
	syscall(SYS_pidfd_send_signal, reaper.pidfd, SIGKILL, NULL, 0);
	s->pidfd = reaper.pidfd;
	s->from = h->from;
	s->watch_id = g_unix_fd_add(s->pidfd, G_IO_IN, on_stuck_exit, s);
	count_add(reaper.stuck_per_uid, h->from, +1);
	reaper.stuck_count++;
	g_message("closing a descriptor of uid %u took over %d ms: its closer was killed and replaced%s",
		  (unsigned int)h->from, CLOSER_STUCK_MS,
		  stuck_of(h->from) >= STUCK_PER_UID_MAX ?
		  "; the uid is turned away while its closers are stuck" : "");
	handed_done(h);
	reaper.pidfd = -1;
	if (!closer_spawn(&error)) {
		g_warning("%s", error->message);	/* tried again next tick */
		g_error_free(error);
	}
}

/**
 * on_tick() - is the closer stuck
 * @data:	unused
 *
 * Return: G_SOURCE_CONTINUE while descriptors wait.
 */
static gboolean on_tick(gpointer data)
{
	gint64 now = g_get_monotonic_time();

	on_acks(reaper.acks[0], G_IO_IN, NULL);
	if (reaper.pidfd < 0) {
		GError *error = NULL;

		if (!closer_spawn(&error)) {
			g_warning("%s", error->message);
			g_error_free(error);
			return G_SOURCE_CONTINUE;
		}
	}
	if (reaper.written &&
	    now - reaper.progress > CLOSER_STUCK_MS * G_TIME_SPAN_MILLISECOND) {
		if (reaper.stuck_count < STUCK_MAX) {
			replace_stuck_closer();
		} else if (!reaper.said_full) {
			g_warning("%d closers are stuck on clients' descriptors: closes wait",
				  STUCK_MAX);
			reaper.said_full = true;
		}
	}
	give_next();
	if (!g_queue_is_empty(&reaper.queue))
		return G_SOURCE_CONTINUE;
	reaper.said_full = false;
	reaper.tick_id = 0;
	return G_SOURCE_REMOVE;
}

/**
 * under_valgrind() - test builds run by tests/valgrind: no closer
 *
 * Return: true there.
 */
static bool under_valgrind(void)
{
#ifdef TAPWARDEN_TEST_HOOKS
	return confine_test_without_seccomp();
#else
	return false;
#endif
}

/**
 * fd_reaper_start() - start the closer; call once, confined, before the
 * main loop
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool fd_reaper_start(GError **error)
{
	if (under_valgrind())
		return true;
	if (pipe2(reaper.to_closer, O_CLOEXEC) < 0 ||
	    pipe2(reaper.acks, O_CLOEXEC) < 0 ||
	    fcntl(reaper.to_closer[1], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(reaper.acks[0], F_SETFL, O_NONBLOCK) < 0) {
		int err = errno;

		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "cannot make the closer's pipes: %s",
			    g_strerror(err));
		return false;
	}
	g_queue_init(&reaper.queue);
	reaper.stuck_per_uid = g_hash_table_new(NULL, NULL);
	reaper.parked = g_hash_table_new(NULL, NULL);
	reaper.files_per_uid = g_hash_table_new(NULL, NULL);
	g_unix_fd_add(reaper.acks[0], G_IO_IN, on_acks, NULL);
	return closer_spawn(error);
}

/**
 * fd_reaper_close() - have the closer close @fd; never blocks
 * @fd:		a descriptor received from a client (or its connection)
 * @from:	the client's uid
 */
void fd_reaper_close(int fd, uid_t from)
{
	struct handed *h = g_new(struct handed, 1);
	int type;
	socklen_t len = sizeof(type);

	if (under_valgrind()) {
		g_free(h);
		close(fd);
		return;
	}
	h->fd = fd;
	h->from = from;
	/* not fstat(), which may ask a FUSE server */
	h->file = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0;
	if (h->file)
		count_add(reaper.files_per_uid, from, +1);
	g_queue_push_tail(&reaper.queue, h);
	give_next();
}

/**
 * fd_reaper_turns_away() - has @from stuck enough closers for now
 * @from:	a uid
 *
 * Return: true while STUCK_PER_UID_MAX closers stuck on descriptors of
 * @from are alive (a FUSE server that does not answer keeps them), or
 * more than FILES_WAITING_PER_UID_MAX of its files wait.
 */
bool fd_reaper_turns_away(uid_t from)
{
	return reaper.stuck_per_uid &&
	       (stuck_of(from) >= STUCK_PER_UID_MAX ||
		GPOINTER_TO_UINT(g_hash_table_lookup(reaper.files_per_uid,
						     GUINT_TO_POINTER(from))) >
		FILES_WAITING_PER_UID_MAX);
}
