# SPDX-License-Identifier: GPL-2.0
# Guest-side differential test: khttpd and nginx serve the same document
# root and must answer the same requests alike (tests/vm/nginx_compare.py
# says what is compared and what legitimately differs). Sourced by
# integration.sh, which calls test_compare_nginx with the module loaded and
# the helpers of lib.sh; uses $SYS, $WWW and $PORT. Serves $WWW/cmp with
# khttpd for the test (stop, documentroot, start) and nginx on
# 127.0.0.1:8090, then puts khttpd's documentroot and running state back
# as it found them. Needs no hand-over daemon registered: requests khttpd
# would hand over must get its own static answers here.
# KHTTPD_NGINX_PROBE=1 also prints both answers to the requests known to
# differ (not counted).

NGINX_COMPARE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NGINX_COMPARE_PORT=8090

# nginx_cmp_docroot DIR: the files nginx_compare.py asks for.
nginx_cmp_docroot() {
	local d=$1
	rm -rf "$d"
	mkdir -p "$d/sub/deeper" "$d/emptydir" "$d/v1.2" "$d/cgi-bin"
	: > "$d/empty.txt"
	printf 'x' > "$d/one.txt"
	head -c 1024 /dev/urandom > "$d/1k.bin"
	head -c 1048576 /dev/urandom > "$d/1m.bin"
	echo '<h1>compare index</h1>' > "$d/index.html"
	echo 'sub index' > "$d/sub/index.html"
	echo 'deeper index' > "$d/sub/deeper/index.html"
	echo 'body { color: red }' > "$d/style.css"
	echo '{"a": 1}' > "$d/data.json"
	echo 'no extension' > "$d/noext"
	echo 'upper case' > "$d/UPPER.CSS"
	echo 'dot in the directory' > "$d/v1.2/readme"
	echo 'unknown' > "$d/unknown.xyz"
	echo 'dots' > "$d/a..b.txt"
	echo 'not a script' > "$d/cgi-bin/x.txt"
	echo 'percent' > "$d/100%.txt"
	echo 'space' > "$d/a b.txt"
	echo 'plus' > "$d/a+b.txt"
	echo 'utf-8 name' > "$d/café.txt"
	echo 'hidden' > "$d/.hidden"
	seq 1 3000 > "$d/big.txt"
	gzip -9 -n -c "$d/big.txt" > "$d/big.txt.gz"
	cp "$d/big.txt.gz" "$d/archive.tar.gz"
	echo 'stale' > "$d/stale.txt"
	gzip -9 -n -c "$d/stale.txt" > "$d/stale.txt.gz"
	echo 'secret' > "$d/secret.txt"
	chmod -R a+rX "$d"
	chmod 600 "$d/secret.txt"
	# Fixed mtimes: ETags and Last-Modified are known and equal for both;
	# the .gz is one second newer than big.txt (fresh), stale.txt.gz
	# older than stale.txt.
	find "$d" -exec touch -h -d '2021-03-04 05:06:07 UTC' {} +
	touch -d '2021-03-04 05:06:08 UTC' "$d/big.txt.gz"
	touch -d '2021-03-04 05:06:06 UTC' "$d/stale.txt.gz"
}

# nginx_cmp_conf DIR ROOT: an nginx configuration serving ROOT on
# 127.0.0.1:$NGINX_COMPARE_PORT, all its files under DIR (the guest's /etc
# is read-only).
nginx_cmp_conf() {
	local n=$1 root=$2
	cat > "$n/nginx.conf" <<-EOF
	user www-data;
	worker_processes 1;
	pid $n/nginx.pid;
	error_log $n/error.log warn;
	events {
	    worker_connections 256;
	}
	http {
	    # khttpd's built-in table (src/core/mime.cpp) for the extensions
	    # used; nginx's own mime.types lacks gz.
	    types {
	        text/html html htm;
	        text/plain txt;
	        text/css css;
	        application/json json;
	        application/octet-stream bin;
	        application/gzip gz;
	    }
	    default_type application/octet-stream;
	    access_log off;
	    log_not_found off;
	    server_tokens off;
	    # Location "/sub/" as khttpd sends it, not "http://host:port/sub/".
	    absolute_redirect off;
	    # RFC 9110 section 13.1.3 (304 if not modified since the date);
	    # nginx's default "exact" wants the date to equal Last-Modified.
	    if_modified_since before;
	    gzip_static on;
	    gzip_vary on;
	    client_body_temp_path $n/body;
	    proxy_temp_path $n/proxy;
	    fastcgi_temp_path $n/fastcgi;
	    uwsgi_temp_path $n/uwsgi;
	    scgi_temp_path $n/scgi;
	    server {
	        listen 127.0.0.1:$NGINX_COMPARE_PORT;
	        server_name localhost;
	        root $root;
	        index index.html;
	    }
	}
	EOF
}

