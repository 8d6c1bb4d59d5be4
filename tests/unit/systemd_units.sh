#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# systemd_units.sh BUILD_DIR TAPWARDEND SECCOMP_LIST - the broker's systemd
# units, as configured in this build (contrib/systemd/), pass
# `systemd-analyze verify` with ExecStart= pointing at TAPWARDEND (the one
# just built, so that verify finds the program), their sandbox keeps an
# exposure score of at most MAX_EXPOSURE in `systemd-analyze security`
# (printed to the log), and the unit's SystemCallFilter= allows every call
# of the broker's own seccomp allow-list and its lookup process's
# (SECCOMP_LIST broker, lookup) and what they need to install them.
set -euo pipefail
build=$1 tapwardend=$2 seccomp_list=$3
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

# SystemCallFilter= lines in order: the first sets the allow-list, `~'
# lines take away, later lines add; groups expanded by systemd-analyze
groups=$(systemd-analyze syscall-filter --no-pager)
filters=$(sed -n 's/^SystemCallFilter=//p' "$units/tapwardend.service")
broker=$({ "$seccomp_list" broker; "$seccomp_list" lookup; } |
	sed -n 's/.*# filter for syscall "\(.*\)".*/\1/p' | sort -u)
[ -n "$broker" ] || { echo "FAIL: no allow-list from $seccomp_list"; exit 1; }
# a sanitizer build's additions (LeakSanitizer's tracer) are no release's
sanitizer=$("$seccomp_list" sanitizer | sed -n 's/.*# filter for syscall "\(.*\)".*/\1/p' | sort -u)
broker=$(comm -23 <(echo "$broker") <(echo "$sanitizer"))
missing=$(python3 -c '
import sys
groups, cur = {}, None
for line in sys.argv[1].splitlines():
    if line.startswith("@"):
        cur = line.split()[0]; groups[cur] = []
    elif cur and line.strip() and not line.strip().startswith("#"):
        groups[cur].append(line.strip())
def expand(name):
    if not name.startswith("@"):
        return {name}
    return set().union(*(expand(x) for x in groups.get(name, [])))
allowed = set()
for line in sys.argv[2].splitlines():
    deny = line.startswith("~")
    names = set().union(*(expand(x) for x in line.lstrip("~").split()))
    allowed = allowed - names if deny else allowed | names
# confine() itself: capabilities, Landlock, the filter
need = set(sys.argv[3].split()) | {"capset", "prctl", "seccomp",
    "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
    # the lookup process becomes nobody (accounts.c)
    "setresuid", "setresgid", "setgroups"}
print(" ".join(sorted(need - allowed)))
' "$groups" "$filters" "$broker")
[ -z "$missing" ] ||
	{ echo "FAIL: SystemCallFilter= refuses what the broker's allow-list needs: $missing"; exit 1; }
echo "ok: SystemCallFilter= allows the $(wc -w <<<"$broker") calls the broker's and its lookup process's filters allow, and confine()'s own"
