# SPDX-License-Identifier: GPL-2.0
# Guest-side test of /proc/sys/net/khttpd/mimetypes: replacing the MIME
# table at run time. Sourced by integration.sh, which calls test_mime_reload
# with the module loaded, documentroot = $WWW and the helpers of lib.sh;
# uses $SYS, $URL and $WWW. Starts the server if it is not running and
# leaves it as it found it, with the built-in table.

# mime_set VALUE: writes VALUE to mimetypes, reporting the error.
mime_set() {
	printf '%s\n' "$1" > "$SYS/mimetypes"
}

# mime_type PATH: the Content-Type of a GET of PATH ("" if none), sent by
# bash itself (lib.sh's bash_http).
mime_type() {
	bash_http type "${URL#http://}" "$1"
}

# mime_expect WHAT PATH TYPE...: each PATH=TYPE pair must match. TYPE
# "unknown": the table has no type for it, so (no daemon registered) the
# kernel fails closed with 503 rather than guess.
mime_expect() {
	local what=$1 pair
	shift
	for pair in "$@"; do
		if [ "${pair#*=}" = unknown ]; then
			expect_eq "$what: ${pair%%=*} unknown (503)" 503 "$(status "${pair%%=*}")"
		else
			expect_eq "$what: ${pair%%=*}" "${pair#*=}" "$(mime_type "${pair%%=*}")"
		fi
	done
}

