/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_policy_hostile.c - what the configuration parsers show and skip when
 * a file is hostile (issue 16): a file that is no configuration is never
 * quoted, paths in messages are escaped, and a user's broken include is
 * dropped whole instead of failing everyone's requests.
 * tests/integration/hostile_policy.sh has the same cases end to end.
 */
#include <string.h>
#include <unistd.h>

#include "bridge_acl.h"
#include "error.h"
#include "network_config.h"
#include "test_files.h"

#define SHADOW_LINE "root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n"

/* assert_no_control() - @text holds no control character */
static void assert_no_control(const char *text)
{
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			g_error("control character 0x%02x in `%s'",
				(unsigned char)*c, text);
}

/* acl_error() - the error of loading DIR/bridge.conf written with @text */
static char *acl_error(const char *dir, const char *text)
{
	g_autofree char *path = test_write(dir, "bridge.conf", text);
	GError *error = NULL;
	struct bridge_acl *acl = bridge_acl_load(path, &error);
	char *message;

	g_assert_null(acl);
	g_assert_error(error, TW_ERROR, TW_ERROR_CONFIG);
	message = g_strdup(error->message);
	g_error_free(error);
	return message;
}

static void test_bridge_conf_line_that_is_no_rule_is_not_shown(void)
{
	static const char *const texts[] = {
		SHADOW_LINE,			/* no blank: "needs an argument" */
		"SECRET words here\n",		/* "unknown command" */
		"allow br0\n\tSECRET\n",	/* on line 2 */
	};
	char *dir = test_dir_new();

	for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autofree char *message = acl_error(dir, texts[i]);

		g_assert_null(strstr(message, "SECRET"));
		g_assert_nonnull(strstr(message, "the line is not shown"));
	}
	/* a rule's own word is shown: it is no secret */
	g_autofree char *message = acl_error(dir, "deny\n");

	g_assert_nonnull(strstr(message, "`deny' needs an argument"));
	test_dir_free(dir);
}

static void test_tapwarden_conf_line_that_is_no_key_file_is_not_shown(void)
{
	static const char *const texts[] = {
		SHADOW_LINE,
		"SECRET=1\n[network a]\nbridge = br0\n",
		"[network a]\nbridge = br0\nSECRET WORDS\n",
	};
	static const char *const lines[] = { ":1:", ":1:", ":3:" };
	char *dir = test_dir_new();

	for (size_t i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autofree char *path = test_write(dir, "tapwarden.conf",
						   texts[i]);
		GError *error = NULL;
		struct network_config *cfg = network_config_load(path, true,
								 &error);

		g_assert_null(cfg);
		g_assert_error(error, TW_ERROR, TW_ERROR_CONFIG);
		if (strstr(error->message, "SECRET") ||
		    !strstr(error->message, lines[i]) ||
		    !strstr(error->message, "(the line is not shown)"))
			g_error("`%s'", error->message);
		g_error_free(error);
	}
	test_dir_free(dir);
}

static void test_bridge_conf_paths_in_messages_are_escaped(void)
{
	char *dir = test_dir_new();
	g_autofree char *sub = g_build_filename(dir, "inc\033]0;x\a\rz", NULL);
	g_autofree char *text = g_strdup_printf("allow br0\ninclude %s\n", sub);
	g_autofree char *message = NULL;

	g_assert_cmpint(g_mkdir(sub, 0755), ==, 0);	/* not a regular file */
	message = acl_error(dir, text);
	assert_no_control(message);
	g_assert_nonnull(strstr(message, "inc\\033]0;x\\007\\rz"));
	g_assert_nonnull(strstr(message, "not a regular file"));
	test_dir_free(dir);
}

