/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_network_config.c - tapwarden.conf: networks are read, and every bad
 * file is refused whole with file, line, group, key and reason.
 */
#include <string.h>

#include "error.h"
#include "network_config.h"
#include "test_tapwarden_conf.h"

static void test_bridge_network_names_its_bridge(void)
{
	GError *error = NULL;
	g_autoptr(network_config) cfg = load(
		"# lab networks\n"
		"[network lab]\n"
		"mode = bridge\n"
		"bridge = br-lab\n"
		"\n"
		"[network office]\n"
		"bridge=br0\n", &error);
	const struct network *net;

	g_assert_no_error(error);
	g_assert_cmpuint(network_config_count(cfg), ==, 2);
	net = network_config_find(cfg, "lab");
	g_assert_nonnull(net);
	g_assert_cmpstr(net->bridge, ==, "br-lab");
	g_assert_cmpint(net->mode, ==, NETWORK_MODE_BRIDGE);
	net = network_config_find(cfg, "office");
	g_assert_nonnull(net);
	g_assert_cmpstr(net->bridge, ==, "br0");
	g_assert_null(network_config_find(cfg, "br0"));
}

static void test_missing_default_file_is_empty(void)
{
	GError *error = NULL;
	g_autoptr(network_config) cfg =
		network_config_load("/nonexistent/tapwarden.conf", false, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(network_config_count(cfg), ==, 0);
}

static void test_missing_explicit_file_is_an_error(void)
{
	GError *error = NULL;
	network_config *cfg =
		network_config_load("/nonexistent/tapwarden.conf", true, &error);

	g_assert_null(cfg);
	g_assert_error(error, TW_ERROR, TW_ERROR_NOT_FOUND);
	g_error_free(error);
}

static void test_unknown_key_names_file_line_group_key(void)
{
	assert_refused("[network lab]\nbridge = br0\ncolour = blue\n",
		       (const char *[]){ "tapwarden.conf:3:", "[network lab]",
					 "colour", "unknown key", NULL });
}

static void test_bad_mode_is_refused(void)
{
	assert_refused("[network lab]\nmode = switch\nbridge = br0\n",
		       (const char *[]){ ":2:", "mode", "not one of", NULL });
}

static void test_missing_bridge_is_refused(void)
{
	assert_refused("[network lab]\nmode = bridge\n",
		       (const char *[]){ ":1:", "[network lab]",
					 "missing key `bridge'", NULL });
}

static void test_bad_bridge_name_is_refused(void)
{
	assert_refused("[network lab]\nbridge = a-very-long-bridge-name\n",
		       (const char *[]){ ":2:", "bridge", "too long", NULL });
	assert_refused("[network lab]\nbridge = br/0\n",
		       (const char *[]){ ":2:", "not allowed", NULL });
}

static void test_long_network_name_is_refused(void)
{
	assert_refused("[network sixteen-chars-xx]\nbridge = br0\n",
		       (const char *[]){ ":1:", "too long", NULL });
}

static void test_unknown_group_is_refused(void)
{
	assert_refused("[network lab]\nbridge = br0\n[global]\nx = 1\n",
		       (const char *[]){ ":3:", "[global]", "unknown group",
					 NULL });
}

static void test_key_written_twice_is_refused(void)
{
	assert_refused("[network lab]\nbridge = br0\nbridge = br1\n",
		       (const char *[]){ ":3:", "appears twice",
					 "first on line 2", NULL });
}

static void test_group_written_twice_is_refused(void)
{
	assert_refused("[network lab]\nbridge = br0\n[network lab]\nmode = bridge\n",
		       (const char *[]){ ":3:", "appears twice", NULL });
}

/**
 * bridge_networks_text() - @n networks nNNNNN on br0, then @extra
 * @n:		how many (3 lines each)
 * @extra:	text appended
 *
 * Return: the text.
 */
static char *bridge_networks_text(unsigned int n, const char *extra)
{
	GString *text = g_string_new(NULL);

	for (unsigned int i = 0; i < n; i++)
		g_string_append_printf(text, "[network n%05u]\nbridge = br0\n\n", i);
	g_string_append(text, extra);
	return g_string_free(text, FALSE);
}

static void test_lines_are_counted_far_into_a_big_file(void)
{
	g_autofree char *bad_key = bridge_networks_text(20000,
		"[network late]\nbridge = br0\nvlan = 5000\n");
	g_autofree char *key_twice = bridge_networks_text(20000,
		"[network late]\nbridge = br0\r\n  bridge=br1\n");
	g_autofree char *group_twice = bridge_networks_text(20000,
		"[network n00007]\nbridge = br0\n");
	g_autofree char *no_eol = bridge_networks_text(20000,
		"[network late]\nbridge = br0\nmode = hub");

	assert_refused(bad_key, (const char *[]){ ":60003:", "[network late] vlan",
						  NULL });
	assert_refused(key_twice, (const char *[]){ ":60003:", "appears twice",
						    "first on line 60002", NULL });
	assert_refused(group_twice, (const char *[]){ ":60001:", "network n00007",
						      "appears twice", "first on line 22",
						      NULL });
	assert_refused(no_eol, (const char *[]){ ":60003:", "[network late] mode",
						 NULL });
	/* a repeat is reported before a syntax error further on */
	assert_refused("[network a]\nbridge = br0\nbridge = br0\n[network b]\nnot a key\n",
		       (const char *[]){ ":3:", "appears twice", NULL });
	assert_refused("[network a]\nbridge = br0\n[network a]\nbridge = br1\n",
		       (const char *[]){ ":3:", "appears twice", NULL });
}

static void test_networks_are_listed_by_name_and_found_by_bridge(void)
{
	GError *error = NULL;
	g_autoptr(network_config) cfg = load(
		"[network zed]\nbridge = br0\n[network abc]\nbridge = br0\n"
		"[network mid]\nbridge = br1\n[network up]\nvlan = 7\nvlan-uplink = eth0\n",
		&error);
	g_autoptr(GPtrArray) list = NULL;

	g_assert_no_error(error);
	list = network_config_list(cfg);
	g_assert_cmpuint(list->len, ==, 4);
	g_assert_cmpstr(((struct network *)list->pdata[0])->name, ==, "abc");
	g_assert_cmpstr(((struct network *)list->pdata[1])->name, ==, "mid");
	g_assert_cmpstr(((struct network *)list->pdata[3])->name, ==, "zed");
	g_assert_cmpstr(network_config_find_bridge(cfg, "br0")->name, ==, "abc");
	g_assert_cmpstr(network_config_find_bridge(cfg, "br1")->name, ==, "mid");
	g_assert_null(network_config_find_bridge(cfg, "br2"));
	g_assert_null(network_config_find_bridge(cfg, ""));
}

static void test_file_loaded_again_is_read_again(void)
{
	char *dir = test_dir_new();
	g_autofree char *path = test_write(dir, "tapwarden.conf",
					   "[network a]\nbridge = br0\n");
	g_autofree char *again = NULL;
	GError *error = NULL;
	g_autoptr(network_config) first = network_config_load(path, true, &error);
	g_autoptr(network_config) same = network_config_load(path, true, &error);
	g_autoptr(network_config) changed = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(network_config_find(same, "a")->bridge, ==, "br0");
	/* same length, another bridge: parsed anew */
	again = test_write(dir, "tapwarden.conf", "[network a]\nbridge = br1\n");
	changed = network_config_load(path, true, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(network_config_find(changed, "a")->bridge, ==, "br1");
	g_assert_cmpstr(network_config_find(first, "a")->bridge, ==, "br0");
	g_free(test_write(dir, "tapwarden.conf", "[network a]\nmode = hub\n"));
	g_assert_null(network_config_load(path, true, &error));
	g_assert_error(error, TW_ERROR, TW_ERROR_CONFIG);
	g_clear_error(&error);
	test_dir_free(dir);
}

static void test_syntax_error_is_refused(void)
{
	assert_refused("[network lab]\nbridge br0\n",
		       (const char *[]){ "tapwarden.conf", NULL });
}

static void test_unimplemented_feature_is_refused_not_ignored(void)
{
	assert_refused("[network lab]\nbridge = br0\nisolated = yes\n",
		       (const char *[]){ ":3:", "isolated", "not supported",
					 NULL });
}

static void test_one_bad_network_refuses_the_whole_file(void)
{
	assert_refused("[network good]\nbridge = br0\n[network bad]\nbridge = \n",
		       (const char *[]){ "[network bad]", NULL });
}

static void test_access_keys_are_read(void)
{
	GError *error = NULL;
	g_autoptr(network_config) cfg = load(
		"[network lab]\n"
		"bridge = br0\n"
		"allow-users = alice; 1001 ;bob\n"
		"allow-groups = kvm\n"
		"max-per-user = 4\n"
		"[network open]\n"
		"bridge = br1\n", &error);
	const struct network *net;

	g_assert_no_error(error);
	net = network_config_find(cfg, "lab");
	g_assert_cmpuint(g_strv_length(net->allow_users), ==, 3);
	g_assert_cmpstr(net->allow_users[1], ==, "1001");
	g_assert_cmpstr(net->allow_groups[0], ==, "kvm");
	g_assert_cmpuint(net->max_per_user, ==, 4);
	net = network_config_find(cfg, "open");
	g_assert_null(net->allow_users);
	g_assert_null(net->allow_groups);
	g_assert_cmpuint(net->max_per_user, ==, 0);
}

static void test_bad_access_keys_are_refused(void)
{
	assert_refused("[network lab]\nbridge = br0\nmax-per-user = 0\n",
		       (const char *[]){ ":3:", "max-per-user", "from 1 to 65535", NULL });
	assert_refused("[network lab]\nbridge = br0\nmax-per-user = -1\n",
		       (const char *[]){ "max-per-user", NULL });
	assert_refused("[network lab]\nbridge = br0\nmax-per-user = 65536\n",
		       (const char *[]){ "max-per-user", NULL });
	assert_refused("[network lab]\nbridge = br0\nmax-per-user = 2x\n",
		       (const char *[]){ "max-per-user", NULL });
	assert_refused("[network lab]\nbridge = br0\nallow-users = al ice\n",
		       (const char *[]){ ":3:", "allow-users", "not a valid account", NULL });
	assert_refused("[network lab]\nbridge = br0\nallow-groups = -kvm\n",
		       (const char *[]){ "allow-groups", NULL });
	assert_refused("[network lab]\nbridge = br0\nallow-users =\n",
		       (const char *[]){ "allow-users", "empty", NULL });
	assert_refused("[network lab]\nbridge = br0\nallow-users = a/b\n",
		       (const char *[]){ "allow-users", NULL });
}

static void test_vlan_and_uplink_are_read(void)
{
	GError *error = NULL;
	g_autoptr(network_config) cfg = load(
		"[network office]\nbridge = br0\nvlan = 100\n"
		"[network lab]\nvlan = 4094\nvlan-uplink = eth0\n"
		"[network plain]\nbridge = br0\n", &error);
	const struct network *net;

	g_assert_no_error(error);
	net = network_config_find(cfg, "office");
	g_assert_cmpuint(net->vlan, ==, 100);
	g_assert_cmpstr(net->vlan_uplink, ==, "");
	g_assert_cmpstr(net->bridge, ==, "br0");
	net = network_config_find(cfg, "lab");
	g_assert_cmpuint(net->vlan, ==, 4094);
	g_assert_cmpstr(net->vlan_uplink, ==, "eth0");
	g_assert_cmpstr(net->bridge, ==, "");	/* per-VLAN bridge only */
	net = network_config_find(cfg, "plain");
	g_assert_cmpuint(net->vlan, ==, 0);
	g_assert_cmpstr(net->vlan_uplink, ==, "");
}

static void test_vlan_1_is_a_vlan(void)
{
	GError *error = NULL;
	g_autoptr(network_config) cfg =
		load("[network a]\nbridge = br0\nvlan = 1\n", &error);

	g_assert_no_error(error);
	g_assert_cmpuint(network_config_find(cfg, "a")->vlan, ==, 1);
}

static void test_vlan_outside_1_to_4094_is_refused(void)
{
	static const char *const bad[] = {
		"0", "4095", "4096", "-1", "+5", "100x", "0x64", "abc", " ",
		"", "99999999999999999999", "1 2",
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *text = g_strdup_printf(
			"[network office]\nbridge = br0\n\nvlan = %s\n",
			bad[i]);

		assert_refused(text, (const char *[]){
			"tapwarden.conf:4:", "[network office] vlan",
			"is not a VLAN ID: 1 to 4094", NULL });
	}
}

static void test_vlan_uplink_needs_vlan(void)
{
	assert_refused("[network lab]\nbridge = br0\nvlan-uplink = eth0\n",
		       (const char *[]){ ":3:", "vlan-uplink",
					 "needs a `vlan'", NULL });
}

static void test_bad_vlan_uplink_name_is_refused(void)
{
	assert_refused("[network lab]\nvlan = 7\nvlan-uplink = eth/0\n",
		       (const char *[]){ ":3:", "vlan-uplink", "not allowed",
					 NULL });
	assert_refused("[network lab]\nvlan = 7\nvlan-uplink = sixteen-chars-xx\n",
		       (const char *[]){ ":3:", "vlan-uplink", "too long",
					 NULL });
}

static void test_vlan_without_bridge_or_uplink_is_refused(void)
{
	assert_refused("[network lab]\nvlan = 7\n",
		       (const char *[]){ ":1:", "missing key `bridge'", NULL });
}

static void test_rates_are_read(void)
{
	GError *error = NULL;
	g_autoptr(network_config) cfg = load(
		"[network lab]\n"
		"bridge = br0\n"
		"inbound = 100mbit:64kb\n"
		"outbound = 1.5gbit\n"
		"[network plain]\n"
		"bridge = br1\n", &error);
	const struct network *net;

	g_assert_no_error(error);
	net = network_config_find(cfg, "lab");
	g_assert_cmpuint(net->limits.inbound.rate, ==, 100000000);
	g_assert_cmpuint(net->limits.inbound.burst, ==, 65536);
	g_assert_cmpuint(net->limits.outbound.rate, ==, 1500000000);
	g_assert_cmpuint(net->limits.outbound.burst, ==, 0);
	net = network_config_find(cfg, "plain");
	g_assert_false(qos_limits_any(&net->limits));
}

static void test_bad_rates_are_refused_with_line_and_reason(void)
{
	assert_refused("[network lab]\nbridge = br0\ninbound = 0kbit\n",
		       (const char *[]){ ":3:", "[network lab] inbound:",
					 "`0kbit' is zero", NULL });
	assert_refused("[network lab]\nbridge = br0\n\noutbound = 200gbit\n",
		       (const char *[]){ ":4:", "[network lab] outbound:",
					 "above the largest rate, 100gbit",
					 NULL });
	assert_refused("[network lab]\nbridge = br0\noutbound = 10mbit:1kb\n",
		       (const char *[]){ ":3:", "outbound:",
					 "smaller than one MTU (1500 bytes)",
					 NULL });
	assert_refused("[network lab]\nbridge = br0\ninbound = 5\n",
		       (const char *[]){ ":3:", "has no unit", NULL });
	assert_refused("[network lab]\nbridge = br0\ninbound = -1mbit\n",
		       (const char *[]){ ":3:", "negative", NULL });
	assert_refused("[network lab]\nbridge = br0\ninbound = 9furlongs\n",
		       (const char *[]){ ":3:", "unknown unit `furlongs'",
					 NULL });
	/* user mode has no tap on the host to shape */
	assert_refused("[network u]\nmode = user\ninbound = 10mbit\n",
		       (const char *[]){ ":3:", "[network u] inbound:",
					 "no tap on the host", NULL });
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/network-config/bridge-network-names-its-bridge",
			test_bridge_network_names_its_bridge);
	g_test_add_func("/network-config/missing-default-file-is-empty",
			test_missing_default_file_is_empty);
	g_test_add_func("/network-config/missing-explicit-file-is-an-error",
			test_missing_explicit_file_is_an_error);
	g_test_add_func("/network-config/unknown-key-names-file-line-group-key",
			test_unknown_key_names_file_line_group_key);
	g_test_add_func("/network-config/bad-mode-is-refused",
			test_bad_mode_is_refused);
	g_test_add_func("/network-config/missing-bridge-is-refused",
			test_missing_bridge_is_refused);
	g_test_add_func("/network-config/bad-bridge-name-is-refused",
			test_bad_bridge_name_is_refused);
	g_test_add_func("/network-config/long-network-name-is-refused",
			test_long_network_name_is_refused);
	g_test_add_func("/network-config/unknown-group-is-refused",
			test_unknown_group_is_refused);
	g_test_add_func("/network-config/key-written-twice-is-refused",
			test_key_written_twice_is_refused);
	g_test_add_func("/network-config/group-written-twice-is-refused",
			test_group_written_twice_is_refused);
	g_test_add_func("/network-config/lines-are-counted-far-into-a-big-file",
			test_lines_are_counted_far_into_a_big_file);
	g_test_add_func("/network-config/networks-are-listed-by-name-and-found-by-bridge",
			test_networks_are_listed_by_name_and_found_by_bridge);
	g_test_add_func("/network-config/file-loaded-again-is-read-again",
			test_file_loaded_again_is_read_again);
	g_test_add_func("/network-config/syntax-error-is-refused",
			test_syntax_error_is_refused);
	g_test_add_func("/network-config/unimplemented-feature-is-refused-not-ignored",
			test_unimplemented_feature_is_refused_not_ignored);
	g_test_add_func("/network-config/access-keys-are-read",
			test_access_keys_are_read);
	g_test_add_func("/network-config/bad-access-keys-are-refused",
			test_bad_access_keys_are_refused);
	g_test_add_func("/network-config/one-bad-network-refuses-the-whole-file",
			test_one_bad_network_refuses_the_whole_file);
	g_test_add_func("/network-config/vlan-and-uplink-are-read",
			test_vlan_and_uplink_are_read);
	g_test_add_func("/network-config/vlan-1-is-a-vlan",
			test_vlan_1_is_a_vlan);
	g_test_add_func("/network-config/vlan-outside-1-to-4094-is-refused",
			test_vlan_outside_1_to_4094_is_refused);
	g_test_add_func("/network-config/vlan-uplink-needs-vlan",
			test_vlan_uplink_needs_vlan);
	g_test_add_func("/network-config/bad-vlan-uplink-name-is-refused",
			test_bad_vlan_uplink_name_is_refused);
	g_test_add_func("/network-config/vlan-without-bridge-or-uplink-is-refused",
			test_vlan_without_bridge_or_uplink_is_refused);
	g_test_add_func("/network-config/rates-are-read",
			test_rates_are_read);
	g_test_add_func("/network-config/bad-rates-are-refused-with-line-and-reason",
			test_bad_rates_are_refused_with_line_and_reason);
	return g_test_run();
}
