/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_netlink_errors.c - the words for a libnl failure (netdev/netlink.c):
 * the kernel's errno and text reach the user as they are, whatever libnl
 * folded them into, and libnl's "Unspecific failure" (an errno lost) never
 * does.
 */
#include <errno.h>
#include <string.h>
#include <netlink/errno.h>

#include "error.h"
#include "netlink.h"

/* the highest errno Linux has (EHWPOISON) */
#define LAST_ERRNO 133

/* assert_words() - netlink_error_words() says @expect */
static void assert_words(int rc, int kernel_errno, const char *extack,
			 int local_errno, const char *expect)
{
	g_autofree char *words = netlink_error_words(rc, kernel_errno, extack,
						     local_errno);

	g_assert_cmpstr(words, ==, expect);
}

/* a refusal by the kernel: its errno's words, for every errno, and libnl's
 * code (what nl_syserr2nlerr() made of it) does not matter */
static void test_every_kernel_errno_is_worded_by_strerror(void)
{
	for (int e = 1; e <= LAST_ERRNO; e++) {
		assert_words(-nl_syserr2nlerr(e), e, NULL, 0, g_strerror(e));
		assert_words(-NLE_FAILURE, e, "", EINVAL, g_strerror(e));
	}
}

/* the errno of a full bridge, which libnl calls "Unspecific failure" */
static void test_a_full_bridge_is_no_unspecific_failure(void)
{
	g_assert_cmpint(nl_syserr2nlerr(EXFULL), ==, NLE_FAILURE);
	assert_words(-NLE_FAILURE, EXFULL, NULL, 0, "Exchange full");
}

/* the kernel's own text comes first, its errno after it */
static void test_the_kernels_text_is_shown_with_its_errno(void)
{
	assert_words(-NLE_OPNOTSUPP, EOPNOTSUPP, "Unknown device type", 0,
		     "Unknown device type (Operation not supported)");
	assert_words(-NLE_FAILURE, 0, "Some text", 0, "Some text");
}

/* libnl's own system call failed: errno, where libnl's code is its fold */
static void test_a_local_errno_is_used_where_libnl_folded_it(void)
{
	assert_words(-NLE_FAILURE, 0, NULL, EXFULL, "Exchange full");
	assert_words(-NLE_NOMEM, 0, NULL, ENOBUFS, g_strerror(ENOBUFS));
	assert_words(-NLE_BAD_SOCK, 0, NULL, EBADF, g_strerror(EBADF));
	/* an errno that libnl would not have folded into this code is some
	 * other call's: libnl's own words then */
	assert_words(-NLE_NOMEM, 0, NULL, EINVAL, nl_geterror(NLE_NOMEM));
	assert_words(-NLE_MSG_TRUNC, 0, NULL, 0, nl_geterror(NLE_MSG_TRUNC));
}

/* a request socket's receive timeout is no "try again" */
static void test_a_timeout_says_the_kernel_did_not_answer(void)
{
	assert_words(-NLE_AGAIN, 0, NULL, EAGAIN,
		     "no answer from the kernel in 5 s");
	/* but the kernel's own EAGAIN is its own */
	assert_words(-NLE_AGAIN, EAGAIN, NULL, 0, g_strerror(EAGAIN));
}

/* no code and no errno, from libnl or out of its range, gives libnl's
 * "Unspecific failure" */
static void test_no_code_says_unspecific_failure(void)
{
	for (int rc = -(NLE_MAX + 10); rc <= 5; rc++)
		for (int e = 0; e <= LAST_ERRNO; e += 7) {
			g_autofree char *words = netlink_error_words(rc, 0, NULL,
								     e);

			if (strstr(words, "Unspecific"))
				g_error("rc %d errno %d: `%s'", rc, e, words);
			g_assert_cmpstr(words, !=, "");
		}
}

/* netlink_set_error(): one line, what failed and why, the code given */
static void test_the_error_is_one_line_what_and_why(void)
{
	GError *error = NULL;

	errno = EXFULL;
	netlink_set_error(&error, TW_ERROR_KERNEL, NULL, -NLE_FAILURE,
			  "cannot configure %s", "tw7");
	g_assert_error(error, TW_ERROR, TW_ERROR_KERNEL);
	g_assert_cmpstr(error->message, ==,
			"cannot configure tw7: Exchange full");
	g_error_free(error);
	netlink_set_error(NULL, TW_ERROR_KERNEL, NULL, -NLE_FAILURE, "x");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/netlink-errors/every-kernel-errno-is-worded-by-strerror",
			test_every_kernel_errno_is_worded_by_strerror);
	g_test_add_func("/netlink-errors/a-full-bridge-is-no-unspecific-failure",
			test_a_full_bridge_is_no_unspecific_failure);
	g_test_add_func("/netlink-errors/the-kernels-text-is-shown-with-its-errno",
			test_the_kernels_text_is_shown_with_its_errno);
	g_test_add_func("/netlink-errors/a-local-errno-is-used-where-libnl-folded-it",
			test_a_local_errno_is_used_where_libnl_folded_it);
	g_test_add_func("/netlink-errors/a-timeout-says-the-kernel-did-not-answer",
			test_a_timeout_says_the_kernel_did_not_answer);
	g_test_add_func("/netlink-errors/no-code-says-unspecific-failure",
			test_no_code_says_unspecific_failure);
	g_test_add_func("/netlink-errors/the-error-is-one-line-what-and-why",
			test_the_error_is_one_line_what_and_why);
	return g_test_run();
}
