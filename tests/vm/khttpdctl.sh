# SPDX-License-Identifier: GPL-2.0
# Guest-side tests of khttpdctl against the real module (docs/observability.md,
# tools/khttpdctl/khttpdctl.8). Sourced by a guest script that has lib.sh
# loaded, the module loaded and the server running with $WWW as its document
# root, $URL its address (http://127.0.0.1[:PORT]) and $CTL the khttpdctl
# binary (build/bin/khttpdctl). Functions:
#   ctl_status_tests     status, --json and metrics agree with the status
#                        file, and their numbers move as requests are made;
#                        rates from two samples under load; top on a pipe
#   ctl_control_tests    stop/start and their exit codes: 4 when stopped,
#                        5 as nobody and as root without CAP_NET_ADMIN (the
#                        kernel's EPERM), a failed start explained
#   ctl_capture OUT      a tmux capture of `khttpdctl status` into OUT, for
#                        the README's "Watching it run"
#   ctl_not_loaded_tests after rmmod: exit 3 and khttpd_up 0
# Each leaves the server running with the settings it found (but the last).

CTL_SYS=/proc/sys/net/khttpd

# ctl_rc CMD...: runs it, prints its exit code only.
ctl_rc() {
	"$@" > /dev/null 2>&1
	echo $?
}

# ctl_json_get JSON PATH: a member of a JSON object (dots between keys).
ctl_json_get() {
	python3 -c 'import json, sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v[k]
print(v)' "$1" "$2"
}

# ctl_metric TEXT SERIES: the value of one exact series in metrics TEXT.
ctl_metric() {
	local line
	while IFS= read -r line; do
		[ "${line% *}" = "$2" ] && { echo "${line##* }"; return 0; }
	done <<< "$1"
	echo missing
}

# ctl_get N PATH: N GETs of $URL/PATH, each on its own connection.
ctl_get() {
	local i hp=${URL#http://}
	for ((i = 0; i < $1; i++)); do
		bash_http status "$hp" "$2" > /dev/null
	done
}

ctl_status_tests() {
	local f=ctl-$$.txt out json m1 m2 r1 r2 rc
	echo khttpdctl > "$WWW/$f"
	chmod a+r "$WWW/$f"

	out=$("$CTL" status --no-rates 2>&1)
	expect_eq "khttpdctl status: exit 0" 0 $?
	[[ $out == *"state          running"* ]] && pass "khttpdctl status: running" ||
		fail "khttpdctl status: running" "$out"
	[[ $out == *"document root  $WWW"* ]] && pass "khttpdctl status: document root" ||
		fail "khttpdctl status: document root" "$out"
	[[ $out == *"worker  cpu  connections  requests"* ]] && pass "khttpdctl status: workers" ||
		fail "khttpdctl status: workers" "$out"

	# The JSON against the status file, then after 5 requests.
	json=$("$CTL" status --json --no-rates)
	expect_eq "khttpdctl --json: state" running "$(ctl_json_get "$json" state)"
	expect_eq "khttpdctl --json: port" "$(cat $CTL_SYS/serverport)" "$(ctl_json_get "$json" port)"
	expect_eq "khttpdctl --json: threads" "$(cat $CTL_SYS/threads)" \
		"$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["workers"]))' "$json")"
	r1=$(ctl_json_get "$json" requests)
	ctl_get 5 "/$f"
	r2=$(ctl_json_get "$("$CTL" status --json --no-rates)" requests)
	expect_eq "khttpdctl --json: requests +5" 5 $((r2 - r1))

	# The metrics: up, and the 2xx counter moving with requests.
	m1=$("$CTL" metrics)
	expect_eq "khttpdctl metrics: exit 0" 0 $?
	expect_eq "khttpdctl metrics: khttpd_up" 1 "$(ctl_metric "$m1" khttpd_up)"
	ctl_get 3 "/$f"
	m2=$("$CTL" metrics)
	r1=$(ctl_metric "$m1" 'khttpd_responses_total{code="2xx"}')
	r2=$(ctl_metric "$m2" 'khttpd_responses_total{code="2xx"}')
	if [[ $r1 =~ ^[0-9]+$ && $r2 =~ ^[0-9]+$ ]]; then
		expect_eq "khttpdctl metrics: 2xx +3" 3 $((r2 - r1))
	else
		fail "khttpdctl metrics: 2xx +3" "'$r1' then '$r2'"
	fi
	"$CTL" metrics --output "$WWW/khttpd.prom"
	expect_eq "khttpdctl metrics --output: exit 0" 0 $?
	[ -s "$WWW/khttpd.prom" ] && ! ls "$WWW"/khttpd.prom.tmp.* > /dev/null 2>&1 &&
		pass "khttpdctl metrics --output: file, no temporary left" ||
		fail "khttpdctl metrics --output: file, no temporary left"
	rm -f "$WWW/khttpd.prom"

	# Rates: requests during the two samples show as req/s above 0.
	ctl_get 1000000 "/$f" &
	local load=$!
	json=$("$CTL" status --json --interval 2)
	kill "$load" 2> /dev/null
	wait "$load" 2> /dev/null
	r1=$(ctl_json_get "$json" rates.requests_per_second)
	python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 0 else 1)' "$r1" &&
		pass "khttpdctl status: req/s under load ($r1)" ||
		fail "khttpdctl status: req/s under load" "$r1"

	# top on a pipe: two plain frames, the second with rates.
	out=$("$CTL" top --count 2 --interval 0.5)
	rc=$?
	expect_eq "khttpdctl top --count 2: exit 0" 0 $rc
	[[ $out != *$'\e'* && $out == *"rates "* ]] && pass "khttpdctl top: plain frames, rates" ||
		fail "khttpdctl top: plain frames, rates" "$(echo "$out" | head -3)"
	rm -f "$WWW/$f"
}

