/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat_nft.c - the nftables rules of one NAT network, through libnftables.
 *
 * Theory of operation: everything lives in tapwarden's own table
 * `ip tapwarden`; each NAT network owns exactly four base chains there,
 * named `net/NAME/KIND` (a network name never contains `/`, so no two
 * networks' names collide):
 *
 *   net/NAME/post  nat postrouting: masquerade what leaves the subnet through
 *                  any other interface, except to 224.0.0.0/24 and
 *                  255.255.255.255; TCP/UDP source ports into 1024-65535
 *   net/NAME/pre   nat prerouting: the forwards, DNAT from the host's own
 *                  addresses (fib daddr type local), for the outside
 *   net/NAME/out   nat output: the same forwards for the host itself
 *   net/NAME/fwd   filter forward: out of the subnet is allowed, back in
 *                  only established/related or DNAT'ed connections
 *
 * A change is one script run by nft_run_cmd_from_buffer(), which libnftables
 * sends as one netlink batch: the kernel applies all of it or none. Applying
 * a network replaces its chains (add, flush, delete, add again: the idiom
 * that works whether or not they exist), so a network applied twice still
 * has one copy of every rule; removing it deletes exactly its chains. No
 * other table or chain is named, so nothing of anyone else's (libvirt,
 * docker, firewalld) is touched. The table itself stays, empty or not.
 *
 * Names go into the script unquoted (nft 1.0 takes no quoted chain names),
 * so only names of letters, digits, `-', `_' and `.' are accepted
 * (nat_nft_name_ok()); policy refuses other names for NAT networks first.
 */
#include "nat_nft.h"

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>

#include "error.h"

static const char *const chain_kinds[NAT_NFT_CHAINS + 1] = {
	"post", "pre", "out", "fwd", NULL,
};

/**
 * ipv4_text() - dotted form of a host-order address
 * @addr:	address, host byte order
 * @buf:	INET_ADDRSTRLEN bytes
 *
 * Return: @buf.
 */
static const char *ipv4_text(uint32_t addr, char *buf)
{
	struct in_addr in = { .s_addr = htonl(addr) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/**
 * chain_replace() - script lines that make chain @kind of @network anew
 * @s:		script
 * @network:	network name
 * @kind:	chain kind
 * @spec:	the base chain's type, hook and priority
 */
static void chain_replace(GString *s, const char *network, const char *kind,
			  const char *spec)
{
	const char *t = NAT_NFT_FAMILY " " NAT_NFT_TABLE;

	g_string_append_printf(s, "add chain %s net/%s/%s\n", t, network, kind);
	g_string_append_printf(s, "flush chain %s net/%s/%s\n", t, network, kind);
	g_string_append_printf(s, "delete chain %s net/%s/%s\n", t, network, kind);
	if (spec)
		g_string_append_printf(s, "add chain %s net/%s/%s { %s; policy accept; }\n",
				       t, network, kind, spec);
}

/**
 * nat_nft_script() - the script that (re)makes @rs's chains
 * @rs:		the network's rules; names must pass nat_nft_name_ok()
 *
 * Return: a new string, or NULL when a name is not acceptable.
 */
char *nat_nft_script(const struct nat_ruleset *rs)
{
	GString *s = g_string_new("add table " NAT_NFT_FAMILY " " NAT_NFT_TABLE "\n");
	uint32_t mask = rs->prefix ? ~0u << (32 - rs->prefix) : 0;
	char subnet_addr[INET_ADDRSTRLEN], guest[INET_ADDRSTRLEN];
	g_autofree char *subnet = NULL;
	const char *n = rs->network, *br = rs->bridge;
	const char *t = NAT_NFT_FAMILY " " NAT_NFT_TABLE;

	if (!nat_nft_name_ok(n) || !nat_nft_name_ok(br) || rs->prefix < 1 ||
	    rs->prefix > 30) {
		g_string_free(s, TRUE);
		return NULL;
	}
	subnet = g_strdup_printf("%s/%u",
				 ipv4_text(rs->gateway & mask, subnet_addr),
				 rs->prefix);

	chain_replace(s, n, "post", "type nat hook postrouting priority srcnat");
	g_string_append_printf(s,
		"add rule %s net/%s/post ip saddr %s ip daddr 224.0.0.0/24 return\n"
		"add rule %s net/%s/post ip saddr %s ip daddr 255.255.255.255 return\n"
		"add rule %s net/%s/post oifname != %s ip saddr %s ip daddr != %s meta l4proto { tcp, udp } masquerade to :1024-65535\n"
		"add rule %s net/%s/post oifname != %s ip saddr %s ip daddr != %s masquerade\n",
		t, n, subnet, t, n, subnet, t, n, br, subnet, subnet,
		t, n, br, subnet, subnet);

	chain_replace(s, n, "pre", "type nat hook prerouting priority dstnat");
	chain_replace(s, n, "out", "type nat hook output priority -100");
	for (unsigned int i = 0; i < rs->n_forwards; i++) {
		const struct nat_port_forward *f = &rs->forwards[i];
		const char *proto = f->proto == IPPROTO_UDP ? "udp" : "tcp";

		ipv4_text(f->guest_addr, guest);
		for (unsigned int k = 0; k < 2; k++)
			g_string_append_printf(s,
				"add rule %s net/%s/%s fib daddr type local %s dport %u dnat to %s:%u\n",
				t, n, k ? "out" : "pre", proto,
				(unsigned int)f->host_port, guest,
				(unsigned int)f->guest_port);
	}

	chain_replace(s, n, "fwd", "type filter hook forward priority filter");
	g_string_append_printf(s,
		"add rule %s net/%s/fwd oifname %s ip daddr %s ct state established,related accept\n"
		"add rule %s net/%s/fwd oifname %s ip daddr %s ct status dnat accept\n"
		"add rule %s net/%s/fwd oifname %s drop\n"
		"add rule %s net/%s/fwd iifname %s ip saddr %s accept\n"
		"add rule %s net/%s/fwd iifname %s drop\n",
		t, n, br, subnet, t, n, br, subnet, t, n, br, t, n, br, subnet,
		t, n, br);
	return g_string_free(s, FALSE);
}

/**
 * nft_run() - run @script as one transaction
 * @script:	nft commands
 * @output:	if not NULL, set to what nft printed (list commands)
 * @what:	what is done, for the message
 * @error:	set with nft's own error text on failure
 *
 * Return: true on success.
 */
static bool nft_run(const char *script, char **output, const char *what,
		    GError **error)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	bool ok;

	if (!nft) {
		g_set_error(error, TW_ERROR, TW_ERROR_FAILED,
			    "%s: cannot set up libnftables", what);
		return false;
	}
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	ok = nft_run_cmd_from_buffer(nft, script) == 0;
	if (!ok) {
		g_autofree char *text = g_strdup(nft_ctx_get_error_buffer(nft));

		/* nft's messages span lines; the first says what it was */
		g_strdelimit(text, "\r\n\t", ' ');
		g_set_error(error, TW_ERROR, TW_ERROR_KERNEL, "%s: %s", what,
			    g_strstrip(text));
	} else if (output) {
		*output = g_strdup(nft_ctx_get_output_buffer(nft));
	}
	nft_ctx_free(nft);
	return ok;
}

/**
 * nat_nft_apply() - install or replace @rs's chains in one transaction
 * @rs:		the network's rules
 * @error:	set on failure; then the kernel holds what it held before
 *
 * Return: true on success.
 */
bool nat_nft_apply(const struct nat_ruleset *rs, GError **error)
{
	g_autofree char *script = nat_nft_script(rs);
	g_autofree char *what = NULL;

	if (!script) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "network %s: names of a NAT network and its bridge must be letters, digits, `-', `_', `.'",
			    rs->network);
		return false;
	}
	what = g_strdup_printf("nftables rules of network %s", rs->network);
	return nft_run(script, NULL, what, error);
}

