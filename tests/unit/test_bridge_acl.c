/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_bridge_acl.c - bridge.conf keeps qemu-bridge-helper's meaning, and
 * fails closed where that helper was lax.
 */
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bridge_acl.h"
#include "error.h"
#include "test_files.h"

/* allows_in() - does DIR/bridge.conf, written with @text, allow @bridge
 * (it must parse); other files of DIR may be included */
static bool allows_in(const char *dir, const char *text, const char *bridge)
{
	g_autofree char *path = test_write(dir, "bridge.conf", text);
	GError *error = NULL;
	g_autoptr(bridge_acl) acl = bridge_acl_load(path, &error);

	g_assert_no_error(error);
	return bridge_acl_allows(acl, bridge);
}

/* assert_refused_in() - DIR/bridge.conf, written with @text, is refused
 * as bad configuration, with @reason and a "FILE:" prefix in the message */
static void assert_refused_in(const char *dir, const char *text,
			      const char *reason)
{
	g_autofree char *path = test_write(dir, "bridge.conf", text);
	GError *error = NULL;
	struct bridge_acl *acl = bridge_acl_load(path, &error);

	g_assert_null(acl);
	g_assert_error(error, TW_ERROR, TW_ERROR_CONFIG);
	if (!strstr(error->message, reason) || !strstr(error->message, ".conf:"))
		g_error("`%s' not in `%s'", reason, error->message);
	g_error_free(error);
}

/* allows() - allows_in() with a bridge.conf alone in a new directory */
static bool allows(const char *text, const char *bridge)
{
	char *dir = test_dir_new();
	bool allowed = allows_in(dir, text, bridge);

	test_dir_free(dir);
	return allowed;
}

/* assert_refused() - assert_refused_in() with bridge.conf alone */
static void assert_refused(const char *text, const char *reason)
{
	char *dir = test_dir_new();

	assert_refused_in(dir, text, reason);
	test_dir_free(dir);
}

/* put_chain() - files PREFIX0.conf .. PREFIX<n-1>.conf, each including
 * the next @fanout times; the last includes PREFIX<n>.conf */
static void put_chain(const char *dir, const char *prefix, int n, int fanout)
{
	for (int i = 0; i < n; i++) {
		g_autofree char *name = g_strdup_printf("%s%d.conf", prefix, i);
		g_autoptr(GString) text = g_string_new(NULL);

		for (int j = 0; j < fanout; j++)
			g_string_append_printf(text, "include %s%d.conf\n",
					       prefix, i + 1);
		test_put(dir, name, text->str);
	}
}

static void test_allow_name_allows_only_that_bridge(void)
{
	g_assert_true(allows("allow br0\n", "br0"));
	g_assert_false(allows("allow br0\n", "br1"));
	g_assert_false(allows("allow br0\n", "br"));
}

static void test_allow_all_allows_every_bridge(void)
{
	g_assert_true(allows("allow all\n", "br0"));
	g_assert_true(allows("allow all\n", "virbr7"));
}

static void test_default_is_deny(void)
{
	g_assert_false(allows("", "br0"));
	g_assert_false(allows("# only a comment\n\n", "br0"));
}

static void test_deny_wins_regardless_of_order(void)
{
	g_assert_false(allows("allow br0\ndeny br0\n", "br0"));
	g_assert_false(allows("deny br0\nallow br0\n", "br0"));
	g_assert_false(allows("allow all\ndeny br0\n", "br0"));
	g_assert_true(allows("allow all\ndeny br0\n", "br1"));
}

static void test_deny_all_denies_every_bridge(void)
{
	g_assert_false(allows("allow br0\ndeny all\n", "br0"));
	g_assert_false(allows("deny all\nallow all\n", "br1"));
}

static void test_comments_blank_lines_tabs_and_spaces(void)
{
	g_assert_true(allows("# c\n\n   \n  allow\tbr0\n", "br0"));
	g_assert_true(allows("allow \t br0 \t\n", "br0"));
	g_assert_true(allows("\tallow   br1\t\n", "br1"));
	g_assert_true(allows("allow br0", "br0"));	/* no final newline */
}

static void test_command_ends_at_first_space_else_first_tab(void)
{
	/* qemu-bridge-helper splits at a space before it looks for a tab:
	 * "allow<TAB>br0<SPACE>" is the command "allow<TAB>br0", no argument */
	assert_refused("allow\tbr0 \n", "needs an argument");
}