ctl_control_tests() {
	local root out
	root=$(cat $CTL_SYS/documentroot)

	expect_eq "khttpdctl stop as nobody: 5" 5 \
		"$(ctl_rc setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" stop)"
	# Root without CAP_NET_ADMIN: the open succeeds, the kernel says EPERM.
	out=$(setpriv --bounding-set=-net_admin --inh-caps=-net_admin "$CTL" stop 2>&1)
	expect_eq "khttpdctl stop without CAP_NET_ADMIN: 5" 5 $?
	[[ $out == *"CAP_NET_ADMIN"* ]] && pass "khttpdctl: EPERM explained" ||
		fail "khttpdctl: EPERM explained" "$out"
	expect_eq "still running after the refused stops" 1 "$(cat $CTL_SYS/start)"

	out=$("$CTL" stop)
	expect_eq "khttpdctl stop: exit 0" 0 $?
	expect_eq "khttpdctl stop: stopped" 0 "$(cat $CTL_SYS/start)"
	expect_eq "khttpdctl stop when stopped: 4" 4 "$(ctl_rc "$CTL" stop)"
	out=$("$CTL" status --no-rates)
	expect_eq "khttpdctl status when stopped: exit 0" 0 $?
	[[ $out == *"state          stopped"* ]] && pass "khttpdctl status: stopped" ||
		fail "khttpdctl status: stopped" "$out"
	expect_eq "khttpdctl metrics when stopped: khttpd_up 0" 0 \
		"$(ctl_metric "$("$CTL" metrics)" khttpd_up)"

	# A start the kernel refuses, in words.
	echo /nonexistent-ctl > $CTL_SYS/documentroot
	out=$("$CTL" start 2>&1)
	expect_eq "khttpdctl start, no document root: 1" 1 $?
	[[ $out == *"/nonexistent-ctl does not exist"* ]] && pass "khttpdctl: ENOENT explained" ||
		fail "khttpdctl: ENOENT explained" "$out"
	echo "$root" > $CTL_SYS/documentroot

	out=$("$CTL" start)
	expect_eq "khttpdctl start: exit 0" 0 $?
	[[ $out == "khttpd started: port "* ]] && pass "khttpdctl start: says so" ||
		fail "khttpdctl start: says so" "$out"
	expect_eq "khttpdctl start: running" 1 "$(cat $CTL_SYS/start)"
	expect_eq "khttpdctl start when running: 0" 0 "$(ctl_rc "$CTL" start)"
	expect_eq "khttpdctl: serving again" 200 "$(bash_http status "${URL#http://}" /)"
}

# ctl_capture OUT: `khttpdctl status` in a 100x30 tmux pane, captured as text.
ctl_capture() {
	local out=$1 i
	export TERM=${TERM:-xterm}
	[ "$TERM" = dumb ] && export TERM=xterm
	if ! command -v tmux > /dev/null; then
		fail "khttpdctl status capture" "no tmux (tools/setup-host.sh installs it)"
		return
	fi
	tmux -L ctl new-session -d -x 100 -y 30 "$CTL status; sleep 60"
	for i in $(seq 100); do
		tmux -L ctl capture-pane -p | grep -q 'worker  cpu' && break
		sleep 0.1
	done
	tmux -L ctl capture-pane -p | sed -e 's/[[:space:]]*$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$out"
	tmux -L ctl kill-server
	grep -q '^state          running' "$out" && pass "khttpdctl status captured with tmux" ||
		fail "khttpdctl status captured with tmux" "$(head -3 "$out")"
}

ctl_not_loaded_tests() {
	local out
	expect_eq "khttpdctl status, not loaded: 3" 3 "$(ctl_rc "$CTL" status --no-rates)"
	expect_eq "khttpdctl stop, not loaded: 3" 3 "$(ctl_rc "$CTL" stop)"
	out=$("$CTL" metrics 2> /dev/null)
	expect_eq "khttpdctl metrics, not loaded: khttpd_up 0" 0 "$(ctl_metric "$out" khttpd_up)"
}
