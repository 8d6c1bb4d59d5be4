/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_file.c - read a whole configuration file through one descriptor.
 *
 * The file is opened once, checked on the descriptor (a regular file, not
 * too big) and read from that descriptor, so a path swapped for a symlink,
 * a FIFO or a directory between check and read cannot be what is parsed.
 * Errors carry the reason: TW_ERROR_NOT_FOUND for a missing file,
 * TW_ERROR_DENIED for one the process may not read, TW_ERROR_CONFIG else;
 * the path in them is escaped (a name may hold ESC or CR, and messages
 * reach terminals and logs).
 *
 * config_file_string() and config_file_string_list() read an optional key
 * of a GKeyFile: GKeyFile builds a translated message for every key it
 * does not find, even when no error is asked for, which costs more than
 * the lookup; with 100 000 networks of a dozen optional keys that was a
 * good part of the load.
 */
#include "config_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

/**
 * config_file_read() - read a configuration file
 * @path:	file to read
 * @st:		its fstat() result, filled in on success (for loop checks)
 * @length:	number of bytes read, filled in on success
 * @error:	set on failure
 *
 * Return: the contents, NUL-terminated, or NULL with @error set.
 */
char *config_file_read(const char *path, struct stat *st, gsize *length,
		       GError **error)
{
	g_autofree char *text = NULL;
	g_autofree char *shown = g_strescape(path, NULL);	/* one line */
	size_t done = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		err = errno;
		g_set_error(error, TW_ERROR,
			    err == ENOENT ? TW_ERROR_NOT_FOUND :
			    err == EACCES ? TW_ERROR_DENIED : TW_ERROR_CONFIG,
			    "%s: cannot open: %s", shown, g_strerror(err));
		return NULL;
	}
	if (fstat(fd, st) < 0) {
		err = errno;
		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s: cannot stat: %s", shown, g_strerror(err));
		goto out;
	}
	if (!S_ISREG(st->st_mode)) {
		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s: not a regular file", shown);
		goto out;
	}
	if ((unsigned long long)st->st_size > CONFIG_FILE_MAX_SIZE) {
		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s: too big (%lld bytes, at most %u)", shown,
			    (long long)st->st_size, CONFIG_FILE_MAX_SIZE);
		goto out;
	}
	text = g_malloc((size_t)st->st_size + 1);
	while (done < (size_t)st->st_size) {
		ssize_t n = read(fd, text + done, (size_t)st->st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
				    "%s: cannot read: %s", shown,
				    g_strerror(err));
			g_clear_pointer(&text, g_free);
			goto out;
		}
		if (n == 0)
			break;	/* shrank while we read: parse what is there */
		done += (size_t)n;
	}
	text[done] = '\0';
	if (memchr(text, '\0', done)) {
		g_set_error(error, TW_ERROR, TW_ERROR_CONFIG,
			    "%s: contains a NUL byte", shown);
		g_clear_pointer(&text, g_free);
		goto out;
	}
	*length = done;
out:
	close(fd);
	return g_steal_pointer(&text);
}

/**
 * config_file_string() - an optional key's value
 * @kf:		the key file
 * @group:	an existing group
 * @key:	the key
 *
 * Return: its value (g_key_file_get_string()), or NULL when the group has
 * no such key or its value is not valid UTF-8.
 */
char *config_file_string(GKeyFile *kf, const char *group, const char *key)
{
	if (!g_key_file_has_key(kf, group, key, NULL))
		return NULL;
	return g_key_file_get_string(kf, group, key, NULL);
}

/**
 * config_file_string_list() - an optional key's list of values
 * @kf:		the key file
 * @group:	an existing group
 * @key:	the key
 * @length:	set to the number of values, if not NULL
 *
 * Return: its values (g_key_file_get_string_list()), or NULL when the
 * group has no such key.
 */
char **config_file_string_list(GKeyFile *kf, const char *group,
			       const char *key, gsize *length)
{
	if (length)
		*length = 0;
	if (!g_key_file_has_key(kf, group, key, NULL))
		return NULL;
	return g_key_file_get_string_list(kf, group, key, length, NULL);
}
