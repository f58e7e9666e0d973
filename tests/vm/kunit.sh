#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side: load the KUnit module, which runs its suites at load time,
# and turn the KTAP it prints into results lines.
# Usage (inside the debug VM): kunit.sh /path/to/khttpd_kunit.ko
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
KO=${1:?usage: kunit.sh KHTTPD_KUNIT_KO}

dmesg -C
check "insmod khttpd_kunit.ko" insmod "$KO"
dmesg > /tmp/kunit.log
cat /tmp/kunit.log
# Test cases are the indented "ok N name" / "not ok N name" lines; the
# unindented ones are whole suites.
cases=0
while IFS= read -r line; do
	name=$(echo "$line" | sed -E 's/.*ok [0-9]+ ([^ #]+).*/\1/')
	case $line in
	*"not ok "*) fail "kunit $name" ;;
	*" # SKIP"*) ;;
	*) pass "kunit $name" ;;
	esac
	cases=$((cases + 1))
done < <(grep -E '^\[[^]]*\] +(not )?ok [0-9]+ ' /tmp/kunit.log | sed -E 's/^\[[^]]*\]//' | grep -E '^ {4,}(not )?ok ')
[ "$cases" -gt 0 ] || fail "kunit printed test cases" "no KTAP case lines in dmesg"
check "rmmod khttpd_kunit" rmmod khttpd_kunit
summary
