/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat_config.c - the keys of a mode=nat network, and the checks across
 * networks.
 *
 * network_config.c reads a group and hands a mode=nat one to
 * nat_network_parse(), which reads `address' (GW/PREFIX: the gateway, never
 * the subnet's own or broadcast address), `dhcp' (yes/no) and `forward' (a
 * `;' list of tcp|udp:HOSTPORT:GUESTADDR:GUESTPORT, the guest inside the
 * subnet and not the gateway), and checks what the NAT mechanisms need: a
 * bridge, no VLAN, and names that nftables and dnsmasq's files can carry.
 * After every group is read, nat_config_check() looks across networks:
 * two NAT networks whose subnets overlap, that share a bridge, or a host
 * port forwarded twice (per protocol) are refused, in O(n log n) (hashes
 * and a tree of subnets, not every pair). Each function names the key at
 * fault; network_config.c adds file, line and group to the reason.
 */
#include "nat_config.h"

#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "config_file.h"
#include "error.h"
#include "network_config.h"

#define NAT_PREFIX_MIN 8
#define NAT_PREFIX_MAX 30

/**
 * nat_settings_init() - defaults: no address yet, DHCP on, no forwards
 * @nat:	settings
 */
void nat_settings_init(struct nat_settings *nat)
{
	*nat = (struct nat_settings){ .dhcp = true };
	nat->forwards = g_array_new(FALSE, TRUE, sizeof(struct nat_port_forward));
}

/**
 * nat_settings_clear() - free what nat_settings_init() allocated
 * @nat:	settings
 */
void nat_settings_clear(struct nat_settings *nat)
{
	if (nat->forwards)
		g_array_unref(nat->forwards);
	nat->forwards = NULL;
}

/**
 * mask_of() - netmask of a prefix length
 * @prefix:	0-32
 *
 * Return: the mask, host byte order.
 */
static uint32_t mask_of(unsigned int prefix)
{
	return prefix ? ~0u << (32 - prefix) : 0;
}

/**
 * ipv4_parse() - a strict dotted IPv4 address
 * @text:	e.g. "10.77.0.1"
 * @addr:	set, host byte order
 *
 * Return: true when @text is exactly that.
 */
static bool ipv4_parse(const char *text, uint32_t *addr)
{
	struct in_addr in;

	if (inet_pton(AF_INET, text, &in) != 1)
		return false;
	*addr = ntohl(in.s_addr);
	return true;
}

/**
 * port_parse() - a port number 1-65535, digits only
 * @text:	the text
 * @port:	set on success
 *
 * Return: true on success.
 */
static bool port_parse(const char *text, uint16_t *port)
{
	guint64 v;

	if (!text[0] || strspn(text, "0123456789") != strlen(text) ||
	    !g_ascii_string_to_unsigned(text, 10, 1, 65535, &v, NULL))
		return false;
	*port = (uint16_t)v;
	return true;
}

/**
 * nat_address_parse() - `address': GW/PREFIX
 * @text:	e.g. "10.77.0.1/24"
 * @gateway:	set to GW, host byte order
 * @prefix:	set to PREFIX
 * @error:	set when @text is not a gateway address with a prefix
 *
 * Return: true on success.
 */
bool nat_address_parse(const char *text, uint32_t *gateway,
		       unsigned int *prefix, GError **error)
{
	g_autofree char *shown = g_strescape(text, NULL);
	g_auto(GStrv) parts = g_strsplit(text, "/", 3);
	guint64 len = 0;
	uint32_t addr = 0, mask;

	if (g_strv_length(parts) != 2 || !ipv4_parse(parts[0], &addr) ||
	    !parts[1][0] || strspn(parts[1], "0123456789") != strlen(parts[1]) ||
	    !g_ascii_string_to_unsigned(parts[1], 10, NAT_PREFIX_MIN,
					NAT_PREFIX_MAX, &len, NULL)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s' is not an IPv4 gateway address with a prefix length of %d to %d, e.g. 10.77.0.1/24",
			    shown, NAT_PREFIX_MIN, NAT_PREFIX_MAX);
		return false;
	}
	mask = mask_of((unsigned int)len);
	if ((addr & ~mask) == 0 || (addr & ~mask) == ~mask) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s' is the subnet's %s address, not one the gateway can have",
			    shown, (addr & ~mask) == 0 ? "network" : "broadcast");
		return false;
	}
	*gateway = addr;
	*prefix = (unsigned int)len;
	return true;
}

