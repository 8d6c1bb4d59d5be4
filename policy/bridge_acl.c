/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_acl.c - parse /etc/qemu/bridge.conf and decide on a bridge name.
 *
 * Semantics are qemu-bridge-helper's, so an existing setup keeps working:
 * one rule a line, `allow NAME`, `allow all`, `deny NAME`, `deny all`,
 * `include FILE`; blank lines and lines starting with '#' are ignored; the
 * command ends at the first space (at the first tab if the line has no
 * space), and the argument is stripped of blanks. A bridge is
 * allowed when some allow rule matches and no deny rule does, wherever the
 * rules stand (deny wins); with no rule, it is denied.
 *
 * Where qemu-bridge-helper was lax, tapwarden fails closed and says where:
 * a name of 16 or more bytes, or one the kernel would not accept, is an
 * error (CVE-2019-13164); so are include loops and chains deeper than
 * BRIDGE_ACL_MAX_DEPTH, more than BRIDGE_ACL_MAX_FILES files, and a syntax
 * error inside an included file. A file included again elsewhere is not
 * parsed again: rules do not depend on order, so it would add nothing. An
 * included file that does not exist or that this process may not read is
 * skipped, as qemu-bridge-helper skips it (it reads with the caller's
 * rights, so per-user files are included by name). A relative include is
 * resolved against the directory of the file that includes it.
 */
#include "bridge_acl.h"

#include <stdint.h>
#include <string.h>
#include <net/if.h>
#include <sys/stat.h>

#include "config_file.h"
#include "error.h"
#include "ifname.h"

enum acl_rule_type {
	ACL_ALLOW,
	ACL_ALLOW_ALL,
	ACL_DENY,
	ACL_DENY_ALL,
};

/**
 * struct acl_rule - one allow or deny line
 * @type:	what the line says
 * @name:	the bridge, for ACL_ALLOW and ACL_DENY
 * @file:	the file it is in (owned by struct bridge_acl's @files)
 * @line:	its line number
 */
struct acl_rule {
	enum acl_rule_type type;
	char name[IFNAMSIZ];
	const char *file;
	unsigned int line;
};

/**
 * struct bridge_acl - every rule of a file and its includes, in order
 * @rules:	array of struct acl_rule
 * @files:	every file read, for the rules' @file
 */
struct bridge_acl {
	GArray *rules;
	GPtrArray *files;
};

/**
 * struct file_id - identity of a file on the include stack, for loops
 * @dev:	device
 * @ino:	inode
 */
struct file_id {
	dev_t dev;
	ino_t ino;
};

/**
 * struct acl_parse - state of one bridge_acl_load()
 * @acl:	rules so far
 * @stack:	struct file_id of the files being parsed, outermost first
 * @parsed:	every file parsed so far ("dev:ino" strings)
 * @includes_as: identity to read included files with, or NULL
 * @file:	the current file's name, as kept in @acl's @files
 */
struct acl_parse {
	struct bridge_acl *acl;
	GArray *stack;
	GHashTable *parsed;
	const struct fs_identity *includes_as;
	const char *file;
};

static bool acl_parse_file(struct acl_parse *ctx, const char *path,
			   GError **error);

/**
 * acl_include() - handle an `include FILE` line
 * @ctx:	parse state
 * @from:	the file that includes
 * @lineno:	the line of the include
 * @target:	the file to include, as written
 * @error:	set on failure, naming @from and @lineno
 *
 * Return: true when the file was parsed or skipped as unreadable.
 */
static bool acl_include(struct acl_parse *ctx, const char *from,
			unsigned int lineno, const char *target, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(from);
	g_autofree char *path = g_path_is_absolute(target) ?
		g_strdup(target) : g_build_filename(dir, target, NULL);
	GError *local = NULL;

	if (ctx->stack->len >= BRIDGE_ACL_MAX_DEPTH) {
		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s:%u: includes nested deeper than %d", from,
			    lineno, BRIDGE_ACL_MAX_DEPTH);
		return false;
	}
	if (acl_parse_file(ctx, path, &local))
		return true;
	if (g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND) ||
	    g_error_matches(local, TW_ERROR, TW_ERROR_DENIED)) {
		g_clear_error(&local);	/* as qemu-bridge-helper: skipped */
		return true;
	}
	g_propagate_prefixed_error(error, local, "%s:%u: in include: ", from,
				   lineno);
	return false;
}

