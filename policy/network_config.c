/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network_config.c - load and check tapwarden.conf.
 *
 * The file is a GLib key file (DESIGN.md section 3) with one group
 * `[network NAME]` per network. GKeyFile does the parsing; a light scan of
 * the raw lines (count_entries(), then key_positions_index() when the
 * counts differ from GKeyFile's) refuses what GKeyFile would silently
 * merge: a group or a key written twice, and line_of() scans them again
 * for the line of a message. Every error reads
 * "FILE:LINE: [network NAME] KEY: reason", and a file with any error is
 * refused whole: nothing of it is used. A line GKeyFile cannot take is
 * named by its number, never quoted (syntax_error_line(): --config in
 * direct mode may name any file root can read), and the path is escaped.
 *
 * Keys of features this build does not implement yet are refused rather
 * than ignored, so that a network never silently lacks the isolation it was
 * configured with.
 *
 * VLANs (parse_vlan()): `vlan` is the only VLAN a network offers, so a
 * caller, who names only the network, can never pick another one.
 * `vlan-uplink` needs `vlan`; with it `bridge` may be left out (the taps then
 * join tapwarden's per-VLAN bridge, netdev/vlan.c).
 *
 * Rate limits (parse_rates()): `inbound' and `outbound' are RATE[:BURST]
 * in tc's units, checked by policy/rate.c; a mode=user network has no
 * tap on the host to shape, so it refuses them.
 *
 * mode=user networks (parse_user_network()) take `mtu', `host-loopback' and
 * `hostfwd' (a `;' list in QEMU's hostfwd syntax) and no `bridge'; those
 * keys are refused elsewhere. [network user] may only be mode=user: that
 * name is the built-in user-mode network.
 *
 * mode=nat networks take `address', `dhcp' and `forward' (read by
 * nat_config.c), and check_across_networks() refuses what two networks must
 * not share (overlapping subnets, a bridge, a forwarded host port).
 */

#include "network_config.h"

#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "config_file.h"
#include "error.h"
#include "hostfwd.h"
#include "ifname.h"
#include "rate.h"

#define NETWORK_GROUP_PREFIX "network "

/**
 * struct network_config - every network of one file
 * @refs:	references: the caller's, and last_loaded's
 * @networks:	name -> struct network
 * @sorted:	the same networks, sorted by name (network_config_list())
 * @by_bridge:	bridge name -> the first network in @sorted on it
 */
struct network_config {
	gint refs;
	GHashTable *networks;
	GPtrArray *sorted;
	GHashTable *by_bridge;
};

/*
 * The last file this process loaded, with its text: a process that loads
 * the same file again (the helper asks user_network_lookup(), then
 * policy_place()) gets the same configuration without parsing it twice.
 * The file is always read again and compared byte for byte, and the
 * result depends on nothing but the text, so a changed file is parsed.
 */
G_LOCK_DEFINE_STATIC(last_loaded);
static struct {
	char *path;
	char *text;
	gsize length;
	struct network_config *cfg;
} last_loaded;

/* Keys DESIGN.md defines; those not in implemented_keys are refused */
static const char *const known_keys[] = {
	"mode", "bridge", "vlan", "vlan-uplink", "address", "dhcp", "forward",
	"inbound", "outbound", "isolated", "allow-users", "allow-groups",
	"max-per-user", "mtu", "host-loopback", "hostfwd", NULL,
};
static const char *const implemented_keys[] = {
	"mode", "bridge", "vlan", "vlan-uplink", "allow-users", "allow-groups",
	"max-per-user", "mtu", "host-loopback", "hostfwd", "inbound",
	"outbound", "address", "dhcp", "forward", NULL,
};
static const char *const nat_mode_keys[] = {
	"address", "dhcp", "forward", NULL,
};
static const char *const user_mode_keys[] = {
	"mtu", "host-loopback", "hostfwd", NULL,
};
/* Keys a mode=user network refuses: it has no tap on the host to shape */
static const char *const host_tap_keys[] = {
	"inbound", "outbound", NULL,
};

/**
 * struct parse_ctx - what every message of one load needs
 * @path:	the file
 * @text:	its contents, for line_of()
 * @length:	their length
 * @keys:	the keys of the group being read (has_key())
 */
struct parse_ctx {
	const char *path;
	const char *text;
	gsize length;
	char **keys;
};

/**
 * has_key() - does the group being read have @key
 * @ctx:	parse context
 * @key:	a key name
 *
 * Return: true when it does (a look in its few keys, not in GKeyFile,
 * which builds a translated message for each key it does not find).
 */
static bool has_key(const struct parse_ctx *ctx, const char *key)
{
	return ctx->keys && g_strv_contains((const char *const *)ctx->keys,
					    key);
}

/**
 * key_string() - the value of an optional key of the group being read
 * @ctx:	parse context
 * @kf:		the key file
 * @group:	the group
 * @key:	the key
 *
 * Return: the value (g_key_file_get_string()), NULL when absent.
 */
static char *key_string(const struct parse_ctx *ctx, GKeyFile *kf,
			const char *group, const char *key)
{
	return has_key(ctx, key) ? g_key_file_get_string(kf, group, key, NULL) :
				   NULL;
}

/**
 * key_string_list() - the values of an optional list key of the group
 * @ctx:	parse context
 * @kf:		the key file
 * @group:	the group
 * @key:	the key
 * @length:	set to the number of values, if not NULL
 *
 * Return: the values (g_key_file_get_string_list()), NULL when absent.
 */
static char **key_string_list(const struct parse_ctx *ctx, GKeyFile *kf,
			      const char *group, const char *key,
			      gsize *length)
{
	if (length)
		*length = 0;
	return has_key(ctx, key) ?
	       g_key_file_get_string_list(kf, group, key, length, NULL) : NULL;
}

/**
 * struct line_scan - where next_entry() is in a file
 * @pos:	start of the next line
 * @stop:	end of the text
 * @number:	number of the line last read, from 1
 */
struct line_scan {
	const char *pos;
	const char *stop;
	unsigned int number;
};

/**
 * trimmed() - a line without the whitespace g_strstrip() would remove
 * @line:	start of the line
 * @len:	its length; set to the trimmed length
 *
 * Return: the first character that is not whitespace.
 */
static const char *trimmed(const char *line, size_t *len)
{
	while (*len && g_ascii_isspace(line[0])) {
		line++;
		(*len)--;
	}
	while (*len && g_ascii_isspace(line[*len - 1]))
		(*len)--;
	return line;
}

/**
 * next_entry() - the next group header or key line
 * @scan:	position, advanced
 * @name:	set to the group's name (between `[' and `]') or the key's
 *		(before `=', trimmed); not NUL-terminated
 * @len:	set to the length of @name
 *
 * Lines are found with memchr(), in one pass (g_strsplit() is quadratic
 * under AddressSanitizer's strstr()); comments, blank lines and lines
 * that are neither are skipped, as GKeyFile reports those itself.
 *
 * Return: 1 for a group, 2 for a key, 0 at the end of the text.
 */
static int next_entry(struct line_scan *scan, const char **name, size_t *len)
{
	while (scan->pos <= scan->stop) {
		const char *nl = memchr(scan->pos, '\n',
					(size_t)(scan->stop - scan->pos));
		size_t n = (size_t)((nl ? nl : scan->stop) - scan->pos);
		const char *line = trimmed(scan->pos, &n), *mark;

		scan->number++;
		scan->pos = (nl ? nl : scan->stop) + 1;
		if (n == 0 || line[0] == '#')
			continue;
		if (line[0] == '[' && (mark = memchr(line, ']', n))) {
			*name = line + 1;
			*len = (size_t)(mark - line - 1);
			return 1;
		}
		if (line[0] != '[' && (mark = memchr(line, '=', n))) {
			*len = (size_t)(mark - line);
			*name = trimmed(line, len);
			return 2;
		}
	}
	return 0;
}

/**
 * syntax_error_line() - the first line GKeyFile cannot take, for a message
 * that does not quote it (GLib's does; --config in direct mode may name
 * any file root can read, /etc/shadow say)
 * @ctx:	parse context
 * @before_group: set when that line is a key before the first group
 *
 * Return: the line's number, from 1, or 0 when every line looks right
 * (GLib refused something finer: a name's characters, the encoding).
 */
static unsigned int syntax_error_line(const struct parse_ctx *ctx,
				      bool *before_group)
{
	const char *pos = ctx->text, *stop = ctx->text + ctx->length;
	bool group = false;
	unsigned int number = 0;

	*before_group = false;
	while (pos <= stop) {
		const char *nl = memchr(pos, '\n', (size_t)(stop - pos));
		size_t n = (size_t)((nl ? nl : stop) - pos);
		const char *line = trimmed(pos, &n);

		number++;
		pos = (nl ? nl : stop) + 1;
		if (n == 0 || line[0] == '#')
			continue;
		if (line[0] == '[' && line[n - 1] == ']') {
			group = true;
			continue;
		}
		if (line[0] != '[' && memchr(line, '=', n) && group)
			continue;
		*before_group = line[0] != '[' && memchr(line, '=', n);
		return number;
	}
	return 0;
}

/**
 * same_name() - is the scanned @name, @len long, the string @want
 * @name:	from next_entry()
 * @len:	its length
 * @want:	NUL-terminated
 *
 * Return: true when equal.
 */
static bool same_name(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && !memcmp(name, want, len);
}

/**
 * line_of() - line number of a group or of a key in it, 0 if unknown
 * @ctx:	parse context
 * @group:	group name
 * @key:	key name, or NULL for the group's header
 *
 * The file is scanned again: this is asked only for an error message,
 * once per load, so no index of every line is kept.
 *
 * Return: the line number, from 1, or 0.
 */
static unsigned int line_of(const struct parse_ctx *ctx, const char *group,
			    const char *key)
{
	struct line_scan scan = {
		.pos = ctx->text, .stop = ctx->text + ctx->length,
	};
	bool inside = false;
	const char *name;
	size_t len;
	int kind;

	if (!ctx->text)
		return 0;
	while ((kind = next_entry(&scan, &name, &len))) {
		if (kind == 1) {
			inside = same_name(name, len, group);
			if (inside && !key)
				return scan.number;
		} else if (inside && same_name(name, len, key)) {
			return scan.number;
		}
	}
	return 0;
}

/**
 * config_error() - set "FILE:LINE: [GROUP] KEY: reason"
 * @ctx:	parse context
 * @error:	error to set
 * @group:	group the problem is in
 * @key:	key the problem is in, or NULL
 * @fmt:	reason, printf-style
 */
G_GNUC_PRINTF(5, 6)
static void config_error(const struct parse_ctx *ctx, GError **error,
			 const char *group, const char *key,
			 const char *fmt, ...)
{
	g_autofree char *reason = NULL;
	g_autofree char *shown_group = g_strescape(group, NULL);
	va_list ap;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error(error, TW_ERROR, TW_ERROR_CONFIG, "%s:%u: [%s]%s%s: %s",
		    ctx->path, line_of(ctx, group, key), shown_group,
		    key ? " " : "", key ? key : "", reason);
}

/**
 * key_positions_index() - refuse a group or a key in one group written twice
 * @ctx:	parse context
 * @error:	set when a group or a key in one group appears twice
 *
 * Only what GKeyFile accepts matters here: it parses the file afterwards
 * and reports syntax errors itself (and would merge repeats silently).
 * A group's keys are contiguous (a group written twice is refused at its
 * second header), so keys are compared within one group at a time.
 *
 * Return: true on success.
 */
static bool key_positions_index(const struct parse_ctx *ctx, GError **error)
{
	g_autoptr(GHashTable) groups = g_hash_table_new_full(g_str_hash,
							     g_str_equal,
							     g_free, NULL);
	g_autoptr(GHashTable) keys = g_hash_table_new_full(g_str_hash,
							   g_str_equal,
							   g_free, NULL);
	struct line_scan scan = {
		.pos = ctx->text, .stop = ctx->text + ctx->length,
	};
	const char *group = NULL, *name;
	GHashTable *seen;
	size_t len;
	int kind;

	while ((kind = next_entry(&scan, &name, &len))) {
		char *id = g_strndup(name, len);
		unsigned int first;

		if (kind == 2 && !group) {
			g_free(id);
			continue;
		}
		seen = kind == 1 ? groups : keys;
		first = GPOINTER_TO_UINT(g_hash_table_lookup(seen, id));
		if (first) {
			g_autofree char *full = kind == 1 ? g_strdup(id) :
						g_strconcat(group, "\n", id, NULL);
			g_autofree char *shown = g_strescape(full, NULL);

			g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
				    "%s:%u: `%s' appears twice (first on line %u)",
				    ctx->path, scan.number, shown, first);
			g_free(id);
			return false;
		}
		g_hash_table_insert(seen, id, GUINT_TO_POINTER(scan.number));
		if (kind == 1) {
			group = id;
			g_hash_table_remove_all(keys);
		}
	}
	return true;
}

