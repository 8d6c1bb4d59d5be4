/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * confine_test_hook.c - test builds only (meson -Dtest_hooks=true): a
 * confined process tries what it must not, so tests can see it stopped.
 *
 * $TAPWARDEN_TEST_CONFINED is a list of WHO:ACTION separated by commas
 * (WHO is confine_spec.who: tapwardend, helper, engine, keeper). Right
 * after confine() a process named there does ACTION:
 *   execve	execve("/bin/true")
 *   shadow	open("/etc/shadow")
 *   ptrace	ptrace(PTRACE_SEIZE) of its parent
 *   mount	mount a tmpfs on /tmp
 *   hold	block reading stdin until it closes, then go on (a test reads
 *		/proc/PID/status of the confined process meanwhile)
 * The seccomp filter kills the process for the first four; if the call
 * returns instead (Landlock refused an open the filter lets through), the
 * process writes "tapwarden: test hook: ACTION: REASON" and exits 3; it
 * exits 4 if the call succeeded. This file is not compiled into release
 * builds at all.
 */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/ptrace.h>

/**
 * hook_action() - what $TAPWARDEN_TEST_CONFINED asks of @who
 * @who:	the confined process
 *
 * Return: the action (a static string), or NULL.
 */
static const char *hook_action(const char *who)
{
	static const char *const actions[] = {
		"execve", "shadow", "ptrace", "mount", "hold",
	};
	const char *list = getenv("TAPWARDEN_TEST_CONFINED");
	size_t len = strlen(who);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		if (strncmp(p, who, len) || p[len] != ':')
			continue;
		for (size_t i = 0; i < G_N_ELEMENTS(actions); i++) {
			size_t n = strlen(actions[i]);

			if (!strncmp(p + len + 1, actions[i], n) &&
			    (p[len + 1 + n] == ',' || !p[len + 1 + n]))
				return actions[i];
		}
	}
	return NULL;
}

/**
 * confine_test_hook() - do what the test asks of a confined @who
 * @who:	the process (confine_spec.who)
 */
void confine_test_hook(const char *who)
{
	const char *action = hook_action(who);
	char *const argv[] = { (char *)"true", NULL };
	long rc = 0;
	char byte;

	if (!action)
		return;
	if (!strcmp(action, "hold")) {
		while (read(STDIN_FILENO, &byte, 1) > 0 || errno == EINTR)
			;
		return;
	}
	if (!strcmp(action, "execve"))
		rc = execve("/bin/true", argv, NULL);
	else if (!strcmp(action, "shadow"))
		rc = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
	else if (!strcmp(action, "ptrace"))
		rc = ptrace(PTRACE_SEIZE, getppid(), NULL, NULL);
	else if (!strcmp(action, "mount"))
		rc = mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	if (rc < 0) {
		fprintf(stderr, "tapwarden: test hook: %s: %s\n", action,
			strerror(errno));
		_exit(3);
	}
	fprintf(stderr, "tapwarden: test hook: %s: it worked\n", action);
	_exit(4);
}

/**
 * seccomp_allow_test_hook() - what the hook itself needs ("hold": read
 * stdin), allowed in test builds only
 * @ctx:	the filter
 *
 * Return: 0 or -errno.
 */
int seccomp_allow_test_hook(scmp_filter_ctx ctx)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1,
				SCMP_A0(SCMP_CMP_EQ, STDIN_FILENO));
}

/**
 * confine_test_without_seccomp() - whether the test runs this process
 * under valgrind ($TAPWARDEN_TEST_VALGRIND=1: tests/valgrind), where the
 * seccomp stage is left out: valgrind executes the program's system calls
 * itself and does not implement seccomp(2). Every other stage still runs.
 *
 * Return: true when the seccomp stage is to be left out.
 */
bool confine_test_without_seccomp(void)
{
	const char *v = getenv("TAPWARDEN_TEST_VALGRIND");

	return v && !strcmp(v, "1");
}
