/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tapwardend_main.c - tapwardend: the privileged broker.
 *
 * DESIGN.md section 1. It listens on a SOCK_SEQPACKET unix socket (its own,
 * or the one systemd passes with LISTEN_FDS), accepts connections, and
 * answers one request per connection (broker.c) from a GLib main loop, one
 * at a time: a tap takes about a millisecond, so there is nothing to gain
 * from threads and much to lose. A connection that sends nothing is closed
 * after CLIENT_TIMEOUT_S. At most MAX_CLIENTS wait at once, and at most
 * MAX_CLIENTS_PER_UID of one user (root: no limit; a subordinate uid counts
 * as its user, peer_account.c), so that no user can keep others out; a
 * user whose passed descriptors do not close (fd_reaper.c: they are closed
 * in a process of their own) is turned away. Nothing is ever sent
 * blocking: a list is sent as its reader takes it (broker_answer.c), from
 * G_IO_OUT, and a connection whose reader takes nothing for
 * ANSWER_STALL_S, or has not taken the whole list after
 * ANSWER_DEADLINE_S, is dropped; it counts against the same limits until
 * then. When the process runs out of descriptors it stops accepting for a
 * second rather than spin on the listening socket.
 *
 * Once its socket, configuration, netlink sockets and leases are set up,
 * and before any thread starts, it forks the process that looks users and
 * groups up for it (accounts.c: as nobody, so that the broker needs no
 * access to /etc; it also says whose subordinate uid a caller's is, for
 * peer_account.c) and confines itself (confine_broker(): CAP_NET_ADMIN,
 * CAP_SETUID and CAP_SETGID only, Landlock, its seccomp allow-list;
 * docs/security.md).
 *
 * The link watch (broker_leases.c) is polled in the same loop, so leases
 * end as their taps go. SIGHUP reloads tapwarden.conf (a bad file is
 * refused and the old configuration stays); SIGTERM and SIGINT stop the
 * loop, and the socket is removed if this process made it. Logs go to the
 * journal under systemd, to stderr otherwise.
 *
 * NAT networks (nat_networks.c) are reconciled with the kernel at start and
 * after each SIGHUP; their dnsmasqs are started by a launcher process
 * forked first of all (dnsmasq_launcher.c), since the broker itself
 * executes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <glib-unix.h>
#include <netlink/utils.h>

#include "config.h"
#include "broker.h"
#include "accounts.h"
#include "broker_socket.h"
#include "confine.h"
#include "error.h"
#include "dnsmasq_launcher.h"
#include "fd_reaper.h"
#include "nat_networks.h"
#include "netlink.h"
#include "peer_account.h"
#include "vlan.h"

/* listen_on(): how long a socket that still answers is asked again */
#define LISTEN_PROBE_TRIES	40
#define LISTEN_PROBE_PAUSE_US	(50 * 1000)
#define LOG_DOMAIN_NAME "tapwardend"
#define CLIENT_TIMEOUT_S 2
/* a list's reader that takes nothing for this long is dropped */
#define ANSWER_STALL_S 2
/* and so is one that has not taken all of it after this long */
#define ANSWER_DEADLINE_S 60
#define MAX_CLIENTS 128
#define MAX_CLIENTS_PER_UID 8
#define SD_LISTEN_FDS_START 3
/* dnsmasq's lease and pid files (systemd's RuntimeDirectory) */
#define NAT_RUN_DIR "/run/tapwarden"

/**
 * struct daemon - the running broker
 * @broker:	request state
 * @loop:	main loop
 * @listen_fd:	listening socket
 * @made_path:	socket path this process created (removed at exit), or NULL
 * @clients:	connections waiting for their request
 * @per_uid:	uid -> connections of that uid waiting
 * @accept_id:	the listening socket's source, 0 while paused
 */
struct daemon {
	struct broker broker;
	GMainLoop *loop;
	int listen_fd;
	char *made_path;
	unsigned int clients;
	GHashTable *per_uid;
	guint accept_id;
};

/**
 * struct client - one connection waiting for its request, or taking a list
 * @d:		daemon
 * @fd:		connection
 * @uid:	its peer's uid
 * @io_id:	its fd source
 * @timeout_id:	its timeout source
 * @answer:	the list being sent, or NULL
 * @answer_start: when it started (monotonic, µs)
 * @answer_progress: when the reader last took a message
 */
