/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * caller_stderr.h - let the helper's caller read its line of error.
 */
#ifndef TAPWARDEN_CALLER_STDERR_H
#define TAPWARDEN_CALLER_STDERR_H

void caller_stderr_wait_read(int max_ms);

#endif