/**
 * nat_forward_parse() - one `forward' entry
 * @text:	tcp|udp:HOSTPORT:GUESTADDR:GUESTPORT
 * @gateway:	the network's gateway, host byte order
 * @prefix:	its prefix length
 * @fwd:	filled in on success
 * @error:	set on failure, with the reason
 *
 * Return: true on success.
 */
bool nat_forward_parse(const char *text, uint32_t gateway, unsigned int prefix,
		       struct nat_port_forward *fwd, GError **error)
{
	g_autofree char *shown = g_strescape(text, NULL);
	g_auto(GStrv) parts = g_strsplit(text, ":", 5);
	uint32_t mask = mask_of(prefix), guest = 0;

	*fwd = (struct nat_port_forward){ 0 };
	if (g_strv_length(parts) != 4 ||
	    (strcmp(parts[0], "tcp") && strcmp(parts[0], "udp")) ||
	    !port_parse(parts[1], &fwd->host_port) ||
	    !ipv4_parse(parts[2], &guest) ||
	    !port_parse(parts[3], &fwd->guest_port)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s' is not tcp|udp:HOSTPORT:GUESTADDR:GUESTPORT (ports 1 to 65535)",
			    shown);
		return false;
	}
	if ((guest & mask) != (gateway & mask) || guest == gateway ||
	    (guest & ~mask) == 0 || (guest & ~mask) == ~mask) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s': %s is not a guest address of the network's subnet",
			    shown, parts[2]);
		return false;
	}
	fwd->proto = strcmp(parts[0], "udp") ? IPPROTO_TCP : IPPROTO_UDP;
	fwd->guest_addr = guest;
	return true;
}

/**
 * nat_network_parse() - the keys of a mode=nat network
 * @kf:		the key file
 * @group:	"network NAME"
 * @net:	its nat settings and bridge are filled in
 * @bad_key:	set to the key at fault on failure (NULL: the group)
 * @error:	set on failure, with the reason
 *
 * Return: true on success.
 */
bool nat_network_parse(GKeyFile *kf, const char *group, struct network *net,
		       const char **bad_key, GError **error)
{
	g_autofree char *bridge = config_file_string(kf, group, "bridge");
	g_autofree char *address = config_file_string(kf, group, "address");
	g_autofree char *dhcp = config_file_string(kf, group, "dhcp");
	g_auto(GStrv) forwards = NULL;

	*bad_key = NULL;
	if (!nat_nft_name_ok(net->name)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "a mode=nat network's name is letters, digits, `-', `_' and `.' (it names its nftables chains and files)");
		return false;
	}
	if (g_key_file_has_key(kf, group, "vlan", NULL) ||
	    g_key_file_has_key(kf, group, "vlan-uplink", NULL)) {
		*bad_key = g_key_file_has_key(kf, group, "vlan", NULL) ?
			   "vlan" : "vlan-uplink";
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "a mode=nat network has no VLAN: its bridge is its own");
		return false;
	}
	if (!bridge || !address) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "missing key `%s': a mode=nat network needs a bridge and its address",
			    bridge ? "address" : "bridge");
		return false;
	}
	*bad_key = "bridge";
	g_strstrip(bridge);
	if (!nat_nft_name_ok(bridge)) {
		g_autofree char *shown = g_strescape(bridge, NULL);

		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "`%s': a mode=nat network's bridge is 1 to 15 letters, digits, `-', `_' and `.'",
			    shown);
		return false;
	}
	g_strlcpy(net->bridge, bridge, sizeof(net->bridge));
	*bad_key = "address";
	if (!nat_address_parse(g_strstrip(address), &net->nat.gateway,
			       &net->nat.prefix, error))
		return false;
	*bad_key = "dhcp";
	if (dhcp) {
		g_strstrip(dhcp);
		if (!strcmp(dhcp, "yes") || !strcmp(dhcp, "true")) {
			net->nat.dhcp = true;
		} else if (!strcmp(dhcp, "no") || !strcmp(dhcp, "false")) {
			net->nat.dhcp = false;
		} else {
			g_autofree char *shown = g_strescape(dhcp, NULL);

			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "`%s' is not yes or no", shown);
			return false;
		}
	}
	*bad_key = "forward";
	forwards = config_file_string_list(kf, group, "forward", NULL);
	for (unsigned int i = 0; forwards && forwards[i]; i++) {
		struct nat_port_forward fwd;

		if (!nat_forward_parse(g_strstrip(forwards[i]),
				       net->nat.gateway, net->nat.prefix, &fwd,
				       error))
			return false;
		g_array_append_val(net->nat.forwards, fwd);
	}
	*bad_key = NULL;
	return true;
}

