/* SPDX-License-Identifier: GPL-2.0-or-later */
/* error.c - the TW_ERROR GError domain (see error.h) */
#include "error.h"

G_DEFINE_QUARK(tapwarden-error-quark, tw_error)
