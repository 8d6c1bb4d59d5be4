/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * confine_helper.c - how tapwarden-helper confines itself, holding the tap
 * it sends to QEMU.
 *
 * QEMU runs the helper on every VM start, so its filter is compiled at
 * build time, not at every start: seccomp-export (seccomp_export.c) builds
 * it from seccomp_allow_helper() with confine_seccomp_build(), exactly as
 * confine() builds every other process's at run time, and writes it into
 * seccomp_helper_bpf.h. confine() then loads it as it is.
 */
#include "confine.h"

#include "seccomp_helper_bpf.h"

/**
 * confine_helper() - tapwarden-helper, holding the tap it sends to QEMU
 * @error:	set on failure
 *
 * Return: true on success.
 */
bool confine_helper(GError **error)
{
	static const struct sock_fprog filter = {
		.len = G_N_ELEMENTS(seccomp_helper_bpf),
		.filter = (struct sock_filter *)seccomp_helper_bpf,
	};
	const struct confine_spec spec = {
		.who = "helper",
		.paths = CONFINE_NO_FILES,
		.landlock_scope = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL,
		.filter = &filter,
	};

	return confine(&spec, error);
}