/**
 * subnets_overlap() - do two prefixes share an address
 * @a:		address in the first
 * @la:		its prefix length
 * @b:		address in the second
 * @lb:		its prefix length
 *
 * Return: true when they overlap.
 */
static bool subnets_overlap(uint32_t a, unsigned int la, uint32_t b,
			    unsigned int lb)
{
	uint32_t mask = mask_of(MIN(la, lb));

	return (a & mask) == (b & mask);
}

/**
 * forward_key() - a forwarded host port as a hash key: protocol and port
 * @fwd:	the forward
 *
 * Return: a pointer-sized key, never NULL (ports start at 1).
 */
static gpointer forward_key(const struct nat_port_forward *fwd)
{
	return GUINT_TO_POINTER((unsigned int)fwd->proto << 16 | fwd->host_port);
}

/**
 * forward_twice() - the first forward of @fa whose host port is taken
 * @fa:		forwards (struct nat_port_forward)
 * @taken:	forward_key() -> anything; NULL: only within @fa itself
 *
 * Return: the first forward of @fa whose host port is in @taken, or (with
 * @taken NULL) repeats an earlier one of @fa; NULL when there is none.
 */
static const struct nat_port_forward *forward_twice(GArray *fa,
						     GHashTable *taken)
{
	g_autoptr(GHashTable) own = taken ? NULL : g_hash_table_new(NULL, NULL);

	for (unsigned int k = 0; k < fa->len; k++) {
		const struct nat_port_forward *x =
			&g_array_index(fa, struct nat_port_forward, k);

		if (g_hash_table_contains(taken ? taken : own, forward_key(x)))
			return x;
		if (own)
			g_hash_table_add(own, forward_key(x));
	}
	return NULL;
}

/**
 * forward_error() - "host port PROTO PORT is ..." for a forward clash
 * @x:		the forward at fault
 * @other:	the network that forwards it already, or NULL: @x's own
 * @error:	set
 */
static void forward_error(const struct nat_port_forward *x,
			  const struct network *other, GError **error)
{
	const char *proto = x->proto == IPPROTO_UDP ? "udp" : "tcp";

	if (other)
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "host port %s %u is already forwarded by network %s",
			    proto, (unsigned int)x->host_port, other->name);
	else
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "host port %s %u is forwarded twice", proto,
			    (unsigned int)x->host_port);
}

/**
 * describe_clash() - the error about NAT network @i, as the pairwise rule
 * reads: against each earlier network in order, bridge, subnet, forwards
 * @nets:	every network, sorted by name
 * @i:		index of a NAT network that clashes with an earlier one
 * @bad_key:	set to the key at fault
 * @error:	set with the reason
 *
 * Called once, for the first network that clashes, so the scan over the
 * earlier networks is linear; the forwards are compared through a hash.
 *
 * Return: false.
 */
