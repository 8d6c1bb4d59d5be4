/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_broker_protocol.c - the helper<->broker messages: every type
 * survives a round trip, every malformed input is refused with a reason,
 * and the socket layer delivers one descriptor and never leaves the
 * receiver holding a descriptor it did not ask for.
 *
 * Malformed messages are written byte by byte with struct wire, never
 * through broker_msg_encode(), so the tests do not share the encoder's
 * idea of the format.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "broker_protocol.h"
#include "broker_socket.h"
#include "error.h"

/* Highest descriptor number checked for leaks */
#define FD_SCAN_MAX 256

/**
 * struct wire - a message built by hand
 * @buf:	its bytes; room for more than BROKER_MSG_MAX
 * @len:	how many
 */
struct wire {
	uint8_t buf[BROKER_MSG_MAX * 2];
	size_t len;
};

/* wire_put() - append @n bytes */
static void wire_put(struct wire *w, const void *data, size_t n)
{
	g_assert_cmpuint(w->len + n, <=, sizeof(w->buf));
	memcpy(w->buf + w->len, data, n);
	w->len += n;
}

/* wire_set_length() - write the current length into the header */
static void wire_set_length(struct wire *w)
{
	uint32_t total = (uint32_t)w->len;

	memcpy(w->buf + 8, &total, 4);
}

/* wire_begin() - a header of @type; the length is kept up to date by
 * wire_attr() */
static void wire_begin(struct wire *w, uint16_t type)
{
	uint32_t magic = BROKER_MAGIC;
	uint16_t version = BROKER_PROTOCOL_VERSION;

	w->len = 0;
	wire_put(w, &magic, 4);
	wire_put(w, &version, 2);
	wire_put(w, &type, 2);
	wire_put(w, &(uint32_t){ 0 }, 4);
	wire_set_length(w);
}

/* wire_attr() - append attribute @attr with @n bytes of @value */
static void wire_attr(struct wire *w, uint16_t attr, const void *value,
		      size_t n)
{
	uint16_t len = (uint16_t)n;

	wire_put(w, &attr, 2);
	wire_put(w, &len, 2);
	wire_put(w, value, n);
	wire_set_length(w);
}

static void wire_str(struct wire *w, uint16_t attr, const char *s)
{
	wire_attr(w, attr, s, strlen(s));
}

static void wire_u8(struct wire *w, uint16_t attr, uint8_t v)
{
	wire_attr(w, attr, &v, 1);
}

static void wire_u32(struct wire *w, uint16_t attr, uint32_t v)
{
	wire_attr(w, attr, &v, 4);
}

/* wire_req_tap() - a well-formed BROKER_REQ_TAP for "br0" */
static void wire_req_tap(struct wire *w)
{
	wire_begin(w, BROKER_REQ_TAP);
	wire_str(w, BA_NAME, "br0");
	wire_u8(w, BA_VNET_HDR, 1);
}

/**
 * assert_malformed() - decoding @len bytes of @buf fails with @reason
 * @buf:	the bytes
 * @len:	their number
 * @reason:	a part of the expected one-line message
 */
static void assert_malformed(const uint8_t *buf, size_t len,
			     const char *reason)
{
	struct broker_msg msg;
	GError *error = NULL;

	g_assert_false(broker_msg_decode(buf, len, &msg, &error));
	g_assert_error(error, TW_ERROR, TW_ERROR_INVALID);
	if (!strstr(error->message, reason))
		g_error("`%s' not in `%s'", reason, error->message);
	g_assert_null(strchr(error->message, '\n'));
	g_error_free(error);
}
#define REFUSED(w, reason) assert_malformed((w)->buf, (w)->len, (reason))

/**
 * assert_round_trip() - @msg encodes, decodes to itself, and the decoder
 * takes exactly the encoder's bytes
 * @msg:	a well-formed message
 */
