#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/unit/build_deps.sh SOURCE_DIR - debian/control's Build-Depends and
# contrib/dev/install-deps agree, and cover what meson.build needs:
#  * every package of Build-Depends (the first of alternatives), as dpkg's
#    own parser (Dpkg::Deps) reads the field, is one that `install-deps --list' installs (it reads
#    the field itself: this checks that reading);
#  * every required pkg-config dependency() of the tree's meson.build files
#    comes, on this machine, from a package of Build-Depends (dpkg -S of
#    its .pc file), so a library added to the build without its -dev
#    package in debian/control fails here.
# Skips (77) without perl's Dpkg modules (dpkg-dev, which install-deps
# installs).
set -euo pipefail
top=$(cd "$1" && pwd)
perl -MDpkg::Deps -MDpkg::Control::Info -e 1 2>/dev/null || {
	echo "SKIP: no Dpkg::Deps (dpkg-dev; contrib/dev/install-deps installs it)"
	exit 77
}
fail=0

mapfile -t control < <(perl -MDpkg::Deps -MDpkg::Control::Info -e '
	my $src = Dpkg::Control::Info->new($ARGV[0])->get_source;
	my $field = join ", ", grep { defined } map { $src->{$_} }
		qw(Build-Depends Build-Depends-Arch Build-Depends-Indep);
	my $deps = deps_parse($field, build_dep => 1, reduce_restrictions => 1)
		or die "cannot parse Build-Depends\n";
	for my $dep ($deps->get_deps) {	# of alternatives, the first
		$dep = ($dep->get_deps)[0] if $dep->isa("Dpkg::Deps::OR");
		my $p = $dep->{package};
		print(($p eq "debhelper-compat" ? "debhelper" : $p), "\n");
	}' "$top/debian/control" | sort -u)
((${#control[@]} >= 5)) ||
	{ echo "FAIL: only ${#control[@]} Build-Depends in debian/control"; exit 1; }
mapfile -t installed < <(bash "$top/contrib/dev/install-deps" --list | sort -u)
for p in "${control[@]}"; do
	[[ " ${installed[*]} " == *" $p "* ]] ||
		{ echo "FAIL: Build-Depends has $p, install-deps --list does not"; fail=1; }
done
[ "$fail" = 1 ] ||
	echo "ok: install-deps installs all ${#control[@]} Build-Depends of debian/control"

# dependency('NAME', ...) calls that are not required: false
mapfile -t pcs < <(find "$top" -name meson.build -not -path '*/build*' \
	-exec grep -ho "[^_.a-z]dependency('[^']*'[^)]*)" {} + |
	grep -v 'required *: *false' | sed "s/.*dependency('\([^']*\)'.*/\1/" | sort -u)
checked=0
for pc in "${pcs[@]}"; do
	dir=$(pkg-config --variable=pcfiledir "$pc" 2>/dev/null) || continue	# dl: no .pc
	owner=$(dpkg -S "$dir/$pc.pc" 2>/dev/null | cut -d: -f1) || continue
	checked=$((checked + 1))
	[[ " ${control[*]} " == *" $owner "* ]] ||
		{ echo "FAIL: meson's dependency('$pc') is in $owner, which is not in Build-Depends"; fail=1; }
done
((checked > 0)) || echo "note: no pkg-config dependency found installed; only the lists compared"
[ "$fail" = 1 ] ||
	echo "ok: the $checked pkg-config dependencies of meson.build found here come from Build-Depends"
exit "$fail"
