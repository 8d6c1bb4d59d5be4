/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * slirp.c - the user-mode network engine: libslirp's event loop.
 *
 * Theory of operation: slirp_engine_new() creates a libslirp instance with
 * QEMU's -netdev user addresses (slirp.h), IPv6 on, and adds the port
 * forwards, so that a port already taken fails here, before anyone relies on
 * the link. slirp_engine_run() is then one poll() loop per turn:
 *
 *   poll(pump fd, stop fd, libslirp's sockets; timeout = its timers)
 *   -> pump error or hang-up, or stop fd readable: the link is over, return
 *   -> slirp_pollfds_poll(): host sockets -> libslirp -> frames queued
 *   -> slirp_pump_receive(): guest frames -> slirp_input()
 *   -> expired timers -> slirp_handle_timer()
 *   -> slirp_pump_flush(): the turn's frames for the guest in one batch
 *
 * Frames for the guest pass slirp_advertise_mtu() on their way to the pump:
 * libslirp does not tell the guest the MTU, the engine does.
 *
 * The engine ignores SIGPIPE for its whole process (libslirp expects EPIPE).
 * Everything runs in one thread; libslirp's callbacks (send_packet, timers,
 * poll registration) only touch the engine. The API used exists in libslirp
 * 4.7 (SlirpConfig version 4: timer_new_opaque, disable_dhcp) and later;
 * where 4.9 renamed the socket-polling calls, the new names are used.
 */
#include "slirp.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <slirp/libslirp.h>

#include "error.h"
#include "slirp_advertise.h"

#if SLIRP_CHECK_VERSION(4, 9, 0)
#define slirp_fill_fds slirp_pollfds_fill_socket
typedef slirp_os_socket slirp_fd;
#else
#define slirp_fill_fds slirp_pollfds_fill
typedef int slirp_fd;
#endif

/**
 * struct engine_timer - a timer libslirp asked for
 * @id:		libslirp's timer id
 * @cb_opaque:	libslirp's argument for it
 * @expire_ms:	when it fires (clock of engine_now_ms()), -1 when disarmed
 */
struct engine_timer {
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms;
};

/**
 * struct slirp_engine - one libslirp instance and its link
 * @slirp:	libslirp's state
 * @pump:	the guest's frames (owned)
 * @pollfds:	struct pollfd of the current turn
 * @timers:	struct engine_timer pointers
 * @mtu:	the link MTU
 * @edit:	a copy of a small frame being edited (slirp_advertise.h)
 */
struct slirp_engine {
	Slirp *slirp;
	struct slirp_pump *pump;
	GArray *pollfds;
	GPtrArray *timers;
	unsigned int mtu;
	uint8_t edit[1600];
};

/**
 * engine_now_ns() - the monotonic clock, in nanoseconds
 *
 * Return: nanoseconds.
 */
static int64_t engine_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/**
 * engine_send_packet() - libslirp: a frame for the guest
 * @buf:	the frame
 * @len:	its length
 * @opaque:	the engine
 *
 * Return: @len (a frame the link cannot take is dropped, as libslirp allows).
 */
static ssize_t engine_send_packet(const void *buf, size_t len,
					void *opaque)
{
	struct slirp_engine *engine = opaque;
	size_t room = sizeof(engine->edit);

	/* DHCP replies and RAs are small: give them the MTU on a copy */
	if (len + SLIRP_ADVERTISE_GROWTH <= room) {
		memcpy(engine->edit, buf, len);
		slirp_pump_queue(engine->pump, engine->edit,
				 slirp_advertise_mtu(engine->edit, len, room,
						     engine->mtu));
		return (ssize_t)len;
	}
	slirp_pump_queue(engine->pump, buf, len);
	return (ssize_t)len;
}

/**
 * engine_guest_error() - libslirp: the guest misbehaved; ignored
 * @msg:	libslirp's text
 * @opaque:	the engine
 */
static void engine_guest_error(const char *msg, void *opaque)
{
	(void)msg;
	(void)opaque;
}

/**
 * engine_clock_get_ns() - libslirp: the clock its timers use
 * @opaque:	the engine
 *
 * Return: nanoseconds.
 */