# nginx_cmp_wait_port PORT: true once something accepts on 127.0.0.1:PORT.
nginx_cmp_wait_port() {
	python3 - "$1" <<-'EOF'
	import socket, sys, time
	for _ in range(300):
	    try:
	        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).close()
	        sys.exit(0)
	    except OSError:
	        time.sleep(0.1)
	sys.exit(1)
	EOF
}

# nginx_cmp_stop DIR: stops the nginx whose pid file is in DIR; false if
# it had to be killed.
nginx_cmp_stop() {
	local n=$1 pid _
	[ -s "$n/nginx.pid" ] || return 0
	pid=$(cat "$n/nginx.pid")
	kill -QUIT "$pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "nginx $pid did not quit: killed"
	kill -KILL "$pid" 2>/dev/null
	return 1
}

test_compare_nginx() {
	local d=$WWW/cmp n=/tmp/khttpd-nginx-cmp was_running old_root rc line
	local oks=0 noks=0

	if [ ! -d "$SYS" ]; then
		fail "nginx comparison: khttpd is loaded"
		return
	fi
	if ! command -v nginx > /dev/null; then
		fail "nginx comparison: nginx is installed"
		return
	fi
	if [ "$(cat "$SYS/daemon_pid" 2>/dev/null || echo 0)" != 0 ]; then
		fail "nginx comparison: no hand-over daemon registered" "daemon_pid $(cat "$SYS/daemon_pid")"
		return
	fi
	nginx_cmp_docroot "$d"
	rm -rf "$n"
	mkdir -p "$n"
	nginx_cmp_conf "$n" "$d"
	if ! nginx -e "$n/error.log" -c "$n/nginx.conf"; then
		fail "nginx comparison: nginx starts" "$(tail -n 3 "$n/error.log" | tr '\n' ' ')"
		rm -rf "$d" "$n"
		return
	fi
	check "nginx comparison: nginx listens on $NGINX_COMPARE_PORT" \
		nginx_cmp_wait_port $NGINX_COMPARE_PORT

	# khttpd serves the same directory as its root.
	was_running=$(cat "$SYS/start")
	old_root=$(cat "$SYS/documentroot")
	printf '1\n' > "$SYS/stop"
	printf '%s\n' "$d" > "$SYS/documentroot"
	check "nginx comparison: khttpd starts on $d" sh -c "echo 1 > $SYS/start"

	# Streamed, so progress shows on the console as it goes.
	while IFS= read -r line; do
		case $line in
		"ok - "*)
			oks=$((oks + 1))
			pass "nginx cmp: ${line#ok - }" ;;
		"not ok - "*)
			noks=$((noks + 1))
			fail "nginx cmp: ${line#not ok - }" ;;
		?*)
			echo "# $line" ;;
		esac
	done < <(python3 -u "$NGINX_COMPARE_DIR/nginx_compare.py" --khttpd "127.0.0.1:$PORT" \
		--nginx "127.0.0.1:$NGINX_COMPARE_PORT" --root "$d" 2>&1)
	wait $! 2>/dev/null
	rc=$?
	if [ $((oks + noks)) -lt 100 ] || { [ "$rc" != 0 ] && [ "$noks" = 0 ]; } ||
		{ [ "$rc" = 0 ] && [ "$noks" != 0 ]; }; then
		fail "nginx comparison: nginx_compare.py ran" "exit $rc, $oks ok, $noks not ok"
	fi
	if [ "${KHTTPD_NGINX_PROBE:-0}" = 1 ]; then
		python3 "$NGINX_COMPARE_DIR/nginx_compare.py" --khttpd "127.0.0.1:$PORT" \
			--nginx "127.0.0.1:$NGINX_COMPARE_PORT" --root "$d" --probe 2>&1
	fi
	if [ "$noks" != 0 ] && [ -s "$n/error.log" ]; then
		echo "# nginx error.log:"
		sed 's/^/#   /' "$n/error.log" | tail -n 20
	fi

	check "nginx comparison: nginx stops" nginx_cmp_stop "$n"
	printf '1\n' > "$SYS/stop"
	printf '%s\n' "$old_root" > "$SYS/documentroot"
	[ "$was_running" = 1 ] && printf '1\n' > "$SYS/start"
	expect_eq "nginx comparison: khttpd's running state restored" "$was_running" "$(cat "$SYS/start")"
	expect_eq "nginx comparison: khttpd's documentroot restored" "$old_root" "$(cat "$SYS/documentroot")"
	rm -rf "$d" "$n"
}
