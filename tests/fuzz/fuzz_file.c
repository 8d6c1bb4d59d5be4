/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_file.c - give a parser that reads files its input as a file.
 *
 * One private directory per process (mode 0755, so that a target reading
 * includes as another user can follow relative includes into it), removed
 * at exit, in /dev/shm where there is one: rewriting a file on ext4 after
 * truncating it waits for the disk (auto_da_alloc), which would slow the
 * fuzzer down a hundredfold. Each input overwrites the same file.
 * fuzz_scratch_dir() gives the directory itself, for targets that put
 * fixed things next to their input (bridge.conf's includes).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "fuzz.h"

static char *scratch_dir;

/* remove_scratch_dir() - atexit: remove the directory and what is in it
 * (remove() takes empty directories too) */
static void remove_scratch_dir(void)
{
	GDir *d = g_dir_open(scratch_dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(scratch_dir, name,
							 NULL);

		g_remove(path);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(scratch_dir);
	g_free(scratch_dir);
}

/**
 * fuzz_scratch_dir() - the private directory inputs are written to
 *
 * Return: its path, made on the first call; aborts on failure.
 */
const char *fuzz_scratch_dir(void)
{
	if (!scratch_dir) {
		scratch_dir = g_build_filename(
			g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) &&
			access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
			g_get_tmp_dir(), "tapwarden-fuzz-XXXXXX", NULL);
		FUZZ_CHECK(g_mkdtemp(scratch_dir));
		FUZZ_CHECK(chmod(scratch_dir, 0755) == 0);
		atexit(remove_scratch_dir);
	}
	return scratch_dir;
}

/**
 * fuzz_write_file() - write @data to NAME in the scratch directory
 * @name:	file name
 * @data:	contents
 * @size:	their length
 *
 * Return: the file's path, owned by the caller; aborts on failure.
 */
char *fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
	char *path;
	int fd;

	path = g_build_filename(fuzz_scratch_dir(), name, NULL);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FUZZ_CHECK(fd >= 0);
	while (size) {
		ssize_t n = write(fd, data, size);

		if (n < 0 && errno == EINTR)
			continue;
		FUZZ_CHECK(n > 0);
		data += n;
		size -= (size_t)n;
	}
	FUZZ_CHECK(close(fd) == 0);
	return path;
}
