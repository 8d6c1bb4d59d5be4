/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tapwarden_main.c - `tapwarden`, the command line for people.
 *
 *   tapwarden [--socket=PATH] list [--json]
 *   tapwarden [--socket=PATH] check USER NETWORK
 *   tapwarden [--socket=PATH] networks
 *   tapwarden usernet PID [OPTION...]
 *
 * Each command is one request to tapwardend (broker_protocol.h) over the
 * socket the helper uses; the broker decides what the caller may see (its
 * own leases; root: all) from the kernel's credentials. This file only
 * parses the command line and prints the answers. `usernet' needs no
 * broker: it lives in usernet_command.c.
 *
 * Exit status: 0 success (check: allowed), 1 check: denied, 2 error.
 * A broker that takes no request or sends no answer for CLI_TIMEOUT_S is
 * an error; no answer carries a descriptor, so none may be sent
 * (SO_PASSRIGHTS off where the kernel has it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "broker_socket.h"
#include "error.h"
#include "rate.h"
#include "usernet_command.h"

#define EXIT_ERROR 2
/* people wait for the answer: a broker silent this long has stopped */
#define CLI_TIMEOUT_S 10

static const char usage[] =
	"Usage: tapwarden [--socket=PATH] COMMAND\n"
	"\n"
	"  list [--json]         taps held now: yours (root: everyone's)\n"
	"  check USER NETWORK    would USER get a tap on NETWORK, and by which rule\n"
	"  networks              the networks tapwardend serves\n"
	"  usernet PID [OPTION...]  give the network namespace of PID a user-mode\n"
	"                        network (no broker; `tapwarden usernet --help')\n"
	"\n"
	"  --socket=PATH   tapwardend's socket (default $" BROKER_SOCKET_ENV
	", else " TAPWARDEN_SOCKET_PATH ")\n"
	"  -h, --help      this help;  -V, --version  the version\n";

/**
 * struct cli - the parsed command line
 * @socket:	--socket=PATH or NULL
 * @json:	--json
 * @words:	the command and its arguments
 * @nwords:	their number
 */
struct cli {
	const char *socket;
	bool json;
	const char *words[4];
	int nwords;
};

/**
 * fail() - print "tapwarden: MESSAGE" and exit 2
 * @fmt:	message
 */
G_GNUC_PRINTF(1, 2) G_NORETURN
static void fail(const char *fmt, ...)
{
	va_list ap;

	fputs("tapwarden: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_ERROR);
}

/**
 * ask() - connect, send one request, return the socket for the answers
 * @cli:	command line
 * @req:	request
 *
 * Return: the connected socket; exits on failure.
 */
static int ask(const struct cli *cli, const struct broker_msg *req)
{
	const char *path = broker_socket_path(cli->socket);
	GError *error = NULL;
	int sock = broker_connect(path, &error);

	if (sock >= 0)
		broker_socket_refuse_fds(sock);
	if (sock < 0 ||
	    !broker_socket_set_timeout(sock, CLI_TIMEOUT_S, &error) ||
	    !broker_send(sock, req, -1, &error))
		fail("%s", error->message);
	return sock;
}

/**
 * answer() - receive one answer; exit on an error answer
 * @cli:	command line
 * @sock:	connection
 * @msg:	filled in
 */
static void answer(const struct cli *cli, int sock, struct broker_msg *msg)
{
	GError *error = NULL;

	if (!broker_recv(sock, msg, NULL, &error))
		fail("tapwardend at %s: %s", broker_socket_path(cli->socket),
		     error->message);
	if (msg->type == BROKER_REP_ERROR)
		fail("%s", msg->text);
}

/**
 * json_string() - append @s to @out as a JSON string
 * @out:	output
 * @s:		text (UTF-8 is passed through; control bytes escaped)
 */
static void json_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			g_string_append_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			g_string_append_printf(out, "\\u%04x", c);
		else
			g_string_append_c(out, (char)c);
	}
	g_string_append_c(out, '"');
}

/**
 * format_time() - ISO 8601 UTC
 * @since:	seconds since the epoch
 * @buf:	output, 32 bytes
 */
