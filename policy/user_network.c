/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * user_network.c - which names are user-mode networks, and their settings.
 *
 * DESIGN.md section 1: a user-mode network is served before anything else,
 * by the helper alone, for any user. user_network_lookup() answers whether
 * a name is one: the built-in `user' always is (its settings from a
 * [network user] group when tapwarden.conf has one), and so is any
 * [network NAME] with mode=user. A tapwarden.conf that does not exist or
 * that this user may not read leaves only the built-in `user'; one with an
 * error is an error for every name (a network is never served from half a
 * configuration, nor with defaults its administrator wrote otherwise). user_network_apply() adds what the
 * caller chose on the helper's command line: more forwards, another MTU,
 * no host loopback; user mode needs no privilege, so the caller may.
 *
 * tapwarden-helper asks first user_network_possible(), a scan of the text
 * for a line that could set `mode = user': without one, and for another
 * name than `user', no valid file makes NAME a user-mode network, so the
 * file is not parsed there; whoever serves the name (direct mode's
 * policy_place(), or the broker with its own configuration) loads it whole
 * and reports its errors. That keeps a file of 100 000 networks parsed once
 * per request, not twice (the helper, then its direct-mode stage).
 */
#include "user_network.h"

#include <string.h>
#include <sys/stat.h>

#include "config_file.h"
#include "error.h"
#include "hostfwd.h"

/**
 * line_may_set_user_mode() - could this line of a key file set mode=user
 * @line:	the line (not NUL-terminated)
 * @len:	its length
 *
 * Conservative: any `mode' key (localized or not) whose value holds `user'
 * or an escape counts.
 *
 * Return: true when it could.
 */
static bool line_may_set_user_mode(const char *line, size_t len)
{
	const char *end = line + len;
	const char *eq;

	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	if ((size_t)(end - line) < 4 || memcmp(line, "mode", 4))
		return false;
	line += 4;
	if (line < end && *line != ' ' && *line != '\t' && *line != '=' &&
	    *line != '[')
		return false;
	eq = memchr(line, '=', (size_t)(end - line));
	if (!eq)
		return false;
	for (const char *c = eq + 1; c < end; c++)
		if (*c == '\\' ||
		    ((size_t)(end - c) >= 4 && !memcmp(c, "user", 4)))
			return true;
	return false;
}

/**
 * user_network_possible() - could @name be a user-mode network of @paths
 * @paths:	configuration files
 * @name:	what the caller asked for (--br=NAME)
 *
 * Return: false only when no valid tapwarden.conf of this text makes @name
 * a user-mode network (then user_network_lookup() would return NULL or an
 * error of the file, which whoever serves @name reports); true when
 * user_network_lookup() must decide.
 */
bool user_network_possible(const struct policy_paths *paths, const char *name)
{
	g_autofree char *text = NULL;
	const char *line, *end;
	gsize length = 0;
	struct stat st;

	if (!strcmp(name, NETWORK_USER_BUILTIN))
		return true;
	text = config_file_read(paths->config, &st, &length, NULL);
	if (!text)
		return true;	/* user_network_lookup() says why, or nothing */
	for (line = text, end = text + length; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);

		if (line_may_set_user_mode(line, len))
			return true;
		line += len + 1;
	}
	return false;
}

/**
 * user_network_lookup() - the user-mode network called @name, if any
 * @paths:	configuration files
 * @name:	what the caller asked for (--br=NAME)
 * @error:	set when tapwarden.conf has an error
 *
 * Return: a copy of the network (free with network_free()), or NULL: with
 * @error set on a bad configuration, else because @name is not a user-mode
 * network.
 */
struct network *user_network_lookup(const struct policy_paths *paths,
				    const char *name, GError **error)
{
	g_autoptr(network_config) cfg = NULL;
	const struct network *found = NULL;
	GError *local = NULL;
	struct network *net;

	cfg = network_config_load(paths->config, false, &local);
	if (cfg) {
		found = network_config_find(cfg, name);
	} else if (g_error_matches(local, TW_ERROR, TW_ERROR_NOT_FOUND) ||
		   g_error_matches(local, TW_ERROR, TW_ERROR_DENIED)) {
		g_error_free(local);
	} else {
		g_propagate_error(error, local);
		return NULL;
	}
	if (found && found->mode != NETWORK_MODE_USER)
		return NULL;
	if (!found && strcmp(name, NETWORK_USER_BUILTIN))
		return NULL;

	net = network_new();
	g_strlcpy(net->name, name, sizeof(net->name));
	net->mode = NETWORK_MODE_USER;
	if (found) {
		net->mtu = found->mtu;
		net->host_loopback = found->host_loopback;
		g_array_append_vals(net->forwards, found->forwards->data,
				    found->forwards->len);
	}
	return net;
}

/**
 * user_options_given() - did the caller give any user-mode option
 * @opts:	the options
 *
 * Return: true when any is set (they then need a user-mode network).
 */
bool user_options_given(const struct user_options *opts)
{
	return (opts->hostfwds && opts->hostfwds[0]) || opts->mtu ||
	       opts->no_host_loopback;
}

/**
 * user_network_apply() - add the caller's options to @net
 * @net:	a user-mode network
 * @opts:	the caller's options
 * @error:	set when one is malformed or out of range
 *
 * Return: true on success.
 */
bool user_network_apply(struct network *net, const struct user_options *opts,
			GError **error)
{
	if (opts->mtu && !network_mtu_parse(opts->mtu, &net->mtu, error))
		return false;
	if (opts->no_host_loopback)
		net->host_loopback = false;
	for (unsigned int i = 0; opts->hostfwds && opts->hostfwds[i]; i++) {
		struct slirp_forward fwd;

		if (!hostfwd_parse(opts->hostfwds[i], &fwd, error))
			return false;
		g_array_append_val(net->forwards, fwd);
	}
	return true;
}

/**
 * user_network_settings() - the engine's settings for @net
 * @net:	a user-mode network
 * @guest_addr:	where forwards without a guest address go
 * @settings:	filled in; points into @net, which must outlive it
 */
void user_network_settings(const struct network *net,
			   struct in_addr guest_addr,
			   struct slirp_settings *settings)
{
	*settings = (struct slirp_settings){
		.mtu = net->mtu ? net->mtu : SLIRP_MTU_DEFAULT,
		.host_loopback = net->host_loopback,
		.guest_addr = guest_addr,
		.forwards = (const struct slirp_forward *)(void *)net->forwards->data,
		.n_forwards = net->forwards->len,
	};
}
