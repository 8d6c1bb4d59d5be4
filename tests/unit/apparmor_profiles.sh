#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# apparmor_profiles.sh PROFILE... - the AppArmor profiles of
# contrib/apparmor/, as configured in this build, compile: `apparmor_parser -Q -K` (parse and
# compile, load nothing, no cache), with the system's abstractions and
# tunables. Needs no privilege and no AppArmor in the kernel.
set -euo pipefail
parser=$(command -v apparmor_parser || echo /sbin/apparmor_parser)
[ -x "$parser" ] ||
	{ echo "SKIP: no apparmor_parser (contrib/dev/install-deps installs apparmor)"; exit 77; }
"$parser" --version | head -n 1
n=0
for profile in "$@"; do
	name=${profile##*/}
	[ -f "$profile" ] || { echo "FAIL: $profile not configured"; exit 1; }
	out=$("$parser" -Q -K "$profile" 2>&1 | grep -v '^Cache read/write disabled' || true)
	"$parser" -Q -K "$profile" >/dev/null 2>&1 ||
		{ echo "FAIL: $name does not compile:"; echo "$out"; exit 1; }
	[ -z "$out" ] || { echo "FAIL: $name: the parser warns:"; echo "$out"; exit 1; }
	grep -q "^profile [a-z-]* /${name//.//} " "$profile" ||
		{ echo "FAIL: $name: no profile for /${name//.//}"; exit 1; }
	if grep -q '^ *userns,' "$profile"; then
		echo "ok: $name (with the userns rule)"
	elif grep -q '^ *# userns,' "$profile"; then
		echo "ok: $name (this parser predates the userns rule: left as a comment)"
	else
		echo "ok: $name"
	fi
	n=$((n + 1))
done
[ "$n" = 3 ] || { echo "FAIL: expected 3 profiles, got $n"; exit 1; }
echo "ok: $n profiles compile"