struct client {
	struct daemon *d;
	int fd;
	uid_t uid;
	guint io_id;
	guint timeout_id;
	struct broker_answer *answer;
	gint64 answer_start;
	gint64 answer_progress;
};

/**
 * log_writer() - the journal under systemd, else "tapwardend: ..." on stderr
 * @level:	level
 * @fields:	structured fields
 * @n_fields:	their number
 * @data:	unused
 *
 * Return: G_LOG_WRITER_HANDLED.
 */
static GLogWriterOutput log_writer(GLogLevelFlags level,
				   const GLogField *fields, gsize n_fields,
				   gpointer data)
{
	const char *message = "";

	if (level & G_LOG_LEVEL_DEBUG)
		return G_LOG_WRITER_HANDLED;
	if (g_log_writer_is_journald(fileno(stderr)) &&
	    g_log_writer_journald(level, fields, n_fields, data) ==
	    G_LOG_WRITER_HANDLED)
		return G_LOG_WRITER_HANDLED;
	for (gsize i = 0; i < n_fields; i++)
		if (!strcmp(fields[i].key, "MESSAGE"))
			message = fields[i].value;
	fprintf(stderr, LOG_DOMAIN_NAME ": %s%s\n",
		(level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL |
			  G_LOG_LEVEL_WARNING)) ? "warning: " : "", message);
	return G_LOG_WRITER_HANDLED;
}

/**
 * uid_count_add() - change the number of waiting connections of @uid
 * @d:		daemon
 * @uid:	user
 * @delta:	+1 or -1
 *
 * Return: the new count.
 */
static unsigned int uid_count_add(struct daemon *d, uid_t uid, int delta)
{
	unsigned int n = GPOINTER_TO_UINT(g_hash_table_lookup(d->per_uid,
							      GUINT_TO_POINTER(uid)));

	n = (unsigned int)((int)n + delta);
	if (n)
		g_hash_table_insert(d->per_uid, GUINT_TO_POINTER(uid),
				    GUINT_TO_POINTER(n));
	else
		g_hash_table_remove(d->per_uid, GUINT_TO_POINTER(uid));
	return n;
}

static gboolean on_accept(int fd, GIOCondition cond, gpointer data);

/**
 * on_accept_resume() - accept again after running out of descriptors
 * @data:	daemon
 *
 * Return: G_SOURCE_REMOVE.
 */
static gboolean on_accept_resume(gpointer data)
{
	struct daemon *d = data;

	d->accept_id = g_unix_fd_add(d->listen_fd, G_IO_IN, on_accept, d);
	return G_SOURCE_REMOVE;
}

/**
 * client_free() - close a connection and remove its sources
 * @cl:		client
 */
static void client_free(struct client *cl)
{
	if (cl->io_id)
		g_source_remove(cl->io_id);
	if (cl->timeout_id)
		g_source_remove(cl->timeout_id);
	broker_answer_free(cl->answer);
	fd_reaper_close(cl->fd, cl->uid);	/* may hold fds in flight */
	cl->d->clients--;
	uid_count_add(cl->d, cl->uid, -1);
	g_free(cl);
}

/**
 * answer_pump() - send what the list's reader takes now
 * @cl:		client with an answer
 *
 * Return: true while more is to be sent.
 */
static bool answer_pump(struct client *cl)
{
	bool progress;
	enum broker_answer_status st = broker_answer_pump(cl->answer,
							  &progress);

	if (progress)
		cl->answer_progress = g_get_monotonic_time();
	return st == BROKER_ANSWER_WAIT;
}

/**
 * on_client_writable() - the list's reader made room (or hung up)
 * @fd:		connection
 * @cond:	what happened
 * @data:	client
 *
 * Return: G_SOURCE_CONTINUE while more is to be sent.
 */
static gboolean on_client_writable(int fd, GIOCondition cond, gpointer data)
{
	struct client *cl = data;

	if (!(cond & (G_IO_HUP | G_IO_ERR)) && answer_pump(cl))
		return G_SOURCE_CONTINUE;
	cl->io_id = 0;
	client_free(cl);
	return G_SOURCE_REMOVE;
}

/**
 * on_answer_deadline() - drop a reader that stalls, or takes too long
 * @data:	client
 *
 * Return: G_SOURCE_CONTINUE while it keeps reading in time.
 */
