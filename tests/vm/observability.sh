# SPDX-License-Identifier: GPL-2.0
# Guest-side tests of /proc/net/khttpd/status and of the khttpd:* tracepoints
# (docs/observability.md). Sourced by a guest script that has lib.sh loaded
# and the server running on $WWW (a writable document root) with default
# settings, $URL its address (http://127.0.0.1[:PORT]); a registered
# hand-over daemon is used if there is one. Functions:
#   obs_status_tests  every figure of the status file against what the
#                     client saw; worker lines against the totals; reads
#                     while stopped and during stops
#   obs_trace_tests   the four tracepoints' fields for one request, one
#                     close of each kind and one hand-over (skipped without
#                     tracefs; the hand-over without a daemon)
#   obs_rmmod_tests KO  reads of the status file racing rmmod, then insmod
#                     KO and start again
# Each leaves the server running with the settings it found.

OBS_SYS=/proc/sys/net/khttpd
OBS_STATUS=/proc/net/khttpd/status
OBS_TMP=/tmp/obs
OBS_TRACE=/sys/kernel/tracing

# The host[:port] of $URL, and the port alone.
obs_hostport() {
	local hp=${URL#http://}
	[[ $hp == *:* ]] || hp=$hp:80
	echo "$hp"
}

obs_write() {
	printf '%s\n' "$2" > "$OBS_SYS/$1"
}

# obs_read ARRAY: the status file into associative ARRAY, NAME -> value;
# worker line N as [worker.N] -> "cpu C connections X requests R", and
# [workers] -> how many. Builtins only (cheap on the debug kernel). The
# file is read whole, front to back, as khttpdctl does: a `while read` on
# the file itself would seek back after every line, and each seek makes
# the kernel write the text anew, so lines of different moments would mix.
obs_read() {
	local -n _st=$1
	local k v text=
	_st=([workers]=0)
	IFS= read -r -d '' text < "$OBS_STATUS"
	while read -r k v; do
		[ -n "$k" ] || continue
		if [ "$k" = worker ]; then
			_st[worker.${v%% *}]=${v#* }
			_st[workers]=$((_st[workers] + 1))
		else
			_st[$k]=$v
		fi
	done <<< "$text"
}

# obs_delta NAME EXPECTED: NAME grew by EXPECTED from OBS_A to OBS_B.
obs_delta() {
	if [[ ${OBS_A[$1]} =~ ^[0-9]+$ && ${OBS_B[$1]} =~ ^[0-9]+$ ]]; then
		expect_eq "status: $1 +$2" "$2" "$((OBS_B[$1] - OBS_A[$1]))"
	else
		fail "status: $1 +$2" "not a number: '${OBS_A[$1]}' then '${OBS_B[$1]}'"
	fi
}

# obs_curl PATH [ARGS]: one curl, one connection; appends "code header_bytes
# body_bytes server etag" per answer to $OBS_TMP/answers, prints the first
# answer's code.
obs_curl() {
	local path=$1 code
	shift
	curl -s --path-as-is -o /dev/null \
		-w '%{http_code} %{size_header} %{size_download} %header{server} %header{etag}\n' \
		"$@" "$URL$path" > "$OBS_TMP/one" 2> /dev/null
	cat "$OBS_TMP/one" >> "$OBS_TMP/answers"
	read -r code _ < "$OBS_TMP/one"
	echo "$code"
}

# The timeouts obs_status_held sets: short, but long enough for a slow
# kernel to look at a connection before its deadline passes.
OBS_T=3
[ "${KHTTPD_KERNEL:-}" = debug ] && OBS_T=15

# obs_wait_for NAME VALUE: the status file shows NAME VALUE within 3
# timeouts + 10 s.
obs_wait_for() {
	local -A s
	local end=$((SECONDS + 3 * OBS_T + 10))
	while :; do
		obs_read s
		[ "${s[$1]}" = "$2" ] && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	echo "$1 is ${s[$1]}, not $2"
	return 1
}

# obs_workers_sum ARRAY FIELD: the sum of FIELD over ARRAY's worker lines.
obs_workers_sum() {
	local -n _ws=$1
	local i sum=0 w
	for ((i = 0; i < _ws[workers]; i++)); do
		read -r -a w <<< "${_ws[worker.$i]}"
		case $2 in
		connections) sum=$((sum + w[3])) ;;
		requests) sum=$((sum + w[5])) ;;
		esac
	done
	echo "$sum"
}

