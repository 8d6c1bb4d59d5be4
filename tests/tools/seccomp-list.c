/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp-list.c - the seccomp filter of a confined process
 * (policy/seccomp_*.c), as libseccomp's pseudo filter code.
 *
 * Usage: seccomp-list broker|helper|engine|keeper|launcher|lookup|sanitizer
 * Each allowed call appears as a line `# filter for syscall "NAME" ...'.
 * The unit suite checks with it that the systemd unit's SystemCallFilter=
 * lets the broker make every call its own filter allows
 * (tests/unit/systemd_units.sh), and docs/security.md counts them.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "confine.h"

int main(int argc, char *argv[])
{
	static const struct {
		const char *who;
		int (*allow)(scmp_filter_ctx ctx);
	} lists[] = {
		{ "broker", seccomp_allow_broker },
		{ "helper", seccomp_allow_helper },
		{ "engine", seccomp_allow_usermode_engine },
		{ "keeper", seccomp_allow_usermode_keeper },
		{ "launcher", seccomp_allow_launcher },
		{ "lookup", seccomp_allow_account_lookup },
		{ "sanitizer", NULL },	/* what sanitizer builds add (else none) */
	};
	scmp_filter_ctx ctx;

	for (size_t i = 0; argc == 2 && i < G_N_ELEMENTS(lists); i++) {
		if (strcmp(argv[1], lists[i].who))
			continue;
		ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
		if (!ctx || (lists[i].allow ?
			     seccomp_allow_common(ctx) || lists[i].allow(ctx) :
			     seccomp_allow_sanitizer(ctx)))
			return 1;
		/* libseccomp's own listing (pseudo filter code) names each
		 * call with a rule: "# filter for syscall \"NAME\" (NR) ..." */
		fflush(stdout);
		if (seccomp_export_pfc(ctx, STDOUT_FILENO))
			return 1;
		seccomp_release(ctx);
		return 0;
	}
	fprintf(stderr, "usage: seccomp-list broker|helper|engine|keeper|launcher|lookup|sanitizer\n");
	return 2;
}