static bool describe_clash(GPtrArray *nets, unsigned int i,
			   const char **bad_key, GError **error)
{
	const struct network *a = g_ptr_array_index(nets, i);
	g_autoptr(GHashTable) own = g_hash_table_new(NULL, NULL);
	const struct nat_port_forward *x;

	*bad_key = "forward";
	x = forward_twice(a->nat.forwards, NULL);
	if (x) {
		forward_error(x, NULL, error);
		return false;
	}
	/* forward key -> its index in @a, plus one */
	for (unsigned int k = 0; k < a->nat.forwards->len; k++)
		g_hash_table_insert(own, forward_key(&g_array_index(a->nat.forwards, struct nat_port_forward, k)),
				    GUINT_TO_POINTER(k + 1));
	for (unsigned int j = 0; j < i; j++) {
		const struct network *b = g_ptr_array_index(nets, j);
		GArray *fb = b->nat.forwards;
		unsigned int first = 0;

		if (!strcmp(a->bridge, b->bridge) && b->mode != NETWORK_MODE_USER) {
			*bad_key = "bridge";
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "bridge %s is also network %s's: a NAT network's bridge is its own",
				    a->bridge, b->name);
			return false;
		}
		if (b->mode != NETWORK_MODE_NAT)
			continue;
		if (subnets_overlap(a->nat.gateway, a->nat.prefix,
				    b->nat.gateway, b->nat.prefix)) {
			*bad_key = "address";
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "the subnet overlaps network %s's", b->name);
			return false;
		}
		/* the first of @a's forwards that @b forwards too */
		for (unsigned int m = 0; m < fb->len; m++) {
			unsigned int k = GPOINTER_TO_UINT(g_hash_table_lookup(own, forward_key(&g_array_index(fb, struct nat_port_forward, m))));

			if (k && (!first || k < first))
				first = k;
		}
		if (first) {
			*bad_key = "forward";
			forward_error(&g_array_index(a->nat.forwards, struct nat_port_forward, first - 1),
				      b, error);
			return false;
		}
	}
	g_assert_not_reached();
	return false;
}

/**
 * struct subnet - a NAT network's subnet, in subnet_tree()
 * @first:	its network address, host byte order
 * @last:	its broadcast address
 */
struct subnet {
	uint32_t first;
	uint32_t last;
};

/**
 * subnet_search() - a GCompareFunc for g_tree_search(): which way to go
 * from the subnet @node to find one that holds an address of @range
 * @node:	a struct subnet in the tree
 * @range:	the struct subnet looked for
 *
 * The tree holds disjoint subnets ordered by address, so "overlaps" is a
 * total order's "equal" here.
 *
 * Return: <0 when @range is below @node, >0 above, 0 when they overlap.
 */
static gint subnet_search(gconstpointer node, gconstpointer range)
{
	const struct subnet *n = node, *r = range;

	if (r->last < n->first)
		return -1;
	return r->first > n->last ? 1 : 0;
}

/**
 * subnet_order() - a GCompareDataFunc ordering disjoint subnets
 * @a:		struct subnet
 * @b:		struct subnet
 * @unused:	unused
 *
 * Return: <0, 0, >0 by first address.
 */