static void test_all_is_a_keyword_not_a_name(void)
{
	g_assert_true(allows("allow all\n", "all"));
	g_assert_false(allows("allow all\ndeny all\n", "all"));
}

static void test_name_of_16_or_more_characters_is_an_error(void)
{
	assert_refused("allow abcdefghijklmnop\n", "too long");
	assert_refused("deny abcdefghijklmnopqrstuvwxyz\n", "too long");
	g_assert_true(allows("allow abcdefghijklmno\n", "abcdefghijklmno"));
}

static void test_invalid_names_are_errors(void)
{
	assert_refused("allow br/0\n", "not allowed");
	assert_refused("allow br0 # comment\n", "not allowed");
	assert_refused("allow ..\n", "not a valid");
	assert_refused("allow br%d\n", "not allowed");
}

static void test_unknown_command_is_an_error(void)
{
	assert_refused("permit br0\n", "unknown command: rules are");
	assert_refused("allow br0\nALLOW br1\n", ":2: unknown command");
}

static void test_command_without_argument_is_an_error(void)
{
	assert_refused("allow\n", "needs an argument");
	assert_refused("deny   \n", "needs an argument");
}

static void test_include_adds_the_rules_of_the_file(void)
{
	char *dir = test_dir_new();
	g_autofree char *inc = test_write(dir, "alice.conf", "allow br1\n");
	g_autofree char *main_text = g_strdup_printf("include %s\n", inc);

	g_assert_true(allows_in(dir, main_text, "br1"));
	g_assert_false(allows_in(dir, main_text, "br0"));
	test_dir_free(dir);
}

static void test_include_relative_to_the_including_file(void)
{
	char *dir = test_dir_new();

	test_put(dir, "bob.conf", "allow br2\n");
	g_assert_true(allows_in(dir, "include bob.conf\n", "br2"));
	test_dir_free(dir);
}

static void test_deny_in_an_include_wins(void)
{
	char *dir = test_dir_new();

	test_put(dir, "deny.conf", "deny br0\n");
	g_assert_false(allows_in(dir, "allow br0\ninclude deny.conf\n", "br0"));
	test_dir_free(dir);
}

static void test_missing_include_is_skipped(void)
{
	g_assert_true(allows("include /nonexistent/tapwarden/x.conf\nallow br0\n",
			     "br0"));
}

/* check_unreadable_include() - the check, as a process that cannot read
 * secret.conf */
static void check_unreadable_include(const char *dir)
{
	const char *text = "include secret.conf\nallow br0\n";

	g_assert_false(allows_in(dir, text, "br9"));
	g_assert_true(allows_in(dir, text, "br0"));
}

static void test_unreadable_include_is_skipped(void)
{
	char *dir = test_dir_new();
	g_autofree char *inc = test_write(dir, "secret.conf", "allow all\n");
	int status;
	pid_t pid;

	g_assert_cmpint(g_chmod(inc, 0), ==, 0);
	if (geteuid() != 0) {
		check_unreadable_include(dir);
		test_dir_free(dir);
		return;
	}
	/* root reads everything: check as an unprivileged uid (no account
	 * needed for a bare setuid) */
	g_assert_cmpint(g_chmod(dir, 0777), ==, 0);
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		check_unreadable_include(dir);
		/* the child's copy of the parent's block: freed, so that
		 * valgrind's leak check of the child finds nothing */
		g_clear_pointer(&inc, g_free);
		_exit(0);
	}
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	test_dir_free(dir);
}

static void test_decision_names_the_deciding_rule(void)
{
	char *dir = test_dir_new();
	g_autofree char *path = test_write(dir, "bridge.conf",
					   "# c\nallow all\ndeny br1\n");
	g_autoptr(bridge_acl) acl = bridge_acl_load(path, NULL);
	g_autofree char *why0 = NULL, *why1 = NULL, *why2 = NULL;
	g_autofree char *allow = g_strdup_printf("%s:2: allow all", path);
	g_autofree char *deny = g_strdup_printf("%s:3: deny br1", path);

	g_assert_nonnull(acl);
	g_assert_true(bridge_acl_decide(acl, "br0", &why0));
	g_assert_cmpstr(why0, ==, allow);
	g_assert_false(bridge_acl_decide(acl, "br1", &why1));
	g_assert_cmpstr(why1, ==, deny);
	test_dir_free(dir);

	dir = test_dir_new();
	g_free(path);
	path = test_write(dir, "bridge.conf", "allow br5\n");
	bridge_acl_free(g_steal_pointer(&acl));
	acl = bridge_acl_load(path, NULL);
	g_assert_false(bridge_acl_decide(acl, "br6", &why2));
	g_assert_cmpstr(why2, ==, "no rule allows br6 (default deny)");
	test_dir_free(dir);
}

