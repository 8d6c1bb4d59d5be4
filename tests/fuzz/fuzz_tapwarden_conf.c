/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_tapwarden_conf.c - tapwarden.conf (policy/network_config.c), as a
 * file.
 *
 * Input: the file's contents. Invariants: a load either fails with one line
 * of error or gives networks that are each found by their own name, with
 * names and bridges that fit an interface name. An error never quotes a
 * first line that is no group, key or comment (--config=/etc/shadow in
 * direct mode: issue 16).
 */
#include <string.h>

#include "error.h"
#include "fuzz.h"
#include "network_config.h"

/**
 * quotes_garbage() - does @message quote the first line of @data, when that
 * line is neither a group, a key nor a comment
 * @data:	the file
 * @size:	its length
 * @message:	the error
 *
 * Return: true when it does.
 */
static bool quotes_garbage(const uint8_t *data, size_t size,
			   const char *message)
{
	static const char *const quotes[][2] = {
		{ "\xe2\x80\x9c", "\xe2\x80\x9d" },	/* GLib's curly quotes */
		{ "'", "'" }, { "\"", "\"" }, { "`", "'" },
	};
	const uint8_t *nl = memchr(data, '\n', size);
	g_autofree char *first = g_strndup((const char *)data,
					   nl ? (size_t)(nl - data) : size);

	g_strstrip(first);
	if (strlen(first) < 6 || first[0] == '[' || first[0] == '#' ||
	    strchr(first, '='))
		return false;
	/* quoted as GLib, or anyone, would quote it (the words of a message
	 * may hold the line's text by chance: "networ" in "network") */
	for (size_t i = 0; i < G_N_ELEMENTS(quotes); i++) {
		g_autofree char *quoted = g_strconcat(quotes[i][0], first,
						      quotes[i][1], NULL);

		if (strstr(message, quoted))
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *path = fuzz_write_file("tapwarden.conf", data, size);
	struct network_config *cfg;
	GError *error = NULL;
	GPtrArray *list;

	cfg = network_config_load(path, true, &error);
	if (!cfg) {
		FUZZ_CHECK(error && error->domain == TW_ERROR);
		FUZZ_CHECK(error->message[0] && !strchr(error->message, '\n'));
		FUZZ_CHECK(!quotes_garbage(data, size, error->message));
		g_error_free(error);
		return 0;
	}
	FUZZ_CHECK(!error);
	list = network_config_list(cfg);
	FUZZ_CHECK(list->len == network_config_count(cfg));
	for (unsigned int i = 0; i < list->len; i++) {
		const struct network *net = list->pdata[i];

		FUZZ_CHECK(network_config_find(cfg, net->name) == net);
		FUZZ_CHECK(strnlen(net->name, IFNAMSIZ) < IFNAMSIZ);
		FUZZ_CHECK(strnlen(net->bridge, IFNAMSIZ) < IFNAMSIZ);
		FUZZ_CHECK(network_mode_name(net->mode) != NULL);
	}
	g_ptr_array_unref(list);
	network_config_free(cfg);
	return 0;
}
