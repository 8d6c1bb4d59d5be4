/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_user_network.c - user-mode networks: which names are user mode,
 * their keys in tapwarden.conf, and the caller's options on top.
 */
#include <string.h>

#include "error.h"
#include "helper_args.h"
#include "network_config.h"
#include "test_files.h"
#include "user_network.h"

/* lookup() - user_network_lookup() of @name with @text as tapwarden.conf
 * (NULL: no file at all) */
static struct network *lookup(const char *text, const char *name,
			      GError **error)
{
	char *dir = test_dir_new();
	g_autofree char *path = text ? test_write(dir, "tapwarden.conf", text) :
				       g_build_filename(dir, "none.conf", NULL);
	struct policy_paths paths = { .config = path, .acl = "/nonexistent" };
	struct network *net = user_network_lookup(&paths, name, error);

	test_dir_free(dir);
	return net;
}

/* assert_refused() - @text as tapwarden.conf is refused, naming @part */
static void assert_refused(const char *text, const char *part)
{
	GError *error = NULL;
	struct network *net = lookup(text, "user", &error);

	g_assert_null(net);
	g_assert_error(error, TW_ERROR, TW_ERROR_CONFIG);
	if (!strstr(error->message, part))
		g_error("`%s' not in `%s'", part, error->message);
	g_error_free(error);
}

static void test_builtin_user_needs_no_configuration(void)
{
	GError *error = NULL;
	g_autoptr(network) net = lookup(NULL, "user", &error);

	g_assert_no_error(error);
	g_assert_nonnull(net);
	g_assert_cmpint(net->mode, ==, NETWORK_MODE_USER);
	g_assert_cmpuint(net->mtu, ==, 0);
	g_assert_true(net->host_loopback);
	g_assert_cmpuint(net->forwards->len, ==, 0);
}

static void test_other_names_are_not_user_mode(void)
{
	GError *error = NULL;

	g_assert_null(lookup(NULL, "br0", &error));
	g_assert_no_error(error);
	g_assert_null(lookup("[network lab]\nbridge=br0\n", "lab", &error));
	g_assert_no_error(error);
}

static void test_mode_user_network_with_its_keys(void)
{
	GError *error = NULL;
	g_autoptr(network) net = lookup(
		"[network lab]\n"
		"mode = user\n"
		"mtu = 65520\n"
		"host-loopback = false\n"
		"hostfwd = tcp:127.0.0.1:2222-:22;udp::5353-10.0.2.16:53\n",
		"lab", &error);
	const struct slirp_forward *fwd;

	g_assert_no_error(error);
	g_assert_nonnull(net);
	g_assert_cmpuint(net->mtu, ==, 65520);
	g_assert_false(net->host_loopback);
	g_assert_cmpuint(net->forwards->len, ==, 2);
	fwd = &g_array_index(net->forwards, struct slirp_forward, 1);
	g_assert_true(fwd->udp);
	g_assert_cmpuint(fwd->host_port, ==, 5353);
	g_assert_cmpuint(fwd->guest_port, ==, 53);
}

static void test_user_section_configures_the_builtin(void)
{
	GError *error = NULL;
	g_autoptr(network) net = lookup("[network user]\nmode=user\nmtu=9000\n",
					"user", &error);

	g_assert_no_error(error);
	g_assert_cmpuint(net->mtu, ==, 9000);
}

static void test_bad_user_keys_are_refused(void)
{
	assert_refused("[network lab]\nmode=user\nmtu=65521\n", ":3:");
	assert_refused("[network lab]\nmode=user\nmtu=1279\n", "1280 to 65520");
	assert_refused("[network lab]\nmode=user\nhostfwd=tcp::22\n", "hostfwd");
	assert_refused("[network lab]\nmode=user\nhost-loopback=maybe\n",
		       "host-loopback");
	assert_refused("[network lab]\nmode=user\nbridge=br0\n", "no bridge");
	assert_refused("[network lab]\nbridge=br0\nhostfwd=::2222-:22\n",
		       "only a mode=user network");
	assert_refused("[network user]\nbridge=br0\n", "always mode=user");
}

static void test_broken_configuration_is_not_ignored(void)
{
	/* a typo must not silently bring back host loopback */
	assert_refused("[network user]\nmode=user\nhost-loopback=false\n"
		       "[network other]\nbirdge=br0\n", "unknown key");
}

/* possible() - user_network_possible() of @name with @text as
 * tapwarden.conf (NULL: no file at all) */
static bool possible(const char *text, const char *name)
{
	char *dir = test_dir_new();
	g_autofree char *path = text ? test_write(dir, "tapwarden.conf", text) :
				       g_build_filename(dir, "none.conf", NULL);
	struct policy_paths paths = { .config = path, .acl = "/nonexistent" };
	bool answer = user_network_possible(&paths, name);

	test_dir_free(dir);
	return answer;
}

static void test_helper_parses_only_files_that_may_name_user_mode(void)
{
	/* the built-in name, and files that could make any name user mode */
	g_assert_true(possible(NULL, "user"));
	g_assert_true(possible("[network lab]\nbridge=br0\n", "user"));
	g_assert_true(possible("[network lab]\nmode=user\n", "other"));
	g_assert_true(possible("[network lab]\n  mode = user\n", "lab"));
	g_assert_true(possible("[network lab]\nmode[de]=user\n", "lab"));
	g_assert_true(possible("[network lab]\nmode=\\x75ser\n", "lab"));
	/* a missing file: user_network_lookup() decides (nothing, here) */
	g_assert_true(possible(NULL, "lab"));
	/* no line can set mode=user: the whole file need not be parsed */
	g_assert_false(possible("[network lab]\nbridge=br0\nmode=nat\n",
				"lab"));
	g_assert_false(possible("[network lab]\nmodes=user\n", "lab"));
	g_assert_false(possible("[network user1]\nbridge=user\n", "user1"));
	/* and then lookup agrees: not user mode */
	g_assert_null(lookup("[network lab]\nbridge=br0\nmode=nat\n"
			     "address=10.1.0.1/24\n", "lab", NULL));
}

