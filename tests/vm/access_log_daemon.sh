# SPDX-License-Identifier: GPL-2.0
# Guest-side functions: khttpd-fallbackd's access log against the real
# module. Sourced (after lib.sh) by a runner that has loaded khttpd.ko,
# started the server on port 80 over $WWW (with $WWW/one.txt), started
# Apache on 127.0.0.1:8080 if hand-overs should get real answers (without
# it they get the daemon's 502, logged the same way), and registered no
# daemon. Needs $DAEMON (the binary) and $WWW.
#
#   ald_start LOG            start the daemon with --access-log LOG
#   test_access_log_daemon N N mixed requests (IPv4, IPv6 [::1], HEAD, a
#                            range, hand-overs) compared line by line with
#                            what curl saw: address, request, status, bytes
#   test_access_log_daemon_rotate   rename + SIGUSR1 -> a new file
#   ald_stop                 SIGTERM, exit status 0

ALD_PID=
ALD_LOG=
ALD_DLOG=/tmp/ald-daemon.log

# ald_wait_text FILE TEXT [TENTHS]: until FILE holds TEXT (default 10 s).
ald_wait_text() {
	local i
	for ((i = 0; i < ${3:-100}; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ald_wait_lines FILE N: until FILE has at least N lines (10 s).
ald_wait_lines() {
	local i n
	for ((i = 0; i < 100; i++)); do
		n=$(wc -l < "$1" 2>/dev/null || echo 0)
		[ "$n" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

ald_start() {
	ALD_LOG=$1
	: > "$ALD_DLOG"
	"$DAEMON" --access-log "$ALD_LOG" >> "$ALD_DLOG" 2>&1 &
	ALD_PID=$!
	check "daemon: reads the access log" ald_wait_text "$ALD_DLOG" "access log: reading" 600
	check "daemon: registered" ald_wait_text "$ALD_DLOG" "registered with khttpd" 600
}

ald_stop() {
	[ -n "$ALD_PID" ] || return 0
	kill -TERM "$ALD_PID"
	local rc=0
	wait "$ALD_PID" || rc=$?
	expect_eq "daemon: exits 0 on SIGTERM" 0 "$rc"
	ALD_PID=
}

# ald_curl ADDR KIND I: one request; prints what curl saw as the log line
# should show it: "ADDR METHOD TARGET STATUS BYTES REASON" (STATUS and
# BYTES "-" and REASON the hand-over's for a hand-over, REASON "-" else).
ald_curl() {
	local addr=$1 kind=$2 i=$3 host method=GET target reason=- args=()
	host=$addr
	[[ $addr == *:* ]] && host="[$addr]"
	case $kind in
	get) target="/one.txt?i=$i" ;;
	head) target="/one.txt?i=$i"; method=HEAD; args=(-I) ;;
	range) target="/one.txt?i=$i"; args=(-r 0-1) ;;
	missing) target="/nope.txt?i=$i"; reason=missing ;;
	post) target="/one.txt?i=$i"; method=POST; reason=method; args=(-d x) ;;
	esac
	local seen
	seen=$(curl -s -g -o /dev/null -w '%{http_code} %{size_download}' "${args[@]}" \
		"http://$host$target")
	if [ "$reason" != - ]; then
		echo "$addr $method $target - - $reason"
	else
		echo "$addr $method $target $seen -"
	fi
}

# ald_parse: the log's lines as "ADDR METHOD TARGET STATUS BYTES REASON";
# a line that does not have the format becomes "BAD: line".
ald_parse() {
	sed -E \
		-e 's/^([^ ]+) - - \[[0-9]{2}\/[A-Z][a-z]{2}\/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [-+][0-9]{4}\] "([A-Z]+) ([^ "]+) HTTP\/1\.[01]" ([0-9]{3}|-) ([0-9]+|-) "[^"]*" "curl\/[^"]*" [0-9]+( handover=([a-z0-9]+))?$/\1 \2 \3 \4 \5 \7/' \
		-e 't ok' -e 's/^/BAD: /' -e 'b' -e ': ok' -e 's/ $/ -/' "$1"
}

test_access_log_daemon() {
	local n=${1:-40} i kinds=(get get head range missing post) addrs=(127.0.0.1 ::1)
	local want=/tmp/ald-want got=/tmp/ald-got
	: > "$want"
	for ((i = 0; i < n; i++)); do
		ald_curl "${addrs[i % 2]}" "${kinds[i % ${#kinds[@]}]}" "$i" >> "$want"
	done
	check "access log: $n lines" ald_wait_lines "$ALD_LOG" "$n"
	ald_parse "$ALD_LOG" | sort > "$got"
	sort -o "$want" "$want"
	check "access log: every line in the combined format + usec" \
		bash -c "! grep -q '^BAD' $got"
	check "access log: address, request, status and bytes as curl saw them" \
		diff "$want" "$got"
	check "access log: IPv6 client as ::1" grep -q '^::1 - - ' "$ALD_LOG"
	check "access log: a hand-over ends with handover=missing" \
		grep -q '"GET /nope.txt?i=[0-9]* HTTP/1.1" - - .* handover=missing$' "$ALD_LOG"
	expect_eq "access log: mode 0640" 640 "$(stat -c %a "$ALD_LOG")"
}

test_access_log_daemon_rotate() {
	local before
	mv "$ALD_LOG" "$ALD_LOG.1"
	before=$(wc -l < "$ALD_LOG.1")
	kill -USR1 "$ALD_PID"
	check "rotate: SIGUSR1 reopens" ald_wait_text "$ALD_DLOG" "reopening the access log"
	check "rotate: a new file" bash -c "for i in \$(seq 50); do [ -e '$ALD_LOG' ] && exit 0; sleep 0.1; done; exit 1"
	curl -s -o /dev/null "http://127.0.0.1/one.txt?rotated=1"
	check "rotate: the next line goes to the new file" \
		ald_wait_text "$ALD_LOG" "GET /one.txt?rotated=1 HTTP/1.1"
	expect_eq "rotate: the old file kept its lines" "$before" "$(wc -l < "$ALD_LOG.1")"
	check "rotate: the daemon still runs" kill -0 "$ALD_PID"
}