/**
 * acl_parse_line() - parse one line into the rules
 * @ctx:	parse state
 * @path:	the file, for messages
 * @lineno:	line number, from 1
 * @line:	the line, without its newline; modified
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool acl_parse_line(struct acl_parse *ctx, const char *path,
			   unsigned int lineno, char *line, GError **error)
{
	struct acl_rule rule = { 0 };
	char *cmd, *arg;
	GError *local = NULL;

	cmd = line;
	while (g_ascii_isspace(*cmd))
		cmd++;
	if (*cmd == '#' || *cmd == '\0')
		return true;

	/* as qemu-bridge-helper: the first space, else the first tab */
	arg = strchr(cmd, ' ');
	if (!arg)
		arg = strchr(cmd, '\t');
	if (!arg)
		arg = cmd + strlen(cmd);
	else
		*arg++ = '\0';
	g_strstrip(arg);
	if (*arg == '\0') {
		g_autofree char *shown = g_strescape(cmd, NULL);

		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s:%u: `%s' needs an argument", path, lineno,
			    shown);
		return false;
	}

	if (!strcmp(cmd, "include"))
		return acl_include(ctx, path, lineno, arg, error);

	if (!strcmp(cmd, "allow")) {
		rule.type = strcmp(arg, "all") ? ACL_ALLOW : ACL_ALLOW_ALL;
	} else if (!strcmp(cmd, "deny")) {
		rule.type = strcmp(arg, "all") ? ACL_DENY : ACL_DENY_ALL;
	} else {
		g_autofree char *shown = g_strescape(cmd, NULL);

		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s:%u: unknown command `%s'", path, lineno,
			    shown);
		return false;
	}
	if (rule.type == ACL_ALLOW || rule.type == ACL_DENY) {
		if (!ifname_check(arg, &local)) {
			g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
				    "%s:%u: %s", path, lineno, local->message);
			g_error_free(local);
			return false;
		}
		g_strlcpy(rule.name, arg, sizeof(rule.name));
	}
	rule.file = ctx->file;
	rule.line = lineno;
	g_array_append_val(ctx->acl->rules, rule);
	return true;
}

/**
 * acl_parse_file() - parse a file and, recursively, its includes
 * @ctx:	parse state
 * @path:	file to parse
 * @error:	set on failure
 *
 * Return: true on success.
 */
static bool acl_parse_file(struct acl_parse *ctx, const char *path,
			   GError **error)
{
	g_autofree char *text = NULL;
	g_autofree char *key = NULL;
	g_auto(GStrv) lines = NULL;
	const char *outer_file;
	struct file_id id;
	struct stat st;
	gsize length;
	bool ok = true;

	if (ctx->includes_as && ctx->stack->len > 0) {
		/* an include counts only if the caller could read it */
		struct fs_identity_saved saved;

		if (!fs_identity_enter(ctx->includes_as, &saved, error))
			return false;
		text = config_file_read(path, &st, &length, error);
		fs_identity_leave(&saved);
	} else {
		text = config_file_read(path, &st, &length, error);
	}
	if (!text)
		return false;
	id = (struct file_id){ .dev = st.st_dev, .ino = st.st_ino };
	for (unsigned int i = 0; i < ctx->stack->len; i++) {
		struct file_id *seen = &g_array_index(ctx->stack,
						      struct file_id, i);

		if (seen->dev == id.dev && seen->ino == id.ino) {
			g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
				    "%s: include loop", path);
			return false;
		}
	}
	key = g_strdup_printf("%ju:%ju", (uintmax_t)id.dev, (uintmax_t)id.ino);
	if (g_hash_table_contains(ctx->parsed, key))
		return true;	/* its rules are in already */
	if (g_hash_table_size(ctx->parsed) >= BRIDGE_ACL_MAX_FILES) {
		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s: more than %d files included", path,
			    BRIDGE_ACL_MAX_FILES);
		return false;
	}
	g_hash_table_add(ctx->parsed, g_steal_pointer(&key));
	g_array_append_val(ctx->stack, id);
	g_ptr_array_add(ctx->acl->files, g_strdup(path));
	outer_file = ctx->file;
	ctx->file = g_ptr_array_index(ctx->acl->files, ctx->acl->files->len - 1);

	lines = g_strsplit(text, "\n", -1);
	for (unsigned int i = 0; ok && lines[i]; i++)
		ok = acl_parse_line(ctx, path, i + 1, lines[i], error);

	ctx->file = outer_file;
	g_array_set_size(ctx->stack, ctx->stack->len - 1);
	return ok;
}

