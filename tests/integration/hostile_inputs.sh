#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile_inputs.sh - the hostile-input catalogue (docs/hostile-inputs.md):
# names, descriptors, options, include chains and configurations that a
# caller or an administrator's mistake may hand tapwarden. Each case is
# tried in direct mode (the helper as root QEMU runs it) and through the
# broker where it applies; each must end in one clear line of error, the
# broker still serving, and nothing left behind (no tap, no port, no
# descriptor kept by the broker). Cases tested elsewhere are listed in
# docs/hostile-inputs.md with the test that covers them.
# Usage: hostile_inputs.sh TEST_NAME (meson passes it).
source "$(dirname "$0")/lib.sh"

# exec_form_helper() - $TMP/h: the helper with the test's configuration, at
# a path without spaces, so run-like-qemu execs it with every argument
# exactly as given (QEMU's exec form; the /bin/sh -c form would split a
# name at its spaces and newlines before the helper sees it)
exec_form_helper() {
	printf '#!/bin/sh\nexec "%s" --config="%s" --acl="%s" "$@"\n' \
		"$TW_HELPER" "$TMP/tapwarden.conf" "$TMP/bridge.conf" >"$TMP/h"
	chmod 755 "$TMP/h"
}

# direct_run() - run-like-qemu with the exec-form helper for NAME
direct_run() {
	RC=0
	"$TW_RUN_LIKE_QEMU" "$TMP/h" "$1" >"$TMP/out" 2>"$TMP/err" || RC=$?
}

# broker_setup() - user tw-alice, twbr0 allowed to everyone by bridge.conf,
# a broker; its descriptor count in $BROKER_FDS
broker_setup() {
	make_user tw-alice
	make_bridge twbr0
	write_acl "allow all"
	start_broker
	BROKER_FDS=$(fd_count "$BROKER_PID")
}

# broker_unharmed() - the broker lives, serves, keeps no more descriptors
# than at start (the closer process closes passed ones a moment later), and
# no tap is left
broker_unharmed() {
	kill -0 "$BROKER_PID" || fail "broker died"
	[ "$(python3 "$TW_BROKER_CLIENT" "$TAPWARDEN_SOCKET" list)" = "list 0" ] ||
		fail "broker stopped answering"
	for _ in $(seq 100); do
		[ "$(fd_count "$BROKER_PID")" = "$BROKER_FDS" ] && break
		sleep 0.05
	done
	[ "$(fd_count "$BROKER_PID")" = "$BROKER_FDS" ] ||
		fail "broker fds: $BROKER_FDS at start, $(fd_count "$BROKER_PID") now"
	no_tap_left
}

# expect_broker_error() - raw client output $1 is an error containing $2
expect_broker_error() {
	[[ $1 == "error "* ]] || fail "broker answered: $1 (expected an error /$2/)"
	[[ $1 =~ $2 ]] || fail "broker answered: $1 (expected /$2/)"
	[ "$(printf '%s' "$1" | wc -l)" = 0 ] || fail "error of more than one line: $1"
}