/**
 * keys_repeat() - does a group's key list name a key twice
 * @keys:	g_key_file_get_keys() of one group, or NULL
 *
 * Return: true when a key is in @keys twice.
 */
static bool keys_repeat(char **keys)
{
	g_autoptr(GHashTable) seen = NULL;
	unsigned int n = keys ? g_strv_length(keys) : 0;

	if (n <= 16) {	/* a network's few keys: compare them */
		for (unsigned int i = 0; i < n; i++)
			for (unsigned int j = 0; j < i; j++)
				if (!strcmp(keys[i], keys[j]))
					return true;
		return false;
	}
	seen = g_hash_table_new(g_str_hash, g_str_equal);
	for (unsigned int i = 0; i < n; i++)
		if (!g_hash_table_add(seen, keys[i]))
			return true;
	return false;
}

/**
 * count_entries() - how many group headers and key lines the file has
 * @ctx:	parse context
 * @headers:	set to the number of group headers
 * @key_lines:	set to the number of key lines after the first header
 *
 * For a file GKeyFile accepts, these are the lines it reads as groups and
 * keys (next_entry() sees the same ones), so comparing the counts finds a
 * repeat without indexing every name.
 */
static void count_entries(const struct parse_ctx *ctx, unsigned int *headers,
			  unsigned int *key_lines)
{
	struct line_scan scan = {
		.pos = ctx->text, .stop = ctx->text + ctx->length,
	};
	const char *name;
	size_t len;
	int kind;

	*headers = *key_lines = 0;
	while ((kind = next_entry(&scan, &name, &len))) {
		if (kind == 1)
			(*headers)++;
		else if (*headers)
			(*key_lines)++;
	}
}