static void assert_round_trip(const struct broker_msg *msg)
{
	uint8_t buf[BROKER_MSG_MAX];
	struct broker_msg back;
	GError *error = NULL;
	size_t len;

	len = broker_msg_encode(msg, buf, sizeof(buf));
	g_assert_cmpuint(len, >=, BROKER_HEADER_SIZE);
	g_assert_true(broker_msg_decode(buf, len, &back, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(back.type, ==, msg->type);
	g_assert_cmphex(back.present, ==, msg->present);
	/* both were zeroed by broker_msg_init(): compare everything */
	g_assert_cmpmem(&back, sizeof(back), msg, sizeof(*msg));
}

static void test_round_trip_req_tap(void)
{
	struct broker_msg msg;

	broker_msg_init(&msg, BROKER_REQ_TAP);
	broker_msg_set_str(&msg, BA_NAME, "lab");
	assert_round_trip(&msg);
	broker_msg_set_u32(&msg, BA_VNET_HDR, 1);
	assert_round_trip(&msg);
	broker_msg_set_u32(&msg, BA_VNET_HDR, 0);
	assert_round_trip(&msg);
	/* the rates a helper asks for (--inbound, --outbound), in bits/s */
	broker_msg_set_u64(&msg, BA_INBOUND, UINT64_C(100000000000));
	assert_round_trip(&msg);
	broker_msg_set_u64(&msg, BA_OUTBOUND, 1000);
	assert_round_trip(&msg);
}

static void test_round_trip_requests_without_attributes(void)
{
	const uint16_t types[] = {
		BROKER_REQ_LIST, BROKER_REQ_NETWORKS, BROKER_REP_END,
	};
	struct broker_msg msg;
	uint8_t buf[BROKER_MSG_MAX];

	for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
		broker_msg_init(&msg, types[i]);
		g_assert_cmpuint(broker_msg_encode(&msg, buf, sizeof(buf)), ==,
				 BROKER_HEADER_SIZE);
		assert_round_trip(&msg);
	}
}

static void test_round_trip_req_check(void)
{
	struct broker_msg msg;

	broker_msg_init(&msg, BROKER_REQ_CHECK);
	broker_msg_set_str(&msg, BA_USER, "alice");
	broker_msg_set_str(&msg, BA_NAME, "lab");
	assert_round_trip(&msg);
}

static void test_round_trip_rep_tap(void)
{
	struct broker_msg msg;

	broker_msg_init(&msg, BROKER_REP_TAP);
	broker_msg_set_str(&msg, BA_IFNAME, "tw0");
	assert_round_trip(&msg);
	broker_msg_set_u32(&msg, BA_VNET_HDR, 1);
	assert_round_trip(&msg);
}

static void test_round_trip_rep_error(void)
{
	struct broker_msg msg;
	char text[BROKER_TEXT_MAX + 1];

	broker_msg_init(&msg, BROKER_REP_ERROR);
	broker_msg_set_u32(&msg, BA_CODE, TW_ERROR_DENIED);
	broker_msg_set_text(&msg, "user bob may not use network lab");
	assert_round_trip(&msg);

	/* the longest text there may be */
	memset(text, 'x', BROKER_TEXT_MAX);
	text[BROKER_TEXT_MAX] = '\0';
	broker_msg_set_text(&msg, text);
	assert_round_trip(&msg);
}

static void test_round_trip_rep_lease(void)
{
	struct broker_msg msg;

	broker_msg_init(&msg, BROKER_REP_LEASE);
	broker_msg_set_str(&msg, BA_IFNAME, "tw12");
	broker_msg_set_u32(&msg, BA_UID, 1000);
	broker_msg_set_str(&msg, BA_USER, "alice");
	broker_msg_set_str(&msg, BA_NAME, "lab");
	broker_msg_set_u32(&msg, BA_PID, 4242);
	broker_msg_set_u64(&msg, BA_SINCE, UINT64_C(0x123456789abcdef0));
	assert_round_trip(&msg);
	broker_msg_set_str(&msg, BA_BRIDGE, "br-lab");
	assert_round_trip(&msg);
	/* the rates in force */
	broker_msg_set_u64(&msg, BA_INBOUND, 100000000);
	broker_msg_set_u64(&msg, BA_OUTBOUND, UINT64_MAX);
	assert_round_trip(&msg);
}

static void test_round_trip_rep_check(void)
{
	struct broker_msg msg;

	broker_msg_init(&msg, BROKER_REP_CHECK);
	broker_msg_set_u32(&msg, BA_ALLOWED, 0);
	broker_msg_set_text(&msg, "not in allow-users");
	assert_round_trip(&msg);
	broker_msg_set_u32(&msg, BA_ALLOWED, 1);
	assert_round_trip(&msg);
}

static void test_round_trip_rep_network(void)
{
	struct broker_msg msg;

	broker_msg_init(&msg, BROKER_REP_NETWORK);
	broker_msg_set_str(&msg, BA_NAME, "lab");
	broker_msg_set_str(&msg, BA_MODE, "bridge");
	assert_round_trip(&msg);
	broker_msg_set_str(&msg, BA_BRIDGE, "br-lab");
	broker_msg_set_text(&msg, "allow-users alice");
	broker_msg_set_u32(&msg, BA_COUNT, 3);
	broker_msg_set_u32(&msg, BA_LIMIT, UINT32_MAX);
	broker_msg_set_u32(&msg, BA_ALLOWED, 1);
	assert_round_trip(&msg);
	/* a NAT network's state */
	broker_msg_set_str(&msg, BA_ADDRESS, "255.255.255.254/30");
	broker_msg_set_u32(&msg, BA_RULES, 1);
	broker_msg_set_u32(&msg, BA_DNSMASQ_PID, 4194304);
	broker_msg_set_u32(&msg, BA_DHCP_LEASES, 253);
	assert_round_trip(&msg);
}

/* issue 16, finding 7: a name cut to 15 bytes is another bridge */
static void test_set_str_refuses_a_value_over_the_bound(void)
{
	struct broker_msg msg;
	char text[BROKER_TEXT_MAX + 8];

	broker_msg_init(&msg, BROKER_REQ_TAP);
	g_assert_false(broker_msg_set_str(&msg, BA_NAME,
					  "twbr-twenty-chars-x"));
	g_assert_false(msg.present & (1u << BA_NAME));
	g_assert_cmpstr(msg.name, ==, "");
	g_assert_true(broker_msg_set_str(&msg, BA_NAME, "fifteen-chars-x"));
	g_assert_cmpstr(msg.name, ==, "fifteen-chars-x");
	assert_round_trip(&msg);

	/* only the text for people is cut, at a character's boundary */
	broker_msg_init(&msg, BROKER_REP_ERROR);
	broker_msg_set_u32(&msg, BA_CODE, TW_ERROR_DENIED);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text + BROKER_TEXT_MAX - 1, "\xc3\xa9", 2);	/* é across it */
	broker_msg_set_text(&msg, text);
	g_assert_cmpuint(strlen(msg.text), ==, BROKER_TEXT_MAX - 1);
	assert_round_trip(&msg);
}