/**
 * nat_nft_remove() - delete @network's chains, if any, in one transaction
 * @network:	network name
 * @error:	set on failure
 *
 * Return: true when none of its chains is left.
 */
bool nat_nft_remove(const char *network, GError **error)
{
	g_autoptr(GString) s = g_string_new("add table " NAT_NFT_FAMILY " " NAT_NFT_TABLE "\n");
	g_autofree char *what = NULL;

	if (!nat_nft_name_ok(network)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "network %s has no acceptable nftables name", network);
		return false;
	}
	for (unsigned int i = 0; i < NAT_NFT_CHAINS; i++)
		chain_replace(s, network, chain_kinds[i], NULL);
	what = g_strdup_printf("removing the nftables rules of network %s",
			       network);
	return nft_run(s->str, NULL, what, error);
}

/**
 * nat_nft_chain_counts() - which networks have chains in tapwarden's table
 * @error:	set when the kernel cannot be asked
 *
 * Return: network name -> number of its chains (GUINT_TO_POINTER), empty
 * when the table does not exist; NULL with @error set on failure.
 */
GHashTable *nat_nft_chain_counts(GError **error)
{
	g_autoptr(GHashTable) counts = g_hash_table_new_full(g_str_hash,
							     g_str_equal,
							     g_free, NULL);
	g_autofree char *out = NULL;
	g_auto(GStrv) lines = NULL;
	GError *local = NULL;

	if (!nft_run("list chains " NAT_NFT_FAMILY "\n", &out,
		     "listing nftables chains", &local)) {
		g_propagate_error(error, local);
		return NULL;
	}
	lines = g_strsplit(out, "\n", -1);
	/* "table ip NAME {" then "\tchain CHAIN {" lines */
	for (unsigned int i = 0, ours = 0; lines[i]; i++) {
		char *line = g_strstrip(lines[i]);
		char **parts;

		if (g_str_has_prefix(line, "table ")) {
			ours = !strcmp(line, "table " NAT_NFT_FAMILY " " NAT_NFT_TABLE " {");
			continue;
		}
		if (!ours || !g_str_has_prefix(line, "chain net/"))
			continue;
		parts = g_strsplit_set(line + strlen("chain net/"), "/ ", 3);
		if (parts[0] && parts[1] && nat_nft_name_ok(parts[0]) &&
		    g_strv_contains(chain_kinds, parts[1])) {
			unsigned int n = GPOINTER_TO_UINT(g_hash_table_lookup(counts, parts[0]));

			g_hash_table_replace(counts, g_strdup(parts[0]),
					     GUINT_TO_POINTER(n + 1));
		}
		g_strfreev(parts);
	}
	return g_steal_pointer(&counts);
}