/**
 * account_name_valid() - is @name a user or group name, or a number
 * @name:	an entry of allow-users or allow-groups
 *
 * Names follow what useradd accepts: letters, digits, `_', `.', `-', not
 * starting with `-', at most 32 characters, optionally ending in `$'.
 *
 * Return: true when well formed.
 */
static bool account_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 32 || name[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (g_ascii_isalnum(c) || c == '_' || c == '.' || c == '-')
			continue;
		if (c == '$' && i == len - 1 && len > 1)
			continue;
		return false;
	}
	return true;
}

/**
 * parse_account_list() - read allow-users or allow-groups
 * @ctx:	parse context
 * @kf:		the key file
 * @group:	the network's group
 * @key:	"allow-users" or "allow-groups"
 * @out:	set to the list (NULL when the key is absent)
 * @error:	set on a malformed entry
 *
 * Return: true on success.
 */
static bool parse_account_list(const struct parse_ctx *ctx, GKeyFile *kf,
			       const char *group, const char *key,
			       char ***out, GError **error)
{
	g_auto(GStrv) list = NULL;
	gsize n = 0;

	*out = NULL;
	if (!has_key(ctx, key))
		return true;
	list = key_string_list(ctx, kf, group, key, &n);
	if (!list || n == 0) {
		config_error(ctx, error, group, key,
			     "empty: name at least one account, separated by `;'");
		return false;
	}
	for (gsize i = 0; i < n; i++) {
		g_strstrip(list[i]);
		if (!account_name_valid(list[i])) {
			g_autofree char *shown = g_strescape(list[i], NULL);

			config_error(ctx, error, group, key,
				     "`%s' is not a valid account name or number",
				     shown);
			return false;
		}
	}
	*out = g_steal_pointer(&list);
	return true;
}

