# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# user_mode.sh - the helper's user mode (br=user, mode=user networks), run
# as QEMU runs it, by a user with no privilege. Traffic through a real guest
# is tests/e2e/user-mode-guest.sh; here: the hand-over, the lifetime, and
# every refusal before QEMU gets a descriptor.
here=$(dirname "$(readlink -f "$0")")
. "$here/lib.sh"
. "$here/user_mode_lib.sh"

# The helper hands QEMU a tap (with virtio-net headers, as --use-vnet asks:
# QEMU's offloads then reach the engine) and leaves the engine running in
# the caller's network namespace (in a user namespace of its own, where it
# emptied its bounding set: policy/confine.c), with its keeper in a user
# and a network namespace of its own.
t_user_mode_hands_qemu_a_tap() {
	setup_user user_mode_hands_qemu_a_tap
	# shellcheck disable=SC2016  # expanded by the command
	run_user_mode user "" -- sh -c '
		for p in $(pgrep -u "$(id -u)" -x tapwarden-helpe); do
			echo "$p $(readlink /proc/$p/ns/net) $(readlink /proc/$p/ns/user)"
		done >'"$TMP/u/procs"
	[ "$RC" = 0 ] || fail "run-like-qemu exit $RC: $(cat "$TMP/out" "$TMP/err")"
	expect_in "$TMP/out" '^helper_status=0$'
	expect_in "$TMP/out" '^tap=1$'
	expect_in "$TMP/out" '^vnet_hdr=1$'
	[ ! -s "$TMP/err" ] || fail "the helper wrote to stderr: $(cat "$TMP/err")"
	[ "$(wc -l <"$TMP/u/procs")" = 2 ] || fail "expected engine and keeper, got: $(cat "$TMP/u/procs")"
	own_net=$(readlink /proc/self/ns/net) own_user=$(readlink /proc/self/ns/user)
	awk -v n="$own_net" -v u="$own_user" '$2 == n && $3 != u {found=1} END {exit !found}' "$TMP/u/procs" ||
		fail "no engine in the caller's network namespace: $(cat "$TMP/u/procs")"
	awk -v n="$own_net" -v u="$own_user" '$2 != n && $3 != u {found=1} END {exit !found}' "$TMP/u/procs" ||
		fail "no process in namespaces of its own: $(cat "$TMP/u/procs")"
}

