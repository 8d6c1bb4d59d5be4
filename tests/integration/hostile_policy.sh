#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile_policy.sh - what a hostile local user (or an administrator's
# mistake) can do to the policy: subordinate uids that would multiply every
# per-user limit, bridge.conf's permissions, includes the confined broker
# may not read, a user's broken include, escapes in include names, files
# that are no configuration given to direct mode, a slow account lookup,
# names cut by the protocol (issue 16, findings 3, 4, 5, 7, 8, 10, 12).
# docs/hostile-inputs.md lists each case and its test; docs/security.md
# says what each attack gets now.
# Usage: hostile_policy.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

SUBUID_CALLERS=$(dirname "$0")/subuid_callers.py
# host ids the test's user namespaces map (as /etc/subuid would give)
SUBUID=300000

# policy_broker() - tapwardend with tapwarden.conf in $TMP/conf, bridge.conf
# in $TMP/etc and its socket in $TMP/sock, so that its Landlock rules cover
# those directories only (and not $TMP, where start_broker keeps all three)
policy_broker() {
	mkdir -p "$TMP/run" "$TMP/conf" "$TMP/etc" "$TMP/sock"
	chmod 755 "$TMP/conf" "$TMP/etc" "$TMP/sock"
	export TAPWARDEN_SOCKET=$TMP/sock/broker.sock
	[ -e "$TMP/conf/tapwarden.conf" ] || : >"$TMP/conf/tapwarden.conf"
	[ -e "$TMP/etc/bridge.conf" ] || : >"$TMP/etc/bridge.conf"
	BROKER_CONFIG=$TMP/conf/tapwarden.conf BROKER_ACL=$TMP/etc/bridge.conf start_broker
}

# etc_acl() - write bridge.conf lines to $TMP/etc/bridge.conf (mode 644)
etc_acl() {
	mkdir -p "$TMP/etc"
	printf '%s\n' "$@" >"$TMP/etc/bridge.conf"
	chmod 644 "$TMP/etc/bridge.conf"
}

# direct_as_user() - as USER, with CAP_NET_ADMIN only (a QEMU that is not
# root), the helper in direct mode with $TMP/etc/bridge.conf for NAME;
# output as run_like_qemu
direct_as_user() {
	RC=0
	setpriv --reuid="$1" --regid="$1" --init-groups \
		--inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin \
		--bounding-set=-all,+net_admin -- \
		"$TW_RUN_LIKE_QEMU" "$TW_HELPER --config=$TMP/conf/tapwarden.conf --acl=$TMP/etc/bridge.conf" \
		"$2" >"$TMP/out" 2>"$TMP/err" || RC=$?
}

# no_control_characters() - FILE holds no ESC, CR or other control
# character but newline and tab
no_control_characters() {
	if LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n\t' <"$1"); then
		fail "control character in $1: $(od -c "$1" | head -n 20)"
	fi
}

# --- 7: names are refused, never cut --------------------------------------