# hex() - the bytes of $1 in hex
hex() {
	printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# --- names ---------------------------------------------------------------

# hostile names, one a line of `LABEL|NAME-IN-PRINTF-FORMAT|REASON`
HOSTILE_NAMES='slash|a/b|contains a character not allowed
dotdot|..|is not a valid interface name
dot|.|is not a valid interface name
space|a b|contains a character not allowed
newline|a\nb|contains a character not allowed
tab|a\tb|contains a character not allowed
percent|tw%%d|contains a character not allowed
colon|a:b|contains a character not allowed
non-utf8|\377\376|contains a character not allowed
escape|\033[2J|contains a character not allowed
empty||empty name
length-16|abcdefghijklmnop|too long: 16 characters'

t_bridge_name_of_15_characters_is_served() {
	exec_form_helper
	make_bridge twbridge0123456	# 15 characters: the longest name there is
	write_acl "allow twbridge0123456"
	direct_run twbridge0123456
	[ "$RC" = 0 ] || fail "15 characters refused ($RC): $(cat "$TMP/err")"
}

t_hostile_bridge_names_are_refused_in_direct_mode() {
	local label name reason
	exec_form_helper
	make_bridge twbr0
	write_acl "allow all"
	while IFS='|' read -r label name reason; do
		# shellcheck disable=SC2059  # the name's escapes are the case
		direct_run "$(printf "$name")"
		[ "$RC" = 10 ] || fail "$label: run-like-qemu exit $RC: $(cat "$TMP/out")"
		expect_one_error_line "$TMP/err" "$reason"
		if LC_ALL=C grep -q '[[:cntrl:]]' "$TMP/err"; then
			fail "$label: control character in the error line: $(od -c "$TMP/err" | head -3)"
		fi
	done <<<"$HOSTILE_NAMES"
	direct_run "$(printf 'b%.0s' $(seq 255))"
	expect_refused "too long: 255 characters"
	[ -z "$(ip -o link show master twbr0)" ] || fail "a port left on twbr0"
}

t_hostile_bridge_names_are_refused_through_the_broker() {
	local label name reason out
	broker_setup
	while IFS='|' read -r label name reason; do
		# shellcheck disable=SC2059  # the name's escapes are the case
		name=$(printf "$name")
		# the user's helper refuses it before asking
		user_run_like_qemu tw-alice "$name"
		[ "$RC" = 10 ] || fail "$label: helper exit $RC: $(cat "$TMP/out")"
		[ "$(wc -l <"$TMP/err")" = 1 ] || fail "$label: $(cat "$TMP/err")"
		[ -n "$name" ] || continue	# the protocol has no empty string
		# the broker refuses it too when a client sends it itself
		out=$(as_user tw-alice /usr/bin/python3 "$TW_BROKER_CLIENT" \
			"$TAPWARDEN_SOCKET" tap-name "$(hex "$name")")
		case $label in
		length-16) expect_broker_error "$out" "malformed" ;;
		*) expect_broker_error "$out" "$reason" ;;
		esac
	done <<<"$HOSTILE_NAMES"
	out=$(as_user tw-alice /usr/bin/python3 "$TW_BROKER_CLIENT" \
		"$TAPWARDEN_SOCKET" tap-name "$(hex "$(printf 'b%.0s' $(seq 255))")")
	expect_broker_error "$out" "malformed"
	broker_unharmed
}

# --- descriptors -----------------------------------------------------------

t_fd_of_a_listening_socket_is_refused() {
	exec_form_helper
	make_bridge twbr0
	write_acl "allow twbr0"
	RC=0
	python3 - "$TMP/h" "$TMP/listening" >"$TMP/out" 2>"$TMP/err" <<-'EOF' || RC=$?
	import os, socket, subprocess, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.bind(sys.argv[2]); s.listen(1)
	r = subprocess.run([sys.argv[1], "--use-vnet", "--br=twbr0", "--fd=%d" % s.fileno()],
	                   pass_fds=[s.fileno()], stderr=subprocess.PIPE, text=True)
	sys.stderr.write(r.stderr)
	sys.exit(r.returncode)
	EOF
	[ "$RC" = 1 ] || fail "exit $RC"
	expect_one_error_line "$TMP/err" "--fd=[0-9]+ is a listening socket, not a connected one"
	no_tap_left
}

t_fd_numbers_negative_huge_or_malformed_are_refused() {
	local fd
	exec_form_helper
	make_bridge twbr0
	write_acl "allow twbr0"
	for fd in -1 -0 -2147483648 99999999999 2147483648 18446744073709551617 \
		" 5" 5x 0x5 "" +5; do
		RC=0
		"$TMP/h" --use-vnet --br=twbr0 "--fd=$fd" >"$TMP/out" 2>"$TMP/err" || RC=$?
		[ "$RC" = 1 ] || fail "--fd=$fd: exit $RC"
		expect_one_error_line "$TMP/err" "is not a file descriptor number"
	done
	# a number that fits but that no process can have open
	RC=0
	"$TMP/h" --use-vnet --br=twbr0 --fd=2147483647 >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 1 ] || fail "--fd=2147483647: exit $RC"
	expect_one_error_line "$TMP/err" "--fd=2147483647 is not an open file descriptor"
	no_tap_left
}

