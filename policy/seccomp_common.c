/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * seccomp_common.c - the system calls every confined tapwarden process
 * makes, and the helpers the per-process allow-lists (seccomp_*.c) use.
 *
 * Each list names, per group, the code that needs the calls; the lists
 * were built by observing the processes under the whole test suite
 * (docs/security.md, "How the allow-lists were made"). Anything not listed
 * kills the process (confine.c). Builds with AddressSanitizer add what its
 * runtime needs (seccomp_allow_sanitizer()): never a release build.
 */
#include "confine.h"

#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>

/**
 * seccomp_allow_list() - allow each of @syscalls, with any arguments
 * @ctx:	the filter
 * @syscalls:	SCMP_SYS() numbers
 * @n:		how many
 *
 * Return: 0 or -errno.
 */
int seccomp_allow_list(scmp_filter_ctx ctx, const int *syscalls, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, syscalls[i], 0);

		if (rc)
			return rc;
	}
	return 0;
}

/**
 * seccomp_allow_sanitizer() - what AddressSanitizer's runtime calls in a
 * confined process (sanitizer builds only)
 * @ctx:	the filter
 *
 * LeakSanitizer's check at exit stops the world: it clones a tracer task
 * (CLONE_VM, not a thread), which lists /proc/self/task, attaches to every
 * thread with ptrace and reads their registers, while the process waits
 * for it; and it reads /proc/self/maps. ptrace is allowed only for the
 * requests it makes (so the test hook's PTRACE_SEIZE still kills).
 *
 * Return: 0 or -errno.
 */
int seccomp_allow_sanitizer(scmp_filter_ctx ctx)
{
#ifdef CONFINE_SANITIZER
	static const int syscalls[] = {
		SCMP_SYS(clone), SCMP_SYS(wait4), SCMP_SYS(prctl),
		SCMP_SYS(sched_yield), SCMP_SYS(openat), SCMP_SYS(open),
		SCMP_SYS(read), SCMP_SYS(getdents), SCMP_SYS(getdents64),
		SCMP_SYS(sigaltstack),
		SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
		SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid),
		SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
		SCMP_SYS(madvise), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
		SCMP_SYS(lseek), SCMP_SYS(pread64), SCMP_SYS(readlink),
		SCMP_SYS(write), SCMP_SYS(exit), SCMP_SYS(futex),
		SCMP_SYS(nanosleep), SCMP_SYS(clock_nanosleep),
		SCMP_SYS(kill), SCMP_SYS(tgkill), SCMP_SYS(uname),
		SCMP_SYS(getrlimit), SCMP_SYS(prlimit64), SCMP_SYS(close),
		SCMP_SYS(pipe2), SCMP_SYS(sched_getaffinity), SCMP_SYS(mremap),
	};
	static const long ptrace_requests[] = {
		PTRACE_ATTACH, PTRACE_DETACH, PTRACE_GETREGS, PTRACE_GETREGSET,
		PTRACE_CONT, PTRACE_PEEKUSER, PTRACE_GETFPREGS,
	};
	int rc = seccomp_allow_list(ctx, syscalls, G_N_ELEMENTS(syscalls));

	for (size_t i = 0; !rc && i < G_N_ELEMENTS(ptrace_requests); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ptrace), 1,
				      SCMP_A0(SCMP_CMP_EQ,
					      (scmp_datum_t)ptrace_requests[i]));
	return rc;
#else
	(void)ctx;
	return 0;
#endif
}

/**
 * seccomp_allow_common() - what every confined process calls
 * @ctx:	the filter
 *
 * Return: 0 or -errno.
 */
int seccomp_allow_common(scmp_filter_ctx ctx)
{
	static const int syscalls[] = {
		/* the end: exit(), _exit(), a thread's end */
		SCMP_SYS(exit_group), SCMP_SYS(exit),
		/* signal delivery and interrupted calls */
		SCMP_SYS(rt_sigreturn), SCMP_SYS(restart_syscall),
		/* one line of error on stderr (die(), fprintf) */
		SCMP_SYS(write), SCMP_SYS(writev),
		/* close(): descriptors done with (the tap once sent, ...) */
		SCMP_SYS(close),
		/* malloc() and free(): glibc's heap and its large blocks;
		 * mapping executable memory is left out (mmap below) */
		SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(madvise),
		SCMP_SYS(mremap),
		/* GLib's and glibc's locks between threads */
		SCMP_SYS(futex),
		/* clock_gettime() when the vDSO cannot answer; getpid() */
		SCMP_SYS(clock_gettime), SCMP_SYS(getpid), SCMP_SYS(gettid),
		/* stdio asks what stderr is (fprintf's first call) */
		SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	};
	int rc = seccomp_allow_list(ctx, syscalls, G_N_ELEMENTS(syscalls));

	/* malloc(): mmap and mprotect of data only, never PROT_EXEC */
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!rc)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (!rc)
		rc = seccomp_allow_sanitizer(ctx);
	return rc;
}