static int64_t engine_clock_get_ns(void *opaque)
{
	(void)opaque;
	return engine_now_ns();
}

/**
 * engine_timer_new_opaque() - libslirp: a new, disarmed timer
 * @id:		libslirp's timer id
 * @cb_opaque:	its argument for slirp_handle_timer()
 * @opaque:	the engine
 *
 * Return: the timer.
 */
static void *engine_timer_new_opaque(SlirpTimerId id, void *cb_opaque,
				     void *opaque)
{
	struct slirp_engine *engine = opaque;
	struct engine_timer *timer = g_new0(struct engine_timer, 1);

	timer->id = id;
	timer->cb_opaque = cb_opaque;
	timer->expire_ms = -1;
	g_ptr_array_add(engine->timers, timer);
	return timer;
}

/**
 * engine_timer_free() - libslirp: a timer is no longer needed
 * @timer:	the timer
 * @opaque:	the engine
 */
static void engine_timer_free(void *timer, void *opaque)
{
	struct slirp_engine *engine = opaque;

	g_ptr_array_remove_fast(engine->timers, timer);
	g_free(timer);
}

/**
 * engine_timer_mod() - libslirp: arm a timer
 * @timer:	the timer
 * @expire_time: when, in milliseconds of engine_clock_get_ns()
 * @opaque:	the engine
 */
static void engine_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
	(void)opaque;
	((struct engine_timer *)timer)->expire_ms = expire_time;
}

/**
 * engine_poll_register() - libslirp: a socket will be polled; nothing to do
 * @fd:		the socket
 * @opaque:	the engine
 */
static void engine_poll_register(slirp_fd fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

/**
 * engine_notify() - libslirp: a socket can take data again; the loop polls
 * anyway on its next turn
 * @opaque:	the engine
 */
static void engine_notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb engine_callbacks = {
	.send_packet = engine_send_packet,
	.guest_error = engine_guest_error,
	.clock_get_ns = engine_clock_get_ns,
	.timer_free = engine_timer_free,
	.timer_mod = engine_timer_mod,
#if SLIRP_CHECK_VERSION(4, 9, 0)
	.register_poll_socket = engine_poll_register,
	.unregister_poll_socket = engine_poll_register,
#else
	.register_poll_fd = engine_poll_register,
	.unregister_poll_fd = engine_poll_register,
#endif
	.notify = engine_notify,
	.timer_new_opaque = engine_timer_new_opaque,
};

/**
 * engine_add_poll() - libslirp: poll @fd for @events this turn
 * @fd:		the socket
 * @events:	SLIRP_POLL_* flags
 * @opaque:	the engine
 *
 * Return: its index, for engine_get_revents().
 */
static int engine_add_poll(slirp_fd fd, int events, void *opaque)
{
	struct slirp_engine *engine = opaque;
	struct pollfd pfd = { .fd = fd };

	if (events & SLIRP_POLL_IN)
		pfd.events |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		pfd.events |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		pfd.events |= POLLPRI;
	g_array_append_val(engine->pollfds, pfd);
	return (int)engine->pollfds->len - 1;
}

/**
 * engine_get_revents() - libslirp: what poll() said about one socket
 * @idx:	index from engine_add_poll()
 * @opaque:	the engine
 *
 * Return: SLIRP_POLL_* flags.
 */
static int engine_get_revents(int idx, void *opaque)
{
	struct slirp_engine *engine = opaque;
	short revents = g_array_index(engine->pollfds, struct pollfd,
				      idx).revents;
	int events = 0;

	if (revents & POLLIN)
		events |= SLIRP_POLL_IN;
	if (revents & POLLOUT)
		events |= SLIRP_POLL_OUT;
	if (revents & POLLPRI)
		events |= SLIRP_POLL_PRI;
	if (revents & POLLERR)
		events |= SLIRP_POLL_ERR;
	if (revents & POLLHUP)
		events |= SLIRP_POLL_HUP;
	return events;
}

/**
 * engine_deliver() - slirp_pump callback: a frame from the guest
 * @frame:	the frame
 * @len:	its length
 * @opaque:	the engine
 */
static void engine_deliver(const uint8_t *frame, size_t len, void *opaque)
{
	struct slirp_engine *engine = opaque;

	slirp_input(engine->slirp, frame, (int)len);
}

/**
 * engine_add_forward() - set up one port forward
 * @engine:	the engine
 * @fwd:	the forward
 * @guest_addr:	where it goes when @fwd names no guest address
 * @error:	set when the host port cannot be had
 *
 * Return: true on success.
 */
static bool engine_add_forward(struct slirp_engine *engine,
			       const struct slirp_forward *fwd,
			       struct in_addr guest_addr, GError **error)
{
	struct sockaddr_in host = {
		.sin_family = AF_INET,
		.sin_addr = fwd->host_addr,
		.sin_port = htons(fwd->host_port),
	};
	struct sockaddr_in guest = {
		.sin_family = AF_INET,
		.sin_addr = fwd->guest_addr.s_addr ? fwd->guest_addr : guest_addr,
		.sin_port = htons(fwd->guest_port),
	};
	char host_text[INET_ADDRSTRLEN], guest_text[INET_ADDRSTRLEN];
	int err;

	errno = 0;
	if (!slirp_add_hostxfwd(engine->slirp, (struct sockaddr *)&host,
				sizeof(host), (struct sockaddr *)&guest,
				sizeof(guest),
				fwd->udp ? SLIRP_HOSTFWD_UDP : 0))
		return true;
	err = errno;
	inet_ntop(AF_INET, &host.sin_addr, host_text, sizeof(host_text));
	inet_ntop(AF_INET, &guest.sin_addr, guest_text, sizeof(guest_text));
	g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
		    "cannot forward %s %s:%u to %s:%u: %s",
		    fwd->udp ? "udp" : "tcp", host_text, fwd->host_port,
		    guest_text, fwd->guest_port,
		    err ? g_strerror(err) : "the host port is not available");
	return false;
}