static gboolean on_answer_deadline(gpointer data)
{
	struct client *cl = data;
	gint64 now = g_get_monotonic_time();

	if (now - cl->answer_progress < ANSWER_STALL_S * G_USEC_PER_SEC &&
	    now - cl->answer_start < ANSWER_DEADLINE_S * G_USEC_PER_SEC)
		return G_SOURCE_CONTINUE;
	g_message("dropped a connection of uid %u that did not take its answer (%u messages taken in %.1f s)",
		  (unsigned int)cl->uid, broker_answer_sent(cl->answer),
		  (double)(now - cl->answer_start) / G_USEC_PER_SEC);
	cl->timeout_id = 0;
	client_free(cl);
	return G_SOURCE_REMOVE;
}

/**
 * on_client_ready() - the request arrived (or the peer hung up)
 * @fd:		connection
 * @cond:	what happened
 * @data:	client
 *
 * One request per connection: a single answer is sent at once and the
 * connection closed; a list goes on from on_client_writable().
 *
 * Return: G_SOURCE_REMOVE.
 */
static gboolean on_client_ready(int fd, GIOCondition cond, gpointer data)
{
	struct client *cl = data;

	cl->io_id = 0;
	cl->answer = broker_serve(&cl->d->broker, fd, cl->uid);
	if (!cl->answer || !answer_pump(cl)) {
		client_free(cl);
		return G_SOURCE_REMOVE;
	}
	g_source_remove(cl->timeout_id);
	cl->answer_start = g_get_monotonic_time();
	cl->answer_progress = cl->answer_start;
	cl->io_id = g_unix_fd_add(fd, G_IO_OUT | G_IO_HUP | G_IO_ERR,
				  on_client_writable, cl);
	cl->timeout_id = g_timeout_add(500, on_answer_deadline, cl);
	return G_SOURCE_REMOVE;
}

/**
 * on_client_timeout() - the connection sent nothing in time
 * @data:	client
 *
 * Return: G_SOURCE_REMOVE.
 */
static gboolean on_client_timeout(gpointer data)
{
	struct client *cl = data;

	cl->timeout_id = 0;
	g_message("closed a connection that sent nothing in %d s",
		  CLIENT_TIMEOUT_S);
	client_free(cl);
	return G_SOURCE_REMOVE;
}

/**
 * on_accept() - a new connection
 * @fd:		listening socket
 * @cond:	unused
 * @data:	daemon
 *
 * Return: G_SOURCE_CONTINUE.
 */
static gboolean on_accept(int fd, GIOCondition cond, gpointer data)
{
	struct daemon *d = data;
	GError *error = NULL;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *cl;
	int conn;

	conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (conn < 0) {
		if (errno == EMFILE || errno == ENFILE) {
			g_warning("out of descriptors: not accepting for 1 s");
			d->accept_id = 0;
			g_timeout_add_seconds(1, on_accept_resume, d);
			return G_SOURCE_REMOVE;
		}
		if (errno != EAGAIN && errno != EINTR)
			g_warning("accept: %s", g_strerror(errno));
		return G_SOURCE_CONTINUE;
	}
	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		fd_reaper_close(conn, (uid_t)-1);
		return G_SOURCE_CONTINUE;
	}
	/* a subordinate uid waits as its user (peer_account.c) */
	if (!peer_account_uid(cred.uid, &cred.uid, &error)) {
		static gint64 last_said;
		gint64 now = g_get_monotonic_time();

		if (now - last_said > G_USEC_PER_SEC) {	/* no log flood */
			g_message("turned a connection of uid %u away: %s",
				  (unsigned int)cred.uid, error->message);
			last_said = now;
		}
		g_error_free(error);
		fd_reaper_close(conn, (uid_t)-1);
		return G_SOURCE_CONTINUE;
	}
	if (d->clients >= MAX_CLIENTS ||
	    (cred.uid != 0 &&
	     (uid_count_add(d, cred.uid, 0) >= MAX_CLIENTS_PER_UID ||
	      fd_reaper_turns_away(cred.uid)))) {
		static gint64 last_said;
		gint64 now = g_get_monotonic_time();

		if (now - last_said > G_USEC_PER_SEC) {	/* no log flood */
			g_message("turned a connection of uid %u away: too many wait",
				  (unsigned int)cred.uid);
			last_said = now;
		}
		fd_reaper_close(conn, cred.uid);
		return G_SOURCE_CONTINUE;
	}
	/* the connection stays non-blocking: nothing waits on a peer */
	cl = g_new0(struct client, 1);
	cl->d = d;
	cl->fd = conn;
	cl->uid = cred.uid;
	d->clients++;
	uid_count_add(d, cred.uid, +1);
	cl->io_id = g_unix_fd_add(conn, G_IO_IN | G_IO_HUP | G_IO_ERR,
				  on_client_ready, cl);
	cl->timeout_id = g_timeout_add_seconds(CLIENT_TIMEOUT_S,
					       on_client_timeout, cl);
	return G_SOURCE_CONTINUE;
}

