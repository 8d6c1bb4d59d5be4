/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ifname.c - validate interface and network names.
 *
 * The ACL and the kernel must never see different names (the class of
 * CVE-2019-13164, where a long name was truncated after the ACL check). So a
 * name is refused, not shortened, when it has IFNAMSIZ (16) or more bytes,
 * and refused when the kernel would refuse or reinterpret it ("." and "..",
 * '/', ':', whitespace, and '%', which the kernel expands as a pattern).
 * Only printable ASCII is accepted, so that every name can be shown in one
 * line of error; a long one is shown cut to its first 32 bytes.
 */
#include "ifname.h"

#include <string.h>
#include <net/if.h>

#include "error.h"

/**
 * ifname_check() - is @name usable as a bridge or network name
 * @name:	the name, as given by the user or a file
 * @error:	set with the reason when it is not
 *
 * Return: true when @name is valid.
 */
bool ifname_check(const char *name, GError **error)
{
	size_t len = strlen(name);
	g_autofree char *head = g_strndup(name, IFNAMSIZ * 2);
	g_autofree char *escaped = g_strescape(head, NULL);
	g_autofree char *shown = len > IFNAMSIZ * 2 ?
		g_strconcat(escaped, "...", NULL) : g_strdup(escaped);

	if (len == 0) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID, "empty name");
		return false;
	}
	if (len >= IFNAMSIZ) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "name `%s' too long: %zu characters, at most %d",
			    shown, len, IFNAMSIZ - 1);
		return false;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
			    "name `%s' is not a valid interface name", shown);
		return false;
	}
	for (const char *c = name; *c; c++) {
		if (*c <= ' ' || *c >= 0x7f || *c == '/' || *c == ':' ||
		    *c == '%') {
			g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
				    "name `%s' contains a character not allowed in an interface name",
				    shown);
			return false;
		}
	}
	return true;
}
