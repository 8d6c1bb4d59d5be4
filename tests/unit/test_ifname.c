/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ifname.c - names the ACL accepts are names the kernel takes as they
 * are (CVE-2019-13164): never truncated, never reinterpreted.
 */
#include "error.h"
#include "ifname.h"

static void assert_invalid(const char *name)
{
	GError *error = NULL;

	if (ifname_check(name, &error))
		g_error("`%s' accepted", name);
	g_assert_error(error, TW_ERROR, TW_ERROR_INVALID);
	g_assert_null(strchr(error->message, '\n'));
	g_error_free(error);
}

static void test_valid_names(void)
{
	g_assert_true(ifname_check("br0", NULL));
	g_assert_true(ifname_check("virbr-lab_1.x", NULL));
	g_assert_true(ifname_check("abcdefghijklmno", NULL));	/* 15 */
}

static void test_16_or_more_characters_are_invalid(void)
{
	g_autofree char *long255 = g_strnfill(255, 'b');

	assert_invalid("abcdefghijklmnop");	/* 16 */
	assert_invalid(long255);
}

static void test_kernel_refused_or_reinterpreted_names_are_invalid(void)
{
	assert_invalid("");
	assert_invalid(".");
	assert_invalid("..");
	assert_invalid("br/0");
	assert_invalid("br:0");
	assert_invalid("br 0");
	assert_invalid("br\n0");
	assert_invalid("br%d");
	assert_invalid("br\xff");
	assert_invalid("br\x7f");
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/ifname/valid-names", test_valid_names);
	g_test_add_func("/ifname/16-or-more-characters-are-invalid",
			test_16_or_more_characters_are_invalid);
	g_test_add_func("/ifname/kernel-refused-or-reinterpreted-names-are-invalid",
			test_kernel_refused_or_reinterpreted_names_are_invalid);
	return g_test_run();
}