/**
 * on_link_event() - the kernel reports link changes
 * @fd:		link watch socket
 * @cond:	unused
 * @data:	daemon
 *
 * Return: G_SOURCE_CONTINUE.
 */
static gboolean on_link_event(int fd, GIOCondition cond, gpointer data)
{
	struct daemon *d = data;
	GError *error = NULL;

	if (!broker_leases_refresh(d->broker.leases, &error)) {
		g_warning("%s", error->message);
		g_error_free(error);
	}
	return G_SOURCE_CONTINUE;
}

/**
 * on_holder_exit() - a lease's holder exited
 * @fd:		the holders' epoll set
 * @cond:	unused
 * @data:	daemon
 *
 * Return: G_SOURCE_CONTINUE.
 */
static gboolean on_holder_exit(int fd, GIOCondition cond, gpointer data)
{
	struct daemon *d = data;

	broker_leases_reap_holders(d->broker.leases);
	return G_SOURCE_CONTINUE;
}

/**
 * on_sighup() - reload tapwarden.conf
 * @data:	daemon
 *
 * Return: G_SOURCE_CONTINUE.
 */
static gboolean on_sighup(gpointer data)
{
	struct daemon *d = data;
	GError *error = NULL;

	if (broker_load_config(&d->broker, &error)) {
		g_message("reloaded %s: %u networks", d->broker.config_path,
			  network_config_count(d->broker.cfg));
		nat_networks_reconcile(d->broker.nat, d->broker.cfg);
	} else {
		g_warning("reload refused, the previous configuration stays: %s",
			  error->message);
		g_error_free(error);
	}
	return G_SOURCE_CONTINUE;
}

/**
 * on_sigterm() - stop
 * @data:	daemon
 *
 * Return: G_SOURCE_CONTINUE.
 */
static gboolean on_sigterm(gpointer data)
{
	struct daemon *d = data;

	g_message("stopping");
	g_main_loop_quit(d->loop);
	return G_SOURCE_CONTINUE;
}

/**
 * systemd_socket() - the socket systemd passed, if any
 * @fd:		set to it
 * @error:	set when LISTEN_FDS is for us but not one listening
 *		SOCK_SEQPACKET unix socket
 *
 * Return: true when *@fd is set, false otherwise (@error set or not).
 */
static bool systemd_socket(int *fd, GError **error)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int type = 0, listening = 0;
	socklen_t len = sizeof(int);
	struct sockaddr_un addr;
	socklen_t alen = sizeof(addr);

	if (!pid || !fds || atol(pid) != (long)getpid())
		return false;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	*fd = SD_LISTEN_FDS_START;
	if (strcmp(fds, "1") ||
	    getsockname(*fd, (struct sockaddr *)&addr, &alen) < 0 ||
	    addr.sun_family != AF_UNIX ||
	    getsockopt(*fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    type != SOCK_SEQPACKET ||
	    getsockopt(*fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0 ||
	    !listening) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "systemd must pass exactly one listening unix SOCK_SEQPACKET socket (ListenSequentialPacket=)");
		return false;
	}
	fcntl(*fd, F_SETFD, FD_CLOEXEC);
	return true;
}

/**
 * listen_on() - make, bind and listen on the socket at @path
 * @path:	where
 * @error:	set on failure
 *
 * A socket file left by a broker that died is replaced; one a live broker
 * answers on is not (it is asked again for up to LISTEN_PROBE_TRIES *
 * LISTEN_PROBE_PAUSE_US: the socket of a broker that was just killed
 * lives as long as its closer process, a moment). The file gets its mode (0666: every user may ask)
 * from bind() itself: the socket's own mode, set with fchmod() before,
 * under an empty umask. A chmod() by name after bind() would follow
 * whatever another user put at that name meanwhile, in a directory they
 * may write (--socket=PATH anywhere), e.g. a symlink to /etc/shadow.
 *
 * Return: the listening socket, or -1.
 */
