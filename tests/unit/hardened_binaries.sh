#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hardened_binaries.sh BUILD_DIR [--no-fortify REASON] - every ELF file
# `meson install` puts anywhere (found by walking the install tree, so a
# program added later is checked too) carries the hardening of the top
# meson.build: full RELRO (a GNU_RELRO segment and BIND_NOW), the stack
# protector (__stack_chk_fail referenced), fortified calls (some __*_chk
# function referenced) and, for programs, PIE (ELF type DYN, FLAGS_1 PIE).
# --no-fortify: the build has no _FORTIFY_SOURCE (sanitizers, -O0).
# Skips (77) only without readelf.
set -euo pipefail
build=$1
fortify=1 fortify_reason=
if [ "${2:-}" = --no-fortify ]; then
	fortify='' fortify_reason=${3:-}
fi
command -v readelf >/dev/null || {
	echo "SKIP: no readelf (binutils; contrib/dev/install-deps installs it)"
	exit 77
}
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null
fail=0 checked=0

# check_elf FILE - one line per missing property, "ok: FILE" otherwise
check_elf() {
	local file=$1 name=${1#"$dest"} missing=() dynamic header segments syms chk
	dynamic=$(readelf -dW "$file")
	header=$(readelf -hW "$file")
	segments=$(readelf -lW "$file")
	syms=$(readelf --dyn-syms -W "$file")
	grep -q GNU_RELRO <<<"$segments" || missing+=("GNU_RELRO segment")
	grep -Eq '\(FLAGS\).*BIND_NOW|\(FLAGS_1\).*\bNOW\b|\(BIND_NOW\)' \
		<<<"$dynamic" || missing+=("BIND_NOW")
	# referenced: undefined here, libc's (an ASan runtime linked in defines
	# __*_chk interceptors of its own, which say nothing of the code)
	grep -Eq ' UND __stack_chk_fail(@|$)' <<<"$syms" ||
		missing+=("stack protector (__stack_chk_fail)")
	chk=$(grep -Eo ' UND __[a-z0-9_]+_chk(@|$)' <<<"$syms" | grep -v __stack_chk || true)
	[ -z "$fortify" ] || [ -n "$chk" ] || missing+=("fortified calls (__*_chk)")
	# a program (it names an interpreter) must be PIE; a library is DYN anyway
	if grep -q 'Requesting program interpreter' <<<"$segments"; then
		grep -Eq 'Type:[[:space:]]+DYN' <<<"$header" &&
			grep -Eq '\(FLAGS_1\).*\bPIE\b' <<<"$dynamic" ||
			missing+=("PIE (type DYN, FLAGS_1 PIE)")
	fi
	if ((${#missing[@]})); then
		for m in "${missing[@]}"; do echo "FAIL: $name: no $m"; done
		fail=1
	else
		echo "ok: $name"
	fi
}

while IFS= read -r -d '' file; do
	[ "$(head -c 4 "$file" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	check_elf "$file"
	checked=$((checked + 1))
done < <(find "$dest" -type f -print0 | sort -z)

# the three programs at least: a walk that found nothing proves nothing
for name in tapwarden-helper tapwardend tapwarden; do
	[ -n "$(find "$dest" -type f -name "$name")" ] ||
		{ echo "FAIL: $name not installed"; fail=1; }
done
[ -n "$fortify" ] || echo "note: fortified calls not checked: $fortify_reason"
[ "$fail" = 0 ] && echo "ok: $checked installed ELF files hardened"
exit "$fail"
