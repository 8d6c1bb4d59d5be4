/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge_acl.h - qemu-bridge-helper's bridge.conf, with its exact meaning.
 */
#ifndef TAPWARDEN_POLICY_BRIDGE_ACL_H
#define TAPWARDEN_POLICY_BRIDGE_ACL_H

#include <stdbool.h>
#include <glib.h>

#include "fs_identity.h"

/* Deepest chain of includes accepted; deeper is an error */
#define BRIDGE_ACL_MAX_DEPTH 16
/* Most distinct files one ACL may consist of */
#define BRIDGE_ACL_MAX_FILES 256

struct bridge_acl;
typedef struct bridge_acl bridge_acl;

struct bridge_acl *bridge_acl_load(const char *path, GError **error);
struct bridge_acl *bridge_acl_load_as(const char *path,
				      const struct fs_identity *includes_as,
				      GError **error);
bool bridge_acl_allows(const struct bridge_acl *acl, const char *bridge);
bool bridge_acl_decide(const struct bridge_acl *acl, const char *bridge,
		       char **why);
void bridge_acl_free(struct bridge_acl *acl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(bridge_acl, bridge_acl_free)

#endif
