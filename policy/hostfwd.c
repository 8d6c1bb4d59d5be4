/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hostfwd.c - parse a port forward written as QEMU's -netdev user hostfwd=.
 *
 * The syntax is QEMU's: `[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT`
 * (an empty protocol is tcp, an empty host address is every address, an
 * empty guest address is the guest's DHCP address). Stricter than QEMU
 * where QEMU is lax: addresses are dotted IPv4 quads only, ports are decimal
 * 1-65535 with nothing after them, and the whole text must be used. The
 * same parser serves --hostfwd= and the `hostfwd` key of tapwarden.conf.
 */
#include "hostfwd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "error.h"

/**
 * parse_port() - a decimal port number 1-65535
 * @text:	the digits
 * @port:	the port, on success
 *
 * Return: true when @text is exactly such a number.
 */
static bool parse_port(const char *text, uint16_t *port)
{
	unsigned long value;
	char *end;

	if (!g_ascii_isdigit(text[0]))
		return false;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || *end || value < 1 || value > 65535)
		return false;
	*port = (uint16_t)value;
	return true;
}

/**
 * parse_address() - an IPv4 address, or INADDR_ANY when @text is empty
 * @text:	dotted quad or ""
 * @addr:	the address, on success
 *
 * Return: true on success.
 */
static bool parse_address(const char *text, struct in_addr *addr)
{
	if (!text[0]) {
		addr->s_addr = htonl(INADDR_ANY);
		return true;
	}
	return inet_pton(AF_INET, text, addr) == 1;
}

/**
 * hostfwd_parse() - parse `[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT`
 * @text:	the forward, as in QEMU's hostfwd=
 * @fwd:	filled in on success
 * @error:	set with the part that is wrong
 *
 * Return: true on success.
 */
bool hostfwd_parse(const char *text, struct slirp_forward *fwd,
		   GError **error)
{
	g_autofree char *shown = g_strescape(text, NULL);
	g_auto(GStrv) sides = g_strsplit(text, "-", 2);
	g_auto(GStrv) host = NULL;
	g_auto(GStrv) guest = NULL;
	const char *why = NULL;

	*fwd = (struct slirp_forward){ 0 };
	if (!sides[0] || !sides[1]) {
		why = "no `-' between host and guest";
		goto fail;
	}
	host = g_strsplit(sides[0], ":", 0);
	guest = g_strsplit(sides[1], ":", 0);
	if (g_strv_length(host) != 3) {
		why = "the host side is not [tcp|udp]:[ADDRESS]:PORT";
		goto fail;
	}
	if (g_strv_length(guest) != 2) {
		why = "the guest side is not [ADDRESS]:PORT";
		goto fail;
	}
	fwd->udp = !strcmp(host[0], "udp");
	if (!fwd->udp && host[0][0] && strcmp(host[0], "tcp"))
		why = "the protocol is not tcp or udp";
	else if (!parse_address(host[1], &fwd->host_addr))
		why = "the host address is not an IPv4 address";
	else if (!parse_port(host[2], &fwd->host_port))
		why = "the host port is not a number from 1 to 65535";
	else if (!parse_address(guest[0], &fwd->guest_addr))
		why = "the guest address is not an IPv4 address";
	else if (!parse_port(guest[1], &fwd->guest_port))
		why = "the guest port is not a number from 1 to 65535";
	if (!why)
		return true;
fail:
	g_set_error(error, TW_ERROR, TW_ERROR_INVALID,
		    "hostfwd `%s': %s (expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT)",
		    shown, why);
	return false;
}
