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
 * error inside an included file that only root can change. A file
 * included again elsewhere is not parsed again: rules do not depend on
 * order, so it would add nothing. A relative include is resolved against
 * the directory of the file that includes it.
 *
 * Whose rights (acl_read()): with an identity to read as, every file,
 * bridge.conf itself included, is read with the caller's rights, as
 * qemu-bridge-helper read them: bridge.conf's own permissions are part of
 * the policy (mode 0640 root:kvm admits the kvm group only). An included
 * file that does not exist or that the caller may not read is skipped, as
 * qemu-bridge-helper skips it (so per-user files are included by name). A
 * refusal that is not the caller's (the kernel's permission check as the
 * caller says it may read the file: the broker's Landlock rules or an LSM
 * said no) is an error: a deny list silently lost would open bridges.
 *
 * An include someone other than root (or the user this process runs as)
 * can change (acl_user_controlled(): the file, or a directory or symlink on
 * its way) is that user's to break: qemu-bridge-helper
 * ignores an include's errors, and so does tapwarden for such a file — its
 * rules are dropped whole (acl_include()), the first such error is kept
 * for the refusal's reason, and nobody else's requests fail with it. Its
 * denies are no loss: the user could remove them anyway.
 *
 * Messages never quote a line that is not a rule (the file may be any file
 * root can read: --acl in direct mode), and every path in them is escaped
 * (an include's name may hold ESC or CR; they reach the log and `tapwarden
 * check`).
 */
#include "bridge_acl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>
#include <sys/syscall.h>

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
 * @files:	every file read, escaped, for the rules' @file
 * @skipped:	the first error of a user-controlled include that was
 *		dropped, or NULL
 */
struct bridge_acl {
	GArray *rules;
	GPtrArray *files;
	char *skipped;
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
 * @parsed_order: the same keys, in the order parsed (owned by @parsed), so
 *		that a dropped include's files can be forgotten again
 * @includes_as: identity to read included files with, or NULL
 * @file:	the current file's name, as kept in @acl's @files
 */
struct acl_parse {
	struct bridge_acl *acl;
	GArray *stack;
	GHashTable *parsed;
	GPtrArray *parsed_order;
	const struct fs_identity *includes_as;
	const char *file;
};

static bool acl_parse_file(struct acl_parse *ctx, const char *path,
			   GError **error);

/**
 * acl_shown() - @path as messages show it: escaped, one line
 * @path:	a path
 *
 * Return: a new string.
 */
static char *acl_shown(const char *path)
{
	return g_strescape(path, NULL);
}

/**
 * acl_changeable_by_a_user() - may someone other than root (or this
 * process's own user) change what @st describes (for a directory: replace
 * its entries)
 * @st:		a file's or directory's stat
 * @dir:	@st is the directory holding the file
 *
 * Return: true when another user owns it or may write it.
 */
static bool acl_changeable_by_a_user(const struct stat *st, bool dir)
{
	/* in a sticky directory only an entry's owner replaces it */
	bool sticky = dir && (st->st_mode & S_ISVTX);
	bool own_uid = st->st_uid == 0 || st->st_uid == geteuid();
	bool own_gid = st->st_gid == 0 || st->st_gid == getegid();

	return !own_uid || (!sticky && (st->st_mode & S_IWOTH)) ||
	       (!sticky && (st->st_mode & S_IWGRP) && !own_gid);
}

/* most symlinks followed on the way to an include, as the kernel's 40 */
#define ACL_MAX_LINKS 40

/**
 * acl_way_changeable() - may another user change what @path leads to: a
 * directory on its way (or on a symlink's way), or the file at its end
 * @path:	an absolute path
 * @links:	symlinks followed so far
 *
 * The path is walked as the kernel would walk it, a component at a time,
 * so that a symlink in a user's directory (`include /home/alice/link',
 * the link leading to a root file with an error) counts as that user's.
 *
 * Return: 1 when another user may, 0 when not, -1 when it cannot be told.
 */
static int acl_way_changeable(const char *path, int *links)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	g_autofree char *cur = g_strdup("/");
	struct stat st;

	for (unsigned int i = 0; parts[i]; i++) {
		g_autofree char *next = NULL;
		g_autofree char *target = NULL;
		g_autofree char *rest = NULL;
		g_autofree char *full = NULL;

		if (!*parts[i] || !strcmp(parts[i], "."))
			continue;
		if (!strcmp(parts[i], "..")) {
			next = g_path_get_dirname(cur);
			g_free(cur);
			cur = g_steal_pointer(&next);
			continue;
		}
		if (stat(cur, &st) < 0)
			return -1;
		if (acl_changeable_by_a_user(&st, true))
			return 1;	/* the directory holding parts[i] */
		next = g_build_filename(cur, parts[i], NULL);
		if (lstat(next, &st) < 0)
			return -1;
		if (!S_ISLNK(st.st_mode)) {
			g_free(cur);
			cur = g_steal_pointer(&next);
			continue;
		}
		target = g_file_read_link(next, NULL);
		if (!target || ++*links > ACL_MAX_LINKS)
			return -1;
		rest = g_strjoinv("/", parts + i + 1);
		full = g_path_is_absolute(target) ?
		       g_build_filename(target, rest, NULL) :
		       g_build_filename(cur, target, rest, NULL);
		return acl_way_changeable(full, links);
	}
	if (stat(cur, &st) < 0)
		return -1;
	return acl_changeable_by_a_user(&st, false);
}