/**
 * parse_access_keys() - allow-users, allow-groups and max-per-user
 * @ctx:	parse context
 * @kf:		the key file
 * @group:	the network's group
 * @net:	filled in
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool parse_access_keys(const struct parse_ctx *ctx, GKeyFile *kf,
			      const char *group, struct network *net,
			      GError **error)
{
	g_autofree char *max = NULL;
	guint64 value;

	if (!parse_account_list(ctx, kf, group, "allow-users",
				&net->allow_users, error) ||
	    !parse_account_list(ctx, kf, group, "allow-groups",
				&net->allow_groups, error))
		return false;
	max = key_string(ctx, kf, group, "max-per-user");
	if (!max)
		return true;
	if (!g_ascii_string_to_unsigned(g_strstrip(max), 10, 1,
					NETWORK_MAX_PER_USER_LIMIT, &value,
					NULL)) {
		g_autofree char *shown = g_strescape(max, NULL);

		config_error(ctx, error, group, "max-per-user",
			     "`%s' is not a number from 1 to %d", shown,
			     NETWORK_MAX_PER_USER_LIMIT);
		return false;
	}
	net->max_per_user = (unsigned int)value;
	return true;
}

/**
 * check_ifname_value() - a key whose value names an interface
 * @ctx:	parse context
 * @group:	group the key is in
 * @key:	the key
 * @value:	its value
 * @error:	set, with file and line, when @value is no interface name
 *
 * Return: true when @value passes ifname_check().
 */
static bool check_ifname_value(const struct parse_ctx *ctx, const char *group,
			       const char *key, const char *value,
			       GError **error)
{
	GError *local = NULL;

	if (ifname_check(value, &local))
		return true;
	config_error(ctx, error, group, key, "%s", local->message);
	g_error_free(local);
	return false;
}

/**
 * parse_vlan() - read `vlan` and `vlan-uplink` of one network
 * @ctx:	parse context
 * @kf:		the parsed key file
 * @group:	the group's name
 * @net:	its @vlan and @vlan_uplink are filled in
 * @error:	set on failure
 *
 * Return: true on success (also when the network has no VLAN).
 */
