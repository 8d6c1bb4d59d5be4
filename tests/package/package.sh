#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/package/package.sh SOURCE_DIR - the Debian packages of debian/:
#  1. build: `dpkg-buildpackage -us -uc -b' in a copy of the source tree
#     (no build directory, no .git), DEB_BUILD_OPTIONS=nocheck (the suite
#     runs from tests/run, not in a package build);
#  2. lintian: no error (every tag is printed);
#  3. what tapwarden holds (dpkg-deb -c): the programs in their places
#     (helper and modules in /usr/libexec/tapwarden, tapwardend in
#     /usr/sbin, tapwarden in /usr/bin), the units, the AppArmor profiles,
#     the conffile, the manual pages; nothing setuid or setgid, nothing in
#     /usr/local or /etc/qemu, no maintainer script that sets a capability
#     or a mode; the conffiles; the conffile serves no network; postinst
#     enables and starts tapwardend.socket (not the service) and loads the
#     three profiles;
#  4. tapwarden-qemu-bridge-helper: the link in QEMU's helper path, the
#     diversion added in preinst and removed in postrm;
#  5. as root, in a throwaway root (an overlay over / in mount, network
#     and PID namespaces of its own, chrooted, with /dev but without /proc,
#     /sys and /run while dpkg runs: no systemd or AppArmor call reaches
#     this machine): both packages installed, QEMU's helper diverted
#     (renamed, its bytes kept) and the link run; QEMU's unchanged
#     `-nic bridge' and `-netdev bridge' (and with helper=) get a tap, as
#     root and as an unprivileged user through tapwardend; then removed
#     and purged, QEMU's helper back as it was.
# Skips (77) without dpkg-buildpackage, debhelper, dh_apparmor or lintian,
# or with build dependencies missing (contrib/dev/install-deps installs
# them all); step 5 is skipped, not failed, when not root or without
# overlayfs.
set -euo pipefail

