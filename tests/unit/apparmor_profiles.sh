#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# apparmor_profiles.sh BUILD_DIR - the AppArmor profiles of contrib/apparmor/,
# as configured in this build, compile: `apparmor_parser -Q -K` (parse and
# compile, load nothing, no cache), with the system's abstractions and
# tunables. Needs no privilege and no AppArmor in the kernel.
set -euo pipefail
build=$1
parser=$(command -v apparmor_parser || echo /sbin/apparmor_parser)
[ -x "$parser" ] ||
	{ echo "SKIP: no apparmor_parser (contrib/dev/install-deps installs apparmor)"; exit 77; }
"$parser" --version | head -n 1
n=0
for name in tapwarden-helper tapwardend tapwarden; do
	profile=$build/contrib/apparmor/$name
	[ -f "$profile" ] || { echo "FAIL: $name not configured in $build/contrib/apparmor"; exit 1; }
	out=$("$parser" -Q -K "$profile" 2>&1 | grep -v '^Cache read/write disabled' || true)
	"$parser" -Q -K "$profile" >/dev/null 2>&1 ||
		{ echo "FAIL: $name does not compile:"; echo "$out"; exit 1; }
	[ -z "$out" ] || { echo "FAIL: $name: the parser warns:"; echo "$out"; exit 1; }
	grep -q "^profile $name /" "$profile" || { echo "FAIL: $name: no profile for its path"; exit 1; }
	if grep -q '^ *userns,' "$profile"; then
		echo "ok: $name (with the userns rule)"
	elif grep -q '^ *# userns,' "$profile"; then
		echo "ok: $name (this parser predates the userns rule: left as a comment)"
	else
		echo "ok: $name"
	fi
	n=$((n + 1))
done
echo "ok: $n profiles compile"
