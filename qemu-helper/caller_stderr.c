/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * caller_stderr.c - let the helper's caller read its line of error.
 *
 * libvirt reads the bridge helper's stderr through a pipe, in its event
 * loop, while another thread waits for the tap on the --fd socket. When
 * that socket closes without a tap, libvirt kills the helper and builds
 * its message from what the event loop has read so far: if the helper
 * exits at once after writing its reason, the reason is often missing
 * ("failed to communicate with bridge helper: : Transport endpoint is not
 * connected"). So before a failing helper exits (which closes the socket),
 * it waits, for a bounded time, until the reader has taken its line out of
 * the pipe. A terminal or a file needs no wait.
 */
#include "caller_stderr.h"

#include <errno.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/**
 * caller_stderr_wait_read() - wait until stderr, if a pipe, has been read
 * @max_ms:	wait at most this long (a reader that never reads must not
 *		keep the helper alive)
 */
void caller_stderr_wait_read(int max_ms)
{
	const struct timespec tick = { .tv_nsec = 1000 * 1000 };
	struct stat st;
	int unread;

	if (fstat(STDERR_FILENO, &st) < 0 || !S_ISFIFO(st.st_mode))
		return;
	for (int ms = 0; ms < max_ms; ms++) {
		/* FIONREAD on a pipe's write end: bytes not read yet */
		if (ioctl(STDERR_FILENO, FIONREAD, &unread) < 0 || unread == 0)
			break;
		nanosleep(&tick, NULL);
	}
	/* the reader appends what it read to its message in a moment */
	nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
}
