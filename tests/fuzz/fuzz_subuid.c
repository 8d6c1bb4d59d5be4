/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_subuid.c - lines of /etc/subuid (policy/accounts.c), which say whose
 * subordinate uid a caller's is (qemu-helper/peer_account.c).
 *
 * Input: the file's text, one range a line. Invariants: for each line and
 * each of a few uids at the edges of ranges, a line gives a uid only when
 * it is exactly `USER:FIRST:COUNT' with FIRST <= uid < FIRST + COUNT (read
 * again here, independently), and USER is non-empty and holds no `:'.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "accounts.h"
#include "fuzz.h"

/**
 * in_range() - the same question, answered with strtoull
 * @line:	one line
 * @uid:	a uid
 *
 * Return: true when @line, stripped, has three fields, the last two plain
 * decimal numbers within 32 bits, COUNT >= 1, and holds @uid.
 */
static bool in_range(const char *line, uid_t uid)
{
	g_autofree char *copy = g_strstrip(g_strdup(line));
	char *first_text, *count_text, *end;
	unsigned long long first, count;

	first_text = strchr(copy, ':');
	if (!first_text || first_text == copy)
		return false;
	*first_text++ = '\0';
	count_text = strchr(first_text, ':');
	if (!count_text)
		return false;
	*count_text++ = '\0';
	if (strchr(count_text, ':') || !g_ascii_isdigit(*first_text) ||
	    !g_ascii_isdigit(*count_text))
		return false;
	first = strtoull(first_text, &end, 10);
	if (*end || first > G_MAXUINT32)
		return false;
	count = strtoull(count_text, &end, 10);
	if (*end || count < 1 || count > G_MAXUINT32)
		return false;
	return uid >= first && uid - first < count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uid_t uids[] = {
		0, 1, 65535, 65536, 100000, 165535, 165536, 4294967294u,
		4294967295u,
	};
	g_autofree char *text = g_strndup((const char *)data, size);
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (unsigned int i = 0; lines[i]; i++) {
		for (size_t j = 0; j < G_N_ELEMENTS(uids); j++) {
			g_autofree char *user = NULL;
			bool given = accounts_subuid_line_owner(lines[i],
								uids[j],
								&user);

			FUZZ_CHECK(given == in_range(lines[i], uids[j]));
			FUZZ_CHECK(!given || (user[0] && !strchr(user, ':')));
		}
	}
	return 0;
}