t_bridge_name_of_20_characters_is_refused_through_the_broker_not_cut() {
	# twbrabcdefghijk (15) is allowed; asking for it plus 5 characters
	# must not give it (broker_protocol.c cut BA_NAME to its bound)
	make_user tw-alice
	make_bridge twbrabcdefghijk
	write_acl "allow twbrabcdefghijk"
	start_broker
	user_run_like_qemu tw-alice twbrabcdefghijkXXXXX
	expect_refused "too long: 20 characters"
	# the broker's own client cuts nothing either
	out=$(as_user tw-alice /usr/bin/python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" \
		tap-name "$(printf 'twbrabcdefghijkXXXXX' | od -An -v -tx1 | tr -d ' \n')")
	[[ $out == "error "*malformed* ]] || fail "raw 20-byte name: $out"
	user_run_like_qemu tw-alice twbrabcdefghijk
	[ "$RC" = 0 ] || fail "the 15-character bridge was refused: $(cat "$TMP/err")"
}

# --- 12: a slow account lookup ------------------------------------------

# as_ids() - run a command as UID and GID, no other group, no capability:
# without setpriv, which reads /etc/passwd (a FIFO in the test below)
as_ids() {
	/usr/bin/python3 -I -S -c 'import os, sys
u, g = int(sys.argv[1]), int(sys.argv[2])
os.setgroups([]); os.setresgid(g, g, g); os.setresuid(u, u, u)
os.execv(sys.argv[3], sys.argv[3:])' "$@"
}

t_slow_account_lookup_fails_one_request_not_every_later_one() {
	make_user tw-alice
	make_bridge twbr0
	printf '[network lab]\nbridge = twbr0\nallow-users = tw-alice\n' >"$TMP/tapwarden.conf"
	start_broker
	local uid gid
	uid=$(id -u tw-alice)
	gid=$(id -g tw-alice)
	# /etc/passwd becomes a FIFO nobody writes: the lookup process's
	# next open of it blocks, well past the broker's 2 s
	cp /etc/passwd "$TMP/passwd"
	mkfifo "$TMP/passwd.fifo"
	chmod 644 "$TMP/passwd.fifo"
	mount --bind "$TMP/passwd.fifo" /etc/passwd
	RC=0
	as_ids "$uid" "$gid" "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	umount -l /etc/passwd	# the lookup process is in its open()
	expect_refused "may not use network lab"
	# the late answer comes (the reader may stop at the line it wanted:
	# cat's EPIPE is no error); names resolve again
	# shellcheck disable=SC2016  # expanded by the inner shell
	timeout 10 sh -c 'cat "$1" >"$2"' sh "$TMP/passwd" "$TMP/passwd.fifo" || true
	sleep 0.2
	RC=0
	as_ids "$uid" "$gid" "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab \
		>"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "names stayed off after one slow lookup: $(cat "$TMP/err")"
	expect_in "$TMP/broker.log" "took more than 2 s: names do not resolve for this request"
}

# --- 4: bridge.conf's permissions are policy ------------------------------

t_bridge_conf_permissions_restrict_who_gets_a_bridge_through_the_broker() {
	# mode 0640 root:tw-kvm, as QEMU documents: only tw-kvm's members
	make_user tw-alice tw-kvm
	make_user tw-bob
	make_bridge twbr0
	etc_acl "allow twbr0"
	chgrp tw-kvm "$TMP/etc/bridge.conf"
	chmod 640 "$TMP/etc/bridge.conf"
	policy_broker
	user_run_like_qemu tw-bob twbr0
	expect_refused "uid $(id -u tw-bob) may not read $TMP/etc/bridge.conf"
	user_run_like_qemu tw-alice twbr0
	[ "$RC" = 0 ] || fail "a member of tw-kvm was refused: $(cat "$TMP/err")"
	# root's `tapwarden check` answers for each user the same way
	"$TW_TAPWARDEN" check tw-bob twbr0 >"$TMP/check" || true
	expect_in "$TMP/check" "^denied: .*may not read"
	"$TW_TAPWARDEN" check tw-alice twbr0 >"$TMP/check"
	expect_in "$TMP/check" "^allowed: "
}

# --- 5: the broker's own confinement is not the caller's rights ------------

t_include_outside_the_broker_confinement_fails_closed() {
	# a deny list outside bridge.conf's directory: direct mode reads it,
	# the confined broker may not; losing it would open twbr0
	make_user tw-alice
	make_bridge twbr0
	mkdir -p "$TMP/other"
	chmod 755 "$TMP/other"
	printf 'deny twbr0\n' >"$TMP/other/deny.conf"
	chmod 644 "$TMP/other/deny.conf"
	etc_acl "allow all" "include $TMP/other/deny.conf"
	policy_broker
	direct_as_user tw-alice twbr0
	expect_refused "deny twbr0"
	user_run_like_qemu tw-alice twbr0
	expect_refused "$TMP/other/deny.conf: uid $(id -u tw-alice) may read it, but this process's confinement does not let it"
}

# parity_fixture() - write fixture $1 under $TMP/etc and $TMP/other
parity_fixture() {
	rm -rf "$TMP/other" "$TMP/etc/inc"
	mkdir -p "$TMP/other" "$TMP/etc/inc"
	chmod 755 "$TMP/other" "$TMP/etc/inc"
	printf 'allow twbr0\n' >"$TMP/other/allow.conf"
	printf 'deny twbr0\n' >"$TMP/other/deny.conf"
	printf 'deny twbr0\n' >"$TMP/etc/inc/deny.conf"
	printf 'allow twbr0\n' >"$TMP/etc/inc/private.conf"
	chmod 644 "$TMP"/other/*.conf "$TMP"/etc/inc/*.conf
	chmod 600 "$TMP/etc/inc/private.conf"
	case $1 in
	allow) etc_acl "allow twbr0" ;;
	deny-wins) etc_acl "allow all" "deny twbr0" ;;
	default-deny) etc_acl "allow twbr1" ;;
	include-deny) etc_acl "allow all" "include inc/deny.conf" ;;
	include-missing) etc_acl "allow twbr0" "include inc/missing.conf" ;;
	include-private) etc_acl "include inc/private.conf" ;;
	outside-allow) etc_acl "include $TMP/other/allow.conf" ;;
	outside-deny) etc_acl "allow all" "include $TMP/other/deny.conf" ;;
	outside-missing) etc_acl "allow twbr0" "include $TMP/other/missing.conf" ;;
	outside-symlink) ln -s "$TMP/other/deny.conf" "$TMP/etc/inc/link.conf"
		etc_acl "allow all" "include inc/link.conf" ;;
	esac
}

t_bridge_conf_fixtures_give_the_same_answer_in_direct_mode_and_through_the_broker() {
	# the same bridge.conf, the same user: the broker grants nothing direct
	# mode refuses, and refuses what direct mode grants only with the one
	# line that names its own confinement
	local fixture direct broker
	make_user tw-alice
	make_bridge twbr0
	etc_acl "allow twbr0"
	policy_broker
	for fixture in allow deny-wins default-deny include-deny include-missing \
		include-private outside-allow outside-deny outside-missing \
		outside-symlink; do
		parity_fixture "$fixture"
		direct_as_user tw-alice twbr0
		direct=$RC
		[ "$direct" = 0 ] || expect_refused "."
		user_run_like_qemu tw-alice twbr0
		broker=$RC
		[ "$broker" = 0 ] || expect_refused "."
		if [ "$direct" != "$broker" ]; then
			[ "$direct" = 0 ] ||
				fail "$fixture: the broker granted what direct mode refuses"
			expect_in "$TMP/err" "this process's confinement does not let it"
		fi
		echo "$fixture: direct $direct broker $broker"
	done
}

# --- 8: a user's broken include, escapes in include names ----------------

t_user_include_with_a_syntax_error_breaks_only_its_owner() {
	# qemu-bridge-helper ignores include errors; a user's file is the
	# user's to break, and nobody else's request fails with it
	make_user tw-alice
	make_user tw-bob
	make_bridge twbr0
	make_bridge twbr1
	mkdir -p "$TMP/etc/users"
	chmod 755 "$TMP/etc/users"
	printf 'allow twbr1\npermit everything\n' >"$TMP/etc/users/alice.conf"
	chown tw-alice: "$TMP/etc/users/alice.conf"
	chmod 644 "$TMP/etc/users/alice.conf"
	etc_acl "allow twbr0" "include users/alice.conf"
	policy_broker
	user_run_like_qemu tw-bob twbr0
	[ "$RC" = 0 ] || fail "tw-alice's broken include broke tw-bob's request: $(cat "$TMP/err")"
	# its rules are dropped whole, and the refusal says why
	user_run_like_qemu tw-alice twbr1
	expect_refused "no rule allows twbr1 .*include skipped: .*users/alice.conf:2: unknown command"
	# an include only root can change still fails closed
	chown root: "$TMP/etc/users/alice.conf"
	user_run_like_qemu tw-bob twbr0
	expect_refused "alice.conf:2: unknown command"
}

t_user_include_that_fails_does_not_hide_a_file_bridge_conf_includes() {
	# a user's include names root's deny list first, then has an error:
	# its rules go with it, and the deny list is still read where
	# bridge.conf includes it (it was skipped as read already: found by
	# the bridge_conf fuzz target)
	make_user tw-alice
	make_user tw-bob
	make_bridge twbr0
	mkdir -p "$TMP/etc/users"
	chmod 755 "$TMP/etc/users"
	printf 'deny twbr0\n' >"$TMP/etc/deny.conf"
	chmod 644 "$TMP/etc/deny.conf"
	printf 'include %s\npermit everything\n' "$TMP/etc/deny.conf" >"$TMP/etc/users/alice.conf"
	chown tw-alice: "$TMP/etc/users/alice.conf"
	chmod 644 "$TMP/etc/users/alice.conf"
	etc_acl "include users/alice.conf" "include deny.conf" "allow twbr0"
	policy_broker
	user_run_like_qemu tw-bob twbr0
	expect_refused "deny\.conf:1: deny twbr0"
	# the same in direct mode
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TW_HELPER --config=$TMP/conf/tapwarden.conf --acl=$TMP/etc/bridge.conf" \
		twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "deny\.conf:1: deny twbr0"
}

t_include_names_reach_the_log_and_check_escaped() {
	make_user tw-alice
	make_bridge twbr0
	local name
	name=$(printf '\033]0;owned\a\r\033[2Kinc')
	mkdir -p "$TMP/etc/$name"	# a directory: an error naming it
	etc_acl "allow twbr0" "include $name"
	policy_broker
	user_run_like_qemu tw-alice twbr0
	expect_refused "not a regular file"
	no_control_characters "$TMP/err"
	no_control_characters "$TMP/broker.log"
	expect_in "$TMP/broker.log" 'refused twbr0 .*\\033\]0;owned\\007\\r'
	"$TW_TAPWARDEN" check tw-alice twbr0 >"$TMP/check" 2>&1 || true
	expect_in "$TMP/check" "not a regular file"
	no_control_characters "$TMP/check"
}

# --- 10: direct mode never shows a line of a file that is no configuration -

t_direct_mode_never_prints_a_line_of_a_file_it_cannot_parse() {
	# root QEMU run with someone else's --acl or --config: the helper may
	# read any file, and must not show what is in it
	make_bridge twbr0
	# shellcheck disable=SC2016  # a shadow line's dollars, as they are
	printf 'root:$y$j9T$SECRETHASH:19000:0:99999:7:::\nbin:*:19000::::::\n' >"$TMP/shadow"
	printf 'SECRET WORDS here\n' >"$TMP/secret-words"
	chmod 600 "$TMP/shadow" "$TMP/secret-words"
	local file
	for file in "$TMP/shadow" "$TMP/secret-words"; do
		RC=0
		"$TW_RUN_LIKE_QEMU" "$TW_HELPER --config=$TMP/tapwarden.conf --acl=$file" twbr0 \
			>"$TMP/out" 2>"$TMP/err" || RC=$?
		expect_refused "$file:1: .*the line is not shown"
		! grep -q SECRET "$TMP/err" || fail "--acl showed the file: $(cat "$TMP/err")"
		RC=0
		"$TW_RUN_LIKE_QEMU" "$TW_HELPER --config=$file --acl=$TMP/bridge.conf" twbr0 \
			>"$TMP/out" 2>"$TMP/err" || RC=$?
		expect_refused "$file:1: .*the line is not shown"
		! grep -q SECRET "$TMP/err" || fail "--config showed the file: $(cat "$TMP/err")"
	done
}

# --- 3: subordinate uids count as their user ------------------------------

# subuid_range() - /etc/subuid gives tw-alice $SUBUID..+65535, and nobody
# else anything (in this test's mount namespace only: a file of its own is
# mounted over it)
subuid_range() {
	[ -e /etc/subuid ] || { echo "skip: no /etc/subuid to mount over"; exit 77; }
	echo "tw-alice:$SUBUID:65536" >"$TMP/subuid"
	chmod 644 "$TMP/subuid"
	mount --bind "$TMP/subuid" /etc/subuid
}

# subuid_callers() - as tw-alice, COUNT callers under subordinate uids of a
# user namespace of hers (subuid_callers.py MODE ARGS...), in the
# background; returns once the namespace is mapped (as newuidmap maps it,
# from subuid_range())
subuid_callers() {
	local ready=$TMP/shared/ns.ready pid
	rm -f "$ready" "$ready.done" "$TMP/shared/ns.mapped"
	as_user tw-alice /usr/bin/python3 "$SUBUID_CALLERS" "$ready" \
		"$TMP/shared/ns.mapped" "$@" >"$TMP/shared/ns.out" 2>&1 &
	for _ in $(seq 200); do
		[ -s "$ready" ] && break
		sleep 0.05
	done
	[ -s "$ready" ] || fail "no user namespace: $(cat "$TMP/shared/ns.out")"
	pid=$(cat "$ready")
	echo "0 $SUBUID 65536" >"/proc/$pid/uid_map"
	echo "0 $SUBUID 65536" >"/proc/$pid/gid_map"
	touch "$TMP/shared/ns.mapped"
}

t_subordinate_uids_share_their_users_max_per_user() {
	make_user tw-alice tw-lab
	make_bridge twbr0
	printf '[network lab]\nbridge = twbr0\nallow-groups = tw-lab\nmax-per-user = 1\n' \
		>"$TMP/tapwarden.conf"
	subuid_range
	start_broker
	subuid_callers 4 exec "$TW_RUN_LIKE_QEMU" "$TW_HELPER" lab -- sleep 30
	for _ in $(seq 200); do
		[ "$(grep -c '^helper_status=' "$TMP/shared/ns.out")" -ge 4 ] && break
		sleep 0.05
	done
	[ "$(grep -c '^helper_status=' "$TMP/shared/ns.out")" = 4 ] ||
		fail "not every caller was answered: $(cat "$TMP/shared/ns.out")"
	[ "$(kernel_taps | wc -l)" = 1 ] ||
		fail "4 subordinate uids of one user hold $(kernel_taps | wc -l) taps (max-per-user=1)"
	[ "$(grep -c 'tw-alice already has 1 taps on network lab' "$TMP/shared/ns.out")" = 3 ] ||
		fail "refusals: $(cat "$TMP/shared/ns.out")"
	expect_in "$TMP/broker.log" "granted tw[0-9]+ .* to user tw-alice \\(uid $(id -u tw-alice)\\)"
}

t_subordinate_uids_share_their_users_connection_slots() {
	# 20 subordinate uids of tw-alice, 8 silent connections each, would
	# take every one of the 128 slots; as tw-alice they get 8
	make_user tw-alice
	make_user tw-bob
	make_bridge twbr0
	write_acl "allow twbr0"
	subuid_range
	start_broker
	subuid_callers 20 connect "$TAPWARDEN_SOCKET" 8 10
	for _ in $(seq 200); do
		[ -s "$TMP/shared/ns.ready.done" ] && break
		sleep 0.01
	done
	[ "$(cat "$TMP/shared/ns.ready.done" 2>/dev/null)" = 20 ] ||
		fail "the callers did not connect: $(cat "$TMP/shared/ns.out")"
	user_run_like_qemu tw-bob twbr0
	[ "$RC" = 0 ] || fail "tw-alice's subordinate uids kept tw-bob out: $(cat "$TMP/err")"
	expect_in "$TMP/broker.log" "turned a connection of uid $(id -u tw-alice) away"
}

run_test "$@"