static int listen_on(const char *path, GError **error)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	g_autofree char *dir = g_path_get_dirname(path);
	struct stat st;
	int fd, probe, err, bound = -1;
	mode_t umask_was;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "socket path too long: %s", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	if (g_mkdir_with_parents(dir, 0755) < 0) {
		err = errno;
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "cannot make %s: %s", dir, g_strerror(err));
		return -1;
	}
	if (lstat(path, &st) == 0) {
		/* a broker just killed leaves its socket open for a moment:
		 * its closer shares its descriptors and goes with it
		 * (PR_SET_PDEATHSIG), but not at once */
		for (int tries = 0;; tries++) {
			probe = broker_connect(path, NULL);
			if (probe < 0)
				break;
			close(probe);
			if (tries == LISTEN_PROBE_TRIES) {
				g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
					    "a broker already listens on %s",
					    path);
				return -1;
			}
			g_usleep(LISTEN_PROBE_PAUSE_US);
		}
		if (!S_ISSOCK(st.st_mode)) {
			g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
				    "%s exists and is not a socket", path);
			return -1;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && fchmod(fd, 0666) == 0) {
		umask_was = umask(0);	/* one thread yet: no one else sees it */
		bound = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
		err = errno;
		umask(umask_was);
		errno = err;
	}
	if (fd < 0 || bound < 0 || listen(fd, 128) < 0) {
		err = errno;
		if (fd >= 0)
			close(fd);
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "cannot listen on %s: %s", path, g_strerror(err));
		return -1;
	}
	return fd;
}

/**
 * remove_stale_vlan_bridges() - what a killed broker left half-made
 */
static void remove_stale_vlan_bridges(void)
{
	g_autoptr(netlink) nl = netlink_open(NULL);
	unsigned int n = nl ? vlan_remove_stale_temporaries(nl) : 0;

	if (n)
		g_message("removed %u per-VLAN bridge(s) left half-made", n);
}

/**
 * raise_fd_limit() - as many descriptors as allowed: each lease holds one
 * (its holder's pidfd)
 */
static void raise_fd_limit(void)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
}

/**
 * die() - one line of error, exit 1
 * @error:	what went wrong
 */
G_NORETURN static void die(GError *error)
{
	fprintf(stderr, LOG_DOMAIN_NAME ": %s\n", error->message);
	g_error_free(error);
	exit(EXIT_FAILURE);
}

/**
 * refuse_repeated_options() - die if --socket, --config or --acl is given
 *			       twice (GOption would keep the last silently)
 * @argc:	argument count
 * @argv:	arguments, before g_option_context_parse()
 */
static void refuse_repeated_options(int argc, char *argv[])
{
	static const char *const once[] = { "--socket", "--config", "--acl" };

	for (size_t o = 0; o < G_N_ELEMENTS(once); o++) {
		size_t len = strlen(once[o]);
		int seen = 0;

		for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
			if (!strncmp(argv[i], once[o], len) &&
			    (argv[i][len] == '\0' || argv[i][len] == '=') &&
			    ++seen > 1) {
				GError *error = g_error_new(TW_ERROR,
					TW_ERROR_INVALID,
					"option %s given twice", once[o]);

				die(error);
			}
	}
}

