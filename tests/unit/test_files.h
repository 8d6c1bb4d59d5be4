/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_files.h - a scratch directory of configuration files for unit tests.
 */
#ifndef TAPWARDEN_TEST_FILES_H
#define TAPWARDEN_TEST_FILES_H

#include <glib.h>
#include <glib/gstdio.h>

/* test_dir_new() - a new empty directory under $TMPDIR, removed by
 * test_dir_free() */
static inline char *test_dir_new(void)
{
	GError *error = NULL;
	char *dir = g_dir_make_tmp("tapwarden-unit-XXXXXX", &error);

	g_assert_no_error(error);
	return dir;
}

/* test_write() - write @text to DIR/NAME and return the path */
static inline char *test_write(const char *dir, const char *name,
			       const char *text)
{
	GError *error = NULL;
	char *path = g_build_filename(dir, name, NULL);

	g_file_set_contents(path, text, -1, &error);
	g_assert_no_error(error);
	return path;
}

/* test_put() - write @text to DIR/NAME, when the path is not needed */
static inline void test_put(const char *dir, const char *name, const char *text)
{
	g_free(test_write(dir, name, text));
}

/* test_dir_free() - remove a directory from test_dir_new(), one level */
static inline void test_dir_free(char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		if (g_remove(path) < 0)
			g_rmdir(path);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
	g_free(dir);
}

#endif
