/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_nat_config.c - mode=nat networks in tapwarden.conf: address, dhcp
 * and forward are read; every bad value and every clash between networks
 * is refused with file, line, group, key and reason; the nftables script
 * and the DHCP range made from them.
 */
#include <string.h>
#include <netinet/in.h>

#include "error.h"
#include "nat_config.h"
#include "nat_nft.h"
#include "network_config.h"
#include "test_tapwarden_conf.h"

#define LAB "[network lab]\nmode = nat\nbridge = twnat0\n"

static void test_nat_network_is_read(void)
{
	GError *error = NULL;
	g_autoptr(network_config) cfg = load(
		LAB "address = 10.77.0.1/24\n"
		"forward = tcp:8080:10.77.0.50:80; udp:5353:10.77.0.51:53\n"
		"allow-users = alice\n"
		"inbound = 100mbit\n"
		"[network quiet]\nmode=nat\nbridge=twnat1\naddress=10.78.0.254/24\ndhcp=no\n",
		&error);
	const struct network *net;
	const struct nat_port_forward *f;

	g_assert_no_error(error);
	net = network_config_find(cfg, "lab");
	g_assert_cmpint(net->mode, ==, NETWORK_MODE_NAT);
	g_assert_cmpstr(net->bridge, ==, "twnat0");
	g_assert_cmphex(net->nat.gateway, ==, 0x0a4d0001);
	g_assert_cmpuint(net->nat.prefix, ==, 24);
	g_assert_true(net->nat.dhcp);
	g_assert_cmpuint(net->nat.forwards->len, ==, 2);
	f = &g_array_index(net->nat.forwards, struct nat_port_forward, 1);
	g_assert_cmpuint(f->proto, ==, IPPROTO_UDP);
	g_assert_cmpuint(f->host_port, ==, 5353);
	g_assert_cmphex(f->guest_addr, ==, 0x0a4d0033);
	g_assert_cmpuint(f->guest_port, ==, 53);
	g_assert_nonnull(net->allow_users);
	g_assert_cmpuint(net->limits.inbound.rate, ==, 100000000);
	net = network_config_find(cfg, "quiet");
	g_assert_false(net->nat.dhcp);
	g_assert_cmpuint(net->nat.forwards->len, ==, 0);
}

static void test_address_must_be_a_gateway_with_prefix(void)
{
	const char *bad[] = {
		"10.77.0.1", "10.77.0.1/", "10.77.0.1/33", "10.77.0.1/31",
		"10.77.0.1/7", "10.77.0.1/+24", "10.77.0.1/24/1", "10.77.1/24",
		"fe80::1/64", "host/24", " /24",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *text = g_strdup_printf(LAB "address=%s\n", bad[i]);

		assert_refused(text, (const char *[]){ ":4:", "[network lab] address",
						       "not an IPv4 gateway address", NULL });
	}
	assert_refused(LAB "address=10.77.0.0/24\n",
		       (const char *[]){ ":4:", "subnet's network address", NULL });
	assert_refused(LAB "address=10.77.0.255/24\n",
		       (const char *[]){ ":4:", "subnet's broadcast address", NULL });
	assert_refused(LAB,
		       (const char *[]){ "[network lab]", "missing key `address'", NULL });
	assert_refused("[network lab]\nmode=nat\naddress=10.77.0.1/24\n",
		       (const char *[]){ "missing key `bridge'", NULL });
}