static bool parse_vlan(const struct parse_ctx *ctx, GKeyFile *kf,
		       const char *group, struct network *net, GError **error)
{
	g_autofree char *vlan = key_string(ctx, kf, group, "vlan");
	g_autofree char *uplink = key_string(ctx, kf, group, "vlan-uplink");
	guint64 id = 0;

	if (vlan) {
		g_autofree char *shown = g_strescape(vlan, NULL);

		/* digits only: no sign, no space, no hex, no empty value */
		if (!vlan[0] || strspn(vlan, "0123456789") != strlen(vlan) ||
		    !g_ascii_string_to_unsigned(vlan, 10, 1, 4094, &id, NULL)) {
			config_error(ctx, error, group, "vlan",
				     "`%s' is not a VLAN ID: 1 to 4094 (0 and 4095 are reserved by 802.1Q)",
				     shown);
			return false;
		}
	}
	if (uplink && !vlan) {
		config_error(ctx, error, group, "vlan-uplink",
			     "needs a `vlan' in the same network");
		return false;
	}
	if (uplink && !check_ifname_value(ctx, group, "vlan-uplink", uplink,
					  error))
		return false;
	net->vlan = (unsigned int)id;
	g_strlcpy(net->vlan_uplink, uplink ? uplink : "",
		  sizeof(net->vlan_uplink));
	return true;
}

/**
 * parse_rates() - read `inbound' and `outbound' of one network
 * @ctx:	parse context
 * @kf:		the parsed key file
 * @group:	the group's name
 * @net:	its @limits are filled in
 * @error:	set on failure
 *
 * Return: true on success (also when the network sets no rate).
 */
static bool parse_rates(const struct parse_ctx *ctx, GKeyFile *kf,
			const char *group, struct network *net, GError **error)
{
	static const char *const keys[] = { "inbound", "outbound" };
	struct qos_rate *limits[] = {
		&net->limits.inbound, &net->limits.outbound,
	};

	for (unsigned int i = 0; i < G_N_ELEMENTS(keys); i++) {
		g_autofree char *value = key_string(ctx, kf, group, keys[i]);
		GError *local = NULL;

		if (!value)
			continue;
		if (!rate_parse(g_strstrip(value), RATE_DEFAULT_MTU, limits[i],
				&local)) {
			config_error(ctx, error, group, keys[i], "%s",
				     local->message);
			g_error_free(local);
			return false;
		}
	}
	return true;
}