static void test_encode_refuses_a_small_buffer(void)
{
	struct broker_msg msg;
	uint8_t buf[BROKER_MSG_MAX];
	size_t len;

	broker_msg_init(&msg, BROKER_REQ_TAP);
	broker_msg_set_str(&msg, BA_NAME, "br0");
	len = broker_msg_encode(&msg, buf, sizeof(buf));
	g_assert_cmpuint(len, >, BROKER_HEADER_SIZE);
	g_assert_cmpuint(broker_msg_encode(&msg, buf, len - 1), ==, 0);
	g_assert_cmpuint(broker_msg_encode(&msg, buf, BROKER_HEADER_SIZE - 1),
			 ==, 0);
}

static void test_hand_built_message_is_accepted(void)
{
	struct wire w;
	struct broker_msg msg;
	GError *error = NULL;

	wire_req_tap(&w);
	g_assert_true(broker_msg_decode(w.buf, w.len, &msg, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(msg.type, ==, BROKER_REQ_TAP);
	g_assert_cmpstr(msg.name, ==, "br0");
	g_assert_true(msg.vnet_hdr);
	g_assert_true(BROKER_HAS(&msg, BA_NAME));
	g_assert_true(BROKER_HAS(&msg, BA_VNET_HDR));
	g_assert_false(BROKER_HAS(&msg, BA_TEXT));
}

static void test_shorter_than_the_header(void)
{
	struct wire w;

	wire_req_tap(&w);
	assert_malformed(w.buf, BROKER_HEADER_SIZE - 1, "11 bytes");
	assert_malformed(w.buf, 0, "0 bytes");
}

static void test_longer_than_the_maximum(void)
{
	static const uint8_t zeros[BROKER_MSG_MAX];
	struct wire w;

	wire_begin(&w, BROKER_REP_ERROR);
	wire_u32(&w, BA_CODE, 1);
	while (w.len <= BROKER_MSG_MAX) {
		char text[BROKER_TEXT_MAX + 1];

		memset(text, 'x', BROKER_TEXT_MAX);
		text[BROKER_TEXT_MAX] = '\0';
		wire_str(&w, BA_TEXT, text);
	}
	REFUSED(&w, "bytes (from 12 to 4096 expected)");

	/* BROKER_MSG_MAX bytes pass the size check (and fail later) */
	wire_begin(&w, BROKER_REP_ERROR);
	wire_attr(&w, BA__COUNT, zeros, BROKER_MSG_MAX - BROKER_HEADER_SIZE - 4);
	g_assert_cmpuint(w.len, ==, BROKER_MSG_MAX);
	REFUSED(&w, "not allowed");
	wire_put(&w, zeros, 1);
	wire_set_length(&w);
	REFUSED(&w, "4097 bytes");
}

static void test_wrong_magic(void)
{
	struct wire w;

	wire_req_tap(&w);
	w.buf[0] ^= 0xff;
	REFUSED(&w, "not a tapwarden message");
}

static void test_wrong_version_says_so(void)
{
	struct wire w;
	uint16_t version = BROKER_PROTOCOL_VERSION + 1;

	wire_req_tap(&w);
	memcpy(w.buf + 4, &version, 2);
	REFUSED(&w, "protocol version 2 is not spoken here (version 1 is)");
	version = 0;
	memcpy(w.buf + 4, &version, 2);
	REFUSED(&w, "protocol version 0 is not spoken here");
}

static void test_length_field_must_match(void)
{
	struct wire w;
	uint32_t total;

	wire_req_tap(&w);
	total = (uint32_t)w.len + 1;
	memcpy(w.buf + 8, &total, 4);
	REFUSED(&w, "says");
	total = (uint32_t)w.len - 1;
	memcpy(w.buf + 8, &total, 4);
	REFUSED(&w, "says");
	/* a well-formed message followed by a byte of garbage */
	wire_req_tap(&w);
	w.buf[w.len++] = 0;
	REFUSED(&w, "says");
}

static void test_unknown_type(void)
{
	struct wire w;

	wire_begin(&w, 0);
	REFUSED(&w, "unknown type 0");
	wire_begin(&w, 63);
	REFUSED(&w, "unknown type 63");
	wire_begin(&w, BROKER_REP_END + 1);
	REFUSED(&w, "unknown type");
	wire_begin(&w, UINT16_MAX);
	REFUSED(&w, "unknown type 65535");
}

static void test_unknown_attribute(void)
{
	struct wire w;

	wire_begin(&w, BROKER_REQ_TAP);
	wire_str(&w, BA_NAME, "br0");
	wire_u32(&w, BA__COUNT, 1);
	REFUSED(&w, "not allowed");
	wire_begin(&w, BROKER_REQ_TAP);
	wire_str(&w, BA_NAME, "br0");
	wire_u8(&w, 0, 1);
	REFUSED(&w, "attribute 0 not allowed");
	wire_begin(&w, BROKER_REQ_TAP);
	wire_str(&w, BA_NAME, "br0");
	wire_attr(&w, UINT16_MAX, "", 0);
	REFUSED(&w, "attribute 65535 not allowed");
}

static void test_attribute_not_allowed_in_the_type(void)
{
	struct wire w;

	wire_begin(&w, BROKER_REQ_TAP);
	wire_str(&w, BA_NAME, "br0");
	wire_str(&w, BA_TEXT, "hello");
	REFUSED(&w, "attribute 5 not allowed in type 1");
	/* a request may not carry what only replies carry */
	wire_begin(&w, BROKER_REQ_LIST);
	wire_u32(&w, BA_UID, 0);
	REFUSED(&w, "not allowed in type 2");
}

static void test_duplicated_attribute(void)
{
	struct wire w;

	wire_begin(&w, BROKER_REQ_TAP);
	wire_str(&w, BA_NAME, "br0");
	wire_str(&w, BA_NAME, "br1");
	REFUSED(&w, "attribute 1 twice");
	/* even with the same value */
	wire_begin(&w, BROKER_REQ_TAP);
	wire_str(&w, BA_NAME, "br0");
	wire_u8(&w, BA_VNET_HDR, 0);
	wire_u8(&w, BA_VNET_HDR, 0);
	REFUSED(&w, "twice");
}

static void test_truncated_attribute_header(void)
{
	struct wire w;

	for (size_t extra = 1; extra < 4; extra++) {
		wire_req_tap(&w);
		wire_put(&w, "\x01\x00\x03", extra);
		wire_set_length(&w);
		REFUSED(&w, "truncated attribute header");
	}
}

static void test_truncated_attribute_value(void)
{
	struct wire w;
	uint16_t attr = BA_NAME, len = 4;

	wire_begin(&w, BROKER_REQ_TAP);
	wire_put(&w, &attr, 2);
	wire_put(&w, &len, 2);
	wire_put(&w, "br0", 3);
	wire_set_length(&w);
	REFUSED(&w, "attribute 1 is truncated");
	/* a length far beyond the message */
	len = UINT16_MAX;
	memcpy(w.buf + BROKER_HEADER_SIZE + 2, &len, 2);
	REFUSED(&w, "is truncated");
}

static void test_string_with_nul(void)
{
	struct wire w;

	wire_begin(&w, BROKER_REQ_TAP);
	wire_attr(&w, BA_NAME, "br0\0x", 5);
	REFUSED(&w, "without NUL");
	wire_begin(&w, BROKER_REQ_TAP);
	wire_attr(&w, BA_NAME, "br0", 4);	/* a C string's own NUL */
	REFUSED(&w, "without NUL");
}

static void test_empty_string(void)
{
	struct wire w;

	wire_begin(&w, BROKER_REQ_TAP);
	wire_attr(&w, BA_NAME, "", 0);
	REFUSED(&w, "got 0 bytes");
}

static void test_string_over_its_bound(void)
{
	char text[BROKER_TEXT_MAX + 2];
	struct wire w;

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';

	wire_begin(&w, BROKER_REQ_TAP);
	wire_attr(&w, BA_NAME, text, IFNAMSIZ);
	REFUSED(&w, "1 to 15 bytes");
	wire_begin(&w, BROKER_REQ_CHECK);
	wire_attr(&w, BA_USER, text, BROKER_USER_MAX + 1);
	wire_str(&w, BA_NAME, "lab");
	REFUSED(&w, "1 to 64 bytes");
	wire_begin(&w, BROKER_REP_ERROR);
	wire_u32(&w, BA_CODE, 0);
	wire_attr(&w, BA_TEXT, text, BROKER_TEXT_MAX + 1);
	REFUSED(&w, "1 to 1024 bytes");
	wire_begin(&w, BROKER_REP_NETWORK);
	wire_str(&w, BA_NAME, "lab");
	wire_attr(&w, BA_MODE, text, BROKER_MODE_MAX + 1);
	REFUSED(&w, "1 to 15 bytes");

	/* the bound itself is fine */
	wire_begin(&w, BROKER_REQ_TAP);
	wire_attr(&w, BA_NAME, text, IFNAMSIZ - 1);
	g_assert_true(broker_msg_decode(w.buf, w.len,
					&(struct broker_msg){ 0 }, NULL));
}

static void test_boolean_not_0_or_1(void)
{
	struct wire w;

	wire_begin(&w, BROKER_REQ_TAP);
	wire_str(&w, BA_NAME, "br0");
	wire_u8(&w, BA_VNET_HDR, 2);
	REFUSED(&w, "attribute 2 has a bad value (1 bytes)");
	wire_begin(&w, BROKER_REP_CHECK);
	wire_u8(&w, BA_ALLOWED, 0xff);
	wire_str(&w, BA_TEXT, "why");
	REFUSED(&w, "bad value");
}

static void test_wrong_number_size(void)
{
	uint64_t big = 1;
	struct wire w;

	/* u8 as 4 bytes */
	wire_begin(&w, BROKER_REQ_TAP);
	wire_str(&w, BA_NAME, "br0");
	wire_u32(&w, BA_VNET_HDR, 1);
	REFUSED(&w, "attribute 2 has a bad value (4 bytes)");
	/* u32 as 2 and as 8 bytes */
	wire_begin(&w, BROKER_REP_ERROR);
	wire_attr(&w, BA_CODE, "\x01\x00", 2);
	wire_str(&w, BA_TEXT, "no");
	REFUSED(&w, "attribute 4 has a bad value (2 bytes)");
	wire_begin(&w, BROKER_REP_ERROR);
	wire_attr(&w, BA_CODE, &big, 8);
	wire_str(&w, BA_TEXT, "no");
	REFUSED(&w, "(8 bytes)");
	/* u64 as 4 bytes */
	wire_begin(&w, BROKER_REP_LEASE);
	wire_str(&w, BA_IFNAME, "tw0");
	wire_u32(&w, BA_UID, 1000);
	wire_str(&w, BA_USER, "alice");
	wire_str(&w, BA_NAME, "lab");
	wire_u32(&w, BA_PID, 1);
	wire_u32(&w, BA_SINCE, 1);
	REFUSED(&w, "attribute 10 has a bad value (4 bytes)");
	/* a rate as 4 bytes */
	wire_begin(&w, BROKER_REQ_TAP);
	wire_str(&w, BA_NAME, "br0");
	wire_u32(&w, BA_INBOUND, 1000000);
	REFUSED(&w, "has a bad value (4 bytes)");
	/* an empty number */
	wire_begin(&w, BROKER_REP_ERROR);
	wire_attr(&w, BA_CODE, "", 0);
	wire_str(&w, BA_TEXT, "no");
	REFUSED(&w, "(0 bytes)");
}

static void test_missing_required_attribute(void)
{
	struct wire w;

	wire_begin(&w, BROKER_REQ_TAP);
	REFUSED(&w, "type 1 lacks a required attribute");
	wire_begin(&w, BROKER_REQ_TAP);
	wire_u8(&w, BA_VNET_HDR, 1);
	REFUSED(&w, "lacks a required attribute");
	wire_begin(&w, BROKER_REQ_CHECK);
	wire_str(&w, BA_NAME, "lab");
	REFUSED(&w, "type 3 lacks");
	wire_begin(&w, BROKER_REP_ERROR);
	wire_str(&w, BA_TEXT, "no code");
	REFUSED(&w, "type 65 lacks");
	wire_begin(&w, BROKER_REP_LEASE);
	wire_str(&w, BA_IFNAME, "tw0");
	wire_u32(&w, BA_UID, 1000);
	wire_str(&w, BA_USER, "alice");
	wire_str(&w, BA_NAME, "lab");
	wire_u32(&w, BA_PID, 1);
	REFUSED(&w, "type 66 lacks");
}

/* --- the socket layer, over a real SOCK_SEQPACKET socket pair --- */

/**
 * struct fd_set_snapshot - which descriptors below FD_SCAN_MAX are open
 * @open:	one flag per descriptor
 */
struct fd_set_snapshot {
	bool open[FD_SCAN_MAX];
};

static void fd_snapshot(struct fd_set_snapshot *s)
{
	for (int fd = 0; fd < FD_SCAN_MAX; fd++)
		s->open[fd] = fcntl(fd, F_GETFD) >= 0;
}

/* assert_same_fds() - no descriptor was opened or closed since @before */
static void assert_same_fds(const struct fd_set_snapshot *before)
{
	struct fd_set_snapshot now;

	fd_snapshot(&now);
	for (int fd = 0; fd < FD_SCAN_MAX; fd++)
		if (now.open[fd] != before->open[fd])
			g_error("descriptor %d is %s", fd,
				now.open[fd] ? "left open" : "gone");
}

static void seqpacket_pair(int sv[2])
{
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				   sv), ==, 0);
}