# A known mix of requests, each figure compared with what curl saw.
obs_status_mix() {
	local f=obs-$$.txt daemon etag code kernel=0 c2=0 c3=0 c4=0 bytes=0 handed=0
	local conns=6 fcreq=7 h b srv
	declare -g -A OBS_A OBS_B
	head -c 1000 /dev/zero | tr '\0' x > "$WWW/$f"
	chmod a+r "$WWW/$f"
	: > "$OBS_TMP/answers"
	daemon=$(cat "$OBS_SYS/daemon_pid")
	obs_read OBS_A
	expect_eq "mix: GET" 200 "$(obs_curl "/$f")"  # the cache's miss
	read -r _ _ _ _ etag < "$OBS_TMP/one"
	expect_eq "mix: GET again" 200 "$(obs_curl "/$f")"
	expect_eq "mix: range" 206 "$(obs_curl "/$f" -r 0-9)"
	expect_eq "mix: If-None-Match" 304 "$(obs_curl "/$f" -H "If-None-Match: $etag")"
	expect_eq "mix: HEAD" 200 "$(obs_curl "/$f" -I)"
	expect_eq "mix: two on one connection" 200 "$(obs_curl "/$f" -o /dev/null "$URL/$f")"
	if [ "$daemon" = 0 ]; then
		expect_eq "mix: missing file, no daemon: 404" 404 "$(obs_curl /obs-nope.txt)"
		conns=$((conns + 1))
	else
		obs_curl /obs-nope.txt > /dev/null     # missing: handed over
		obs_curl /cgi-bin/obs.cgi > /dev/null  # dynamic: handed over
		handed=2 conns=$((conns + 2))
	fi
	obs_read OBS_B
	while read -r code h b srv _; do
		[ "${srv%%/*}" = khttpd ] || continue
		kernel=$((kernel + 1))
		bytes=$((bytes + h + b))
		case $code in
		2*) c2=$((c2 + 1)) ;;
		3*) c3=$((c3 + 1)) ;;
		4*) c4=$((c4 + 1)) ;;
		esac
	done < "$OBS_TMP/answers"
	expect_eq "mix: answers with khttpd's Server header" $((fcreq + (daemon == 0))) "$kernel"
	obs_delta accepts $conns
	obs_delta handled $conns
	obs_delta requests $((kernel + handed))
	obs_delta responses_1xx 0
	obs_delta responses_2xx $c2
	obs_delta responses_3xx $c3
	obs_delta responses_4xx $c4
	obs_delta responses_5xx 0
	obs_delta bytes_sent $bytes
	obs_delta filecache_misses 1
	obs_delta filecache_hits $((fcreq - 1))
	obs_delta handovers $handed
	obs_delta handover_missing $((handed / 2))
	obs_delta handover_dynamic $((handed / 2))
	obs_delta refused_per_ip 0
	obs_delta timeouts_header 0
	obs_delta timeouts_keepalive 0
	if [ "$(cat "$OBS_SYS/logging" 2> /dev/null)" = 1 ]; then
		expect_eq "status: log_records + log_drops grew by requests" \
			$((OBS_B[requests] - OBS_A[requests])) \
			$((OBS_B[log_records] + OBS_B[log_drops] - OBS_A[log_records] - OBS_A[log_drops]))
	fi
	check "status: filecache_entries counts the file" test "${OBS_B[filecache_entries]}" -ge 1
	expect_eq "status: daemon_pid as the sysctl" "$daemon" "${OBS_B[daemon_pid]}"
	expect_eq "status: handovers_refused as the sysctl" \
		"$(cat "$OBS_SYS/stat_handovers_refused")" "${OBS_B[handovers_refused]}"
	expect_eq "status: worker requests sum to the requests since the start" \
		$((OBS_B[requests] - OBS_START_REQUESTS)) "$(obs_workers_sum OBS_B requests)"
	rm -f "$WWW/$f"
}

