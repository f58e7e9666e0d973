#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side: load khttpd.ko built for a kernel with KUnit; KUnit runs the
# module's suites (src/kernel/*_test.c, sysctl/*_test.c) as it loads. The
# KTAP they print to dmesg becomes results lines, one per test case.
# Usage (inside the debug VM booted with run.sh --kunit): kunit.sh KHTTPD_KO
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
KO=${1:?usage: kunit.sh KHTTPD_KO}
# The suites khttpd.ko must carry: a missing one is a failure, not silence.
SUITES="khttpd_file_cache khttpd_mime_table khttpd_handover khttpd_sysctl khttpd_conn khttpd_limits khttpd_stats khttpd_access_log"

if [ "$(cat /sys/module/kunit/parameters/enable 2>/dev/null)" = N ]; then
	fail "KUnit enabled" "the kernel was booted with kunit.enable=0 (run.sh without --kunit)"
fi
echo "# $(getconf _NPROCESSORS_ONLN) CPUs online"
dmesg -C
check "insmod khttpd.ko (runs the KUnit suites)" insmod "$KO"
dmesg > /tmp/kunit.log
cat /tmp/kunit.log
# KTAP: a suite is "# Subtest: NAME" then its cases, indented by four
# spaces: "ok N name", "not ok N name", "ok N name # SKIP why"; then the
# suite's own unindented "ok N NAME".
cases=0
while IFS= read -r line; do
	name=${line#*ok }
	name=${name#* }
	name=${name%% *}
	case $line in
	*"not ok "*) fail "kunit $name" ;;
	*" # SKIP"*) result "skip - kunit $name:${line#*# SKIP}" ;;
	*) pass "kunit $name" ;;
	esac
	cases=$((cases + 1))
done < <(sed -nE 's/^\[[^]]*\]//; /^ {4,}(not )?ok [0-9]+ /p' /tmp/kunit.log)
[ "$cases" -gt 0 ] || fail "kunit printed test cases" "no KTAP case lines in dmesg"
for s in $SUITES; do
	grep -q "# Subtest: $s\$" /tmp/kunit.log || fail "kunit suite $s ran" "not in dmesg"
done
check "rmmod khttpd" rmmod khttpd
summary
