/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_bridge_conf.c - bridge.conf with its includes (policy/bridge_acl.c).
 *
 * Input: up to four files separated by lines `%%%`: bridge.conf, which is
 * loaded, then a.conf, b.conf and c.conf beside it, which it may include
 * (by a relative or absolute name, through symlinks, in loops, in chains,
 * in diamonds). Next to them lie what an include must cope with: a
 * directory `dir`, a FIFO `fifo`, a symlink `link.conf` to a.conf, and
 * `private.conf` (mode 0600, `allow twprivate`).
 *
 * Invariants: a load either fails with one line of error or gives rules
 * that answer every question without crashing. Run as root, included
 * files are read as nobody, as the broker does for an unprivileged caller,
 * so that an include of a root-only file such as /proc/kmsg reads nothing
 * and no rule may then come from private.conf; and c.conf belongs to
 * nobody, a user's include, whose errors are never the load's (they drop
 * its rules: acl_include()). No error line holds a control character.
 */
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bridge_acl.h"
#include "error.h"
#include "fuzz.h"

#define NOBODY 65534
#define SEPARATOR "\n%%%\n"

/* make_fixtures() - what lies beside the input files, made once */
static void make_fixtures(void)
{
	static bool made;
	const char *dir = fuzz_scratch_dir();
	g_autofree char *sub = g_build_filename(dir, "dir", NULL);
	g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
	g_autofree char *link = g_build_filename(dir, "link.conf", NULL);
	g_autofree char *private = NULL;

	if (made)
		return;
	made = true;
	FUZZ_CHECK(mkdir(sub, 0755) == 0);
	FUZZ_CHECK(mkfifo(fifo, 0644) == 0);
	FUZZ_CHECK(symlink("a.conf", link) == 0);
	private = fuzz_write_file("private.conf",
				  (const uint8_t *)"allow twprivate\n", 16);
	FUZZ_CHECK(chmod(private, 0600) == 0);
}

/**
 * fails_without_c_conf() - does the load fail the same with c.conf empty
 * @path:	bridge.conf
 * @who:	the caller's identity
 * @error:	the load's error
 *
 * c.conf is a user's file (nobody's): whatever it says, or includes, is
 * that user's, and never why the load fails for everyone.
 *
 * Return: true when the load fails with the same error without it.
 */
static bool fails_without_c_conf(const char *path,
				 const struct fs_identity *who,
				 const GError *error)
{
	struct bridge_acl *acl;
	GError *again = NULL;
	bool same;

	g_free(fuzz_write_file("c.conf", NULL, 0));	/* its owner stays */
	acl = bridge_acl_load_as(path, who, &again);
	same = !acl && again && !strcmp(again->message, error->message);
	if (acl)
		bridge_acl_free(acl);
	g_clear_error(&again);
	return same;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const files[] = {
		"bridge.conf", "a.conf", "b.conf", "c.conf",
	};
	static const char *const names[] = {
		"br0", "all", "lab", "x", "", "twprivate",
	};
	static const struct fs_identity nobody = { NOBODY, NOBODY, NULL, 0 };
	const bool as_root = geteuid() == 0;
	g_autofree char *path = NULL;
	g_autofree char *private_rule = NULL;
	const uint8_t *part = data;
	struct bridge_acl *acl;
	GError *error = NULL;

	make_fixtures();
	/* each file up to the next separator; the last takes the rest */
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
		size_t left = size - (size_t)(part - data);
		const uint8_t *end = i + 1 < G_N_ELEMENTS(files) ?
			memmem(part, left, SEPARATOR, strlen(SEPARATOR)) : NULL;
		size_t len = end ? (size_t)(end - part) : left;
		g_autofree char *written = fuzz_write_file(files[i], part, len);

		/* a user's file: its errors are its own */
		if (i == 3 && as_root)
			FUZZ_CHECK(chown(written, NOBODY, NOBODY) == 0);
		if (i == 0)
			path = g_steal_pointer(&written);
		part += end ? len + strlen(SEPARATOR) : len;
	}

	acl = bridge_acl_load_as(path, as_root ? &nobody : NULL, &error);
	if (!acl) {
		FUZZ_CHECK(error && error->domain == TW_ERROR);
		FUZZ_CHECK(error->message[0] && !strchr(error->message, '\n'));
		for (const char *c = error->message; *c; c++)
			FUZZ_CHECK((unsigned char)*c >= ' ' && *c != 0x7f);
		FUZZ_CHECK(!as_root ||
			   fails_without_c_conf(path, &nobody, error));
		g_error_free(error);
		return 0;
	}
	FUZZ_CHECK(!error);
	private_rule = g_strconcat(fuzz_scratch_dir(), "/private.conf:", NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *why = NULL;
		bool allowed = bridge_acl_decide(acl, names[i], &why);

		FUZZ_CHECK(why && allowed == bridge_acl_allows(acl, names[i]));
		/* a rule of private.conf (0600: nobody may not read it) never
		 * decides: @why starts with the deciding rule's FILE:LINE (a
		 * path that names it may follow, in an include skipped) */
		FUZZ_CHECK(!as_root || !g_str_has_prefix(why, private_rule));
	}
	bridge_acl_free(acl);
	return 0;
}