# --in-root ROOT LAYER DEB DIVERT_DEB - step 5, in new mount, network and
# PID namespaces:
# ROOT becomes an overlay of / with a tmpfs on LAYER (which holds the two
# .debs) as its upper layer; dpkg runs there under chroot
if [ "${1:-}" = --in-root ]; then
	root=$2 layer=$3 deb=$4 divert_deb=$5 fail=0
	helper=/usr/lib/qemu/qemu-bridge-helper
	mkdir -p "$layer.debs"
	cp "$layer/$deb" "$layer/$divert_deb" "$layer.debs/"
	mount -t tmpfs tmpfs "$layer"
	mkdir "$layer/upper" "$layer/work"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$layer/upper,workdir=$layer/work" "$root"
	mount --bind /dev "$root/dev"	# maintainer scripts write to /dev/null
	mkdir -p "$root/debs"
	cp "$layer.debs/$deb" "$layer.debs/$divert_deb" "$root/debs/"
	# qemu_forms ROOT LAYER - in ROOT (with /proc, /sys and a /run of its
	# own, taken away again after), `-nic bridge' and `-netdev bridge'
	# without helper= (QEMU's default helper: the diverted link) and with
	# helper=, as root and as a user of group kvm through tapwardend; each
	# QEMU (-S: no guest runs) must hold a tap on the bridge
	qemu_forms() {
		local root=$1 layer=$2 ok=0 out form who
		mount -t proc proc "$root/proc"
		mount -t sysfs sysfs "$root/sys"
		mount -t tmpfs tmpfs "$root/run"
		ip link set lo up
		ip link add br0 type bridge && ip link set br0 up
		ip link add lab0 type bridge && ip link set lab0 up
		mkdir -p "$root/etc/qemu"
		echo "allow br0" >"$root/etc/qemu/bridge.conf"
		printf '[network lab]\nbridge = lab0\nallow-groups = kvm\n' \
			>"$root/etc/tapwarden/tapwarden.conf"
		in_root groupadd -f kvm
		in_root useradd -M -G kvm twpkguser
		in_root tapwardend >"$layer/broker.log" 2>&1 &
		for _ in $(seq 50); do
			[ -S "$root/run/tapwarden/socket" ] && break
			sleep 0.1
		done
		for who in root twpkguser; do
			for form in "-nic bridge,br=BR" \
				"-netdev bridge,id=n0,br=BR -device virtio-net-pci,netdev=n0" \
				"-netdev bridge,id=n0,br=BR,helper=/usr/libexec/tapwarden/tapwarden-helper -device virtio-net-pci,netdev=n0"; do
				for br in br0 lab; do
					[ "$who:$br" != root:lab ] || continue	# direct mode: bridge.conf's br0
					# shellcheck disable=SC2086  # $form is split on purpose
					out=$( (sleep 1; echo "info network"; sleep 0.5; echo quit) |
						chroot --userspec="$who:$who" --groups=kvm "$root" \
						env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp \
						qemu-system-x86_64 -S -display none -nodefaults \
						-monitor stdio ${form//BR/$br} 2>&1) || true
					if grep -q "type=tap,.*br=$br" <<<"$out"; then
						ok=$((ok + 1))
					else
						echo "FAIL: $who: qemu-system-x86_64 ${form//BR/$br}:"
						echo "$out" | grep -v '^(qemu)' | tail -n 5
						ok=-100
					fi
				done
			done
		done
		# the broker and its dnsmasq launcher (a fork of it), by their
		# ids in this PID namespace's /proc
		local pid left
		for _ in $(seq 50); do
			left=
			for pid in "$root"/proc/[0-9]*; do
				[ "$(cat "$pid/comm" 2>/dev/null)" = tapwardend ] || continue
				left=1
				kill "${pid##*/}" 2>/dev/null || true
			done
			[ -n "$left" ] || break
			sleep 0.1
		done
		wait || true
		umount "$root/run" "$root/sys" "$root/proc"
		((ok == 9)) || { echo "broker:"; cat "$layer/broker.log"; return 1; }
		grep -q "granted tw.* to user twpkguser .* for lab" "$layer/broker.log" ||
			{ echo "FAIL: tapwardend logged no grant"; return 1; }
		echo "ok: QEMU's -nic bridge and -netdev bridge, without and with helper=: a tap for root (direct mode) and for a user (tapwardend), 9 of 9"
	}
	# in_root COMMAND... - COMMAND in the throwaway root (no /proc, /sys, /run)
	in_root() {
		chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive "$@"
	}
	bad() { echo "FAIL: $*"; fail=1; }
	qemu_sum=
	[ ! -f "$root$helper" ] || qemu_sum=$(sha256sum <"$root$helper")
	in_root dpkg -i "/debs/$deb" "/debs/$divert_deb" >"$layer/install.log" 2>&1 ||
		{ cat "$layer/install.log"; echo "FAIL: dpkg -i"; exit 1; }
	[ "$(readlink "$root$helper")" = ../../libexec/tapwarden/tapwarden-helper ] ||
		bad "$helper is not the link to tapwarden-helper after install"
	in_root dpkg-divert --list "$helper" | grep -q 'by tapwarden-qemu-bridge-helper' ||
		bad "no diversion of $helper"
	if [ -n "$qemu_sum" ]; then
		[ "$(sha256sum <"$root$helper.distrib")" = "$qemu_sum" ] ||
			bad "QEMU's helper is not kept as $helper.distrib"
	fi
	in_root "$helper" --help | grep -q '^Usage: tapwarden-helper' ||
		bad "$helper --help is not tapwarden-helper's"
	[ -L "$root/etc/systemd/system/sockets.target.wants/tapwardend.socket" ] ||
		bad "tapwardend.socket not enabled (sockets.target.wants)"
	[ -e "$root/etc/apparmor.d/local/usr.sbin.tapwardend" ] ||
		bad "dh_apparmor's local include not made"
	[ "$fail" = 1 ] || echo "ok: installed in a throwaway root: $helper diverted${qemu_sum:+ (the original kept as .distrib)}, the link runs tapwarden-helper, tapwardend.socket enabled"
	# QEMU's unchanged command lines, in this network namespace: root's
	# QEMU served in direct mode, an unprivileged user's by tapwardend
	if [ -x "$root/usr/bin/qemu-system-x86_64" ]; then
		qemu_forms "$root" "$layer" || fail=1
	else
		echo "note: no qemu-system-x86_64: QEMU's default helper not tried"
	fi
	in_root dpkg -r tapwarden-qemu-bridge-helper >>"$layer/install.log" 2>&1 ||
		{ cat "$layer/install.log"; echo "FAIL: dpkg -r"; exit 1; }
	if in_root dpkg-divert --list "$helper" | grep .; then
		bad "the diversion is left after removal"
	fi
	if [ -n "$qemu_sum" ]; then
		{ [ -f "$root$helper" ] && [ ! -L "$root$helper" ] &&
		  [ "$(sha256sum <"$root$helper")" = "$qemu_sum" ]; } ||
			bad "QEMU's helper is not back at $helper after removal"
		[ ! -e "$root$helper.distrib" ] || bad "$helper.distrib left after removal"
	else
		[ ! -e "$root$helper" ] || bad "$helper left after removal"
	fi
	in_root dpkg --purge tapwarden >>"$layer/install.log" 2>&1 ||
		{ cat "$layer/install.log"; echo "FAIL: dpkg --purge tapwarden"; exit 1; }
	for left in /etc/tapwarden /usr/libexec/tapwarden \
		/etc/systemd/system/sockets.target.wants/tapwardend.socket; do
		[ ! -e "$root$left" ] || bad "$left left after purge"
	done
	[ "$fail" = 1 ] || echo "ok: removed and purged: QEMU's helper back${qemu_sum:+ (same bytes)}, no diversion, nothing of tapwarden left"
	exit "$fail"
fi

src=$(cd "$1" && pwd)
for tool in dpkg-buildpackage dh dh_apparmor lintian dpkg-checkbuilddeps; do
	command -v "$tool" >/dev/null || {
		echo "SKIP: no $tool (contrib/dev/install-deps installs it)"
		exit 77
	}
done
work=$(mktemp -d /tmp/tapwarden-package.XXXXXX)
# step 5's mounts are in its own mount namespace: here root/ and layer/
# are plain directories
trap 'rm -rf "$work"' EXIT
fail=0
# bad MESSAGE - a failed check
bad() {
	echo "FAIL: $*"
	fail=1
}

# 1. build from a copy
mkdir "$work/src"
tar -C "$src" --exclude='./build*' --exclude=./.git --exclude='./obj-*' \
	--exclude=./debian/.debhelper --exclude=./debian/tmp -cf - . |
	tar -C "$work/src" -xf -
cd "$work/src"
if ! missing=$(dpkg-checkbuilddeps 2>&1); then
	echo "SKIP: $missing (contrib/dev/install-deps installs them)"
	exit 77
fi
start=$SECONDS
if ! DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b \
	>"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log"
	echo "FAIL: dpkg-buildpackage"
	exit 1
fi
echo "ok: dpkg-buildpackage -us -uc -b in $((SECONDS - start)) s"
cd "$work"
version=$(dpkg-parsechangelog -l src/debian/changelog -S Version)
deb=$work/tapwarden_${version}_$(dpkg --print-architecture).deb
divert_deb=$work/tapwarden-qemu-bridge-helper_${version}_all.deb
changes=$work/tapwarden_${version}_$(dpkg --print-architecture).changes
for f in "$deb" "$divert_deb" "$changes"; do
	[ -f "$f" ] || { echo "FAIL: dpkg-buildpackage made no $(basename "$f")"; exit 1; }
done
if grep -n ': warning: ' build.log; then
	bad "the compiler warned in the package build"
fi

# 2. lintian
tags=$(lintian --pedantic --display-info --fail-on error "$changes" 2>&1 |
	grep -v '^running with root privileges') || bad "lintian found errors"
echo "lintian says:${tags:+$'\n'}${tags:- nothing}"

# 3. what tapwarden holds
listing=$(dpkg-deb -c "$deb")
# expect MODE PATH - the package has PATH (./ stripped), with MODE
expect() {
	local line
	line=$(awk -v p="./$2" '$6 == p' <<<"$listing")
	[ -n "$line" ] || { bad "tapwarden has no /$2"; return; }
	[ "${line%% *}" = "$1" ] || bad "/$2 is ${line%% *}, not $1"
}
expect -rwxr-xr-x usr/libexec/tapwarden/tapwarden-helper
expect -rw-r--r-- usr/libexec/tapwarden/tapwarden-helper-direct.so
expect -rw-r--r-- usr/libexec/tapwarden/tapwarden-helper-usermode.so
expect -rwxr-xr-x usr/sbin/tapwardend
expect -rwxr-xr-x usr/bin/tapwarden
expect -rw-r--r-- lib/systemd/system/tapwardend.socket
expect -rw-r--r-- lib/systemd/system/tapwardend.service
for profile in usr.libexec.tapwarden.tapwarden-helper usr.sbin.tapwardend usr.bin.tapwarden; do
	expect -rw-r--r-- "etc/apparmor.d/$profile"
done
expect -rw-r--r-- etc/tapwarden/tapwarden.conf
for page in man1/tapwarden.1 man8/tapwardend.8 man8/tapwarden-helper.8 man5/tapwarden.conf.5; do
	expect -rw-r--r-- "usr/share/man/$page.gz"
done
expect -rw-r--r-- usr/share/doc/tapwarden/examples/tapwarden.conf
expect -rw-r--r-- usr/share/doc/tapwarden/examples/bridge.conf
all=$listing$'\n'$(dpkg-deb -c "$divert_deb")
if grep -E '^[-d]..[sS]|^[-d].....[sS]' <<<"$all"; then
	bad "setuid or setgid files"
fi
if grep -E '\./usr/local/|\./etc/qemu/' <<<"$all"; then
	bad "files in /usr/local or /etc/qemu"
fi
mkdir control divert-control
dpkg-deb -e "$deb" control
dpkg-deb -e "$divert_deb" divert-control
if grep -lE 'setcap|chmod|dpkg-statoverride' control/* divert-control/*; then
	bad "a maintainer script sets a capability or a mode"
fi
printf '%s\n' /etc/apparmor.d/usr.bin.tapwarden \
	/etc/apparmor.d/usr.libexec.tapwarden.tapwarden-helper \
	/etc/apparmor.d/usr.sbin.tapwardend /etc/tapwarden/tapwarden.conf >want-conffiles
sort control/conffiles | diff -u want-conffiles - || bad "conffiles differ"
dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./etc/tapwarden/tapwarden.conf >conf
if grep -vE '^(#|[[:space:]]*$)' conf; then
	bad "the conffile tapwarden.conf sets something (it must serve no network as installed)"
fi
grep -q "deb-systemd-helper enable 'tapwardend.socket'" control/postinst ||
	bad "postinst does not enable tapwardend.socket"
grep -q "deb-systemd-invoke \$_dh_action 'tapwardend.socket'" control/postinst ||
	bad "postinst does not start tapwardend.socket"
if grep -E "deb-systemd-(helper enable|invoke).*tapwardend.service" control/postinst; then
	bad "postinst enables or starts tapwardend.service (socket activation starts it)"
fi
for profile in usr.libexec.tapwarden.tapwarden-helper usr.sbin.tapwardend usr.bin.tapwarden; do
	grep -q "APP_PROFILE=\"/etc/apparmor.d/$profile\"" control/postinst ||
		bad "postinst does not load the AppArmor profile $profile (dh_apparmor)"
done
[ "$fail" = 1 ] || echo "ok: tapwarden: $(grep -c '^-' <<<"$listing") files in their places, none setuid, conffiles, postinst"

# 4. the diversion package
link=$(dpkg-deb -c "$divert_deb" | awk '$6 == "./usr/lib/qemu/qemu-bridge-helper" {print $8}')
[ "$link" = ../../libexec/tapwarden/tapwarden-helper ] ||
	bad "tapwarden-qemu-bridge-helper: /usr/lib/qemu/qemu-bridge-helper -> '$link'"
divert='dpkg-divert --package tapwarden-qemu-bridge-helper'
grep -q "$divert --add --rename --divert /usr/lib/qemu/qemu-bridge-helper.distrib /usr/lib/qemu/qemu-bridge-helper" \
	divert-control/preinst || bad "preinst does not divert QEMU's helper"
grep -q "$divert --remove --rename --divert /usr/lib/qemu/qemu-bridge-helper.distrib /usr/lib/qemu/qemu-bridge-helper" \
	divert-control/postrm || bad "postrm does not remove the diversion"
dpkg-deb -f "$divert_deb" Depends | grep -q 'tapwarden (>= ' ||
	bad "tapwarden-qemu-bridge-helper does not depend on tapwarden"
[ "$fail" = 1 ] || echo "ok: tapwarden-qemu-bridge-helper: the link, the diversion in preinst and postrm"

# 5. install and remove in a throwaway root
if [ "$(id -u)" != 0 ] || ! grep -qw overlay /proc/filesystems; then
	echo "note: install and removal not tried (needs root and overlayfs)"
	exit "$fail"
fi
mkdir root layer
root=$work/root
cp "$deb" "$divert_deb" layer/
# the mounts live in a mount namespace of their own, gone with it
unshare --mount --net --pid --fork --propagation private \
	bash "$0" --in-root "$root" "$work/layer" "$(basename "$deb")" \
	"$(basename "$divert_deb")" || bad "install and removal in a throwaway root"
exit "$fail"