/**
 * slirp_engine_new() - a libslirp instance on @pump, forwards set up
 * @settings:	what the guest gets
 * @pump:	the guest's frames; owned from now on, also on failure
 * @error:	set on failure (e.g. a forwarded host port in use)
 *
 * Return: the engine, or NULL with @error set.
 */
struct slirp_engine *slirp_engine_new(const struct slirp_settings *settings,
				      struct slirp_pump *pump, GError **error)
{
	g_autoptr(slirp_engine) engine = g_new0(struct slirp_engine, 1);
	SlirpConfig cfg = {
		.version = 4,
		.restricted = 0,
		.in_enabled = true,
		.in6_enabled = true,
		.vprefix_len = 64,
		.if_mtu = settings->mtu,
		.if_mru = settings->mtu,
		.disable_host_loopback = !settings->host_loopback,
	};

	/* libslirp writes to sockets whose peer may have gone: that must be
	 * EPIPE for it to handle, not a signal that ends the process */
	signal(SIGPIPE, SIG_IGN);
	engine->pump = pump;
	engine->mtu = settings->mtu;
	engine->pollfds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
	engine->timers = g_ptr_array_new();
	inet_pton(AF_INET, SLIRP_NETWORK, &cfg.vnetwork);
	inet_pton(AF_INET, SLIRP_NETMASK, &cfg.vnetmask);
	inet_pton(AF_INET, SLIRP_GATEWAY, &cfg.vhost);
	inet_pton(AF_INET, SLIRP_DHCP_START, &cfg.vdhcp_start);
	inet_pton(AF_INET, SLIRP_DNS, &cfg.vnameserver);
	inet_pton(AF_INET6, SLIRP_PREFIX6, &cfg.vprefix_addr6);
	inet_pton(AF_INET6, SLIRP_GATEWAY6, &cfg.vhost6);
	inet_pton(AF_INET6, SLIRP_DNS6, &cfg.vnameserver6);