static void test_forward_is_checked(void)
{
	const char *bad[] = {
		"sctp:1:10.77.0.5:1", "tcp:0:10.77.0.5:80", "tcp:70000:10.77.0.5:80",
		"tcp:80:10.77.0.5", "tcp:80:10.77.0.5:80:1", "tcp:-1:10.77.0.5:80",
		"tcp:80:host:80", "tcp:80:10.77.0.5:",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *text = g_strdup_printf(LAB "address=10.77.0.1/24\nforward=%s\n",
							bad[i]);

		assert_refused(text, (const char *[]){ ":5:", "forward",
						       "tcp|udp:HOSTPORT:GUESTADDR:GUESTPORT", NULL });
	}
	assert_refused(LAB "address=10.77.0.1/24\nforward=tcp:80:10.78.0.5:80\n",
		       (const char *[]){ ":5:", "10.78.0.5 is not a guest address", NULL });
	assert_refused(LAB "address=10.77.0.1/24\nforward=tcp:80:10.77.0.1:80\n",
		       (const char *[]){ "10.77.0.1 is not a guest address", NULL });
	assert_refused(LAB "address=10.77.0.1/24\nforward=tcp:80:10.77.0.255:80\n",
		       (const char *[]){ "10.77.0.255 is not a guest address", NULL });
	assert_refused(LAB "address=10.77.0.1/24\nforward=tcp:80:10.77.0.5:80;tcp:80:10.77.0.6:81\n",
		       (const char *[]){ ":5:", "host port tcp 80 is forwarded twice", NULL });
}

static void test_same_port_on_tcp_and_udp_is_two_forwards(void)
{
	GError *error = NULL;
	g_autoptr(network_config) cfg = load(
		LAB "address=10.77.0.1/24\nforward=tcp:53:10.77.0.5:53;udp:53:10.77.0.5:53\n",
		&error);

	g_assert_no_error(error);
	g_assert_nonnull(cfg);
}

static void test_networks_must_not_clash(void)
{
	assert_refused(LAB "address=10.77.0.1/24\n"
		       "[network other]\nmode=nat\nbridge=twnat1\naddress=10.77.0.200/16\n",
		       (const char *[]){ ":8:", "[network other] address",
					 "overlaps network lab's", NULL });
	assert_refused(LAB "address=10.77.0.1/24\nforward=udp:53:10.77.0.5:53\n"
		       "[network other]\nmode=nat\nbridge=twnat1\naddress=10.78.0.1/24\n"
		       "forward=udp:53:10.78.0.5:53\n",
		       (const char *[]){ ":10:", "[network other] forward",
					 "host port udp 53 is already forwarded by network lab", NULL });
	assert_refused(LAB "address=10.77.0.1/24\n"
		       "[network other]\nmode=nat\nbridge=twnat0\naddress=10.78.0.1/24\n",
		       (const char *[]){ "[network other] bridge", "also network lab's", NULL });
	assert_refused(LAB "address=10.77.0.1/24\n[network plain]\nbridge=twnat0\n",
		       (const char *[]){ "[network plain] bridge", "NAT network lab's own", NULL });
}

/**
 * nat_networks_text() - @n NAT networks nNNN, each its own bridge, subnet
 * 10.5.I.0/24 and host port 2000+I, then @extra
 * @n:		how many
 * @extra:	text appended
 *
 * Return: the text.
 */
static char *nat_networks_text(unsigned int n, const char *extra)
{
	GString *text = g_string_new(NULL);

	for (unsigned int i = 0; i < n; i++)
		g_string_append_printf(text,
				       "[network n%03u]\nmode=nat\nbridge=twn%03u\n"
				       "address=10.5.%u.1/24\nforward=tcp:%u:10.5.%u.9:22\n",
				       i, i, i, 2000 + i, i);
	g_string_append(text, extra);
	return g_string_free(text, FALSE);
}