# The gauges, the refusals and the timeouts, with held connections; one
# connection per address, short timeouts (a restart applies them).
obs_status_held() {
	local hp port fd line f=obs-big-$$.bin saved
	local -A s
	hp=$(obs_hostport)
	port=${hp##*:}
	saved="$(cat $OBS_SYS/max_connections_per_ip) $(cat $OBS_SYS/header_timeout)"
	saved+=" $(cat $OBS_SYS/keepalive_timeout) $(cat $OBS_SYS/send_timeout)"
	head -c 33554432 /dev/zero > "$WWW/$f"
	chmod a+r "$WWW/$f"
	obs_write stop 1
	obs_write max_connections_per_ip 1
	obs_write header_timeout $OBS_T
	obs_write keepalive_timeout $OBS_T
	obs_write send_timeout $OBS_T
	obs_write start 1
	obs_read OBS_A

	# A head that never ends: reading, then header_timeout.
	exec {fd}<>"/dev/tcp/127.0.0.1/$port"
	printf 'GET / HTTP/1.1\r\n' >&"$fd"
	check "gauge: a head arriving is reading" obs_wait_for connections_reading 1
	# A second connection from the same address: refused (reset; the
	# request's write may meet it, hence no SIGPIPE).
	expect_eq "refused: a second connection from 127.0.0.1" 000 \
		"$(trap '' PIPE; bash_http status "127.0.0.1:$port" / 2> /dev/null)"
	obs_read s
	expect_eq "gauge: active = reading + writing + waiting + lingering" \
		"$((s[connections_reading] + s[connections_writing] + s[connections_waiting] + s[connections_lingering]))" \
		"${s[connections_active]}"
	expect_eq "gauge: worker connections sum to active" "1 1" \
		"${s[connections_active]} $(obs_workers_sum s connections)"
	check "header_timeout closes a head that never ends" obs_wait_for connections_active 0
	exec {fd}>&-

	# An answered keep-alive connection: waiting, then keepalive_timeout.
	exec {fd}<>"/dev/tcp/127.0.0.1/$port"
	printf 'HEAD /%s HTTP/1.1\r\nHost: x\r\n\r\n' "$f" >&"$fd"
	while IFS= read -r -t 10 line <&"$fd" && [ "${line%$'\r'}" ]; do :; done
	check "gauge: a connection between requests is waiting" obs_wait_for connections_waiting 1
	check "gauge: closed by keepalive_timeout" obs_wait_for connections_active 0
	exec {fd}>&-

	# An answer that cannot leave (the client reads nothing): writing,
	# then send_timeout.
	exec {fd}<>"/dev/tcp/127.0.0.1/$port"
	printf 'GET /%s HTTP/1.1\r\nHost: x\r\n\r\n' "$f" >&"$fd"
	check "gauge: an answer leaving is writing" obs_wait_for connections_writing 1
	check "gauge: reset by send_timeout" obs_wait_for connections_active 0
	exec {fd}>&-

	obs_read OBS_B
	obs_delta refused_per_ip 1
	obs_delta accepts 4
	obs_delta handled 3
	obs_delta timeouts_header 1
	obs_delta timeouts_keepalive 1
	obs_delta timeouts_send 1
	obs_delta refused_max_connections 0
	obs_delta refused_nomem 0
	read -r -a saved <<< "$saved"
	obs_write stop 1
	obs_write max_connections_per_ip "${saved[0]}"
	obs_write header_timeout "${saved[1]}"
	obs_write keepalive_timeout "${saved[2]}"
	obs_write send_timeout "${saved[3]}"
	obs_write start 1
	rm -f "$WWW/$f"
}

# Counters survive a stop and a start; the file reads fine while stopped.
obs_status_stopped() {
	local -A a b c
	local k same=1
	obs_read a
	obs_write stop 1
	obs_read b
	obs_write start 1
	obs_read c
	expect_eq "stopped: state" "running stopped running" "${a[state]} ${b[state]} ${c[state]}"
	expect_eq "stopped: uptime 0, no worker lines" "0 0" "${b[uptime_seconds]} ${b[workers]}"
	expect_eq "stopped: port and threads are the sysctls'" \
		"$(cat $OBS_SYS/serverport) $(cat $OBS_SYS/threads)" "${b[port]} ${b[threads]}"
	expect_eq "running: one worker line per thread" "${c[threads]}" "${c[workers]}"
	expect_eq "running: port" "$(cat $OBS_SYS/serverport)" "${c[port]}"
	for k in accepts handled requests responses_2xx bytes_sent filecache_hits \
		handovers timeouts_header refused_per_ip; do
		[ "${a[$k]}" = "${b[$k]}" ] && [ "${b[$k]}" = "${c[$k]}" ] ||
			{ same=0; echo "# $k: ${a[$k]} ${b[$k]} ${c[$k]}"; }
	done
	expect_eq "stopped: counters survive a stop and a start" 1 "$same"
	expect_eq "stopped: no connection, no cached file" "0 0" \
		"${b[connections_active]} ${b[filecache_entries]}"
	expect_eq "status is world-readable, read-only" 444 "$(stat -c %a $OBS_STATUS)"
}

# obs_reader DONEFILE OUT: reads the status file until DONEFILE exists; a
# read that is not a whole, consistent status goes to OUT ("bad ..."), the
# count of reads at the end ("reads N").
obs_reader() {
	local n=0
	local -A s
	while [ ! -e "$1" ]; do
		obs_read s 2> /dev/null
		if [ "${s[version]:-}" != 1 ] || [ -z "${s[log_drops]:-}" ]; then
			# Cut short by rmmod (-EIO, then gone) is fine.
			[ -e "$OBS_STATUS" ] || break
			echo "bad text: version ${s[version]:-} log_drops ${s[log_drops]:-}" >> "$2"
		elif [ "${s[state]}" = running ] && [ "${s[workers]}" != "${s[threads]}" ]; then
			echo "bad workers: ${s[workers]} of ${s[threads]}" >> "$2"
		elif [ "${s[state]}" = stopped ] && [ "${s[workers]}" != 0 ]; then
			echo "bad: stopped with ${s[workers]} workers" >> "$2"
		fi
		n=$((n + 1))
	done
	echo "reads $n" >> "$2"
}

# Reads racing stops and starts (with connections to close on each stop).
obs_status_racing() {
	local pid i fd hp port
	hp=$(obs_hostport)
	port=${hp##*:}
	rm -f "$OBS_TMP/done" "$OBS_TMP/reader"
	obs_reader "$OBS_TMP/done" "$OBS_TMP/reader" &
	pid=$!
	for i in 1 2 3 4 5; do
		exec {fd}<>"/dev/tcp/127.0.0.1/$port"
		printf 'GET / HTTP/1.1\r\n' >&"$fd"
		sleep 0.2
		obs_write stop 1
		exec {fd}>&-
		obs_write start 1
	done
	touch "$OBS_TMP/done"
	wait "$pid"
	check "racing stops: reads went on" grep -q '^reads [1-9]' "$OBS_TMP/reader"
	check "racing stops: every read whole and consistent" \
		sh -c "! grep -v '^reads' $OBS_TMP/reader"
	expect_eq "racing stops: the server still serves" 200 "$(status /obs.txt)"
}

obs_status_tests() {
	local -A s
	mkdir -p "$OBS_TMP"
	echo obs > "$WWW/obs.txt"
	chmod a+r "$WWW/obs.txt"
	check "status file exists" test -r "$OBS_STATUS"
	obs_write stop 1
	obs_write start 1
	obs_read s
	OBS_START_REQUESTS=${s[requests]}
	expect_eq "status: version 1, running" "1 running" "${s[version]} ${s[state]}"
	obs_status_mix
	obs_status_held
	obs_status_stopped
	obs_status_racing
	rm -f "$WWW/obs.txt"
}

# ---- tracepoints -------------------------------------------------------------

# obs_trace_line EVENT PATTERN: the first line of the trace for EVENT whose
# text matches the regex PATTERN.
obs_trace_line() {
	local line
	while IFS= read -r line; do
		[[ $line == *" $1: "* && $line =~ $2 ]] && { echo "$line"; return 0; }
	done < "$OBS_TMP/trace"
	return 1
}

# obs_field LINE NAME: NAME=value's value in a trace line.
obs_field() {
	local re="[ :]$2=([^ ]*)"
	[[ $1 =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

obs_trace_tests() {
	local f=obs-trace-$$.txt ev line id out daemon
	mkdir -p "$OBS_TMP"
	if [ ! -e "$OBS_TRACE/trace" ] && grep -qw tracefs /proc/filesystems; then
		mount -t tracefs nodev "$OBS_TRACE" 2> /dev/null
	fi
	if [ ! -e "$OBS_TRACE/trace" ]; then
		result "ok - tracepoints # SKIP no tracefs in this kernel"
		return
	fi
	for ev in request handover conn_open conn_close; do
		check "tracepoint khttpd:$ev exists" test -d "$OBS_TRACE/events/khttpd/$ev"
	done
	check "khttpd:request has its fields" sh -c "grep -q 'char\[\] line' $OBS_TRACE/events/khttpd/request/format &&
		grep -q 'conn_id' $OBS_TRACE/events/khttpd/request/format"
	printf 'hello trace\n' > "$WWW/$f"
	chmod a+r "$WWW/$f"
	daemon=$(cat "$OBS_SYS/daemon_pid")
	echo 0 > "$OBS_TRACE/tracing_on"
	: > "$OBS_TRACE/trace"
	echo 1 > "$OBS_TRACE/events/khttpd/enable"
	echo 1 > "$OBS_TRACE/tracing_on"
	# One keep-alive request (curl closes after it), one Connection: close.
	out=$(curl -s -o /dev/null -w '%{size_header} %{size_download}' "$URL/$f")
	bash_http status "$(obs_hostport)" "/$f?close" > /dev/null
	[ "$daemon" != 0 ] && curl -s -o /dev/null "$URL/cgi-bin/obs-trace.cgi"
	sleep 0.5
	echo 0 > "$OBS_TRACE/events/khttpd/enable"
	cat "$OBS_TRACE/trace" > "$OBS_TMP/trace"
	: > "$OBS_TRACE/trace"
	grep -v '^#' "$OBS_TMP/trace" | sed 's/^/# trace: /'

	line=$(obs_trace_line request "line=\"GET /$f HTTP/1.1\"")
	check "khttpd:request for the GET" test -n "$line"
	id=$(obs_field "$line" conn_id)
	expect_eq "khttpd:request status, reason" "200 -" \
		"$(obs_field "$line" status) $(obs_field "$line" reason)"
	expect_eq "khttpd:request bytes as curl got them" "$((${out% *} + ${out#* }))" \
		"$(obs_field "$line" bytes)"
	expect_eq "khttpd:request body_bytes" "$(stat -c %s "$WWW/$f")" "$(obs_field "$line" body_bytes)"
	check "khttpd:request usec" test -n "$(obs_field "$line" usec)"
	line=$(obs_trace_line conn_open "conn_id=$id ")
	expect_eq "khttpd:conn_open family, addr" "inet ::ffff:127.0.0.1" \
		"$(obs_field "$line" family) $(obs_field "$line" addr)"
	check "khttpd:conn_open port, worker" test -n "$(obs_field "$line" port)" -a \
		-n "$(obs_field "$line" worker)"
	line=$(obs_trace_line conn_close "conn_id=$id ")
	expect_eq "khttpd:conn_close of a client that closed" "1 $(obs_field "$(obs_trace_line request \
		"conn_id=$id ")" bytes) peer" \
		"$(obs_field "$line" requests) $(obs_field "$line" bytes) $(obs_field "$line" why)"
	line=$(obs_trace_line request "line=\"GET /$f\\?close HTTP/1.1\"")
	id=$(obs_field "$line" conn_id)
	line=$(obs_trace_line conn_close "conn_id=$id ")
	expect_eq "khttpd:conn_close after Connection: close" "1 done" \
		"$(obs_field "$line" requests) $(obs_field "$line" why)"
	if [ "$daemon" = 0 ]; then
		result "ok - khttpd:handover # SKIP no daemon registered"
	else
		line=$(obs_trace_line request "line=\"GET /cgi-bin/obs-trace.cgi HTTP/1.1\"")
		id=$(obs_field "$line" conn_id)
		expect_eq "khttpd:request of a hand-over" "0 dynamic" \
			"$(obs_field "$line" status) $(obs_field "$line" reason)"
		line=$(obs_trace_line handover "conn_id=$id ")
		expect_eq "khttpd:handover" "dynamic 0" \
			"$(obs_field "$line" reason) $(obs_field "$line" served)"
		line=$(obs_trace_line conn_close "conn_id=$id ")
		expect_eq "khttpd:conn_close of a hand-over" "1 handover" \
			"$(obs_field "$line" requests) $(obs_field "$line" why)"
	fi
	rm -f "$WWW/$f"
}

# ---- unload ----------------------------------------------------------------

obs_rmmod_tests() {
	local ko=$1 pid
	mkdir -p "$OBS_TMP"
	rm -f "$OBS_TMP/done" "$OBS_TMP/reader"
	obs_reader "$OBS_TMP/done" "$OBS_TMP/reader" &
	pid=$!
	sleep 0.5
	check "rmmod while the status file is read" rmmod khttpd
	touch "$OBS_TMP/done"
	wait "$pid"
	check "rmmod: the reads before it were whole" sh -c "! grep -v '^reads' $OBS_TMP/reader"
	check "insmod again" insmod "$ko"
	obs_write documentroot "$WWW"
	check "start again" obs_write start 1
}