	engine->slirp = slirp_new(&cfg, &engine_callbacks, engine);
	if (!engine->slirp) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "libslirp %s refused its configuration",
			    slirp_version_string());
		return NULL;
	}
	for (unsigned int i = 0; i < settings->n_forwards; i++)
		if (!engine_add_forward(engine, &settings->forwards[i],
					settings->guest_addr, error))
			return NULL;
	return g_steal_pointer(&engine);
}

/**
 * engine_timeout() - milliseconds until the next timer, within @limit
 * @engine:	the engine
 * @limit:	libslirp's own timeout, UINT32_MAX for none
 *
 * Return: the poll() timeout, -1 for none.
 */
static int engine_timeout(const struct slirp_engine *engine, uint32_t limit)
{
	int64_t now = engine_now_ns() / 1000000;
	int64_t timeout = limit == UINT32_MAX ? -1 : (int64_t)limit;

	for (unsigned int i = 0; i < engine->timers->len; i++) {
		const struct engine_timer *timer = engine->timers->pdata[i];
		int64_t left;

		if (timer->expire_ms < 0)
			continue;
		left = MAX(timer->expire_ms - now, 0);
		if (timeout < 0 || left < timeout)
			timeout = left;
	}
	return (int)MIN(timeout, G_MAXINT);
}

/**
 * engine_run_timers() - fire the timers that have expired
 * @engine:	the engine
 */
static void engine_run_timers(struct slirp_engine *engine)
{
	int64_t now = engine_now_ns() / 1000000;

	for (unsigned int i = 0; i < engine->timers->len; i++) {
		struct engine_timer *timer = engine->timers->pdata[i];

		if (timer->expire_ms < 0 || timer->expire_ms > now)
			continue;
		timer->expire_ms = -1;
		slirp_handle_timer(engine->slirp, timer->id, timer->cb_opaque);
	}
}

/**
 * slirp_engine_run() - carry the link's traffic until it ends
 * @engine:	the engine
 * @stop_fd:	end when this becomes readable (e.g. a pidfd), or -1
 * @error:	set when the loop itself fails
 *
 * Return: true when the link ended (tap gone, or @stop_fd readable).
 */
bool slirp_engine_run(struct slirp_engine *engine, int stop_fd,
		      GError **error)
{
	for (;;) {
		struct pollfd *pfds;
		uint32_t limit = UINT32_MAX;
		int rc;

		g_array_set_size(engine->pollfds, 0);
		engine_add_poll(slirp_pump_fd(engine->pump), SLIRP_POLL_IN,
				engine);
		engine_add_poll(stop_fd, stop_fd >= 0 ? SLIRP_POLL_IN : 0,
				engine);
		slirp_fill_fds(engine->slirp, &limit, engine_add_poll, engine);
		pfds = (struct pollfd *)(void *)engine->pollfds->data;
		rc = poll(pfds, engine->pollfds->len,
			  engine_timeout(engine, limit));
		if (rc < 0 && errno != EINTR) {
			g_set_error(error, TW_ERROR, TW_ERROR_KERNEL,
				    "poll: %s", g_strerror(errno));
			return false;
		}
		if (pfds[0].revents & (POLLERR | POLLHUP | POLLNVAL))
			return true;
		if (pfds[1].revents)
			return true;
		slirp_pollfds_poll(engine->slirp, rc < 0, engine_get_revents,
				   engine);
		if (pfds[0].revents & POLLIN &&
		    !slirp_pump_receive(engine->pump, engine_deliver, engine,
					NULL))
			return true;
		engine_run_timers(engine);
		if (!slirp_pump_flush(engine->pump, NULL))
			return true;
	}
}

/**
 * slirp_engine_free() - end libslirp and close the link
 * @engine:	the engine, or NULL
 */
void slirp_engine_free(struct slirp_engine *engine)
{
	if (!engine)
		return;
	if (engine->slirp)
		slirp_cleanup(engine->slirp);
	slirp_pump_free(engine->pump);
	if (engine->timers) {
		for (unsigned int i = 0; i < engine->timers->len; i++)
			g_free(engine->timers->pdata[i]);
		g_ptr_array_unref(engine->timers);
	}
	if (engine->pollfds)
		g_array_unref(engine->pollfds);
	g_free(engine);
}