int main(int argc, char *argv[])
{
	g_autofree char *socket_path = NULL, *config = NULL, *acl = NULL;
	g_autofree char *run_dir = NULL, *socket_dir = NULL;
	int launcher_fd;
	gboolean version = FALSE;
	GOptionEntry entries[] = {
		{ "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path,
		  "listen on PATH (default " TAPWARDEN_SOCKET_PATH ", or the socket systemd passes)", "PATH" },
		{ "config", 0, 0, G_OPTION_ARG_FILENAME, &config,
		  "networks (default " TAPWARDEN_CONFIG_FILE ")", "FILE" },
		{ "acl", 0, 0, G_OPTION_ARG_FILENAME, &acl,
		  "bridge.conf for plain bridge names (default " TAPWARDEN_BRIDGE_ACL_FILE ")", "FILE" },
		{ "run-dir", 0, 0, G_OPTION_ARG_FILENAME, &run_dir,
		  "NAT networks' dnsmasq lease and pid files (default " NAT_RUN_DIR ")", "DIR" },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &version,
		  "print the version", NULL },
		{ 0 },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- tapwarden's privileged broker");
	struct daemon d = { .listen_fd = -1 };
	GError *error = NULL;

	g_log_set_writer_func(log_writer, NULL, NULL);
	raise_fd_limit();
	g_option_context_add_main_entries(ctx, entries, NULL);
	refuse_repeated_options(argc, argv);
	if (!g_option_context_parse(ctx, &argc, &argv, &error))
		die(error);
	if (argc > 1) {
		g_set_error(&error, TW_ERROR, TW_ERROR_INVALID,
			    "unexpected argument `%s' (see --help)", argv[1]);
		die(error);
	}
	if (version) {
		printf("tapwardend %s\n", TAPWARDEN_VERSION);
		return EXIT_SUCCESS;
	}

	/* before any thread and any confinement: the broker executes nothing */
	launcher_fd = dnsmasq_launcher_spawn(run_dir ? run_dir : NAT_RUN_DIR,
					     &error);
	if (launcher_fd < 0)
		die(error);
	d.broker.nat = nat_networks_new(launcher_fd,
					run_dir ? run_dir : NAT_RUN_DIR);
	d.broker.config_path = config ? config : TAPWARDEN_CONFIG_FILE;
	d.broker.config_explicit = config != NULL;
	d.broker.acl_path = acl ? acl : TAPWARDEN_BRIDGE_ACL_FILE;
	if (!broker_load_config(&d.broker, &error))
		die(error);
	d.broker.leases = broker_leases_new(&error);
	if (!d.broker.leases)
		die(error);
	remove_stale_vlan_bridges();
	nat_networks_reconcile(d.broker.nat, d.broker.cfg);

	if (!socket_path && systemd_socket(&d.listen_fd, &error)) {
		g_message("listening on the socket systemd passed");
	} else {
		if (error)
			die(error);
		socket_path = socket_path ? socket_path :
			      g_strdup(TAPWARDEN_SOCKET_PATH);
		d.listen_fd = listen_on(socket_path, &error);
		if (d.listen_fd < 0)
			die(error);
		d.made_path = g_strdup(socket_path);
		g_message("listening on %s", socket_path);
	}
	fcntl(d.listen_fd, F_SETFL, O_NONBLOCK);
	socket_dir = g_path_get_dirname(socket_path ? socket_path :
					TAPWARDEN_SOCKET_PATH);
	/* libnl reads /proc/net/psched on first use (tc's time units: QoS):
	 * now, while the confined broker still may */
	(void)nl_get_psched_hz();
	(void)nl_get_user_hz();
	if (!accounts_start_lookup_process(&error) ||
	    !confine_broker(&(struct confine_broker_paths){
			.config = d.broker.config_path,
			.acl = d.broker.acl_path,
			.run_dir = socket_dir,
			.nat_run_dir = run_dir ? run_dir : NAT_RUN_DIR,
		    }, &error) ||
	    !fd_reaper_start(&error))
		die(error);

	d.loop = g_main_loop_new(NULL, FALSE);
	d.per_uid = g_hash_table_new(NULL, NULL);
	d.accept_id = g_unix_fd_add(d.listen_fd, G_IO_IN, on_accept, &d);
	g_unix_fd_add(broker_leases_watch_fd(d.broker.leases), G_IO_IN,
		      on_link_event, &d);
	g_unix_fd_add(broker_leases_holders_fd(d.broker.leases), G_IO_IN,
		      on_holder_exit, &d);
	g_unix_signal_add(SIGHUP, on_sighup, &d);
	g_unix_signal_add(SIGTERM, on_sigterm, &d);
	g_unix_signal_add(SIGINT, on_sigterm, &d);
	/* the line tests and people wait for: ready, signals handled */
	g_message("%u networks from %s, %u live leases",
		  network_config_count(d.broker.cfg), d.broker.config_path,
		  broker_leases_size(d.broker.leases));
	g_main_loop_run(d.loop);

	if (d.made_path)
		unlink(d.made_path);
	close(d.listen_fd);
	g_main_loop_unref(d.loop);
	g_hash_table_unref(d.per_uid);
	broker_leases_free(d.broker.leases);
	nat_networks_free(d.broker.nat);
	network_config_free(d.broker.cfg);
	g_free(d.made_path);
	return EXIT_SUCCESS;
}