t_descriptors_that_are_not_qemus_socket_are_refused_by_the_broker() {
	local kind out
	broker_setup
	for kind in file devnull listening unconnected dgram udp none; do
		out=$(as_user tw-alice /usr/bin/python3 "$TW_BROKER_CLIENT" \
			"$TAPWARDEN_SOCKET" tap-with-fd "$kind" twbr0)
		case $kind in
		none) expect_broker_error "$out" "QEMU's socket" ;;
		file|devnull) expect_broker_error "$out" "is not a socket" ;;
		listening) expect_broker_error "$out" "is a listening socket" ;;
		unconnected) expect_broker_error "$out" "is not a connected socket" ;;
		dgram) expect_broker_error "$out" "is not a stream socket" ;;
		udp) expect_broker_error "$out" "is not a unix socket" ;;
		esac
	done
	broker_unharmed
}

# --- options ---------------------------------------------------------------

t_duplicated_and_conflicting_helper_options_are_refused() {
	local args
	exec_form_helper
	make_bridge twbr0
	write_acl "allow twbr0"
	exec 5<>"$TMP/shared/x"	# a descriptor, so only the options are wrong
	while IFS='|' read -r args reason; do
		RC=0
		# shellcheck disable=SC2086  # one argument per word, on purpose
		"$TW_HELPER" $args >"$TMP/out" 2>"$TMP/err" || RC=$?
		[ "$RC" = 1 ] || fail "$args: exit $RC"
		expect_one_error_line "$TMP/err" "$reason"
	done <<-EOF
	--br=twbr0 --br=twbr0 --fd=5|option --br given twice
	--br=twbr0 --br twbr1 --fd=5|option --br given twice
	--br=twbr0 --fd=5 --fd=5|option --fd given twice
	--config=$TMP/tapwarden.conf --config=$TMP/tapwarden.conf --br=twbr0 --fd=5|option --config given twice
	--acl=$TMP/bridge.conf --acl=$TMP/bridge.conf --br=twbr0 --fd=5|option --acl given twice
	--socket=$TMP/a --socket=$TMP/b --br=twbr0 --fd=5|option --socket given twice
	--mtu=1500 --mtu=9000 --br=user --fd=5|option --mtu given twice
	--help --br=twbr0 --fd=5|--help and --version take no --br or --fd
	--version --use-vnet --br=twbr0 --fd=5|--help and --version take no --br or --fd
	--br=twbr0 --fd|option --fd needs a value
	--br=twbr0 --fd=5 extra|unknown argument .extra.
	EOF
	# user-mode options for a network that is not user mode
	RC=0
	"$TW_RUN_LIKE_QEMU" "$(helper_cmd) --hostfwd=tcp::2222-:22" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "hostfwd"
	RC=0
	"$TW_RUN_LIKE_QEMU" "$(helper_cmd) --no-host-loopback" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "no-host-loopback"
}

t_duplicated_broker_options_are_refused() {
	local args rc
	while IFS='|' read -r args reason; do
		rc=0
		# shellcheck disable=SC2086  # one argument per word, on purpose
		timeout 10 "$TW_TAPWARDEND" $args >"$TMP/out" 2>"$TMP/err" || rc=$?
		[ "$rc" = 1 ] || fail "tapwardend $args: exit $rc"
		expect_in "$TMP/err" "^tapwardend: $reason"
		[ "$(wc -l <"$TMP/err")" = 1 ] || fail "tapwardend $args: $(cat "$TMP/err")"
	done <<-EOF
	--socket=$TMP/a.sock --socket=$TMP/b.sock|option --socket given twice
	--socket $TMP/a.sock --socket=$TMP/a.sock|option --socket given twice
	--config=$TMP/tapwarden.conf --config=$TMP/tapwarden.conf|option --config given twice
	--acl=$TMP/bridge.conf --acl $TMP/bridge.conf|option --acl given twice
	--socket=$TMP/a.sock extra|unexpected argument .extra.
	--frobnicate|Unknown option --frobnicate
	EOF
	{ [ ! -e "$TMP/a.sock" ] && [ ! -e "$TMP/b.sock" ]; } || fail "a refused broker left a socket"
}

# --- include chains --------------------------------------------------------