static void test_includes_are_read_with_the_callers_rights(void)
{
	char *dir = test_dir_new();
	g_autofree char *main_path = test_write(dir, "bridge.conf",
						"include mine.conf\nallow br0\n");
	g_autofree char *inc = test_write(dir, "mine.conf", "allow br7\n");
	struct fs_identity nobody = { .uid = 65534, .gid = 65534 };
	g_autoptr(bridge_acl) as_nobody = NULL, as_self = NULL;
	GError *error = NULL;

	if (geteuid() != 0) {
		/* switching needs CAP_SETUID: refused, never read as self */
		g_assert_null(bridge_acl_load_as(main_path, &nobody, &error));
		g_assert_error(error, TW_ERROR, TW_ERROR_FAILED);
		g_clear_error(&error);
		test_dir_free(dir);
		return;
	}
	g_assert_cmpint(g_chmod(dir, 0755), ==, 0);
	g_assert_cmpint(g_chmod(main_path, 0644), ==, 0);
	g_assert_cmpint(g_chmod(inc, 0600), ==, 0);	/* root's only */
	as_nobody = bridge_acl_load_as(main_path, &nobody, &error);
	g_assert_no_error(error);
	g_assert_true(bridge_acl_allows(as_nobody, "br0"));
	g_assert_false(bridge_acl_allows(as_nobody, "br7"));
	as_self = bridge_acl_load_as(main_path, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(bridge_acl_allows(as_self, "br7"));
	/* and the broker's own rights are back afterwards */
	g_assert_cmpint(access(inc, R_OK), ==, 0);
	test_dir_free(dir);
}

static void test_include_loop_is_an_error(void)
{
	char *dir = test_dir_new();

	test_put(dir, "a.conf", "include b.conf\n");
	test_put(dir, "b.conf", "include a.conf\n");
	assert_refused_in(dir, "include a.conf\n", "include loop");
	test_dir_free(dir);
}

static void test_file_including_itself_is_an_error(void)
{
	assert_refused("allow br0\ninclude bridge.conf\n", "include loop");
}

static void test_runaway_include_depth_is_an_error(void)
{
	char *dir = test_dir_new();

	put_chain(dir, "f", 100, 1);	/* 100 distinct files: no loop */
	assert_refused_in(dir, "include f0.conf\n", "nested deeper than");
	test_dir_free(dir);
}

static void test_include_chain_within_the_limit_works(void)
{
	char *dir = test_dir_new();
	g_autofree char *last = g_strdup_printf("f%d.conf",
						BRIDGE_ACL_MAX_DEPTH - 2);

	/* main file + BRIDGE_ACL_MAX_DEPTH - 1 includes */
	put_chain(dir, "f", BRIDGE_ACL_MAX_DEPTH - 2, 1);
	test_put(dir, last, "allow deep0\n");
	g_assert_true(allows_in(dir, "include f0.conf\n", "deep0"));
	test_dir_free(dir);
}

static void test_file_included_many_times_is_parsed_once(void)
{
	char *dir = test_dir_new();

	/* 8 levels of 10 includes each would be 10^8 parses (the test would
	 * time out) if each include were followed; rules do not depend on
	 * order, so once is enough */
	put_chain(dir, "l", 8, 10);
	test_put(dir, "l8.conf", "allow fan0\n");
	g_assert_true(allows_in(dir, "include l0.conf\n", "fan0"));
	test_dir_free(dir);
}

static void test_more_than_256_files_is_an_error(void)
{
	char *dir = test_dir_new();
	g_autoptr(GString) main_text = g_string_new(NULL);

	for (int i = 0; i < BRIDGE_ACL_MAX_FILES; i++) {
		g_autofree char *name = g_strdup_printf("u%d.conf", i);

		test_put(dir, name, "allow br0\n");
		g_string_append_printf(main_text, "include %s\n", name);
	}
	assert_refused_in(dir, main_text->str, "more than 256 files");
	test_dir_free(dir);
}

static void test_syntax_error_in_an_include_is_an_error(void)
{
	char *dir = test_dir_new();

	test_put(dir, "bad.conf", "allow br0\nbogus\n");
	assert_refused_in(dir, "include bad.conf\n", "bad.conf:2:");
	test_dir_free(dir);
}

static void test_include_of_a_directory_is_an_error(void)
{
	char *dir = test_dir_new();
	g_autofree char *sub = g_build_filename(dir, "sub", NULL);

	g_assert_cmpint(g_mkdir(sub, 0700), ==, 0);
	assert_refused_in(dir, "include sub\n", "not a regular file");
	test_dir_free(dir);
}

static void test_missing_main_file_is_not_found(void)
{
	GError *error = NULL;
	struct bridge_acl *acl = bridge_acl_load("/nonexistent/bridge.conf",
						 &error);

	g_assert_null(acl);
	g_assert_error(error, TW_ERROR, TW_ERROR_NOT_FOUND);
	g_error_free(error);
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/bridge-acl/decision-names-the-deciding-rule",
			test_decision_names_the_deciding_rule);
	g_test_add_func("/bridge-acl/includes-are-read-with-the-callers-rights",
			test_includes_are_read_with_the_callers_rights);
	g_test_add_func("/bridge-acl/allow-name-allows-only-that-bridge",
			test_allow_name_allows_only_that_bridge);
	g_test_add_func("/bridge-acl/allow-all-allows-every-bridge",
			test_allow_all_allows_every_bridge);
	g_test_add_func("/bridge-acl/default-is-deny", test_default_is_deny);
	g_test_add_func("/bridge-acl/deny-wins-regardless-of-order",
			test_deny_wins_regardless_of_order);
	g_test_add_func("/bridge-acl/deny-all-denies-every-bridge",
			test_deny_all_denies_every_bridge);
	g_test_add_func("/bridge-acl/comments-blank-lines-tabs-and-spaces",
			test_comments_blank_lines_tabs_and_spaces);
	g_test_add_func("/bridge-acl/command-ends-at-first-space-else-first-tab",
			test_command_ends_at_first_space_else_first_tab);
	g_test_add_func("/bridge-acl/all-is-a-keyword-not-a-name",
			test_all_is_a_keyword_not_a_name);
	g_test_add_func("/bridge-acl/name-of-16-or-more-characters-is-an-error",
			test_name_of_16_or_more_characters_is_an_error);
	g_test_add_func("/bridge-acl/invalid-names-are-errors",
			test_invalid_names_are_errors);
	g_test_add_func("/bridge-acl/unknown-command-is-an-error",
			test_unknown_command_is_an_error);
	g_test_add_func("/bridge-acl/command-without-argument-is-an-error",
			test_command_without_argument_is_an_error);
	g_test_add_func("/bridge-acl/include-adds-the-rules-of-the-file",
			test_include_adds_the_rules_of_the_file);
	g_test_add_func("/bridge-acl/include-relative-to-the-including-file",
			test_include_relative_to_the_including_file);
	g_test_add_func("/bridge-acl/deny-in-an-include-wins",
			test_deny_in_an_include_wins);
	g_test_add_func("/bridge-acl/missing-include-is-skipped",
			test_missing_include_is_skipped);
	g_test_add_func("/bridge-acl/unreadable-include-is-skipped",
			test_unreadable_include_is_skipped);
	g_test_add_func("/bridge-acl/include-loop-is-an-error",
			test_include_loop_is_an_error);
	g_test_add_func("/bridge-acl/file-including-itself-is-an-error",
			test_file_including_itself_is_an_error);
	g_test_add_func("/bridge-acl/runaway-include-depth-is-an-error",
			test_runaway_include_depth_is_an_error);
	g_test_add_func("/bridge-acl/include-chain-within-the-limit-works",
			test_include_chain_within_the_limit_works);
	g_test_add_func("/bridge-acl/file-included-many-times-is-parsed-once",
			test_file_included_many_times_is_parsed_once);
	g_test_add_func("/bridge-acl/more-than-256-files-is-an-error",
			test_more_than_256_files_is_an_error);
	g_test_add_func("/bridge-acl/syntax-error-in-an-include-is-an-error",
			test_syntax_error_in_an_include_is_an_error);
	g_test_add_func("/bridge-acl/include-of-a-directory-is-an-error",
			test_include_of_a_directory_is_an_error);
	g_test_add_func("/bridge-acl/missing-main-file-is-not-found",
			test_missing_main_file_is_not_found);
	return g_test_run();
}
