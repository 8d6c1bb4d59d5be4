/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * error.h - tapwarden's GError domain.
 *
 * Every layer reports failures as a GError in TW_ERROR with a message that
 * can be shown to the user as it is: one line, naming the object and, where
 * the kernel gave one, the kernel's reason.
 */
#ifndef TAPWARDEN_NETDEV_ERROR_H
#define TAPWARDEN_NETDEV_ERROR_H

#include <glib.h>

#define TW_ERROR (tw_error_quark())

/* enum tw_error_code - what went wrong, for callers that must tell apart */
enum tw_error_code {
	TW_ERROR_FAILED,	/* anything else */
	TW_ERROR_INVALID,	/* bad input: argument, name, value */
	TW_ERROR_CONFIG,	/* bad configuration file */
	TW_ERROR_DENIED,	/* policy says no */
	TW_ERROR_NOT_FOUND,	/* bridge, file or network does not exist */
	TW_ERROR_KERNEL,	/* the kernel refused */
	TW_ERROR_EXISTS,	/* the name is taken */
};

GQuark tw_error_quark(void);

#endif
