#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/shellcheck.sh SOURCE_DIR [CACHE_DIR] - shellcheck has nothing
# to say, at any severity, about any shell script of the source tree: each
# file whose first line is a sh/bash shebang or a `# shellcheck shell=`
# directive, and every *.sh (scripts sourced by others). Build directories
# (any directory holding meson-private) and .git are left out. Sourced
# files are followed (-x) from the sourcing script's directory, so a test
# sees lib.sh's functions and variables. A finding is fixed, or disabled on
# its line with the reason (`# shellcheck disable=SCnnnn  # why`) where the
# code is right. CACHE_DIR (the build directory) remembers the scripts that
# passed, by a hash of the script, of every *.sh it names (what it may
# source) and of the version of shellcheck, so that only changed scripts
# are checked again.
# Skips (77) without shellcheck (contrib/dev/install-deps installs it).
set -euo pipefail
top=$(cd "$1" && pwd)
cache=${2:+$2/shellcheck-passed}
command -v shellcheck >/dev/null || {
	echo "SKIP: no shellcheck (contrib/dev/install-deps installs it)"
	exit 77
}

scripts=()
while IFS= read -r -d '' dir; do
	for file in "$dir"/* "$dir"/.[!.]*; do
		{ [ -f "$file" ] && [ ! -L "$file" ]; } || continue
		case $file in
		*.sh) scripts+=("$file"); continue ;;
		esac
		IFS= read -r first <"$file" 2>/dev/null || continue
		if [[ $first =~ ^#!\ *(/usr)?/bin/(env\ +)?(ba|da)?sh([[:space:]]|$) ||
			$first =~ ^#\ shellcheck\ shell= ]]; then
			scripts+=("$file")
		fi
	done
done < <(find "$top" -type d \( -name .git -o -exec test -e '{}/meson-private' \; \) \
	-prune -o -type d -print0)

# a walk that misses the scripts everyone knows proves nothing
for known in tests/run tests/integration/lib.sh contrib/dev/install-deps; do
	[[ " ${scripts[*]} " == *" $top/$known "* ]] ||
		{ echo "FAIL: $known not found as a shell script"; exit 1; }
done

cd "$top"
rel=("${scripts[@]#"$top"/}")
version=$(shellcheck --version)
# key FILE - what FILE's verdict depends on, hashed
key() {
	local names=() name other
	mapfile -t names < <(grep -o '[A-Za-z0-9_.-]*\.sh\b' "$1" | sort -u)
	{
		echo "$version"
		cat "$1"
		for name in "${names[@]}"; do
			for other in "${rel[@]}"; do
				[ "${other##*/}" != "$name" ] || cat "$other"
			done
		done
	} | sha256sum | cut -c1-64
}
todo=() keys=()
for file in "${rel[@]}"; do
	k=$(key "$file")
	[ -n "$cache" ] && [ -e "$cache/$k" ] && continue
	todo+=("$file") keys+=("$k")
done
# a few scripts per shellcheck, one shellcheck per core: seconds, not ten
if ((${#todo[@]} == 0)) || out=$(printf '%s\0' "${todo[@]}" |
	xargs -0 -n 4 -P "$(nproc)" shellcheck -x --source-path=SCRIPTDIR --format=gcc 2>&1); then
	if [ -n "$cache" ]; then
		mkdir -p "$cache"
		for k in "${keys[@]}"; do : >"$cache/$k"; done
	fi
	echo "ok: ${#rel[@]} shell scripts (${#todo[@]} checked now, the rest unchanged since they passed), shellcheck has nothing to say"
	exit 0
fi
echo "$out"
echo "FAIL: shellcheck: $(grep -c ': \(error\|warning\|note\): ' <<<"$out") findings in ${#todo[@]} scripts"
exit 1
