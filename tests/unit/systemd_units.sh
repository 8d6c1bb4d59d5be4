#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# systemd_units.sh BUILD_DIR TAPWARDEND - the broker's systemd units, as
# configured in this build (contrib/systemd/), pass `systemd-analyze
# verify` with ExecStart= pointing at TAPWARDEND (the one just built, so
# that verify finds the program), and their sandbox keeps an exposure score
# of at most MAX_EXPOSURE in `systemd-analyze security` (printed to the log).
set -euo pipefail
build=$1 tapwardend=$2
MAX_EXPOSURE=3.0

command -v systemd-analyze >/dev/null ||
	{ echo "SKIP: no systemd-analyze (contrib/dev/install-deps installs systemd)"; exit 77; }
units=$(mktemp -d)
trap 'rm -rf "$units"' EXIT
for unit in tapwardend.socket tapwardend.service; do
	[ -f "$build/contrib/systemd/$unit" ] ||
		{ echo "FAIL: $unit not configured in $build/contrib/systemd"; exit 1; }
	sed "s|^ExecStart=.*|ExecStart=$tapwardend|" \
		"$build/contrib/systemd/$unit" >"$units/$unit"
done
grep -qx "ExecStart=$tapwardend" "$units/tapwardend.service" ||
	{ echo "FAIL: tapwardend.service has no ExecStart="; exit 1; }

# verify prints warnings without failing: any output is a failure here
out=$(cd "$units" && systemd-analyze verify --man=no tapwardend.socket tapwardend.service 2>&1) ||
	{ echo "FAIL: systemd-analyze verify:"; echo "$out"; exit 1; }
[ -z "$out" ] || { echo "FAIL: systemd-analyze verify warns:"; echo "$out"; exit 1; }
echo "ok: systemd-analyze verify tapwardend.socket tapwardend.service"

security=$(systemd-analyze security --offline=true --no-pager "$units/tapwardend.service" 2>&1) ||
	{ echo "FAIL: systemd-analyze security:"; echo "$security"; exit 1; }
echo "$security"
score=$(sed -n 's/.*Overall exposure level for tapwardend.service: \([0-9.]*\).*/\1/p' <<<"$security")
[ -n "$score" ] || { echo "FAIL: no exposure level in the output above"; exit 1; }
echo "exposure: $score (at most $MAX_EXPOSURE allowed)"
awk -v s="$score" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(s <= max) }' ||
	{ echo "FAIL: exposure $score is over $MAX_EXPOSURE: the sandbox got weaker"; exit 1; }