/**
 * bridge_acl_load_as() - read an ACL file and what it includes
 * @path:	the file, e.g. /etc/qemu/bridge.conf
 * @includes_as: identity that included files are read with, or NULL for
 *		this process's own. qemu-bridge-helper read every file with
 *		the caller's uid, so a file the caller cannot read did not
 *		count for that caller; the broker keeps that meaning with this.
 * @error:	set on failure: "FILE:LINE: reason"
 *
 * Return: the rules, or NULL with @error set; nothing partial.
 */
struct bridge_acl *bridge_acl_load_as(const char *path,
				      const struct fs_identity *includes_as,
				      GError **error)
{
	g_autoptr(bridge_acl) acl = g_new0(struct bridge_acl, 1);
	g_autoptr(GArray) stack = g_array_new(FALSE, FALSE,
					      sizeof(struct file_id));
	g_autoptr(GHashTable) parsed = g_hash_table_new_full(g_str_hash,
							     g_str_equal,
							     g_free, NULL);
	struct acl_parse ctx = {
		.acl = acl, .stack = stack, .parsed = parsed,
		.includes_as = includes_as,
	};

	acl->rules = g_array_new(FALSE, FALSE, sizeof(struct acl_rule));
	acl->files = g_ptr_array_new_with_free_func(g_free);
	if (!acl_parse_file(&ctx, path, error))
		return NULL;
	return g_steal_pointer(&acl);
}

/**
 * bridge_acl_load() - read an ACL file and everything it includes
 * @path:	the file
 * @error:	set on failure
 *
 * Return: the rules, or NULL with @error set.
 */
struct bridge_acl *bridge_acl_load(const char *path, GError **error)
{
	return bridge_acl_load_as(path, NULL, error);
}

/**
 * bridge_acl_decide() - may a tap join @bridge, and which rule says so
 * @acl:	rules from bridge_acl_load()
 * @bridge:	bridge name
 * @why:	if not NULL, set to "FILE:LINE: RULE" of the deciding rule (the
 *		first matching deny, else the first matching allow), or to
 *		"no rule allows BRIDGE (default deny)"
 *
 * Return: true when an allow rule matches and no deny rule does.
 */
bool bridge_acl_decide(const struct bridge_acl *acl, const char *bridge,
		       char **why)
{
	const struct acl_rule *allow = NULL, *deny = NULL, *rule;

	for (unsigned int i = 0; i < acl->rules->len; i++) {
		rule = &g_array_index(acl->rules, struct acl_rule, i);
		switch (rule->type) {
		case ACL_ALLOW_ALL:
			allow = allow ? allow : rule;
			break;
		case ACL_ALLOW:
			if (!allow && !strcmp(rule->name, bridge))
				allow = rule;
			break;
		case ACL_DENY_ALL:
			deny = deny ? deny : rule;
			break;
		case ACL_DENY:
			if (!deny && !strcmp(rule->name, bridge))
				deny = rule;
			break;
		}
	}
	rule = deny ? deny : allow;
	if (why && rule)
		*why = g_strdup_printf("%s:%u: %s %s", rule->file, rule->line,
				       deny ? "deny" : "allow",
				       (rule->type == ACL_ALLOW_ALL ||
					rule->type == ACL_DENY_ALL) ?
				       "all" : rule->name);
	else if (why)
		*why = g_strdup_printf("no rule allows %s (default deny)",
				       bridge);
	return allow && !deny;
}

/**
 * bridge_acl_allows() - may a tap join @bridge
 * @acl:	rules from bridge_acl_load()
 * @bridge:	bridge name
 *
 * Return: true when an allow rule matches and no deny rule does.
 */
bool bridge_acl_allows(const struct bridge_acl *acl, const char *bridge)
{
	return bridge_acl_decide(acl, bridge, NULL);
}

/**
 * bridge_acl_free() - free rules from bridge_acl_load()
 * @acl:	the rules, or NULL
 */
void bridge_acl_free(struct bridge_acl *acl)
{
	if (!acl)
		return;
	if (acl->rules)
		g_array_unref(acl->rules);
	if (acl->files)
		g_ptr_array_unref(acl->files);
	g_free(acl);
}
