#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install_has_no_setuid.sh BUILD_DIR - `meson install` puts every program
# where it belongs (tapwarden-helper in libexecdir, tapwardend in sbindir,
# tapwarden in bindir, the systemd units in a systemd unit directory), and
# no installed file is setuid, setgid or carries a file capability.
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null
fail=0

# expect_installed NAME GLOB - exactly one regular file NAME, at GLOB
expect_installed() {
	local name=$1 where=$2 found
	found=$(find "$dest" -name "$name" -type f)
	# shellcheck disable=SC2254  # $where is a glob on purpose
	case $found in
	'') echo "FAIL: $name not installed"; fail=1 ;;
	*$'\n'*) echo "FAIL: $name installed more than once:" "${found//$'\n'/ }"; fail=1 ;;
	$where) echo "ok: ${found#"$dest"}" ;;
	*) echo "FAIL: $name installed at ${found#"$dest"}, not at $where"; fail=1 ;;
	esac
}
expect_installed tapwarden-helper '*/libexec/tapwarden-helper'
expect_installed tapwardend '*/sbin/tapwardend'
expect_installed tapwarden '*/bin/tapwarden'
expect_installed tapwardend.socket '*/systemd/system/tapwardend.socket'
expect_installed tapwardend.service '*/systemd/system/tapwardend.service'

setid=$(find "$dest" \( -perm -4000 -o -perm -2000 \) -printf '%m %P\n')
if [ -n "$setid" ]; then
	echo "FAIL: setuid/setgid installed:"; echo "$setid"; fail=1
fi

# file capabilities: getcap where it is installed, the xattr itself anyway
if command -v getcap >/dev/null; then
	caps=$(getcap -r "$dest" 2>/dev/null || true)
	if [ -n "$caps" ]; then
		echo "FAIL: file capabilities installed:"; echo "$caps"; fail=1
	fi
fi
python3 - "$dest" <<'PY' || fail=1
import errno, os, sys
bad = []
for root, dirs, files in os.walk(sys.argv[1]):
    for name in files + dirs:
        path = os.path.join(root, name)
        try:
            os.getxattr(path, "security.capability", follow_symlinks=False)
            bad.append(path)
        except OSError as e:
            if e.errno not in (errno.ENODATA, errno.EOPNOTSUPP):
                raise
for path in bad:
    print("FAIL: file capability set on", path)
sys.exit(1 if bad else 0)
PY
n=$(find "$dest" -type f | wc -l)
[ "$fail" = 0 ] && echo "ok: $n files installed, none setuid, setgid or with a capability"
exit "$fail"