/**
 * send_raw() - send @len bytes with @nfds descriptors, bypassing
 * broker_send()
 * @sock:	socket
 * @buf:	payload
 * @len:	its length
 * @fds:	descriptors to pass
 * @nfds:	how many
 */
static void send_raw(int sock, const void *buf, size_t len, const int *fds,
		     size_t nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	g_assert_cmpuint(nfds, <=, 8);
	if (nfds) {
		struct cmsghdr *cmsg;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
	}
	g_assert_cmpint(sendmsg(sock, &mh, MSG_NOSIGNAL), ==, (ssize_t)len);
}

/* open_pipe() - a pipe; the caller closes both ends */
static void open_pipe(int p[2])
{
	g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
}

static void test_socket_message_with_one_fd(void)
{
	struct broker_msg msg, got;
	GError *error = NULL;
	int sv[2], p[2], fd = -2;
	char c = 0;

	seqpacket_pair(sv);
	open_pipe(p);
	broker_msg_init(&msg, BROKER_REP_TAP);
	broker_msg_set_str(&msg, BA_IFNAME, "tw7");
	g_assert_true(broker_send(sv[0], &msg, p[1], &error));
	g_assert_no_error(error);
	close(p[1]);

	g_assert_true(broker_recv(sv[1], &got, &fd, &error));
	g_assert_no_error(error);
	g_assert_cmpstr(got.ifname, ==, "tw7");
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(fcntl(fd, F_GETFD), ==, FD_CLOEXEC);
	/* it is the very pipe that was sent */
	g_assert_cmpint(write(fd, "!", 1), ==, 1);
	g_assert_cmpint(read(p[0], &c, 1), ==, 1);
	g_assert_cmpint(c, ==, '!');
	close(fd);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_socket_message_without_fd(void)
{
	struct broker_msg msg, got;
	GError *error = NULL;
	int sv[2], fd = -2;

	seqpacket_pair(sv);
	broker_msg_init(&msg, BROKER_REQ_LIST);
	g_assert_true(broker_send(sv[0], &msg, -1, &error));
	g_assert_true(broker_recv(sv[1], &got, &fd, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(got.type, ==, BROKER_REQ_LIST);
	g_assert_cmpint(fd, ==, -1);
	/* with fd=NULL, a message without a descriptor is fine */
	g_assert_true(broker_send(sv[0], &msg, -1, &error));
	g_assert_true(broker_recv(sv[1], &got, NULL, &error));
	g_assert_no_error(error);
	close(sv[0]);
	close(sv[1]);
}

/**
 * assert_recv_refused() - broker_recv() on @sock fails with @reason and
 * leaves the receiver's descriptors as they were
 * @sock:	socket with a message waiting
 * @want_fd:	pass an fd pointer (or NULL)
 * @code:	expected TW_ERROR code
 * @reason:	part of the message
 */
static void assert_recv_refused(int sock, bool want_fd, int code,
				const char *reason)
{
	struct fd_set_snapshot before;
	struct broker_msg got;
	GError *error = NULL;
	int fd = -2;

	fd_snapshot(&before);
	g_assert_false(broker_recv(sock, &got, want_fd ? &fd : NULL, &error));
	g_assert_error(error, TW_ERROR, code);
	if (!strstr(error->message, reason))
		g_error("`%s' not in `%s'", reason, error->message);
	g_error_free(error);
	if (want_fd)
		g_assert_cmpint(fd, ==, -1);
	assert_same_fds(&before);
}

/* pipe_has_no_writer() - every copy of @p's write end is closed */
static void assert_pipe_has_no_writer(int p[2])
{
	char c;

	g_assert_cmpint(read(p[0], &c, 1), ==, 0);
}

static void test_socket_two_fds_are_refused_and_closed(void)
{
	struct wire w;
	int sv[2], p[2], q[2];

	seqpacket_pair(sv);
	open_pipe(p);
	open_pipe(q);
	wire_req_tap(&w);
	send_raw(sv[0], w.buf, w.len, (int[]){ p[1], q[1] }, 2);
	close(p[1]);
	close(q[1]);
	assert_recv_refused(sv[1], true, TW_ERROR_INVALID,
			    "unexpected descriptors attached");
	assert_pipe_has_no_writer(p);
	assert_pipe_has_no_writer(q);
	close(p[0]);
	close(q[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_socket_many_fds_are_refused_and_closed(void)
{
	struct wire w;
	int sv[2], p[8][2], ends[8];

	seqpacket_pair(sv);
	for (int i = 0; i < 8; i++) {
		open_pipe(p[i]);
		ends[i] = p[i][1];
	}
	wire_req_tap(&w);
	/* more than broker_recv() has room for: MSG_CTRUNC */
	send_raw(sv[0], w.buf, w.len, ends, 8);
	for (int i = 0; i < 8; i++)
		close(p[i][1]);
	assert_recv_refused(sv[1], true, TW_ERROR_INVALID, "malformed message");
	for (int i = 0; i < 8; i++) {
		assert_pipe_has_no_writer(p[i]);
		close(p[i][0]);
	}
	close(sv[0]);
	close(sv[1]);
}

static void test_socket_fd_not_asked_for_is_refused_and_closed(void)
{
	struct wire w;
	int sv[2], p[2];

	seqpacket_pair(sv);
	open_pipe(p);
	wire_req_tap(&w);
	send_raw(sv[0], w.buf, w.len, &p[1], 1);
	close(p[1]);
	assert_recv_refused(sv[1], false, TW_ERROR_INVALID,
			    "unexpected descriptors attached");
	assert_pipe_has_no_writer(p);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_socket_malformed_message_closes_its_fd(void)
{
	struct wire w;
	int sv[2], p[2];

	seqpacket_pair(sv);
	open_pipe(p);
	wire_req_tap(&w);
	w.buf[0] ^= 0xff;
	send_raw(sv[0], w.buf, w.len, &p[1], 1);
	close(p[1]);
	assert_recv_refused(sv[1], true, TW_ERROR_INVALID,
			    "not a tapwarden message");
	assert_pipe_has_no_writer(p);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_socket_over_long_datagram_is_refused(void)
{
	g_autofree uint8_t *big = g_malloc0(BROKER_MSG_MAX + 100);
	struct wire w;
	int sv[2], p[2];

	seqpacket_pair(sv);
	/* a valid header that claims the whole length */
	wire_req_tap(&w);
	memcpy(big, w.buf, w.len);
	memcpy(big + 8, &(uint32_t){ BROKER_MSG_MAX + 100 }, 4);
	send_raw(sv[0], big, BROKER_MSG_MAX + 100, NULL, 0);
	assert_recv_refused(sv[1], true, TW_ERROR_INVALID,
			    "longer than allowed");

	/* and with a descriptor attached, that is closed too */
	open_pipe(p);
	send_raw(sv[0], big, BROKER_MSG_MAX + 100, &p[1], 1);
	close(p[1]);
	assert_recv_refused(sv[1], true, TW_ERROR_INVALID,
			    "longer than allowed");
	assert_pipe_has_no_writer(p);
	close(p[0]);
	close(sv[0]);
	close(sv[1]);
}

static void test_socket_largest_message_is_accepted(void)
{
	char text[BROKER_TEXT_MAX + 1];
	struct broker_msg msg, got;
	GError *error = NULL;
	int sv[2], fd = -2;

	seqpacket_pair(sv);
	memset(text, 't', BROKER_TEXT_MAX);
	text[BROKER_TEXT_MAX] = '\0';
	broker_msg_init(&msg, BROKER_REP_NETWORK);
	broker_msg_set_str(&msg, BA_NAME, "network-name-15");
	broker_msg_set_str(&msg, BA_MODE, "mode-name-15-ch");
	broker_msg_set_str(&msg, BA_BRIDGE, "bridge-name-15c");
	broker_msg_set_text(&msg, text);
	broker_msg_set_u32(&msg, BA_COUNT, UINT32_MAX);
	broker_msg_set_u32(&msg, BA_LIMIT, UINT32_MAX);
	broker_msg_set_u32(&msg, BA_ALLOWED, 1);
	broker_msg_set_str(&msg, BA_ADDRESS, "255.255.255.254/30");
	broker_msg_set_u32(&msg, BA_RULES, 1);
	broker_msg_set_u32(&msg, BA_DNSMASQ_PID, UINT32_MAX);
	broker_msg_set_u32(&msg, BA_DHCP_LEASES, UINT32_MAX);
	g_assert_true(broker_send(sv[0], &msg, -1, &error));
	g_assert_no_error(error);
	g_assert_true(broker_recv(sv[1], &got, &fd, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(&got, sizeof(got), &msg, sizeof(msg));
	g_assert_cmpint(fd, ==, -1);
	close(sv[0]);
	close(sv[1]);
}

static void test_socket_closed_peer_is_not_found(void)
{
	int sv[2];

	seqpacket_pair(sv);
	close(sv[0]);
	assert_recv_refused(sv[1], true, TW_ERROR_NOT_FOUND,
			    "the other end closed the connection");
	close(sv[1]);
}

static void test_socket_send_to_a_closed_peer_fails(void)
{
	struct broker_msg msg;
	GError *error = NULL;
	int sv[2];

	seqpacket_pair(sv);
	close(sv[1]);
	broker_msg_init(&msg, BROKER_REQ_LIST);
	/* no SIGPIPE (it would kill the test), an error instead */
	g_assert_false(broker_send(sv[0], &msg, -1, &error));
	g_assert_error(error, TW_ERROR, TW_ERROR_FAILED);
	g_error_free(error);
	close(sv[0]);
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/broker-protocol/round-trip/req-tap",
			test_round_trip_req_tap);
	g_test_add_func("/broker-protocol/round-trip/without-attributes",
			test_round_trip_requests_without_attributes);
	g_test_add_func("/broker-protocol/round-trip/req-check",
			test_round_trip_req_check);
	g_test_add_func("/broker-protocol/round-trip/rep-tap",
			test_round_trip_rep_tap);
	g_test_add_func("/broker-protocol/round-trip/rep-error",
			test_round_trip_rep_error);
	g_test_add_func("/broker-protocol/round-trip/rep-lease",
			test_round_trip_rep_lease);
	g_test_add_func("/broker-protocol/round-trip/rep-check",
			test_round_trip_rep_check);
	g_test_add_func("/broker-protocol/round-trip/rep-network",
			test_round_trip_rep_network);
	g_test_add_func("/broker-protocol/set-str-refuses-a-value-over-the-bound",
			test_set_str_refuses_a_value_over_the_bound);
	g_test_add_func("/broker-protocol/encode-refuses-a-small-buffer",
			test_encode_refuses_a_small_buffer);
	g_test_add_func("/broker-protocol/hand-built-message-is-accepted",
			test_hand_built_message_is_accepted);
	g_test_add_func("/broker-protocol/malformed/shorter-than-the-header",
			test_shorter_than_the_header);
	g_test_add_func("/broker-protocol/malformed/longer-than-the-maximum",
			test_longer_than_the_maximum);
	g_test_add_func("/broker-protocol/malformed/wrong-magic",
			test_wrong_magic);
	g_test_add_func("/broker-protocol/malformed/wrong-version-says-so",
			test_wrong_version_says_so);
	g_test_add_func("/broker-protocol/malformed/length-field-must-match",
			test_length_field_must_match);
	g_test_add_func("/broker-protocol/malformed/unknown-type",
			test_unknown_type);
	g_test_add_func("/broker-protocol/malformed/unknown-attribute",
			test_unknown_attribute);
	g_test_add_func("/broker-protocol/malformed/attribute-not-allowed-in-the-type",
			test_attribute_not_allowed_in_the_type);
	g_test_add_func("/broker-protocol/malformed/duplicated-attribute",
			test_duplicated_attribute);
	g_test_add_func("/broker-protocol/malformed/truncated-attribute-header",
			test_truncated_attribute_header);
	g_test_add_func("/broker-protocol/malformed/truncated-attribute-value",
			test_truncated_attribute_value);
	g_test_add_func("/broker-protocol/malformed/string-with-nul",
			test_string_with_nul);
	g_test_add_func("/broker-protocol/malformed/empty-string",
			test_empty_string);
	g_test_add_func("/broker-protocol/malformed/string-over-its-bound",
			test_string_over_its_bound);
	g_test_add_func("/broker-protocol/malformed/boolean-not-0-or-1",
			test_boolean_not_0_or_1);
	g_test_add_func("/broker-protocol/malformed/wrong-number-size",
			test_wrong_number_size);
	g_test_add_func("/broker-protocol/malformed/missing-required-attribute",
			test_missing_required_attribute);
	g_test_add_func("/broker-socket/message-with-one-fd",
			test_socket_message_with_one_fd);
	g_test_add_func("/broker-socket/message-without-fd",
			test_socket_message_without_fd);
	g_test_add_func("/broker-socket/two-fds-are-refused-and-closed",
			test_socket_two_fds_are_refused_and_closed);
	g_test_add_func("/broker-socket/many-fds-are-refused-and-closed",
			test_socket_many_fds_are_refused_and_closed);
	g_test_add_func("/broker-socket/fd-not-asked-for-is-refused-and-closed",
			test_socket_fd_not_asked_for_is_refused_and_closed);
	g_test_add_func("/broker-socket/malformed-message-closes-its-fd",
			test_socket_malformed_message_closes_its_fd);
	g_test_add_func("/broker-socket/over-long-datagram-is-refused",
			test_socket_over_long_datagram_is_refused);
	g_test_add_func("/broker-socket/largest-message-is-accepted",
			test_socket_largest_message_is_accepted);
	g_test_add_func("/broker-socket/closed-peer-is-not-found",
			test_socket_closed_peer_is_not_found);
	g_test_add_func("/broker-socket/send-to-a-closed-peer-fails",
			test_socket_send_to_a_closed_peer_fails);
	return g_test_run();
}