/**
 * acl_user_controlled() - is @path a file a user other than root can change
 * @path:	an include, as resolved against its includer
 *
 * Every directory on its way, every symlink's way, and the file at its end
 * are looked at (acl_way_changeable()); what cannot be looked at counts as
 * root's, so its errors stay errors (fail closed).
 *
 * Return: true when another user owns one of them or may write it (a
 * directory: replace its entries).
 */
static bool acl_user_controlled(const char *path)
{
	int links = 0;

	/* a relative one would need getcwd(), which the broker may not */
	return g_path_is_absolute(path) && acl_way_changeable(path, &links) == 1;
}

/**
 * acl_include() - handle an `include FILE` line
 * @ctx:	parse state
 * @from:	the file that includes
 * @lineno:	the line of the include
 * @target:	the file to include, as written
 * @error:	set on failure, naming @from and @lineno
 *
 * Return: true when the file was parsed, or skipped: it does not exist,
 * the caller may not read it, or it is a user's and has an error (its
 * rules are then dropped whole).
 */
static bool acl_include(struct acl_parse *ctx, const char *from,
			unsigned int lineno, const char *target, GError **error)
{
	g_autofree char *dir = g_path_get_dirname(from);
	g_autofree char *path = g_path_is_absolute(target) ?
		g_strdup(target) : g_build_filename(dir, target, NULL);
	g_autofree char *shown = acl_shown(from);
	guint rules_before = ctx->acl->rules->len;
	guint parsed_before = ctx->parsed_order->len;
	GError *local = NULL;

	if (ctx->stack->len >= BRIDGE_ACL_MAX_DEPTH) {
		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s:%u: includes nested deeper than %d", shown,
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
	if (g_error_matches(local, TW_ERROR, TW_ERROR_CONFIG) &&
	    acl_user_controlled(path)) {
		/* as qemu-bridge-helper: its errors are its owner's. What it
		 * included goes with it, and counts as never read: a file
		 * it named first is still read, rules and denies, where
		 * another file includes it */
		g_array_set_size(ctx->acl->rules, rules_before);
		while (ctx->parsed_order->len > parsed_before) {
			char *done = g_ptr_array_remove_index(ctx->parsed_order,
							      ctx->parsed_order->len - 1);

			g_hash_table_remove(ctx->parsed, done);
		}
		if (!ctx->acl->skipped)
			ctx->acl->skipped = g_strdup_printf("%s:%u: include skipped: %s",
							    shown, lineno,
							    local->message);
		g_clear_error(&local);
		return true;
	}
	g_propagate_prefixed_error(error, local, "%s:%u: in include: ", shown,
				   lineno);
	return false;
}

/* what a refusal of a line that is no rule says instead of quoting it */
#define ACL_RULES_ARE \
	"rules are `allow NAME', `deny NAME' and `include FILE' (the line is not shown)"

/**
 * acl_command_known() - is @cmd one of bridge.conf's words
 * @cmd:	the first word of a line
 *
 * Return: true for allow, deny and include.
 */
static bool acl_command_known(const char *cmd)
{
	return !strcmp(cmd, "allow") || !strcmp(cmd, "deny") ||
	       !strcmp(cmd, "include");
}

/**
 * acl_parse_line() - parse one line into the rules
 * @ctx:	parse state
 * @path:	the file (ctx->file is its name for messages)
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
		/* the line is quoted only when it is a rule's word: the file
		 * may be any file (--acl=/etc/shadow in direct mode) */
		if (acl_command_known(cmd))
			g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
				    "%s:%u: `%s' needs an argument", ctx->file,
				    lineno, cmd);
		else
			g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
				    "%s:%u: needs an argument: " ACL_RULES_ARE,
				    ctx->file, lineno);
		return false;
	}

	if (!strcmp(cmd, "include"))
		return acl_include(ctx, path, lineno, arg, error);

	if (!strcmp(cmd, "allow")) {
		rule.type = strcmp(arg, "all") ? ACL_ALLOW : ACL_ALLOW_ALL;
	} else if (!strcmp(cmd, "deny")) {
		rule.type = strcmp(arg, "all") ? ACL_DENY : ACL_DENY_ALL;
	} else {
		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s:%u: unknown command: " ACL_RULES_ARE,
			    ctx->file, lineno);
		return false;
	}
	if (rule.type == ACL_ALLOW || rule.type == ACL_DENY) {
		if (!ifname_check(arg, &local)) {
			g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
				    "%s:%u: %s", ctx->file, lineno,
				    local->message);
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
 * acl_may_read_as() - would the kernel's permission check let the current
 * file-system identity read @path (faccessat2(AT_EACCESS): it uses the
 * file-system ids, and Landlock does not restrict it)
 * @path:	the file
 *
 * Return: true when it would; false when not, or when this cannot be
 * asked (kernels before 5.8: then a refusal is the caller's, as before).
 */
static bool acl_may_read_as(const char *path)
{
	return syscall(SYS_faccessat2, AT_FDCWD, path, R_OK, AT_EACCESS) == 0;
}

/**
 * acl_read() - read @path with the caller's rights, when there is a caller
 * @ctx:	parse state
 * @path:	the file
 * @st:		its fstat(), filled in on success
 * @length:	its length, filled in on success
 * @error:	set on failure: TW_ERROR_NOT_FOUND, TW_ERROR_DENIED (the
 *		caller may not read it), TW_ERROR_FAILED (this process's
 *		confinement refused what the caller may read, or the
 *		identity cannot be taken), TW_ERROR_CONFIG else
 *
 * Return: the text, or NULL with @error set.
 */
static char *acl_read(struct acl_parse *ctx, const char *path,
		      struct stat *st, gsize *length, GError **error)
{
	struct fs_identity_saved saved;
	GError *local = NULL;
	char *text;

	if (!ctx->includes_as)
		return config_file_read(path, st, length, error);
	if (!fs_identity_enter(ctx->includes_as, &saved, error))
		return NULL;
	text = config_file_read(path, st, length, &local);
	if (!text && g_error_matches(local, TW_ERROR, TW_ERROR_DENIED) &&
	    acl_may_read_as(path)) {
		/* not the caller's rights: Landlock, an LSM. Skipping it
		 * would lose its denies; direct mode would read it */
		g_autofree char *shown = acl_shown(path);

		g_clear_error(&local);
		g_set_error(&local, TW_ERROR, TW_ERROR_FAILED,
			    "%s: uid %u may read it, but this process's confinement does not let it (keep bridge.conf's includes in its directory)",
			    shown, (unsigned int)ctx->includes_as->uid);
	}
	fs_identity_leave(&saved);
	if (local)
		g_propagate_error(error, local);
	return text;
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
	g_autofree char *shown = NULL;
	g_auto(GStrv) lines = NULL;
	const char *outer_file;
	struct file_id id;
	struct stat st;
	gsize length;
	bool ok = true;

	text = acl_read(ctx, path, &st, &length, error);
	if (!text)
		return false;
	shown = acl_shown(path);
	id = (struct file_id){ .dev = st.st_dev, .ino = st.st_ino };
	for (unsigned int i = 0; i < ctx->stack->len; i++) {
		struct file_id *seen = &g_array_index(ctx->stack,
						      struct file_id, i);

		if (seen->dev == id.dev && seen->ino == id.ino) {
			g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
				    "%s: include loop", shown);
			return false;
		}
	}
	key = g_strdup_printf("%ju:%ju", (uintmax_t)id.dev, (uintmax_t)id.ino);
	if (g_hash_table_contains(ctx->parsed, key))
		return true;	/* its rules are in already */
	if (g_hash_table_size(ctx->parsed) >= BRIDGE_ACL_MAX_FILES) {
		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s: more than %d files included", shown,
			    BRIDGE_ACL_MAX_FILES);
		return false;
	}
	g_ptr_array_add(ctx->parsed_order, key);
	g_hash_table_add(ctx->parsed, g_steal_pointer(&key));
	g_array_append_val(ctx->stack, id);
	g_ptr_array_add(ctx->acl->files, g_steal_pointer(&shown));
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
 * @includes_as: identity that @path and every included file are read
 *		with, or NULL for this process's own. qemu-bridge-helper read
 *		every file with the caller's uid, so a file the caller cannot
 *		read did not count for that caller (and a bridge.conf it
 *		cannot read allows nothing); the broker keeps that meaning.
 * @error:	set on failure: "FILE:LINE: reason"; TW_ERROR_DENIED when
 *		the caller may not read @path itself
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
	/* the keys of @parsed in the order read (it owns them) */
	g_autoptr(GPtrArray) parsed_order = g_ptr_array_new();
	struct acl_parse ctx = {
		.acl = acl, .stack = stack, .parsed = parsed,
		.parsed_order = parsed_order,
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
		*why = g_strdup_printf("no rule allows %s (default deny)%s%s",
				       bridge, acl->skipped ? "; " : "",
				       acl->skipped ? acl->skipped : "");
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
	g_free(acl->skipped);
	g_free(acl);
}
