/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_helper_args.c - the helper parses what QEMU and libvirt pass, in
 * any order, and refuses everything else with one line.
 */
#include <string.h>

#include "error.h"
#include "helper_args.h"

#define ARGV(...) ((char *const[]){ "tapwarden-helper", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "tapwarden-helper", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(args, error, ...) \
	helper_args_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (args), (error))

static void test_qemu_exec_form(void)
{
	struct helper_args args;
	GError *error = NULL;

	g_assert_true(PARSE(&args, &error, "--use-vnet", "--fd=7", "--br=br0"));
	g_assert_no_error(error);
	g_assert_true(args.use_vnet);
	g_assert_cmpint(args.fd, ==, 7);
	g_assert_cmpstr(args.bridge, ==, "br0");
	g_assert_null(args.config);
	helper_args_clear(&args);
}

static void test_own_options_before_qemus(void)
{
	struct helper_args args;
	GError *error = NULL;

	g_assert_true(PARSE(&args, &error, "--config=/tmp/t.conf", "--acl",
			    "/tmp/b.conf", "--br=lab", "--use-vnet", "--fd=12"));
	g_assert_no_error(error);
	g_assert_cmpstr(args.config, ==, "/tmp/t.conf");
	g_assert_cmpstr(args.acl, ==, "/tmp/b.conf");
	g_assert_cmpstr(args.bridge, ==, "lab");
	g_assert_cmpint(args.fd, ==, 12);
	helper_args_clear(&args);
}

static void test_rate_options_before_qemus(void)
{
	struct helper_args args;
	GError *error = NULL;

	/* their syntax is checked by policy/rate.c, not here */
	g_assert_true(PARSE(&args, &error, "--inbound=10mbit", "--outbound",
			    "2.5mbit", "--use-vnet", "--fd=3", "--br=lab"));
	g_assert_no_error(error);
	g_assert_cmpstr(args.inbound, ==, "10mbit");
	g_assert_cmpstr(args.outbound, ==, "2.5mbit");
	helper_args_clear(&args);
}

static void test_without_use_vnet(void)
{
	struct helper_args args;
	GError *error = NULL;

	g_assert_true(PARSE(&args, &error, "--br=br0", "--fd=3"));
	g_assert_false(args.use_vnet);
	helper_args_clear(&args);
}

static void test_missing_options_are_left_unset(void)
{
	struct helper_args args;
	GError *error = NULL;

	g_assert_true(PARSE(&args, &error, "--use-vnet"));
	g_assert_null(args.bridge);
	g_assert_cmpint(args.fd, ==, -1);
	helper_args_clear(&args);
}

/* assert_refused() - parsing fails and the message contains @reason */
static void assert_refused(int argc, char *const argv[], const char *reason)
{
	struct helper_args args;
	GError *error = NULL;

	g_assert_false(helper_args_parse(argc, argv, &args, &error));
	g_assert_error(error, TW_ERROR, TW_ERROR_INVALID);
	if (!strstr(error->message, reason))
		g_error("`%s' not in `%s'", reason, error->message);
	g_assert_null(strchr(error->message, '\n'));
	g_error_free(error);
	helper_args_clear(&args);
}
#define REFUSED(reason, ...) assert_refused(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), reason)

static void test_fd_must_be_a_number(void)
{
	REFUSED("not a file descriptor number", "--br=br0", "--fd=abc");
	REFUSED("not a file descriptor number", "--br=br0", "--fd=");
	REFUSED("not a file descriptor number", "--br=br0", "--fd=-1");
	REFUSED("not a file descriptor number", "--br=br0", "--fd=3x");
	REFUSED("not a file descriptor number", "--br=br0", "--fd= 3");
	REFUSED("not a file descriptor number", "--br=br0", "--fd=99999999999999999999");
}

static void test_options_given_twice_are_refused(void)
{
	REFUSED("--br given twice", "--br=br0", "--br=br1", "--fd=3");
	REFUSED("--fd given twice", "--br=br0", "--fd=3", "--fd=4");
	REFUSED("--acl given twice", "--acl=a", "--acl=b");
	REFUSED("--inbound given twice", "--inbound=1mbit", "--inbound=2mbit");
	REFUSED("--outbound given twice", "--outbound=1mbit", "--outbound", "2mbit");
}

static void test_unknown_arguments_are_refused(void)
{
	REFUSED("unknown argument `--bridge=br0'", "--bridge=br0", "--fd=3");
	REFUSED("unknown argument `stray'", "stray");
	REFUSED("unknown argument `--br\\nx'", "--br\nx");
}

static void test_option_without_value_is_refused(void)
{
	REFUSED("--config needs a value", "--br=br0", "--config");
}

static void test_help_and_version(void)
{
	struct helper_args args;
	GError *error = NULL;

	g_assert_true(PARSE(&args, &error, "--help"));
	g_assert_true(args.help);
	helper_args_clear(&args);
	g_assert_true(PARSE(&args, &error, "-V"));
	g_assert_true(args.version);
	helper_args_clear(&args);
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/helper-args/qemu-exec-form", test_qemu_exec_form);
	g_test_add_func("/helper-args/own-options-before-qemus",
			test_own_options_before_qemus);
	g_test_add_func("/helper-args/without-use-vnet", test_without_use_vnet);
	g_test_add_func("/helper-args/missing-options-are-left-unset",
			test_missing_options_are_left_unset);
	g_test_add_func("/helper-args/fd-must-be-a-number",
			test_fd_must_be_a_number);
	g_test_add_func("/helper-args/rate-options-before-qemus",
			test_rate_options_before_qemus);
	g_test_add_func("/helper-args/options-given-twice-are-refused",
			test_options_given_twice_are_refused);
	g_test_add_func("/helper-args/unknown-arguments-are-refused",
			test_unknown_arguments_are_refused);
	g_test_add_func("/helper-args/option-without-value-is-refused",
			test_option_without_value_is_refused);
	g_test_add_func("/helper-args/help-and-version", test_help_and_version);
	return g_test_run();
}