/**
 * parse_user_network() - the keys of a mode=user network
 * @ctx:	parse context
 * @kf:		the parsed key file
 * @group:	the group's name, "network NAME"
 * @net:	filled in on success
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool parse_user_network(const struct parse_ctx *ctx, GKeyFile *kf,
			       const char *group, struct network *net,
			       GError **error)
{
	g_auto(GStrv) forwards = NULL;
	g_autofree char *mtu = NULL;
	GError *local = NULL;

	if (has_key(ctx, "bridge")) {
		config_error(ctx, error, group, "bridge",
			     "a mode=user network has no bridge");
		return false;
	}
	for (unsigned int i = 0; host_tap_keys[i]; i++) {
		if (has_key(ctx, host_tap_keys[i])) {
			config_error(ctx, error, group, host_tap_keys[i],
				     "a mode=user network has no tap on the host to limit");
			return false;
		}
	}
	mtu = key_string(ctx, kf, group, "mtu");
	if (mtu && !network_mtu_parse(mtu, &net->mtu, &local)) {
		config_error(ctx, error, group, "mtu", "%s", local->message);
		g_error_free(local);
		return false;
	}
	if (has_key(ctx, "host-loopback")) {
		net->host_loopback = g_key_file_get_boolean(kf, group,
							    "host-loopback",
							    &local);
		if (local) {
			g_error_free(local);
			config_error(ctx, error, group, "host-loopback",
				     "not true or false");
			return false;
		}
	}
	forwards = key_string_list(ctx, kf, group, "hostfwd", NULL);
	for (unsigned int i = 0; forwards && forwards[i]; i++) {
		struct slirp_forward fwd;

		if (!hostfwd_parse(forwards[i], &fwd, &local)) {
			config_error(ctx, error, group, "hostfwd", "%s",
				     local->message);
			g_error_free(local);
			return false;
		}
		g_array_append_val(net->forwards, fwd);
	}
	return true;
}

/**
 * parse_network() - check one [network NAME] group and build its network
 * @ctx:	parse context
 * @kf:		the parsed key file
 * @group:	the group's name, "network NAME"
 * @net:	filled in on success
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool parse_network(const struct parse_ctx *ctx, GKeyFile *kf,
			  const char *group, struct network *net,
			  GError **error)
{
	const char *name = group + strlen(NETWORK_GROUP_PREFIX);
	char **keys = ctx->keys;
	g_autofree char *mode = NULL;
	g_autofree char *bridge = NULL;
	GError *local = NULL;

	if (!ifname_check(name, &local)) {
		config_error(ctx, error, group, NULL, "network %s",
			     local->message);
		g_error_free(local);
		return false;
	}
	g_strlcpy(net->name, name, sizeof(net->name));

	for (unsigned int i = 0; keys && keys[i]; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			config_error(ctx, error, group, keys[i], "unknown key");
			return false;
		}
		if (!g_strv_contains(implemented_keys, keys[i])) {
			config_error(ctx, error, group, keys[i],
				     "not supported by tapwarden %s yet",
				     TAPWARDEN_VERSION);
			return false;
		}
	}

	mode = key_string(ctx, kf, group, "mode");
	for (unsigned int i = 0; keys && keys[i]; i++) {
		if ((!mode || strcmp(mode, "nat")) &&
		    g_strv_contains(nat_mode_keys, keys[i])) {
			config_error(ctx, error, group, keys[i],
				     "only a mode=nat network takes this key");
			return false;
		}
	}
	if (mode && !strcmp(mode, "user")) {
		net->mode = NETWORK_MODE_USER;
		return parse_user_network(ctx, kf, group, net, error);
	}
	if (!strcmp(name, NETWORK_USER_BUILTIN)) {
		config_error(ctx, error, group, mode ? "mode" : NULL,
			     "the network `" NETWORK_USER_BUILTIN "' is always mode=user");
		return false;
	}
	for (unsigned int i = 0; keys && keys[i]; i++) {
		if (g_strv_contains(user_mode_keys, keys[i])) {
			config_error(ctx, error, group, keys[i],
				     "only a mode=user network takes this key");
			return false;
		}
	}
	if (!mode || !strcmp(mode, "bridge")) {
		net->mode = NETWORK_MODE_BRIDGE;
	} else if (!strcmp(mode, "nat")) {
		const char *bad_key = NULL;

		net->mode = NETWORK_MODE_NAT;
		if (!nat_network_parse(kf, group, net, &bad_key, &local)) {
			config_error(ctx, error, group, bad_key, "%s",
				     local->message);
			g_error_free(local);
			return false;
		}
		return parse_rates(ctx, kf, group, net, error) &&
		       parse_access_keys(ctx, kf, group, net, error);
	} else {
		g_autofree char *shown = g_strescape(mode, NULL);

		config_error(ctx, error, group, "mode",
			     "`%s' is not one of bridge, nat, user", shown);
		return false;
	}

	if (!parse_vlan(ctx, kf, group, net, error) ||
	    !parse_rates(ctx, kf, group, net, error))
		return false;

	bridge = key_string(ctx, kf, group, "bridge");
	if (!bridge && !net->vlan_uplink[0]) {
		config_error(ctx, error, group, NULL,
			     "missing key `bridge': which bridge do its taps join?");
		return false;
	}
	/* with only vlan-uplink, the taps join the per-VLAN bridge */
	if (bridge && !check_ifname_value(ctx, group, "bridge", bridge, error))
		return false;
	g_strlcpy(net->bridge, bridge ? bridge : "", sizeof(net->bridge));
	return parse_access_keys(ctx, kf, group, net, error);
}

/**
 * network_new() - a network with every default
 *
 * Return: the network; free with network_free().
 */
struct network *network_new(void)
{
	struct network *net = g_new0(struct network, 1);

	net->host_loopback = true;
	net->forwards = g_array_new(FALSE, FALSE, sizeof(struct slirp_forward));
	nat_settings_init(&net->nat);
	return net;
}

/**
 * network_free() - free a network from network_new()
 * @data:	the network, or NULL
 */
void network_free(void *data)
{
	struct network *net = data;

	if (!net)
		return;
	if (net->forwards)
		g_array_unref(net->forwards);
	nat_settings_clear(&net->nat);
	g_strfreev(net->allow_users);
	g_strfreev(net->allow_groups);
	g_free(net);
}

/**
 * network_mtu_parse() - a user-mode MTU, SLIRP_MTU_MIN to SLIRP_MTU_MAX
 * @text:	decimal number
 * @mtu:	set on success
 * @error:	set when @text is not such a number
 *
 * Return: true on success.
 */
bool network_mtu_parse(const char *text, unsigned int *mtu, GError **error)
{
	g_autofree char *shown = g_strescape(text, NULL);
	guint64 value = 0;

	if (!g_ascii_isdigit(text[0]) ||
	    !g_ascii_string_to_unsigned(text, 10, SLIRP_MTU_MIN, SLIRP_MTU_MAX,
					&value, NULL)) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "MTU %s is not a number from %u to %u", shown,
			    SLIRP_MTU_MIN, SLIRP_MTU_MAX);
		return false;
	}
	*mtu = (unsigned int)value;
	return true;
}

/**
 * compare_networks() - order networks by name, for index_networks()
 * @a:	pointer to a struct network pointer
 * @b:	same
 *
 * Return: strcmp() of the names.
 */
static int compare_networks(gconstpointer a, gconstpointer b)
{
	const struct network *const *na = a, *const *nb = b;

	return strcmp((*na)->name, (*nb)->name);
}

