/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_bridge_conf.c - bridge.conf (policy/bridge_acl.c), as a file.
 *
 * Input: the file's contents. Invariants: a load either fails with one line
 * of error or gives rules that answer every question without crashing.
 * Run as root, included files are read as nobody (the broker's way), so
 * that an `include` of a root-only file such as /proc/kmsg reads nothing.
 */
#include <string.h>
#include <unistd.h>

#include "bridge_acl.h"
#include "error.h"
#include "fuzz.h"

#define NOBODY 65534

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "br0", "all", "lab", "x", "" };
	static const struct fs_identity nobody = { NOBODY, NOBODY, NULL, 0 };
	g_autofree char *path = fuzz_write_file("bridge.conf", data, size);
	struct bridge_acl *acl;
	GError *error = NULL;

	acl = bridge_acl_load_as(path, geteuid() == 0 ? &nobody : NULL,
				 &error);
	if (!acl) {
		FUZZ_CHECK(error && error->domain == TW_ERROR);
		FUZZ_CHECK(error->message[0] && !strchr(error->message, '\n'));
		g_error_free(error);
		return 0;
	}
	FUZZ_CHECK(!error);
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		g_autofree char *why = NULL;
		bool allowed = bridge_acl_decide(acl, names[i], &why);

		FUZZ_CHECK(why && allowed == bridge_acl_allows(acl, names[i]));
	}
	bridge_acl_free(acl);
	return 0;
}
