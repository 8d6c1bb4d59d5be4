/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hostfwd.c - port forwards in QEMU's hostfwd syntax: every form QEMU
 * documents is read, and anything else is refused with the reason.
 */
#include <string.h>
#include <arpa/inet.h>

#include "error.h"
#include "hostfwd.h"

/* addr() - @text as an IPv4 address, network order */
static uint32_t addr(const char *text)
{
	struct in_addr a;

	g_assert_cmpint(inet_pton(AF_INET, text, &a), ==, 1);
	return a.s_addr;
}

static void test_full_form(void)
{
	struct slirp_forward fwd;
	GError *error = NULL;

	g_assert_true(hostfwd_parse("tcp:127.0.0.1:2222-10.0.2.16:22", &fwd,
				    &error));
	g_assert_no_error(error);
	g_assert_false(fwd.udp);
	g_assert_cmpuint(fwd.host_addr.s_addr, ==, addr("127.0.0.1"));
	g_assert_cmpuint(fwd.host_port, ==, 2222);
	g_assert_cmpuint(fwd.guest_addr.s_addr, ==, addr("10.0.2.16"));
	g_assert_cmpuint(fwd.guest_port, ==, 22);
}

static void test_empty_parts_take_qemus_defaults(void)
{
	struct slirp_forward fwd;
	GError *error = NULL;

	/* empty protocol: tcp; empty addresses: any host, the DHCP guest */
	g_assert_true(hostfwd_parse("::2222-:22", &fwd, &error));
	g_assert_no_error(error);
	g_assert_false(fwd.udp);
	g_assert_cmpuint(fwd.host_addr.s_addr, ==, htonl(INADDR_ANY));
	g_assert_cmpuint(fwd.guest_addr.s_addr, ==, htonl(INADDR_ANY));
	g_assert_true(hostfwd_parse("udp::5353-:53", &fwd, &error));
	g_assert_true(fwd.udp);
	g_assert_cmpuint(fwd.host_port, ==, 5353);
	g_assert_cmpuint(fwd.guest_port, ==, 53);
	g_assert_true(hostfwd_parse("tcp::65535-:1", &fwd, &error));
	g_assert_no_error(error);
}

static void test_malformed_is_refused_with_the_reason(void)
{
	static const struct {
		const char *text, *reason;
	} bad[] = {
		{ "", "no `-'" },
		{ "tcp:127.0.0.1:2222", "no `-'" },
		{ "tcp:2222-:22", "host side" },
		{ "tcp:127.0.0.1:2222-22", "guest side" },
		{ "tcp::2222-:22:1", "guest side" },
		{ "sctp::2222-:22", "protocol" },
		{ "TCP::2222-:22", "protocol" },
		{ "tcp:localhost:2222-:22", "host address" },
		{ "tcp:127.1:2222-:22", "host address" },
		{ "tcp::0-:22", "host port" },
		{ "tcp::65536-:22", "host port" },
		{ "tcp::22x-:22", "host port" },
		{ "tcp::+22-:22", "host port" },
		{ "tcp::-1-:22", "host port" },
		{ "tcp::2222-10.0.2:22", "guest address" },
		{ "tcp::2222-:", "guest port" },
		{ "tcp::2222-:99999", "guest port" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct slirp_forward fwd;
		GError *error = NULL;

		if (hostfwd_parse(bad[i].text, &fwd, &error))
			g_error("`%s' accepted", bad[i].text);
		g_assert_error(error, TW_ERROR, TW_ERROR_INVALID);
		if (!strstr(error->message, bad[i].reason) ||
		    !strstr(error->message, "hostfwd `"))
			g_error("`%s': message `%s' lacks `%s'", bad[i].text,
				error->message, bad[i].reason);
		g_error_free(error);
	}
}

static void test_message_is_one_line(void)
{
	struct slirp_forward fwd;
	GError *error = NULL;

	g_assert_false(hostfwd_parse("tcp::22\n-:22", &fwd, &error));
	g_assert_null(strchr(error->message, '\n'));
	g_error_free(error);
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/hostfwd/full-form", test_full_form);
	g_test_add_func("/hostfwd/empty-parts-take-qemus-defaults",
			test_empty_parts_take_qemus_defaults);
	g_test_add_func("/hostfwd/malformed-is-refused-with-the-reason",
			test_malformed_is_refused_with_the_reason);
	g_test_add_func("/hostfwd/message-is-one-line",
			test_message_is_one_line);
	return g_test_run();
}