/**
 * index_networks() - fill @cfg's sorted list and bridge index, once
 * @cfg:	configuration whose @networks are all read
 */
static void index_networks(struct network_config *cfg)
{
	GHashTableIter iter;
	gpointer value;

	g_ptr_array_set_size(cfg->sorted, 0);
	g_hash_table_iter_init(&iter, cfg->networks);
	while (g_hash_table_iter_next(&iter, NULL, &value))
		g_ptr_array_add(cfg->sorted, value);
	g_ptr_array_sort(cfg->sorted, compare_networks);
	for (unsigned int i = 0; i < cfg->sorted->len; i++) {
		struct network *net = g_ptr_array_index(cfg->sorted, i);

		if (net->bridge[0] &&
		    !g_hash_table_contains(cfg->by_bridge, net->bridge))
			g_hash_table_insert(cfg->by_bridge, net->bridge, net);
	}
}

/**
 * check_across_networks() - what networks must not share (nat_config.c)
 * @ctx:	parse context
 * @cfg:	every network of the file
 * @error:	set on failure, with file, line, group and key
 *
 * Return: true on success.
 */
static bool check_across_networks(const struct parse_ctx *ctx,
				  const struct network_config *cfg,
				  GError **error)
{
	const struct network *bad = NULL;
	const char *bad_key = NULL;
	g_autofree char *group = NULL;
	GError *local = NULL;

	if (nat_config_check(cfg->sorted, &bad, &bad_key, &local))
		return true;
	group = g_strconcat(NETWORK_GROUP_PREFIX, bad->name, NULL);
	config_error(ctx, error, group, bad_key, "%s", local->message);
	g_error_free(local);
	return false;
}

/**
 * network_config_new() - an empty configuration
 *
 * Return: the configuration, one reference; free with network_config_free().
 */
static struct network_config *network_config_new(void)
{
	struct network_config *cfg = g_new0(struct network_config, 1);

	cfg->refs = 1;
	cfg->networks = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					      network_free);
	cfg->sorted = g_ptr_array_new();
	cfg->by_bridge = g_hash_table_new(g_str_hash, g_str_equal);
	return cfg;
}

/**
 * parse_text() - parse and check the text of a tapwarden.conf
 * @path:	the file, for messages
 * @text:	its contents, NUL-terminated
 * @length:	their length
 * @error:	set on failure, with file, line, group, key and reason
 *
 * Return: the configuration, or NULL with @error set; nothing partial.
 */
static struct network_config *parse_text(const char *path, const char *text,
					 gsize length, GError **error)
{
	g_autoptr(network_config) cfg = network_config_new();
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *shown_path = g_strescape(path, NULL);	/* one line */
	struct parse_ctx ctx = { .path = shown_path, .text = text,
				 .length = length };
	g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	unsigned int headers = 0, key_lines = 0, n_keys = 0;
	bool repeated = false;
	g_auto(GStrv) groups = NULL;
	GError *local = NULL;

	if (!g_key_file_load_from_data(kf, text, length, G_KEY_FILE_NONE,
				       &local)) {
		/* a group or key written twice is reported first, as ever;
		 * then the line, never quoted (GLib's message quotes it) */
		bool before_group;
		unsigned int line = syntax_error_line(&ctx, &before_group);

		if (!key_positions_index(&ctx, error))
			;
		else if (line)
			g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
				    "%s:%u: %s (the line is not shown)", ctx.path,
				    line, before_group ?
				    "a key before the first [network NAME] group" :
				    "not a [group], a KEY=VALUE line or a comment");
		else
			g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
				    "%s: not a key file: a group or key name, or the encoding, is not valid (the text is not shown)",
				    ctx.path);
		g_error_free(local);
		return NULL;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (unsigned int i = 0; groups[i]; i++) {
		char **k = g_key_file_get_keys(kf, groups[i], NULL, NULL);

		n_keys += k ? g_strv_length(k) : 0;
		repeated = repeated || keys_repeat(k);
		g_ptr_array_add(keys, k);
	}
	/* GKeyFile merges a group written twice (fewer groups than headers)
	 * and lists a key written twice twice; only then is the file indexed,
	 * to say which */
	count_entries(&ctx, &headers, &key_lines);
	if ((repeated || headers != keys->len || key_lines != n_keys) &&
	    !key_positions_index(&ctx, error))
		return NULL;

	for (unsigned int i = 0; groups[i]; i++) {
		g_autoptr(network) net = network_new();
		char *key;
		bool ok;

		if (!g_str_has_prefix(groups[i], NETWORK_GROUP_PREFIX)) {
			config_error(&ctx, error, groups[i], NULL,
				     "unknown group: networks are [network NAME]");
			return NULL;
		}
		ctx.keys = g_ptr_array_index(keys, i);
		ok = parse_network(&ctx, kf, groups[i], net, error);
		g_clear_pointer(&keys->pdata[i], g_strfreev);
		ctx.keys = NULL;
		if (!ok)
			return NULL;
		key = net->name;
		g_hash_table_insert(cfg->networks, key, g_steal_pointer(&net));
	}
	g_clear_pointer(&kf, g_key_file_free);
	index_networks(cfg);
	if (!check_across_networks(&ctx, cfg, error))
		return NULL;
	return g_steal_pointer(&cfg);
}

