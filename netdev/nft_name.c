/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft_name.c - which names may go into an nftables script unquoted.
 *
 * nft 1.0 takes no quoted chain names, so a NAT network's chains
 * (netdev/nat_nft.c) are named from its name and its bridge's as they are:
 * only letters, digits, `-', `_' and `.' are safe there.
 */
#include "nft_name.h"

#include <string.h>
#include <glib.h>

/**
 * nat_nft_name_ok() - may @name go into an nft script unquoted
 * @name:	a network or bridge name
 *
 * Return: true for 1-15 bytes of [A-Za-z0-9_.-] starting with a letter or
 * a digit.
 */
bool nat_nft_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 15 || !g_ascii_isalnum(name[0]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isalnum(name[i]) && !strchr("-_.", name[i]))
			return false;
	return true;
}
