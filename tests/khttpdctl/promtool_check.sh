#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# promtool_check.sh PROMTOOL KHTTPDCTL PROC_DIR: Prometheus' own linter
# on `khttpdctl metrics` of a recorded tree; any complaint fails.
set -eu
out=$("$2" --proc "$3" metrics | "$1" check metrics 2>&1) || { echo "$out"; exit 1; }
[ -z "$out" ] || { echo "$out"; exit 1; }