/**
 * network_config_load() - load and check a tapwarden.conf
 * @path:	the file
 * @must_exist:	false: a missing file is an empty configuration
 * @error:	set on failure, with file, line, group, key and reason
 *
 * Return: the configuration, or NULL with @error set; nothing partial.
 * Free it with network_config_free(); it may be shared with a later load
 * of the same text (it is never changed after the load).
 */
struct network_config *network_config_load(const char *path, bool must_exist,
					   GError **error)
{
	struct network_config *cfg = NULL, *old = NULL;
	g_autofree char *text = NULL;
	GError *local = NULL;
	struct stat st;
	gsize length;

	text = config_file_read(path, &st, &length, &local);
	if (!text) {
		if (!must_exist &&
		    g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND)) {
			g_error_free(local);
			return network_config_new();
		}
		g_propagate_error(error, local);
		return NULL;
	}
	G_LOCK(last_loaded);
	if (last_loaded.cfg && !strcmp(last_loaded.path, path) &&
	    last_loaded.length == length &&
	    !memcmp(last_loaded.text, text, length)) {
		cfg = last_loaded.cfg;
		g_atomic_int_inc(&cfg->refs);
	}
	G_UNLOCK(last_loaded);
	if (cfg)
		return cfg;

	cfg = parse_text(path, text, length, error);
	if (!cfg)
		return NULL;
	g_atomic_int_inc(&cfg->refs);
	G_LOCK(last_loaded);
	old = last_loaded.cfg;
	g_free(last_loaded.path);
	g_free(last_loaded.text);
	last_loaded.path = g_strdup(path);
	last_loaded.text = g_steal_pointer(&text);
	last_loaded.length = length;
	last_loaded.cfg = cfg;
	G_UNLOCK(last_loaded);
	network_config_free(old);
	return cfg;
}

/**
 * network_config_find() - the network called @name
 * @cfg:	configuration
 * @name:	network name
 *
 * Return: the network, or NULL when @cfg has none of that name.
 */
const struct network *network_config_find(const struct network_config *cfg,
					  const char *name)
{
	return g_hash_table_lookup(cfg->networks, name);
}

/**
 * network_config_count() - number of networks
 * @cfg:	configuration
 *
 * Return: how many networks @cfg defines.
 */
unsigned int network_config_count(const struct network_config *cfg)
{
	return g_hash_table_size(cfg->networks);
}

/**
 * network_config_list() - every network, sorted by name
 * @cfg:	configuration
 *
 * Return: a new array of const struct network pointers owned by @cfg
 * (a copy of the list sorted at load: O(n), no sort per call).
 */
GPtrArray *network_config_list(const struct network_config *cfg)
{
	GPtrArray *list = g_ptr_array_sized_new(cfg->sorted->len);

	for (unsigned int i = 0; i < cfg->sorted->len; i++)
		g_ptr_array_add(list, g_ptr_array_index(cfg->sorted, i));
	return list;
}

/**
 * network_config_find_bridge() - the first network, by name, on a bridge
 * @cfg:	configuration
 * @bridge:	a bridge name
 *
 * Return: the network whose `bridge' is @bridge (the first in name order
 * when several are), or NULL.
 */
const struct network *network_config_find_bridge(const struct network_config *cfg,
						 const char *bridge)
{
	return g_hash_table_lookup(cfg->by_bridge, bridge);
}

/**
 * network_mode_name() - the configuration word for a mode
 * @mode:	mode
 *
 * Return: "bridge", "nat" or "user".
 */
const char *network_mode_name(enum network_mode mode)
{
	switch (mode) {
	case NETWORK_MODE_NAT:
		return "nat";
	case NETWORK_MODE_USER:
		return "user";
	default:
		return "bridge";
	}
}

/**
 * network_config_free() - drop a reference; the last frees the configuration
 * @cfg:	configuration, or NULL
 */
void network_config_free(struct network_config *cfg)
{
	if (!cfg || !g_atomic_int_dec_and_test(&cfg->refs))
		return;
	if (cfg->by_bridge)
		g_hash_table_unref(cfg->by_bridge);
	if (cfg->sorted)
		g_ptr_array_unref(cfg->sorted);
	if (cfg->networks)
		g_hash_table_unref(cfg->networks);
	g_free(cfg);
}
