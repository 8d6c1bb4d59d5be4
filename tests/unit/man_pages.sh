#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/man_pages.sh SOURCE_DIR HELPER TAPWARDEND TAPWARDEN PAGE... -
# the manual pages of contrib/man/, as meson configured them:
#  * each renders with no warning from `groff -man -ww -z`, nor from man(1)
#    as lintian runs it (`man --warnings -l`, when man is installed);
#  * each has its name and section in .TH, and no @-word left unsubstituted;
#  * tapwarden.conf(5) has a `.B KEY' entry for every key that
#    policy/network_config.c accepts (its implemented_keys[]), and none
#    for a key it does not accept;
#  * every option (and $VARIABLE) of each program's --help is in its page
#    (`tapwarden usernet --help' in tapwarden(1)).
# So a key or an option added without its documentation fails here.
# Skips (77) without groff (contrib/dev/install-deps installs groff-base).
set -euo pipefail
src=$1 helper=$2 broker=$3 cli=$4
shift 4
command -v groff >/dev/null || {
	echo "SKIP: no groff (contrib/dev/install-deps installs groff-base)"
	exit 77
}
fail=0
declare -A page_of=()
for page in "$@"; do
	page_of[$(basename "$page")]=$page
done
for want in tapwarden.1 tapwardend.8 tapwarden-helper.8 tapwarden.conf.5; do
	[ -n "${page_of[$want]:-}" ] || { echo "FAIL: no page $want"; exit 1; }
done

for page in "$@"; do
	name=$(basename "$page")
	out=$(groff -man -ww -z "$page" 2>&1)
	[ -z "$out" ] || { echo "FAIL: groff on $name:"; echo "$out"; fail=1; }
	if command -v man >/dev/null; then
		out=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 \
			man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
		[ -z "$out" ] || { echo "FAIL: man on $name:"; echo "$out"; fail=1; }
	fi
	th=$(grep -m1 '^\.TH ' "$page" | cut -d' ' -f2-3)
	want="${name%.*} ${name##*.}"
	[ "${th,,}" = "${want,,}" ] ||
		{ echo "FAIL: $name: .TH says '$th', not '$want'"; fail=1; }
	if grep -n '@[A-Z_]*@' "$page"; then
		echo "FAIL: $name: @-words left unsubstituted"; fail=1
	fi
done

# page_has PAGE TEXT - does PAGE contain TEXT written in roff (- as \-)
page_has() {
	grep -qF -- "${2//-/\\-}" "$1"
}

# the keys tapwarden.conf takes: implemented_keys[] of network_config.c
mapfile -t code_keys < <(sed -n '/implemented_keys\[\] = {/,/};/p' \
	"$src/policy/network_config.c" | grep -o '"[a-z0-9-]*"' | tr -d '"' | sort -u)
((${#code_keys[@]} >= 10)) ||
	{ echo "FAIL: found only ${#code_keys[@]} keys in network_config.c"; exit 1; }
# the keys tapwarden.conf(5) documents: `.B key' after `.TP' in KEYS
conf=${page_of[tapwarden.conf.5]}
mapfile -t doc_keys < <(awk '/^\.SH /{keys = ($0 == ".SH KEYS")}
	keys && prev == ".TP" && /^\.B [a-z]/ {print $2} {prev = $0}' "$conf" |
	sed 's/\\-/-/g' | sort -u)
for key in "${code_keys[@]}"; do
	[[ " ${doc_keys[*]} " == *" $key "* ]] ||
		{ echo "FAIL: tapwarden.conf(5) does not document the key $key"; fail=1; }
done
for key in "${doc_keys[@]}"; do
	[[ " ${code_keys[*]} " == *" $key "* ]] ||
		{ echo "FAIL: tapwarden.conf(5) documents $key, which network_config.c does not accept"; fail=1; }
done
[ "$fail" = 1 ] || echo "ok: tapwarden.conf(5) documents exactly the ${#code_keys[@]} keys network_config.c accepts"

# check_options PAGE COMMAND... - every option of COMMAND's --help in PAGE
check_options() {
	local page=${page_of[$1]} help opt n=0 missing=0
	shift
	help=$("$@" --help) || { echo "FAIL: $* --help failed"; fail=1; return; }
	while read -r opt; do
		n=$((n + 1))
		page_has "$page" "$opt" ||
			{ echo "FAIL: $(basename "$page") lacks $opt (from $* --help)"; missing=1; }
	done < <({ grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help"
		grep -oE -- '(^|[ ,])-[A-Za-z]([ ,]|$)' <<<"$help" | tr -d ' ,'
		grep -oE '\$[A-Z_]+' <<<"$help" | tr -d '$'; } | sort -u)
	((n > 0)) || { echo "FAIL: no option found in $* --help"; missing=1; }
	[ "$missing" = 0 ] || { fail=1; return; }
	echo "ok: $n options of '$(basename "$1") ${*:2}${2:+ }--help' in $(basename "$page")"
}
check_options tapwarden-helper.8 "$helper"
check_options tapwardend.8 "$broker"
check_options tapwarden.1 "$cli"
check_options tapwarden.1 "$cli" usernet
[ "$fail" = 0 ] && echo "ok: $# manual pages render without warning"
exit "$fail"
