/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tapwarden_conf.h - load a tapwarden.conf text, or check that it is
 * refused, for the unit tests of its keys (test_network_config.c,
 * test_nat_config.c).
 */
#ifndef TAPWARDEN_TEST_TAPWARDEN_CONF_H
#define TAPWARDEN_TEST_TAPWARDEN_CONF_H

#include <string.h>

#include "error.h"
#include "network_config.h"
#include "test_files.h"

/* load() - load @text as tapwarden.conf */
static inline struct network_config *load(const char *text, GError **error)
{
	char *dir = test_dir_new();
	g_autofree char *path = test_write(dir, "tapwarden.conf", text);
	struct network_config *cfg = network_config_load(path, true, error);

	test_dir_free(dir);
	return cfg;
}

/* assert_refused() - @text is refused and the message has each of @parts */
static inline void assert_refused(const char *text, const char *const *parts)
{
	GError *error = NULL;
	struct network_config *cfg = load(text, &error);

	g_assert_null(cfg);
	g_assert_error(error, TW_ERROR, TW_ERROR_CONFIG);
	for (; *parts; parts++) {
		if (!strstr(error->message, *parts))
			g_error("`%s' not in `%s'", *parts, error->message);
	}
	g_error_free(error);
}

#endif