static gint subnet_order(gconstpointer a, gconstpointer b, gpointer unused)
{
	const struct subnet *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/**
 * nat_clashes() - does NAT network @a clash with one already indexed
 * @a:		a NAT network
 * @bridges:	bridge name -> a non-user network before @a
 * @subnets:	the subnets of the NAT networks before @a (disjoint)
 * @ports:	forward_key() of their forwards
 *
 * Return: true when @a forwards a port twice, its bridge is an earlier
 * network's, its subnet overlaps an earlier one or a host port of it is
 * forwarded by an earlier network.
 */
static bool nat_clashes(const struct network *a, GHashTable *bridges,
			GTree *subnets, GHashTable *ports)
{
	uint32_t mask = mask_of(a->nat.prefix);
	struct subnet range = {
		.first = a->nat.gateway & mask,
		.last = (a->nat.gateway & mask) | ~mask,
	};

	return forward_twice(a->nat.forwards, NULL) ||
	       g_hash_table_contains(bridges, a->bridge) ||
	       g_tree_search(subnets, subnet_search, &range) ||
	       forward_twice(a->nat.forwards, ports);
}

/**
 * nat_config_check() - what no NAT network may share with another
 * @nets:	every network (struct network *), sorted by name
 * @bad_net:	set to the network at fault on failure (the later one)
 * @bad_key:	set to its key at fault
 * @error:	set on failure, with the reason
 *
 * The rule is pairwise: each NAT network against every network before it
 * in name order (bridge, subnet, forwarded ports), then each bridge-mode
 * network against the NAT networks' bridges. It is checked in one pass
 * with indexes of what came before: a hash of bridges, a hash of host
 * ports and a balanced tree of subnets, which stay disjoint until the
 * first clash (so one lookup finds any overlap). The first network that
 * clashes is then described by describe_clash(), with the message the
 * pairwise rule gives. O(n log n) in the number of networks, linear in
 * the forwards.
 *
 * Return: true when subnets do not overlap, bridges are not shared and
 * no host port (per protocol) is forwarded twice.
 */
bool nat_config_check(GPtrArray *nets, const struct network **bad_net,
		      const char **bad_key, GError **error)
{
	g_autoptr(GHashTable) bridges = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) nat_bridges = g_hash_table_new(g_str_hash,
							     g_str_equal);
	g_autoptr(GHashTable) ports = g_hash_table_new(NULL, NULL);
	g_autoptr(GTree) subnets = g_tree_new_full(subnet_order, NULL, g_free,
						   NULL);

	for (unsigned int i = 0; i < nets->len; i++) {
		const struct network *a = g_ptr_array_index(nets, i);

		if (a->mode == NETWORK_MODE_NAT) {
			uint32_t mask = mask_of(a->nat.prefix);
			struct subnet *sub = g_new(struct subnet, 1);

			if (nat_clashes(a, bridges, subnets, ports)) {
				g_free(sub);
				*bad_net = a;
				return describe_clash(nets, i, bad_key, error);
			}
			sub->first = a->nat.gateway & mask;
			sub->last = sub->first | ~mask;
			g_tree_insert(subnets, sub, sub);
			for (unsigned int k = 0; k < a->nat.forwards->len; k++)
				g_hash_table_add(ports, forward_key(&g_array_index(a->nat.forwards, struct nat_port_forward, k)));
			g_hash_table_insert(nat_bridges, (gpointer)a->bridge,
					    (gpointer)a);
		}
		if (a->mode != NETWORK_MODE_USER &&
		    !g_hash_table_contains(bridges, a->bridge))
			g_hash_table_insert(bridges, (gpointer)a->bridge,
					    (gpointer)a);
	}
	/* a bridge-mode network on a NAT network's bridge comes later in order */
	for (unsigned int i = 0; i < nets->len; i++) {
		const struct network *a = g_ptr_array_index(nets, i);
		const struct network *b;

		if (a->mode != NETWORK_MODE_BRIDGE)
			continue;
		b = g_hash_table_lookup(nat_bridges, a->bridge);
		if (b) {
			*bad_net = a;
			*bad_key = "bridge";
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "bridge %s is NAT network %s's own",
				    a->bridge, b->name);
			return false;
		}
	}
	return true;
}

/**
 * nat_dhcp_range() - the addresses dnsmasq hands out
 * @gateway:	the gateway, host byte order
 * @prefix:	prefix length
 * @first:	set to the first address of the range
 * @last:	set to the last
 *
 * Every guest address above the gateway; when the gateway is the last
 * one, every address below it.
 */
void nat_dhcp_range(uint32_t gateway, unsigned int prefix, uint32_t *first,
		    uint32_t *last)
{
	uint32_t mask = mask_of(prefix);
	uint32_t net = gateway & mask, bcast = net | ~mask;

	if (gateway + 1 < bcast) {
		*first = gateway + 1;
		*last = bcast - 1;
	} else {
		*first = net + 1;
		*last = gateway - 1;
	}
}

/**
 * nat_settings_equal() - are two networks' NAT settings the same
 * @a:		settings
 * @b:		settings
 *
 * Return: true when equal.
 */
bool nat_settings_equal(const struct nat_settings *a,
			const struct nat_settings *b)
{
	if (a->gateway != b->gateway || a->prefix != b->prefix ||
	    a->dhcp != b->dhcp || a->forwards->len != b->forwards->len)
		return false;
	for (unsigned int i = 0; i < a->forwards->len; i++) {
		const struct nat_port_forward *x = &g_array_index(a->forwards, struct nat_port_forward, i);
		const struct nat_port_forward *y = &g_array_index(b->forwards, struct nat_port_forward, i);

		if (x->proto != y->proto || x->host_port != y->host_port ||
		    x->guest_addr != y->guest_addr ||
		    x->guest_port != y->guest_port)
			return false;
	}
	return true;
}
