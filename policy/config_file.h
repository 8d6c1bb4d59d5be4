/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_file.h - read a configuration file safely, in one piece.
 */
#ifndef TAPWARDEN_POLICY_CONFIG_FILE_H
#define TAPWARDEN_POLICY_CONFIG_FILE_H

#include <stdbool.h>
#include <sys/stat.h>
#include <glib.h>

/* Largest configuration file accepted; bigger is an error, not a cut */
#define CONFIG_FILE_MAX_SIZE (16u << 20)

char *config_file_read(const char *path, struct stat *st, gsize *length,
		       GError **error);
char *config_file_string(GKeyFile *kf, const char *group, const char *key);
char **config_file_string_list(GKeyFile *kf, const char *group,
			       const char *key, gsize *length);

#endif
