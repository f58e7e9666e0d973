# SPDX-License-Identifier: GPL-2.0
# Helpers for guest-side test scripts: TAP-like lines on stdout, a results
# file in $KHTTPD_OUT that the host counts, and a summary line at the end.

KHTTPD_RESULTS=${KHTTPD_OUT:-/tmp}/results.txt
: > "$KHTTPD_RESULTS"
T_PASS=0
T_FAIL=0

pass() {
	T_PASS=$((T_PASS + 1))
	echo "ok - $1" | tee -a "$KHTTPD_RESULTS"
}

fail() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok - $1${2:+: $2}" | tee -a "$KHTTPD_RESULTS"
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
	elif echo "$out" | grep -q -- "$want"; then
		pass "$name"
	else
		fail "$name" "failed with '$out', expected '$want'"
	fi
}

summary() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