# When QEMU closes the tap, the engine and the keeper exit, and nothing
# of the user is left in the namespaces they made.
t_user_mode_ends_with_the_tap() {
	setup_user user_mode_ends_with_the_tap
	# shellcheck disable=SC2016  # expanded by the command
	run_user_mode user "" -- sh -c '
		for p in $(pgrep -u "$(id -u)" -x tapwarden-helpe); do
			readlink /proc/$p/ns/net
		done >'"$TMP/u/ns"
	[ "$RC" = 0 ] || fail "run-like-qemu exit $RC: $(cat "$TMP/out" "$TMP/err")"
	expect_no_user_process
	while read -r ns <&3; do
		for l in /proc/[0-9]*/ns/net; do
			p=${l#/proc/}; p=${p%%/*}
			[ "$(readlink "$l" 2>/dev/null)" = "$ns" ] || continue
			# the kernel reuses a freed namespace's id: only ours count
			[ "$(stat -c %u "/proc/$p" 2>/dev/null)" != "$TEST_UID" ] ||
				fail "process $p is still in $ns"
		done
	done 3< <(sort -u "$TMP/u/ns")
}

# A caller that reads the helper's stderr from a pipe until it ends (libvirt
# does, before it starts QEMU) sees the end while the tap is in use: the
# engine and its keeper do not hold the pipe; with stderr a file they keep it.
t_user_mode_engine_does_not_hold_a_stderr_pipe() {
	setup_user user_mode_engine_does_not_hold_a_stderr_pipe
	# shellcheck disable=SC2016  # expanded by the command
	probe='for p in $(pgrep -u "$(id -u)" -x tapwarden-helpe); do readlink "/proc/$p/fd/2"; done >"$0"'
	RC=0
	{ as_user "$TW_RUN_LIKE_QEMU" "$TW_HELPER --config=$TMP/tapwarden.conf" user \
		-- sh -c "$probe" "$TMP/u/piped" 2>&1 >"$TMP/out" | cat >"$TMP/err"; } || RC=$?
	[ "$RC" = 0 ] || fail "run-like-qemu exit $RC: $(cat "$TMP/out" "$TMP/err")"
	[ "$(sort -u "$TMP/u/piped")" = /dev/null ] ||
		fail "with stderr a pipe, engine and keeper hold: $(cat "$TMP/u/piped")"
	run_user_mode user "" -- sh -c "$probe" "$TMP/u/filed"
	[ "$RC" = 0 ] || fail "run-like-qemu exit $RC: $(cat "$TMP/out" "$TMP/err")"
	[ "$(sort -u "$TMP/u/filed")" = "$TMP/err" ] ||
		fail "with stderr a file, engine and keeper hold: $(cat "$TMP/u/filed")"
}

# A --hostfwd= that is not QEMU's syntax is refused before anything starts.
t_user_mode_refuses_malformed_hostfwd() {
	setup_user user_mode_refuses_malformed_hostfwd
	for bad in tcp:127.0.0.1:2222 sctp::2222-:22 tcp::0-:22 tcp::2222-:99999 \
		   tcp:localhost:2222-:22 tcp::2222-10.0.2.15:22:1; do
		run_user_mode user "--hostfwd=$bad"
		expect_refused "hostfwd"
	done
	expect_no_user_process
}

# A host port that is taken fails with the kernel's reason, and the engine
# that tried it is gone before the helper exits.
t_user_mode_refuses_port_in_use() {
	setup_user user_mode_refuses_port_in_use
	serve_text 127.0.0.1 2222 taken
	run_user_mode user "--hostfwd=tcp:127.0.0.1:2222-:22"
	expect_refused "cannot forward tcp 127.0.0.1:2222 to 10.0.2.15:22: Address already in use"
	[ -z "$(user_processes)" ] || fail "processes left: $(user_processes)"
}

# --mtu= must be a number from 1280 to 65520.
t_user_mode_refuses_mtu_out_of_range() {
	setup_user user_mode_refuses_mtu_out_of_range
	for bad in 1279 65521 0 9k ""; do
		run_user_mode user "--mtu=$bad"
		expect_refused "MTU .* is not a number from 1280 to 65520"
	done
	run_user_mode user "--mtu=65520"
	[ "$RC" = 0 ] || fail "--mtu=65520 refused: $(cat "$TMP/err")"
	expect_no_user_process
}

# User-mode options on a network that is not user mode are an error, not
# silently ignored.
t_user_mode_options_need_a_user_network() {
	setup_user user_mode_options_need_a_user_network
	run_user_mode br0 "--hostfwd=tcp::2222-:22"
	expect_refused "are for user-mode networks; br0 is not one"
}

# A mode=user network of tapwarden.conf is served like `user', with its
# forwards; the caller's --hostfwd adds to them.
t_user_mode_network_from_config() {
	setup_user user_mode_network_from_config
	cat >"$TMP/tapwarden.conf" <<-CONF
	[network lab]
	mode=user
	mtu=9000
	hostfwd=tcp:127.0.0.1:2201-:22;udp:127.0.0.1:2202-:53
	CONF
	run_user_mode lab "--hostfwd=tcp:127.0.0.1:2203-:80" -- \
		sh -c "ss -Hltn; ss -Hlun" >/dev/null
	[ "$RC" = 0 ] || fail "run-like-qemu exit $RC: $(cat "$TMP/out" "$TMP/err")"
	for want in '127.0.0.1:2201 ' '127.0.0.1:2202 ' '127.0.0.1:2203 '; do
		grep -qF "$want" "$TMP/out" || fail "no listener on $want: $(cat "$TMP/out")"
	done
	expect_no_user_process
}

# [network user] may set the built-in network's keys, but not its mode.
t_user_mode_builtin_user_is_always_user_mode() {
	setup_user user_mode_builtin_user_is_always_user_mode
	printf '[network user]\nmode=bridge\nbridge=br0\n' >"$TMP/tapwarden.conf"
	run_like_qemu user
	expect_refused "the network .user. is always mode=user"
}

run_test "$@"
