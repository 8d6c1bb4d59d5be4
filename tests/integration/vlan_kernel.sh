#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vlan_kernel.sh - VLAN networks on whatever kernel runs the tests: when it
# lacks a feature (this machine's has neither 802.1Q devices nor bridge VLAN
# filtering), the refusal says which, and nothing is left. The VLAN
# behaviour itself is tested on a kernel that has both: tests/vm/vlan.sh.
# Usage: vlan_kernel.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

t_vlan_on_a_bridge_without_filtering_and_no_uplink_says_what_is_missing() {
	make_bridge twbr0
	printf '[network office]\nbridge = twbr0\nvlan = 100\n' >"$TMP/tapwarden.conf"
	run_like_qemu office
	expect_refused "VLAN 100: (this kernel has no bridge VLAN filtering|bridge twbr0 has no VLAN filtering \\(vlan_filtering 1\\)), and no vlan-uplink is set"
	[ -z "$(ip -o link show master twbr0)" ] || fail "a port left on twbr0"
}

t_vlan_device_the_kernel_cannot_make_is_refused_and_its_bridge_removed() {
	# without 8021q no kernel makes lo.100; with it, lo cannot carry VLANs:
	# either way the per-VLAN bridge made just before must go again
	printf '[network office]\nvlan = 100\nvlan-uplink = lo\n' >"$TMP/tapwarden.conf"
	run_like_qemu office
	expect_refused "cannot create lo\\.100: (this kernel has no 802\\.1Q VLAN devices \\(module 8021q\\)|.*VLANs not supported)"
	if ip link show twv100 >/dev/null 2>&1; then fail "twv100 left behind"; fi
}

run_test "$@"
