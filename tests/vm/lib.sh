# SPDX-License-Identifier: GPL-2.0
# Helpers for guest-side test scripts: TAP-like lines on stdout, a results
# file in $KHTTPD_OUT that the host counts, and a summary line at the end.

KHTTPD_RESULTS=${KHTTPD_OUT:-/tmp}/results.txt
: > "$KHTTPD_RESULTS"
T_PASS=0
T_FAIL=0

# Builtins only on the hot path: every fork + exec costs real time in the
# debug kernel under TCG, and a suite records hundreds of results.
result() {
	echo "$1"
	echo "$1" >> "$KHTTPD_RESULTS"
}

pass() {
	T_PASS=$((T_PASS + 1))
	result "ok - $1"
}

fail() {
	T_FAIL=$((T_FAIL + 1))
	result "not ok - $1${2:+: $2}"
}

# check NAME CMD...: passes if CMD succeeds.
check() {
	local name=$1
	shift
	local out
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected '$2', got '$3'"
	fi
}

# expect_fail_with NAME ERRTEXT CMD...: CMD must fail and say ERRTEXT.
expect_fail_with() {
	local name=$1 want=$2
	shift 2
	local out
	if out=$("$@" 2>&1); then
		fail "$name" "succeeded, expected failure '$want'"
	elif [[ $out == *"$want"* ]]; then
		pass "$name"
	else
		fail "$name" "failed with '$out', expected '$want'"
	fi
}

# run_sections FUNC...: runs each test function in turn, printing when it
# starts and how long it took (to stdout only), so a slow or stuck run
# shows where its time went.
T_START=$EPOCHSECONDS
run_sections() {
	# Odd names: the test functions' own loop variables are not local.
	local _section _section_t0
	for _section in "$@"; do
		_section_t0=$EPOCHSECONDS
		echo "# $_section: start at $((_section_t0 - T_START))s"
		"$_section"
		echo "# $_section: took $((EPOCHSECONDS - _section_t0))s"
	done
}

# bash_http WHAT HOST[:PORT] PATH [HEADER...]: one GET over bash's /dev/tcp
# with Connection: close, so no process is started (curl costs ~5 s of
# page faults per run in the debug kernel; this costs nothing). PATH goes
# out as written. WHAT: "status" prints the status code (000 if there is
# no answer), "type" the Content-Type ("" if none), "server" the first
# word of the Server header, "body" the body (text only). For anything
# curl-specific, use curl.
bash_http() {
	local what=$1 hostport=$2 path=$3 fd line code='' ctype='' server='' hdr body=''
	shift 3
	[[ $hostport == *:* ]] || hostport=$hostport:80
	if ! exec {fd}<>"/dev/tcp/${hostport%:*}/${hostport##*:}"; then
		[ "$what" = status ] && echo 000
		return 1
	fi 2> /dev/null
	{
		printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n' "$path" "${hostport%:*}"
		for hdr in "$@"; do printf '%s\r\n' "$hdr"; done
		printf '\r\n'
	} >&"$fd" 2> /dev/null
	if IFS=' ' read -r -t 60 _ code _ <&"$fd"; then
		code=${code%$'\r'}
		while IFS= read -r -t 60 line <&"$fd"; do
			line=${line%$'\r'}
			[ -z "$line" ] && break
			case ${line,,} in
			content-type:*) ctype=${line#*:}; ctype=${ctype# } ;;
			server:*) server=${line#*:}; server=${server# }; server=${server%%[/ ]*} ;;
			esac
		done
		[ "$what" = body ] && IFS= read -r -d '' -t 60 body <&"$fd"
	fi
	exec {fd}>&-
	case $what in
	status) echo "${code:-000}" ;;
	type) echo "$ctype" ;;
	server) echo "$server" ;;
	body) printf '%s' "$body" ;;
	esac
}

# status PATH [-H HEADER | -r RANGE]...: HTTP status of a GET of $URL/PATH,
# sent by bash itself (bash_http); any other curl option goes to curl.
status() {
	local path=$1 args=("$@") hdrs=()
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		-H) hdrs+=("$2") ;;
		-r) hdrs+=("Range: bytes=$2") ;;
		*) curl -s -o /dev/null -w '%{http_code}' --path-as-is "${args[@]:1}" "$URL$path"
		   return ;;
		esac
		shift 2
	done
	bash_http status "${URL#http://}" "$path" "${hdrs[@]}"
}

# get PATH: the body of a GET of $URL/PATH (text), sent by bash itself.
get() {
	bash_http body "${URL#http://}" "$1"
}

summary() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