static void format_time(uint64_t since, char buf[32])
{
	time_t t = (time_t)since;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		g_strlcpy(buf, "?", 32);
}

/**
 * cmd_list() - tapwarden list [--json]
 * @cli:	command line
 *
 * Return: exit status.
 */
static int cmd_list(const struct cli *cli)
{
	g_autoptr(GString) json = g_string_new("[");
	struct broker_msg msg;
	unsigned int n = 0;
	int sock;

	broker_msg_init(&msg, BROKER_REQ_LIST);
	sock = ask(cli, &msg);
	if (!cli->json)
		printf("%-15s %-7s %-16s %-15s %-15s %-5s %-8s %-20s %-10s %s\n",
		       "IFNAME", "UID", "USER", "NETWORK", "BRIDGE", "VLAN",
		       "PID", "CREATED", "INBOUND", "OUTBOUND");
	for (;;) {
		g_autofree char *in = NULL, *out = NULL;
		char created[32], vlan[16];

		answer(cli, sock, &msg);
		if (msg.type == BROKER_REP_END)
			break;
		if (msg.type != BROKER_REP_LEASE)
			fail("unexpected answer type %u", msg.type);
		format_time(msg.since, created);
		if (msg.vlan)
			g_snprintf(vlan, sizeof(vlan), "%u", msg.vlan);
		else
			g_strlcpy(vlan, "-", sizeof(vlan));
		/* the rates in force; "-": no limit */
		in = msg.inbound ? rate_format(msg.inbound) : g_strdup("-");
		out = msg.outbound ? rate_format(msg.outbound) : g_strdup("-");
		if (!cli->json) {
			printf("%-15s %-7u %-16s %-15s %-15s %-5s %-8u %-20s %-10s %s\n",
			       msg.ifname, msg.uid, msg.user, msg.name,
			       msg.bridge[0] ? msg.bridge : "-", vlan, msg.pid,
			       created, in, out);
			continue;
		}
		g_string_append(json, n++ ? ",\n {" : "\n {");
		g_string_append(json, "\"ifname\": ");
		json_string(json, msg.ifname);
		g_string_append_printf(json, ", \"uid\": %u, \"user\": ", msg.uid);
		json_string(json, msg.user);
		g_string_append(json, ", \"network\": ");
		json_string(json, msg.name);
		g_string_append(json, ", \"bridge\": ");
		json_string(json, msg.bridge);
		g_string_append_printf(json, ", \"vlan\": %u", msg.vlan);
		g_string_append_printf(json, ", \"pid\": %u, \"created\": \"%s\", \"since\": %" G_GUINT64_FORMAT,
				       msg.pid, created, msg.since);
		/* bits per second; 0: no limit */
		g_string_append_printf(json, ", \"inbound\": %" G_GUINT64_FORMAT ", \"outbound\": %" G_GUINT64_FORMAT "}",
				       (guint64)msg.inbound, (guint64)msg.outbound);
	}
	close(sock);
	if (cli->json)
		printf("%s%s]\n", json->str, n ? "\n" : "");
	return EXIT_SUCCESS;
}

/**
 * cmd_check() - tapwarden check USER NETWORK
 * @cli:	command line
 *
 * Return: 0 when allowed, 1 when denied.
 */
static int cmd_check(const struct cli *cli)
{
	struct broker_msg msg;
	int sock;

	if (cli->nwords != 3)
		fail("usage: tapwarden check USER NETWORK");
	if (strlen(cli->words[1]) > BROKER_USER_MAX ||
	    strlen(cli->words[2]) >= IFNAMSIZ || !*cli->words[1] ||
	    !*cli->words[2])
		fail("USER must have 1 to %d bytes, NETWORK 1 to %d", BROKER_USER_MAX,
		     IFNAMSIZ - 1);
	broker_msg_init(&msg, BROKER_REQ_CHECK);
	if (!broker_msg_set_str(&msg, BA_USER, cli->words[1]) ||
	    !broker_msg_set_str(&msg, BA_NAME, cli->words[2]))
		fail("USER or NETWORK too long");	/* checked above */
	sock = ask(cli, &msg);
	answer(cli, sock, &msg);
	close(sock);
	if (msg.type != BROKER_REP_CHECK)
		fail("unexpected answer type %u", msg.type);
	printf("%s: %s\n", msg.allowed ? "allowed" : "denied", msg.text);
	return msg.allowed ? EXIT_SUCCESS : EXIT_FAILURE;
}