static void test_bridge_conf_users_broken_include_is_dropped_whole(void)
{
	char *dir = test_dir_new();
	g_autofree char *path = NULL;
	g_autofree char *user = NULL;
	g_autofree char *why = NULL;
	g_autoptr(bridge_acl) acl = NULL;
	GError *error = NULL;

	if (geteuid() != 0) {
		g_test_skip("needs root, to give the include to another user");
		test_dir_free(dir);
		return;
	}
	user = test_write(dir, "user.conf", "allow br1\ndeny br0\npermit x\n");
	g_assert_cmpint(chown(user, 65534, 65534), ==, 0);
	path = test_write(dir, "bridge.conf", "allow br0\ninclude user.conf\n");
	acl = bridge_acl_load(path, &error);
	g_assert_no_error(error);
	/* none of its rules count: not its allow, not its deny */
	g_assert_true(bridge_acl_allows(acl, "br0"));
	g_assert_false(bridge_acl_decide(acl, "br1", &why));
	g_assert_nonnull(strstr(why, "include skipped"));
	g_assert_nonnull(strstr(why, "user.conf:3: unknown command"));

	/* the same file, root's: an error for everyone */
	g_assert_cmpint(chown(user, 0, 0), ==, 0);
	g_assert_null(bridge_acl_load(path, &error));
	g_assert_error(error, TW_ERROR, TW_ERROR_CONFIG);
	g_clear_error(&error);
	test_dir_free(dir);
}

static void test_bridge_conf_symlink_in_a_users_directory_is_the_users(void)
{
	char *dir = test_dir_new();
	g_autofree char *home = g_build_filename(dir, "home", NULL);
	g_autofree char *link = g_build_filename(home, "link.conf", NULL);
	g_autofree char *bad = NULL;
	g_autofree char *path = NULL;
	g_autofree char *text = NULL;
	g_autoptr(bridge_acl) acl = NULL;
	GError *error = NULL;

	if (geteuid() != 0) {
		g_test_skip("needs root, to give a directory to another user");
		test_dir_free(dir);
		return;
	}
	/* root's file with an error, reached through a user's symlink: the
	 * user chose to include it, so it breaks nobody else */
	bad = test_write(dir, "bad.conf", "permit x\n");
	g_assert_cmpint(g_mkdir(home, 0755), ==, 0);
	g_assert_cmpint(symlink(bad, link), ==, 0);
	g_assert_cmpint(chown(home, 65534, 65534), ==, 0);
	text = g_strdup_printf("allow br0\ninclude %s\n", link);
	path = test_write(dir, "bridge.conf", text);
	acl = bridge_acl_load(path, &error);
	g_assert_no_error(error);
	g_assert_true(bridge_acl_allows(acl, "br0"));
	g_clear_pointer(&acl, bridge_acl_free);

	/* the directory root's again: the error is everyone's */
	g_assert_cmpint(chown(home, 0, 0), ==, 0);
	g_assert_null(bridge_acl_load(path, &error));
	g_assert_error(error, TW_ERROR, TW_ERROR_CONFIG);
	g_clear_error(&error);
	g_assert_cmpint(unlink(link), ==, 0);
	g_assert_cmpint(g_rmdir(home), ==, 0);
	test_dir_free(dir);
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/policy-hostile/bridge-conf/line-that-is-no-rule-is-not-shown",
			test_bridge_conf_line_that_is_no_rule_is_not_shown);
	g_test_add_func("/policy-hostile/tapwarden-conf/line-that-is-no-key-file-is-not-shown",
			test_tapwarden_conf_line_that_is_no_key_file_is_not_shown);
	g_test_add_func("/policy-hostile/bridge-conf/paths-in-messages-are-escaped",
			test_bridge_conf_paths_in_messages_are_escaped);
	g_test_add_func("/policy-hostile/bridge-conf/users-broken-include-is-dropped-whole",
			test_bridge_conf_users_broken_include_is_dropped_whole);
	g_test_add_func("/policy-hostile/bridge-conf/symlink-in-a-users-directory-is-the-users",
			test_bridge_conf_symlink_in_a_users_directory_is_the_users);
	return g_test_run();
}