static void test_clashes_are_found_between_networks_far_apart(void)
{
	g_autofree char *fine = nat_networks_text(250,
		"[network b23]\nmode=nat\nbridge=twb23\naddress=10.6.0.1/23\n"
		"[network b24]\nmode=nat\nbridge=twb24\naddress=10.6.2.1/24\n");
	g_autofree char *big_last = nat_networks_text(250,
		"[network z16]\nmode=nat\nbridge=twz16\naddress=10.5.0.1/16\n");
	g_autofree char *port = nat_networks_text(250,
		"[network z]\nmode=nat\nbridge=twz\naddress=10.9.0.1/24\n"
		"forward=udp:2000:10.9.0.9:22;tcp:2100:10.9.0.9:22;tcp:2003:10.9.0.9:22\n");
	g_autofree char *bridge = nat_networks_text(250,
		"[network aaa]\nbridge=twn200\n");
	g_autofree char *plain = nat_networks_text(250,
		"[network zzz]\nbridge=twn007\n");
	GError *error = NULL;
	g_autoptr(network_config) cfg = load(fine, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(network_config_count(cfg), ==, 252);
	/* a /16 after 250 /24s inside it: the first of them, by name */
	assert_refused(big_last, (const char *[]){ ":1254:", "[network z16] address",
						   "overlaps network n000's", NULL });
	/* against the earlier networks in name order: n003 before n100;
	 * udp 2000 is no clash with n000's tcp 2000 */
	assert_refused(port, (const char *[]){ ":1255:", "[network z] forward",
					       "host port tcp 2003 is already forwarded by network n003",
					       NULL });
	/* a NAT network after a bridge network on its bridge, and before */
	assert_refused(bridge, (const char *[]){ "[network n200] bridge",
						 "bridge twn200 is also network aaa's", NULL });
	assert_refused(plain, (const char *[]){ "[network zzz] bridge",
						"bridge twn007 is NAT network n007's own", NULL });
}

static void test_overlap_is_found_past_subnets_between(void)
{
	/* by address a(/16), z, m; by name a, m, z: m is the first to
	 * overlap an earlier network, though z lies between it and a */
	assert_refused("[network a]\nmode=nat\nbridge=twa\naddress=10.1.0.1/16\n"
		       "[network z]\nmode=nat\nbridge=twz\naddress=10.1.1.1/24\n"
		       "[network m]\nmode=nat\nbridge=twm\naddress=10.1.200.1/24\n",
		       (const char *[]){ ":12:", "[network m] address",
					 "overlaps network a's", NULL });
	/* the /16 last by name: the first network inside it */
	assert_refused("[network b]\nmode=nat\nbridge=twb\naddress=10.1.200.1/24\n"
		       "[network a]\nmode=nat\nbridge=twa\naddress=10.1.1.1/24\n"
		       "[network c]\nmode=nat\nbridge=twc\naddress=10.1.0.1/16\n",
		       (const char *[]){ ":12:", "[network c] address",
					 "overlaps network a's", NULL });
	/* the same subnet, and a /30 at the top of a /8 */
	assert_refused("[network a]\nmode=nat\nbridge=twa\naddress=10.1.0.1/24\n"
		       "[network b]\nmode=nat\nbridge=twb\naddress=10.1.0.2/24\n",
		       (const char *[]){ "[network b] address", "overlaps network a's", NULL });
	assert_refused("[network a]\nmode=nat\nbridge=twa\naddress=10.0.0.1/8\n"
		       "[network b]\nmode=nat\nbridge=twb\naddress=10.255.255.253/30\n",
		       (const char *[]){ "[network b] address", "overlaps network a's", NULL });
}

static void test_nat_keys_belong_to_nat_networks(void)
{
	assert_refused("[network lab]\nbridge=br0\naddress=10.77.0.1/24\n",
		       (const char *[]){ ":3:", "address", "only a mode=nat network", NULL });
	assert_refused("[network lab]\nbridge=br0\ndhcp=no\n",
		       (const char *[]){ "dhcp", "only a mode=nat network", NULL });
	assert_refused("[network lab]\nmode=user\nforward=tcp:1:10.0.2.15:1\n",
		       (const char *[]){ "forward", NULL });
	assert_refused(LAB "address=10.77.0.1/24\nvlan=5\n",
		       (const char *[]){ "[network lab] vlan", "no VLAN", NULL });
	assert_refused(LAB "address=10.77.0.1/24\ndhcp=maybe\n",
		       (const char *[]){ ":5:", "dhcp", "not yes or no", NULL });
}

static void test_nat_names_fit_nftables(void)
{
	assert_refused("[network a\"b]\nmode=nat\nbridge=twnat0\naddress=10.77.0.1/24\n",
		       (const char *[]){ "letters, digits", NULL });
	assert_refused("[network lab]\nmode=nat\nbridge=br;x\naddress=10.77.0.1/24\n",
		       (const char *[]){ "[network lab] bridge", "letters, digits", NULL });
	g_assert_true(nat_nft_name_ok("lab-1.x_y"));
	g_assert_false(nat_nft_name_ok("-lab"));
	g_assert_false(nat_nft_name_ok("a{b"));
	g_assert_false(nat_nft_name_ok("sixteen-chars-xx"));
	g_assert_false(nat_nft_name_ok(""));
}

static void test_dhcp_range_leaves_out_the_gateway(void)
{
	uint32_t first, last;

	nat_dhcp_range(0x0a4d0001, 24, &first, &last);	/* 10.77.0.1/24 */
	g_assert_cmphex(first, ==, 0x0a4d0002);
	g_assert_cmphex(last, ==, 0x0a4d00fe);
	nat_dhcp_range(0x0a4d00fe, 24, &first, &last);	/* .254: below it */
	g_assert_cmphex(first, ==, 0x0a4d0001);
	g_assert_cmphex(last, ==, 0x0a4d00fd);
	nat_dhcp_range(0x0a4d0001, 30, &first, &last);	/* one guest */
	g_assert_cmphex(first, ==, 0x0a4d0002);
	g_assert_cmphex(last, ==, 0x0a4d0002);
}

/**
 * line_index() - where @line is in @lines
 * @lines:	the script's lines
 * @line:	one to find
 *
 * Return: its index, or -1.
 */
static int line_index(char **lines, const char *line)
{
	for (int i = 0; lines[i]; i++)
		if (!strcmp(lines[i], line))
			return i;
	return -1;
}

static void test_nft_script_has_the_rules_in_order_in_its_own_chains(void)
{
	struct nat_port_forward fwd = {
		.proto = IPPROTO_TCP, .host_port = 8080,
		.guest_addr = 0x0a4d0032, .guest_port = 80,
	};
	struct nat_ruleset rs = {
		.network = "lab", .bridge = "twnat0", .gateway = 0x0a4d0001,
		.prefix = 24, .forwards = &fwd, .n_forwards = 1,
	};
	g_autofree char *script = nat_nft_script(&rs);
	g_auto(GStrv) lines = g_strsplit(script, "\n", -1);
	/* in this order: rules are first-match, and a chain is made anew
	 * (add, flush, delete, add with its hook) before its rules */
	const char *expect[] = {
		"add table ip tapwarden",
		"add chain ip tapwarden net/lab/post",
		"flush chain ip tapwarden net/lab/post",
		"delete chain ip tapwarden net/lab/post",
		"add chain ip tapwarden net/lab/post { type nat hook postrouting priority srcnat; policy accept; }",
		"add rule ip tapwarden net/lab/post ip saddr 10.77.0.0/24 ip daddr 224.0.0.0/24 return",
		"add rule ip tapwarden net/lab/post ip saddr 10.77.0.0/24 ip daddr 255.255.255.255 return",
		"add rule ip tapwarden net/lab/post oifname != twnat0 ip saddr 10.77.0.0/24 ip daddr != 10.77.0.0/24 meta l4proto { tcp, udp } masquerade to :1024-65535",
		"add rule ip tapwarden net/lab/post oifname != twnat0 ip saddr 10.77.0.0/24 ip daddr != 10.77.0.0/24 masquerade",
		"add chain ip tapwarden net/lab/pre { type nat hook prerouting priority dstnat; policy accept; }",
		"add chain ip tapwarden net/lab/out { type nat hook output priority -100; policy accept; }",
		"add rule ip tapwarden net/lab/pre fib daddr type local tcp dport 8080 dnat to 10.77.0.50:80",
		"add rule ip tapwarden net/lab/out fib daddr type local tcp dport 8080 dnat to 10.77.0.50:80",
		"add chain ip tapwarden net/lab/fwd",
		"flush chain ip tapwarden net/lab/fwd",
		"delete chain ip tapwarden net/lab/fwd",
		"add chain ip tapwarden net/lab/fwd { type filter hook forward priority filter; policy accept; }",
		"add rule ip tapwarden net/lab/fwd oifname twnat0 ip daddr 10.77.0.0/24 ct state established,related accept",
		"add rule ip tapwarden net/lab/fwd oifname twnat0 ip daddr 10.77.0.0/24 ct status dnat accept",
		"add rule ip tapwarden net/lab/fwd oifname twnat0 drop",
		"add rule ip tapwarden net/lab/fwd iifname twnat0 ip saddr 10.77.0.0/24 accept",
		"add rule ip tapwarden net/lab/fwd iifname twnat0 drop",
	};
	int previous = -1;

	for (size_t i = 0; i < G_N_ELEMENTS(expect); i++) {
		int at = line_index(lines, expect[i]);

		if (at < 0)
			g_error("`%s' not in the script:\n%s", expect[i], script);
		if (at <= previous)
			g_error("`%s' comes before `%s' in the script:\n%s",
				expect[i], expect[i - 1], script);
		previous = at;
	}
	/* every line names tapwarden's table and nothing else; every rule
	 * comes after its chain's hook is set */
	for (unsigned int i = 0; lines[i]; i++) {
		g_autofree char *chain = NULL;
		int hooked;

		if (lines[i][0] && !strstr(lines[i], " ip tapwarden"))
			g_error("a line outside tapwarden's table: %s", lines[i]);
		if (!g_str_has_prefix(lines[i], "add rule ip tapwarden "))
			continue;
		chain = g_strndup(lines[i] + strlen("add rule ip tapwarden "),
				  strcspn(lines[i] + strlen("add rule ip tapwarden "), " "));
		hooked = -1;
		for (unsigned int j = 0; j < i; j++) {
			g_autofree char *head = g_strdup_printf("add chain ip tapwarden %s { type ",
								chain);

			if (g_str_has_prefix(lines[j], head))
				hooked = (int)j;
		}
		if (hooked < 0)
			g_error("rule before its chain's hook: %s", lines[i]);
	}
	rs.bridge = "br\"0";
	g_assert_null(nat_nft_script(&rs));
}

int main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/nat-config/network-is-read", test_nat_network_is_read);
	g_test_add_func("/nat-config/address-must-be-a-gateway-with-prefix",
			test_address_must_be_a_gateway_with_prefix);
	g_test_add_func("/nat-config/forward-is-checked", test_forward_is_checked);
	g_test_add_func("/nat-config/same-port-on-tcp-and-udp-is-two-forwards",
			test_same_port_on_tcp_and_udp_is_two_forwards);
	g_test_add_func("/nat-config/networks-must-not-clash",
			test_networks_must_not_clash);
	g_test_add_func("/nat-config/clashes-are-found-between-networks-far-apart",
			test_clashes_are_found_between_networks_far_apart);
	g_test_add_func("/nat-config/overlap-is-found-past-subnets-between",
			test_overlap_is_found_past_subnets_between);
	g_test_add_func("/nat-config/nat-keys-belong-to-nat-networks",
			test_nat_keys_belong_to_nat_networks);
	g_test_add_func("/nat-config/nat-names-fit-nftables",
			test_nat_names_fit_nftables);
	g_test_add_func("/nat-config/dhcp-range-leaves-out-the-gateway",
			test_dhcp_range_leaves_out_the_gateway);
	g_test_add_func("/nat-config/nft-script-has-the-rules-in-order-in-its-own-chains",
			test_nft_script_has_the_rules_in_order_in_its_own_chains);
	return g_test_run();
}
