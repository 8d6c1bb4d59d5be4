#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install_has_no_setuid.sh BUILD_DIR - `meson install` puts tapwarden-helper
# in libexecdir with no setuid/setgid bit and no file capability.
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null
helper=$(find "$dest" -name tapwarden-helper -type f)
[ -n "$helper" ] || { echo "FAIL: tapwarden-helper not installed"; exit 1; }
case $helper in
*/libexec/tapwarden-helper) ;;
*) echo "FAIL: installed at $helper, not in libexecdir"; exit 1 ;;
esac
if [ -n "$(find "$dest" -type f \( -perm -4000 -o -perm -2000 \))" ]; then
	echo "FAIL: setuid/setgid file installed"; exit 1
fi
python3 - "$helper" <<'PY'
import errno, os, sys
try:
    os.getxattr(sys.argv[1], "security.capability")
except OSError as e:
    if e.errno == errno.ENODATA:
        sys.exit(0)
    raise
print("FAIL: file capability set on", sys.argv[1])
sys.exit(1)
PY
echo "ok: $helper is plain 0$(stat -c %a "$helper"), no capability"