# include_fixtures() - in $TMP: twbr0; ok.conf (allow twbr0); a chain
# deep0.conf -> ... -> deep99.conf (100 files, the last allows twbr0); a
# directory dir.conf; a FIFO fifo.conf; private.conf (0600 root, allow twbr0)
include_fixtures() {
	local i
	make_bridge twbr0
	echo "allow twbr0" >"$TMP/ok.conf"
	for i in $(seq 0 98); do echo "include deep$((i + 1)).conf" >"$TMP/deep$i.conf"; done
	echo "allow twbr0" >"$TMP/deep99.conf"
	mkdir "$TMP/dir.conf"
	mkfifo -m 644 "$TMP/fifo.conf"
	echo "allow twbr0" >"$TMP/private.conf"
	chmod 600 "$TMP/private.conf"
	echo "include loop-b.conf" >"$TMP/loop-a.conf"
	echo "include loop-a.conf" >"$TMP/loop-b.conf"
	chmod 644 "$TMP"/*.conf
	chmod 600 "$TMP/private.conf"
}

# INCLUDE_CASES: `INCLUDED FILE|REASON` for a bridge.conf `include FILE`
INCLUDE_CASES='loop-a.conf|include loop
deep0.conf|includes nested deeper than 16
dir.conf|dir.conf: not a regular file
fifo.conf|fifo.conf: not a regular file'

t_hostile_include_chains_are_refused_in_direct_mode() {
	local file reason
	include_fixtures
	while IFS='|' read -r file reason; do
		write_acl "allow twbr0" "include $file"
		RC=0
		timeout 20 "$TW_RUN_LIKE_QEMU" "$(helper_cmd)" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
		expect_refused "$reason"
	done <<<"$INCLUDE_CASES"
}

t_hostile_include_chains_are_refused_through_the_broker() {
	local file reason
	make_user tw-alice
	include_fixtures
	start_broker
	BROKER_FDS=$(fd_count "$BROKER_PID")
	while IFS='|' read -r file reason; do
		write_acl "allow twbr0" "include $file"
		user_run_like_qemu tw-alice twbr0
		expect_refused "$reason"
	done <<<"$INCLUDE_CASES"
	broker_unharmed
}

t_include_the_caller_may_not_read_is_skipped_in_direct_mode() {
	# a QEMU that is not root but holds CAP_NET_ADMIN: the helper reads
	# with QEMU's rights, so a root-only include gives that QEMU nothing
	make_user tw-alice
	include_fixtures
	write_acl "include private.conf"
	chmod 644 "$TMP/bridge.conf" "$TMP/tapwarden.conf"
	RC=0
	setpriv --reuid=tw-alice --regid=tw-alice --init-groups \
		--inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin \
		--bounding-set=-all,+net_admin -- \
		"$TW_RUN_LIKE_QEMU" "$(helper_cmd)" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	expect_refused "bridge twbr0 is not allowed by $TMP/bridge.conf \\(no rule allows twbr0"
	write_acl "include ok.conf"	# the same, readable: allowed
	RC=0
	setpriv --reuid=tw-alice --regid=tw-alice --init-groups \
		--inh-caps=-all,+net_admin --ambient-caps=-all,+net_admin \
		--bounding-set=-all,+net_admin -- \
		"$TW_RUN_LIKE_QEMU" "$(helper_cmd)" twbr0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 0 ] || fail "a readable include was not taken ($RC): $(cat "$TMP/err")"
}

# swap_include_symlink() - until killed, point $TMP/inc.conf in turn at a
# good file, a FIFO, a directory, a loop and nothing, each by an atomic
# rename(2); at the good file every other time, so that a request sees it
# about half the time and the test sees both outcomes
swap_include_symlink() {
	local target
	while :; do
		for target in ok.conf fifo.conf ok.conf dir.conf ok.conf loop-a.conf \
			ok.conf missing.conf; do
			ln -sfn "$target" "$TMP/inc.tmp"
			mv -T "$TMP/inc.tmp" "$TMP/inc.conf"
		done
	done
}

# expect_swapped_outcome() - the last request, for BRIDGE in MODE (direct,
# broker), got a tap on twbr0 (the one bridge ok.conf allows; the request's
# command wrote the tap's `ip link' line to $TMP/shared/link), or a clean
# refusal that is one of the swapped targets'. Counted in GRANTED[MODE] and
# REFUSED[MODE] for twbr0; twbr1, which no target allows, is never granted.
expect_swapped_outcome() {
	local bridge=$1 mode=$2
	if [ "$RC" = 0 ]; then
		[ "$bridge" = twbr0 ] || fail "$mode: $bridge, which no include allows, was granted"
		expect_in "$TMP/out" '^helper_status=0$'
		expect_in "$TMP/shared/link" ' master twbr0 '
		GRANTED[$mode]=$((GRANTED[$mode] + 1))
	else
		expect_refusal "(not allowed by|not a regular file|include loop)"
		[ "$bridge" != twbr0 ] || REFUSED[$mode]=$((REFUSED[$mode] + 1))
	fi
	rm -f "$TMP/shared/link"
}

# swapped_request() - BRIDGE, in MODE, as QEMU asks, while the symlink swaps
swapped_request() {
	# shellcheck disable=SC2016  # expanded by the inner shell
	local bridge=$1 mode=$2 link=(sh -c 'ip -o link show "$TW_TAP" >"$0"' "$TMP/shared/link")
	if [ "$mode" = direct ]; then
		RC=0
		timeout 20 "$TW_RUN_LIKE_QEMU" "$(helper_cmd)" "$bridge" -- "${link[@]}" \
			>"$TMP/out" 2>"$TMP/err" || RC=$?
	else
		user_run_like_qemu tw-alice "$bridge" -- "${link[@]}"
	fi
	expect_swapped_outcome "$bridge" "$mode"
}

t_include_symlink_swapped_during_parsing_gives_a_clean_answer() {
	local swapper mode
	make_user tw-alice
	include_fixtures
	make_bridge twbr1
	write_acl "include inc.conf"
	start_broker
	BROKER_FDS=$(fd_count "$BROKER_PID")
	swap_include_symlink &
	swapper=$!
	declare -gA GRANTED=([direct]=0 [broker]=0) REFUSED=([direct]=0 [broker]=0)
	for _ in $(seq 40); do
		for mode in direct broker; do
			swapped_request twbr0 "$mode"
			swapped_request twbr1 "$mode"
		done
	done
	kill "$swapper"
	wait "$swapper" 2>/dev/null || true
	echo "symlink swapped during 80 requests for twbr0: direct ${GRANTED[direct]} granted," \
		"${REFUSED[direct]} refused; broker ${GRANTED[broker]} granted," \
		"${REFUSED[broker]} refused; 80 for twbr1: all refused"
	# the race happened: each way of asking saw the include both good and bad
	for mode in direct broker; do
		{ [ "${GRANTED[$mode]}" -gt 0 ] && [ "${REFUSED[$mode]}" -gt 0 ]; } ||
			fail "$mode: the swap never raced a request (both outcomes expected)"
	done
	broker_unharmed
}

# --- big configurations ----------------------------------------------------

# write_networks() - tapwarden.conf with N networks n0..n(N-1) on twbr0
write_networks() {
	python3 - "$1" "$TMP/tapwarden.conf" <<-'EOF'
	import sys
	with open(sys.argv[2], "w") as f:
	    for i in range(int(sys.argv[1])):
	        f.write("[network n%d]\nbridge = twbr0\nallow-users = tw-alice\n\n" % i)
	EOF
}

# wait_for_log() - wait up to 10 s (30 s under AddressSanitizer, whose
# build is 3-5 times slower) for the broker's log to have $1; fail if the
# broker exits or the time is up. A load of 100 000 networks takes about
# a second (tests/bench/config-scale measures it): the bound is the margin
# of a busy machine, not room for a slow load.
wait_for_log() {
	local want=$1 tries=100
	# (not `ldd | grep -q`: with pipefail, ldd killed by SIGPIPE fails it)
	case $(ldd "$TW_TAPWARDEND") in *libasan*) tries=300 ;; esac
	for _ in $(seq "$tries"); do
		grep -q -- "$want" "$TMP/broker.log" && return 0
		kill -0 "$BROKER_PID" 2>/dev/null || fail "tapwardend exited: $(tail -n 5 "$TMP/broker.log")"
		sleep 0.1
	done
	fail "tapwardend did not log \`$want' within $((tries / 10)) s: $(tail -n 5 "$TMP/broker.log")"
}

t_configuration_of_100000_networks_is_served_in_direct_mode() {
	local n=100000
	make_user tw-alice
	make_bridge twbr0
	write_networks "$n"
	# the last network, the first and one that is not there
	run_like_qemu "n$((n - 1))" -- sh -c "ip -o link show \"\$TW_TAP\" >$TMP/link"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	expect_in "$TMP/link" "master twbr0 .*alias tapwarden uid=0 net=n$((n - 1)) "
	run_like_qemu n0
	[ "$RC" = 0 ] || fail "helper failed for n0 ($RC): $(cat "$TMP/err")"
	run_like_qemu "n$n"
	expect_refused "n$n"
	# a clash between the first network and the last is found
	printf '[network zz]\nmode = nat\nbridge = twbr0\naddress = 10.9.0.1/24\n' >>"$TMP/tapwarden.conf"
	run_like_qemu n0
	expect_refused "tapwarden.conf:$((4 * n + 3)): \\[network zz\\] bridge: bridge twbr0 is also network n0's"
	no_tap_left
}

t_configuration_of_100000_networks_is_served_by_the_broker() {
	local n=100000
	make_user tw-alice
	make_bridge twbr0
	write_networks "$n"
	mkdir -p "$TMP/run"
	"$TW_TAPWARDEND" --socket="$TAPWARDEN_SOCKET" --config="$TMP/tapwarden.conf" \
		--acl="$TMP/bridge.conf" --run-dir="$TMP/run" >>"$TMP/broker.log" 2>&1 &
	BROKER_PID=$!
	wait_for_log "live leases"
	BROKER_FDS=$(fd_count "$BROKER_PID")
	expect_in "$TMP/broker.log" "$n networks from"
	user_run_like_qemu tw-alice "n$((n / 2))"
	[ "$RC" = 0 ] || fail "helper failed ($RC): $(cat "$TMP/err")"
	[ "$(as_user tw-alice "$TW_TAPWARDEN" networks | grep -c '^n[0-9]')" = "$n" ] ||
		fail "tapwarden networks does not list $n networks"
	# a changed file is loaded again; a bad one is refused whole
	printf '[network added]\nbridge = twbr0\nallow-users = tw-alice\n' >>"$TMP/tapwarden.conf"
	kill -HUP "$BROKER_PID"
	wait_for_log "reloaded"
	expect_in "$TMP/broker.log" "reloaded .*: $((n + 1)) networks"
	user_run_like_qemu tw-alice added
	[ "$RC" = 0 ] || fail "helper failed after the reload ($RC): $(cat "$TMP/err")"
	printf '[network zz]\nmode = nat\nbridge = twbr0\naddress = 10.9.0.1/24\n' >>"$TMP/tapwarden.conf"
	kill -HUP "$BROKER_PID"
	wait_for_log "reload refused"
	expect_in "$TMP/broker.log" "reload refused.*\\[network zz\\] bridge: bridge twbr0 is also network added's"
	user_run_like_qemu tw-alice "n$((n - 1))"
	[ "$RC" = 0 ] || fail "helper failed after the refused reload ($RC): $(cat "$TMP/err")"
	broker_unharmed
}

t_configuration_over_the_size_limit_is_refused() {
	# 16 MiB is the limit of any configuration file
	make_bridge twbr0
	write_networks 400000
	run_like_qemu n1
	expect_refused "tapwarden.conf: too big \\([0-9]+ bytes, at most 16777216\\)"
	make_user tw-alice
	RC=0
	"$TW_TAPWARDEND" --socket="$TAPWARDEN_SOCKET" --config="$TMP/tapwarden.conf" \
		--acl="$TMP/bridge.conf" >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" = 1 ] || fail "tapwardend exit $RC"
	expect_in "$TMP/err" "^tapwardend: .*too big"
	[ "$(wc -l <"$TMP/err")" = 1 ] || fail "more than one line: $(cat "$TMP/err")"
}

run_test "$@"