/**
 * print_nat_state() - a NAT network's state, on a line below its own
 * @msg:	its REP_NETWORK
 */
static void print_nat_state(const struct broker_msg *msg)
{
	char dnsmasq[64] = "dhcp=no";

	if (!BROKER_HAS(msg, BA_ADDRESS))
		return;
	if (BROKER_HAS(msg, BA_DNSMASQ_PID) && msg->dnsmasq_pid)
		g_snprintf(dnsmasq, sizeof(dnsmasq),
			   "dnsmasq running (pid %u), %u leases",
			   msg->dnsmasq_pid, msg->dhcp_leases);
	else if (BROKER_HAS(msg, BA_DNSMASQ_PID))
		g_snprintf(dnsmasq, sizeof(dnsmasq),
			   "dnsmasq not running, %u leases", msg->dhcp_leases);
	printf("  nat: address %s, rules %s, %s\n", msg->address,
	       msg->rules ? "present" : "missing", dnsmasq);
}

/**
 * cmd_networks() - tapwarden networks
 * @cli:	command line
 *
 * Return: exit status.
 */
static int cmd_networks(const struct cli *cli)
{
	struct broker_msg msg;
	int sock;

	broker_msg_init(&msg, BROKER_REQ_NETWORKS);
	sock = ask(cli, &msg);
	printf("%-15s %-6s %-15s %-5s %-6s %-4s %s\n", "NETWORK", "MODE",
	       "BRIDGE", "TAPS", "LIMIT", "YOU", "ACCESS");
	for (;;) {
		char limit[16] = "-";

		answer(cli, sock, &msg);
		if (msg.type == BROKER_REP_END)
			break;
		if (msg.type != BROKER_REP_NETWORK)
			fail("unexpected answer type %u", msg.type);
		if (msg.limit)
			g_snprintf(limit, sizeof(limit), "%u", msg.limit);
		printf("%-15s %-6s %-15s %-5u %-6s %-4s %s\n", msg.name,
		       msg.mode, msg.bridge[0] ? msg.bridge : "-", msg.count,
		       limit, msg.allowed ? "yes" : "no", msg.text);
		print_nat_state(&msg);
	}
	close(sock);
	return EXIT_SUCCESS;
}

/**
 * parse_cli() - split options from words
 * @argc:	argument count
 * @argv:	arguments
 * @cli:	filled in
 */
static void parse_cli(int argc, char *argv[], struct cli *cli)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			exit(EXIT_SUCCESS);
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("tapwarden %s\n", TAPWARDEN_VERSION);
			exit(EXIT_SUCCESS);
		} else if (g_str_has_prefix(a, "--socket=")) {
			cli->socket = a + strlen("--socket=");
		} else if (!strcmp(a, "--socket") && i + 1 < argc) {
			cli->socket = argv[++i];
		} else if (!strcmp(a, "--json")) {
			cli->json = true;
		} else if (a[0] == '-') {
			fail("unknown option `%s' (see --help)", a);
		} else if (cli->nwords < (int)G_N_ELEMENTS(cli->words)) {
			cli->words[cli->nwords++] = a;
		} else {
			fail("too many arguments (see --help)");
		}
	}
}

int main(int argc, char *argv[])
{
	struct cli cli = { 0 };

	if (argc >= 2 && !strcmp(argv[1], "usernet"))
		return usernet_command(argc - 1, argv + 1);
	parse_cli(argc, argv, &cli);
	if (!cli.nwords)
		fail("no command (see --help)");
	if (cli.json && strcmp(cli.words[0], "list"))
		fail("--json goes with list");
	if (!strcmp(cli.words[0], "list") && cli.nwords == 1)
		return cmd_list(&cli);
	if (!strcmp(cli.words[0], "check"))
		return cmd_check(&cli);
	if (!strcmp(cli.words[0], "networks") && cli.nwords == 1)
		return cmd_networks(&cli);
	fail("unknown command or arguments: %s (see --help)", cli.words[0]);
}
