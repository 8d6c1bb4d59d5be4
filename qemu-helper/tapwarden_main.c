/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tapwarden_main.c - `tapwarden`, the command line for people.
 *
 * Each subcommand lives in its own file; this only dispatches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "usernet_command.h"

static const char tapwarden_usage[] =
	"Usage: tapwarden COMMAND [ARGS...]\n"
	"\n"
	"  usernet PID [OPTION...]  give the network namespace of PID a user-mode network\n"
	"\n"
	"`tapwarden COMMAND --help' shows a command's options.\n";

int main(int argc, char *argv[])
{
	if (argc >= 2 && !strcmp(argv[1], "usernet"))
		return usernet_command(argc - 1, argv + 1);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(tapwarden_usage, stdout);
		return EXIT_SUCCESS;
	}
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("tapwarden %s\n", TAPWARDEN_VERSION);
		return EXIT_SUCCESS;
	}
	fputs("tapwarden: unknown or missing command (see tapwarden --help)\n",
	      stderr);
	return EXIT_FAILURE;
}
