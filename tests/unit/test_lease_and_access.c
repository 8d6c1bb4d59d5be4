/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_lease_and_access.c - the lease alias read back strictly, and who may
 * use a network (allow-users, allow-groups, root, max-per-user).
 */
#include <string.h>

#include "access.h"
#include "lease.h"

static void test_lease_alias_round_trip(void)
{
	g_autofree char *alias = lease_alias_format(1000, "lab", 4242, 0);
	struct lease lease = { 0 };

	g_assert_true(lease_alias_parse(alias, &lease));
	g_assert_cmpuint(lease.uid, ==, 1000);
	g_assert_cmpstr(lease.network, ==, "lab");
	g_assert_cmpint(lease.pid, ==, 4242);
	g_assert_cmpint(lease.since, >, 1700000000);
	g_assert_cmpuint(lease.vlan, ==, 0);
	g_free(alias);
	alias = lease_alias_format(1000, "office", 4242, 100);
	memset(&lease, 0, sizeof(lease));
	g_assert_true(lease_alias_parse(alias, &lease));
	g_assert_cmpuint(lease.vlan, ==, 100);
}

static void test_lease_alias_is_read_strictly(void)
{
	static const char *const bad[] = {
		"", "tapwarden", "tapwarden uid=1 net=a pid=2",
		"tapwarden uid=x net=a pid=2 since=3",
		"tapwarden uid=1 net= pid=2 since=3",
		"tapwarden uid=1 net=aaaaaaaaaaaaaaaa pid=2 since=3",
		"tapwarden uid=-1 net=a pid=2 since=3",
		"tapwarden uid=1 net=a pid=99999999999 since=3",
		"tapwarden uid=1 net=a pid=2 since=3 junk",
		"qemu uid=1 net=a pid=2 since=3", NULL,
	};
	struct lease lease;

	for (unsigned int i = 0; bad[i]; i++) {
		memset(&lease, 0, sizeof(lease));
		if (lease_alias_parse(bad[i], &lease))
			g_error("accepted `%s'", bad[i]);
	}
	g_assert_false(lease_alias_parse(NULL, &lease));
	/* fields in any order, later versions' fields ignored */
	memset(&lease, 0, sizeof(lease));
	g_assert_true(lease_alias_parse("tapwarden since=3 pid=2 vlan=100 net=a uid=1 later=x",
					&lease));
	g_assert_cmpuint(lease.uid, ==, 1);
	g_assert_cmpuint(lease.vlan, ==, 100);
}

static void test_root_may_use_every_network(void)
{
	struct network net = { .name = "lab" };
	struct caller root = { 0 };
	g_autofree char *why = NULL;

	g_assert_true(access_network_allows(&net, &root, &why));
	g_assert_cmpstr(why, ==, "root may use every network");
}

static void test_network_without_allow_keys_is_roots_only(void)
{
	struct network net = { .name = "lab" };
	struct caller c = { .uid = 4000001, .gid = 4000001 };
	g_autofree char *why = NULL;

	g_assert_false(access_network_allows(&net, &c, &why));
	g_assert_nonnull(strstr(why, "only root may"));
}

static void test_allow_users_and_groups_by_number(void)
{
	char *users[] = { "4000001", NULL }, *groups[] = { "4000077", NULL };
	struct network net = { .name = "lab", .allow_users = users };
	gid_t supplementary[] = { 5, 4000077 };
	struct caller alice = { .uid = 4000001, .gid = 4000001 };
	struct caller bob = { .uid = 4000002, .gid = 4000002 };
	struct caller carol = {
		.uid = 4000003, .gid = 4000003,
		.groups = supplementary, .ngroups = 2,
	};
	g_autofree char *w1 = NULL, *w2 = NULL, *w3 = NULL, *w4 = NULL;

	g_assert_true(access_network_allows(&net, &alice, &w1));
	g_assert_cmpstr(w1, ==, "network lab: allow-users names 4000001");
	g_assert_false(access_network_allows(&net, &bob, &w2));
	g_assert_nonnull(strstr(w2, "may not use network lab"));
	net.allow_users = NULL;
	net.allow_groups = groups;
	g_assert_true(access_network_allows(&net, &carol, &w3));
	g_assert_nonnull(strstr(w3, "allow-groups names 4000077"));
	g_assert_false(access_network_allows(&net, &alice, &w4));
}

static void test_max_per_user(void)
{
	struct network net = { .name = "lab", .max_per_user = 2 };
	struct caller c = { .uid = 4000001 };
	g_autofree char *why = NULL;

	g_assert_true(access_quota_allows(&net, &c, 0, &why));
	g_assert_true(access_quota_allows(&net, &c, 1, &why));
	g_assert_null(why);
	g_assert_false(access_quota_allows(&net, &c, 2, &why));
	g_assert_nonnull(strstr(why, "already has 2 taps on network lab (max-per-user=2)"));
	net.max_per_user = 0;
	g_assert_true(access_quota_allows(&net, &c, 1000, NULL));
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lease/alias-round-trip", test_lease_alias_round_trip);
	g_test_add_func("/lease/alias-is-read-strictly",
			test_lease_alias_is_read_strictly);
	g_test_add_func("/access/root-may-use-every-network",
			test_root_may_use_every_network);
	g_test_add_func("/access/network-without-allow-keys-is-roots-only",
			test_network_without_allow_keys_is_roots_only);
	g_test_add_func("/access/allow-users-and-groups-by-number",
			test_allow_users_and_groups_by_number);
	g_test_add_func("/access/max-per-user", test_max_per_user);
	return g_test_run();
}