test_mime_reload() {
	local dir=$WWW/mimetest tmp=/tmp/khttpd-mime was_running i
	mkdir -p "$dir" "$tmp"
	echo '<p>page</p>' > "$dir/a.html"
	echo 'body {}' > "$dir/b.css"
	echo 'custom' > "$dir/c.kht"
	echo '{}' > "$dir/d.JSON"
	echo 'plain' > "$dir/e.txt"
	chmod -R a+rX "$dir"

	check "sysctl mimetypes exists" test -f "$SYS/mimetypes"
	expect_eq "mimetypes defaults to the built-in table" "" "$(cat "$SYS/mimetypes")"
	was_running=$(cat "$SYS/start")
	[ "$was_running" = 1 ] || check "start for the MIME tests" sh -c "echo 1 > $SYS/start"

	mime_expect "built-in" /mimetest/a.html=text/html /mimetest/b.css=text/css \
		/mimetest/d.JSON=application/json /mimetest/e.txt=text/plain \
		/mimetest/c.kht=unknown

	# A custom table, loaded while the server runs. It replaces the
	# built-in table as a whole: css is unknown in it.
	cat > "$tmp/custom.types" <<-'EOF'
	# khttpd test table
	text/x-khttpd-test	kht
	text/html		html htm
	application/json	json
	text/plain		txt html	# a later line overrides: html is text/plain

	application/x-no-extension
	EOF
	check "load a custom mime.types while serving" mime_set "$tmp/custom.types"
	expect_eq "still running after the load" 1 "$(cat "$SYS/start")"
	expect_eq "mimetypes shows the loaded file" "$tmp/custom.types" "$(cat "$SYS/mimetypes")"
	mime_expect "custom" /mimetest/c.kht=text/x-khttpd-test /mimetest/a.html=text/plain \
		/mimetest/d.JSON=application/json /mimetest/e.txt=text/plain \
		/mimetest/b.css=unknown
	expect_eq "custom: HEAD has the type too" "text/x-khttpd-test" \
		"$(curl -s -I -o /dev/null -w '%{content_type}' "$URL/mimetest/c.kht")"
	check "dmesg reports the loaded table" sh -c "dmesg | grep -q 'mimetypes: 5 extensions from $tmp/custom.types'"

	# Malformed files are refused (EINVAL), naming the line, and the
	# table in use stays.
	printf 'text/html html\n\nSet-Cookie: a=b html\n' > "$tmp/bad.types"
	expect_fail_with "a malformed mime.types is refused" "Invalid argument" mime_set "$tmp/bad.types"
	check "dmesg names the bad line" sh -c "dmesg | grep -q '$tmp/bad.types: line 3 '"
	printf 'text/html\r\nX-Injected: 1 html\n' > "$tmp/crlf.types"
	expect_fail_with "CR in a type is refused" "Invalid argument" mime_set "$tmp/crlf.types"
	printf 'text/html;charset=utf-8 html\n' > "$tmp/param.types"
	expect_fail_with "parameters in a type are refused" "Invalid argument" mime_set "$tmp/param.types"
	printf 'text/html .html\n' > "$tmp/dot.types"
	expect_fail_with "an extension with a leading dot is refused" "Invalid argument" mime_set "$tmp/dot.types"
	printf 'text/html html\000\n' > "$tmp/nul.types"
	expect_fail_with "NUL in the file is refused" "Invalid argument" mime_set "$tmp/nul.types"
	expect_eq "mimetypes unchanged by refused files" "$tmp/custom.types" "$(cat "$SYS/mimetypes")"
	mime_expect "table unchanged by refused files" /mimetest/c.kht=text/x-khttpd-test \
		/mimetest/a.html=text/plain
	check "no injected header" sh -c "! curl -s -I $URL/mimetest/a.html | grep -qi x-injected"

	# Files that cannot be read.
	expect_fail_with "a missing file fails with ENOENT" "No such file or directory" \
		mime_set "$tmp/missing.types"
	expect_fail_with "a directory fails with EISDIR" "Is a directory" mime_set "$tmp"
	expect_fail_with "a relative path is refused" "Invalid argument" mime_set "custom.types"
	{ echo '# over 1 MiB'; head -c 1100000 /dev/zero | tr '\0' '#'; } > "$tmp/big.types"
	expect_fail_with "a file over 1 MiB fails with EFBIG" "File too large" mime_set "$tmp/big.types"
	expect_fail_with "an overlong path is refused" "Invalid argument" \
		mime_set "/$(head -c 1100 /dev/zero | tr '\0' a)"
	mkfifo "$tmp/fifo.types"
	expect_fail_with "a FIFO is refused without blocking" "Invalid argument" \
		timeout 20 bash -c "printf '%s\\n' $tmp/fifo.types > $SYS/mimetypes"
	expect_eq "mimetypes unchanged by failed loads" "$tmp/custom.types" "$(cat "$SYS/mimetypes")"
	mime_expect "table unchanged by failed loads" /mimetest/c.kht=text/x-khttpd-test

	# An empty file is a table without entries: every type is unknown.
	: > "$tmp/empty.types"
	check "an empty mime.types loads" mime_set "$tmp/empty.types"
	mime_expect "empty table" /mimetest/a.html=unknown \
		/mimetest/c.kht=unknown

	# The system's own table, if there is one.
	if [ -f /etc/mime.types ]; then
		check "load /etc/mime.types" mime_set /etc/mime.types
		mime_expect "/etc/mime.types" /mimetest/a.html=text/html /mimetest/b.css=text/css \
			/mimetest/d.JSON=application/json /mimetest/c.kht=unknown
	fi

	# Reloads racing with requests: every answer has one of the two types.
	local bad=0 got=0 pid t
	: > "$tmp/racing"
	(
		n=0
		while [ -e "$tmp/racing" ] && [ "$n" -lt 200 ]; do
			mime_set "$tmp/custom.types" && mime_set "" && n=$((n + 1))
		done
		echo "$n" > "$tmp/reloads"
	) &
	pid=$!
	# One curl: 100 requests on a keep-alive connection.
	for t in $(curl -s -w '%{content_type}\n' \
		$(for i in $(seq 1 100); do echo "-o /dev/null $URL/mimetest/a.html"; done)); do
		got=$((got + 1))
		[ "$t" = text/html ] || [ "$t" = text/plain ] || bad=$((bad + 1))
	done
	rm -f "$tmp/racing"
	wait "$pid"
	expect_eq "100 requests during reloads, each with a whole table's type" "100 0" "$got $bad"
	check "reloads ran during the requests ($(cat "$tmp/reloads") pairs)" \
		test "$(cat "$tmp/reloads")" -gt 0

	# Back to the built-in table.
	check "load the custom table again" mime_set "$tmp/custom.types"
	check "\"\" goes back to the built-in table" mime_set ""
	expect_eq "mimetypes reads \"\" again" "" "$(cat "$SYS/mimetypes")"
	mime_expect "built-in again" /mimetest/a.html=text/html /mimetest/b.css=text/css \
		/mimetest/c.kht=unknown

	# Loading works while stopped too, and the table survives a restart.
	check "stop for the MIME tests" sh -c "echo 1 > $SYS/stop"
	check "load while stopped" mime_set "$tmp/custom.types"
	check "start again" sh -c "echo 1 > $SYS/start"
	mime_expect "table kept across stop/start" /mimetest/c.kht=text/x-khttpd-test
	check "back to built-in" mime_set ""

	[ "$was_running" = 1 ] || check "stop after the MIME tests" sh -c "echo 1 > $SYS/stop"
	rm -rf "$dir" "$tmp"
}