static void test_options_add_to_the_network(void)
{
	g_autoptr(network) net = network_new();
	char *fwds[] = { "tcp::2222-:22", "udp::53-:53", NULL };
	struct user_options opts = {
		.hostfwds = fwds, .mtu = "65520", .no_host_loopback = true,
	};
	struct slirp_settings settings;
	struct in_addr guest = { .s_addr = htonl(0x0a00020f) };
	GError *error = NULL;

	g_assert_false(user_options_given(&(struct user_options){ 0 }));
	g_assert_true(user_options_given(&opts));
	g_assert_true(user_network_apply(net, &opts, &error));
	g_assert_no_error(error);
	user_network_settings(net, guest, &settings);
	g_assert_cmpuint(settings.mtu, ==, 65520);
	g_assert_false(settings.host_loopback);
	g_assert_cmpuint(settings.n_forwards, ==, 2);
	g_assert_cmpuint(settings.guest_addr.s_addr, ==, guest.s_addr);
}

static void test_default_mtu_is_1500(void)
{
	g_autoptr(network) net = network_new();
	struct slirp_settings settings;

	user_network_settings(net, (struct in_addr){ 0 }, &settings);
	g_assert_cmpuint(settings.mtu, ==, 1500);
	g_assert_true(settings.host_loopback);
}

static void test_bad_options_are_refused(void)
{
	static const char *const mtus[] = { "1279", "65521", "", "9k", "-1",
					    " 1500", NULL };
	char *fwds[] = { "tcp::2222-:22", "bad", NULL };

	for (const char *const *m = mtus; *m; m++) {
		g_autoptr(network) net = network_new();
		struct user_options opts = { .mtu = *m };
		GError *error = NULL;

		g_assert_false(user_network_apply(net, &opts, &error));
		g_assert_error(error, TW_ERROR, TW_ERROR_INVALID);
		g_error_free(error);
	}
	{
		g_autoptr(network) net = network_new();
		struct user_options opts = { .hostfwds = fwds };
		GError *error = NULL;

		g_assert_false(user_network_apply(net, &opts, &error));
		g_assert_error(error, TW_ERROR, TW_ERROR_INVALID);
		g_assert_nonnull(strstr(error->message, "`bad'"));
		g_error_free(error);
	}
}

static void test_helper_takes_repeated_hostfwd(void)
{
	char *argv[] = { "helper", "--hostfwd=tcp::1-:1", "--mtu", "9000",
			 "--hostfwd", "udp::2-:2", "--no-host-loopback",
			 "--br=user", "--fd=3", NULL };
	struct helper_args args;
	GError *error = NULL;

	g_assert_true(helper_args_parse(G_N_ELEMENTS(argv) - 1, argv, &args,
					&error));
	g_assert_no_error(error);
	g_assert_cmpuint(args.hostfwds->len, ==, 3);	/* two and NULL */
	g_assert_cmpstr(args.hostfwds->pdata[0], ==, "tcp::1-:1");
	g_assert_cmpstr(args.hostfwds->pdata[1], ==, "udp::2-:2");
	g_assert_null(args.hostfwds->pdata[2]);
	g_assert_cmpstr(args.mtu, ==, "9000");
	g_assert_true(args.no_host_loopback);
	helper_args_clear(&args);
}

static void test_helper_refuses_mtu_twice(void)
{
	char *argv[] = { "helper", "--mtu=9000", "--mtu=1500", NULL };
	struct helper_args args;
	GError *error = NULL;

	g_assert_false(helper_args_parse(G_N_ELEMENTS(argv) - 1, argv, &args,
					 &error));
	g_assert_error(error, TW_ERROR, TW_ERROR_INVALID);
	g_assert_nonnull(strstr(error->message, "--mtu given twice"));
	g_error_free(error);
	helper_args_clear(&args);
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/user-network/builtin-user-needs-no-configuration",
			test_builtin_user_needs_no_configuration);
	g_test_add_func("/user-network/other-names-are-not-user-mode",
			test_other_names_are_not_user_mode);
	g_test_add_func("/user-network/mode-user-network-with-its-keys",
			test_mode_user_network_with_its_keys);
	g_test_add_func("/user-network/user-section-configures-the-builtin",
			test_user_section_configures_the_builtin);
	g_test_add_func("/user-network/bad-user-keys-are-refused",
			test_bad_user_keys_are_refused);
	g_test_add_func("/user-network/broken-configuration-is-not-ignored",
			test_broken_configuration_is_not_ignored);
	g_test_add_func("/user-network/helper-parses-only-files-that-may-name-user-mode",
			test_helper_parses_only_files_that_may_name_user_mode);
	g_test_add_func("/user-network/options-add-to-the-network",
			test_options_add_to_the_network);
	g_test_add_func("/user-network/default-mtu-is-1500",
			test_default_mtu_is_1500);
	g_test_add_func("/user-network/bad-options-are-refused",
			test_bad_options_are_refused);
	g_test_add_func("/user-network/helper-takes-repeated-hostfwd",
			test_helper_takes_repeated_hostfwd);
	g_test_add_func("/user-network/helper-refuses-mtu-twice",
			test_helper_refuses_mtu_twice);
	return g_test_run();
}
