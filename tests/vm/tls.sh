#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest-side test of HTTPS (docs/tls.md): khttpd.ko on ports 80 and 443
# (tls_port), khttpd-fallbackd doing the handshakes with certificates of a
# test CA made here, giving connections back with kernel TLS on
# (KHTTPD_IOC_ADOPT), relaying dynamic requests to Apache (plaintext, a vhost
# that sets HTTPS=on). Checks that static files come from the kernel over
# TLS (0 B to 100 MiB by sha256, ranges, conditionals, HEAD, keep-alive and
# pipelining), that static, dynamic and static again work on one TLS
# connection, SNI, TLS 1.2 and 1.3 alone, hostile handshakes, and rmmod and
# kill -9 of the daemon with TLS connections open.
# Usage (inside the test VM): tls.sh KHTTPD_KO KHTTPD_FALLBACKD MODS_DIR
#   MODS_DIR: tls.ko and its ciphers (tools/vm/tls-mods.sh)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/tls_pki.sh"

KO=${1:?usage: tls.sh KHTTPD_KO KHTTPD_FALLBACKD MODS_DIR}
DAEMON=${2:?usage: tls.sh KHTTPD_KO KHTTPD_FALLBACKD MODS_DIR}
MODS=${3:?usage: tls.sh KHTTPD_KO KHTTPD_FALLBACKD MODS_DIR}
SYS=/proc/sys/net/khttpd
WWW=/tmp/www
A=/tmp/apache
PKI=/tmp/pki
DLOG=/tmp/fallbackd.log
DPID=
BIG=100
[ "${KHTTPD_KERNEL:-}" = debug ] && BIG=16

stat_of() { sed -n "s/^$1 //p" /proc/net/khttpd/status; }
# fails CMD...: CMD fails (a function of this script is fine).
fails() { ! "$@"; }

# tcurl ARGS...: curl over HTTPS to the test names, trusting the test CA.
tcurl() {
	curl -sS --cacert $PKI/ca.pem --resolve a.test:443:127.0.0.1 \
		--resolve b.test:443:127.0.0.1 --max-time 120 "$@"
}

make_site() {
	mkdir -p "$WWW" "$A/cgi-bin"
	: > "$WWW/empty.txt"
	printf x > "$WWW/one.txt"
	echo 'hello over tls' > "$WWW/hello.txt"
	head -c 1048576 /dev/urandom > "$WWW/1m.bin"
	head -c $((BIG << 20)) /dev/urandom > "$WWW/big.bin"
	cat > "$A/cgi-bin/env.cgi" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
echo "HTTPS=$HTTPS"
EOF
	cat > "$A/cgi-bin/sum.cgi" <<'EOF'
#!/bin/sh
f=$(mktemp)
cat > "$f"
printf 'Content-Type: text/plain\r\n\r\n'
echo "$(stat -c %s "$f") $(sha256sum < "$f" | cut -d' ' -f1)"
rm -f "$f"
EOF
	chmod 755 "$A" "$A/cgi-bin" "$A/cgi-bin/"*.cgi
	chmod -R a+rX "$WWW"
	head -c 3000000 /dev/urandom > /tmp/upload.bin
}

wait_registered() {
	local want=$1
	for _ in $(seq 100); do
		[ "$(dmesg | grep -c 'hand-over daemon registered')" -ge "$want" ] && return 0
		sleep 0.1
	done
	return 1
}

start_daemon() {
	"$DAEMON" --tls-cert $PKI/a.pem --tls-key $PKI/a.key \
		--tls-cert $PKI/b.pem --tls-key $PKI/b.key \
		--tls-backend 127.0.0.1:8443 >> "$DLOG" 2>&1 &
	DPID=$!
}

test_setup() {
	check "test CA and two certificates" make_pki $PKI
	make_site
	local m
	while read -r m; do insmod "$MODS/$m" || echo "insmod $m failed"; done < "$MODS/order"
	check "kernel TLS is there (tls.ko, or built in)" test -e /proc/net/tls_stat
	check "insmod" insmod "$KO"
	expect_eq "tls_port defaults to 0 (off)" 0 "$(cat $SYS/tls_port)"
	local v
	for v in -1 65536 https; do
		expect_fail_with "tls_port rejects '$v'" "Invalid argument" \
			bash -c "printf '%s\n' '$v' > $SYS/tls_port"
	done
	expect_eq "tls_port unchanged" 0 "$(cat $SYS/tls_port)"
	echo "$WWW" > $SYS/documentroot
	echo 80 > $SYS/tls_port
	expect_fail_with "start refuses tls_port = serverport" "Invalid argument" \
		bash -c "echo 1 > $SYS/start"
	echo 443 > $SYS/tls_port
	check "start with tls_port 443" bash -c "echo 1 > $SYS/start"
	check "Apache: 8080 plain, 8443 for TLS-originated requests (HTTPS=on)" \
		"$HERE/../../tools/apache/run-backend.sh" start "$A" "$WWW" "$A/cgi-bin" 8080 8443
}

test_no_daemon() {
	local r0
	r0=$(stat_of tls_refused)
	check "no daemon: the handshake fails" fails tcurl -o /dev/null https://a.test/hello.txt
	check "no daemon: refused handshakes counted" test "$(stat_of tls_refused)" -gt "$r0"
	expect_eq "plain HTTP on the TLS port: 400" 400 \
		"$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:443/hello.txt)"
	check "plain HTTP on the TLS port: says why" \
		bash -c "curl -s http://127.0.0.1:443/ | grep -q 'plain HTTP request was sent to HTTPS port'"
	check "plain HTTP on the TLS port: counted" test "$(stat_of tls_plain_http)" -ge 2
	expect_eq "port 80 still plain HTTP" "hello over tls" "$(curl -s http://127.0.0.1/hello.txt)"
}

test_daemon_up() {
	start_daemon
	check "daemon registers" wait_registered 1
}

# sha_of URL: sha256 of the body.
sha_of() { tcurl "$1" | sha256sum | cut -d' ' -f1; }

test_static() {
	local a0 r0 f
	a0=$(stat_of tls_adopted)
	r0=$(stat_of requests)
	expect_eq "GET over TLS" "hello over tls" "$(tcurl https://a.test/hello.txt)"
	check "the connection was given back to the kernel (tls_adopted)" \
		test "$(stat_of tls_adopted)" -gt "$a0"
	check "... and the kernel answered it (requests)" test "$(stat_of requests)" -gt "$r0"
	for f in empty.txt one.txt 1m.bin big.bin; do
		expect_eq "$f by sha256 over TLS" "$(sha256sum < "$WWW/$f" | cut -d' ' -f1)" \
			"$(sha_of "https://a.test/$f")"
	done
	expect_eq "range over TLS" "$(head -c 200 "$WWW/1m.bin" | tail -c 100 | sha256sum)" \
		"$(tcurl -r 100-199 https://a.test/1m.bin | sha256sum)"
	expect_eq "range over TLS: 206" 206 \
		"$(tcurl -o /dev/null -w '%{http_code}' -r 0-9 https://a.test/1m.bin)"
	local etag
	etag=$(tcurl -sI https://a.test/hello.txt | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
	expect_eq "If-None-Match over TLS: 304" 304 \
		"$(tcurl -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" https://a.test/hello.txt)"
	expect_eq "HEAD over TLS: Content-Length" 1048576 \
		"$(tcurl -sI https://a.test/1m.bin | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ll]ength: //p')"
	expect_eq "ALPN: http/1.1" "HTTP/1.1" \
		"$(tcurl -o /dev/null -w '%{http_version}' --http1.1 https://a.test/one.txt | sed 's/^1.1$/HTTP\/1.1/')"
}

test_keepalive() {
	local a0 n out
	a0=$(stat_of tls_adopted)
	out=$(tcurl -v https://a.test/one.txt https://a.test/hello.txt https://a.test/one.txt 2>&1)
	n=$(grep -c 'Re-using existing connection\|Reusing existing' <<< "$out")
	expect_eq "keep-alive: three requests on one TLS connection" 2 "$n"
	expect_eq "keep-alive: one adoption for them" $((a0 + 1)) "$(stat_of tls_adopted)"
	# Pipelining: two requests in one write, two answers in order.
	out=$( { printf 'GET /one.txt HTTP/1.1\r\nHost: a.test\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n'; sleep 3; } |
		timeout 20 openssl s_client -quiet -connect 127.0.0.1:443 -servername a.test \
			-CAfile $PKI/ca.pem 2> /dev/null | tr -d '\r')
	# (one.txt's body is one byte without a newline: count, not lines)
	expect_eq "pipelining: two 200s" 2 "$(grep -o 'HTTP/1.1 200' <<< "$out" | wc -l)"
	check "pipelining: second body" grep -q 'hello over tls' <<< "$out"
}

test_mixed() {
	local out want m0
	want="3000000 $(sha256sum < /tmp/upload.bin | cut -d' ' -f1)"
	out=$(tcurl -v https://a.test/hello.txt \
		--next --cacert $PKI/ca.pem --resolve a.test:443:127.0.0.1 \
		--data-binary @/tmp/upload.bin https://a.test/cgi-bin/sum.cgi \
		--next --cacert $PKI/ca.pem --resolve a.test:443:127.0.0.1 \
		https://a.test/cgi-bin/env.cgi \
		--next --cacert $PKI/ca.pem --resolve a.test:443:127.0.0.1 \
		https://a.test/hello.txt 2> /tmp/mixed.err)
	check "static, POST 3 MB to CGI, CGI, static on one connection: static" \
		test "$(grep -c 'hello over tls' <<< "$out")" = 2
	check "... the CGI read the whole body" grep -q "$want" <<< "$out"
	check "... Apache knew it was HTTPS (HTTPS=on)" grep -q 'HTTPS=on' <<< "$out"
	expect_eq "... on one TLS connection" 3 \
		"$(grep -c 'Re-using existing connection\|Reusing existing' /tmp/mixed.err)"
	# The POST went back to the daemon (method); the rest of the
	# connection was the daemon's relay.
	check "the adopted connection went back to the daemon (handover_method)" \
		test "$(stat_of handover_method)" -gt 0
}

# tls_rx: TlsRxSw, the sockets that got receive-side kernel TLS so far.
tls_rx() { awk '$1 == "TlsRxSw" {print $2}' /proc/net/tls_stat; }
# rx_later CASE: tls_rx_later.py's answers ("STATUS SHA256" lines).
rx_later() { timeout 60 python3 "$HERE/tls_rx_later.py" 127.0.0.1 443 $PKI/ca.pem "$1" 2>&1; }

# KHTTPD_IOC_ADOPT_RX_LATER: a TLS 1.3 request that came with the client's
# Finished is read by the daemon, and the kernel sets receive-side kernel
# TLS only when it needs more (the second request, the rest of a head, a
# hand-over back to the daemon).
test_rx_later() {
	local a0 x0 ok cgi
	ok="200 $(sha256sum < "$WWW/hello.txt" | cut -d' ' -f1)"
	cgi="200 $(printf 'HTTPS=on\n' | sha256sum | cut -d' ' -f1)"
	a0=$(stat_of tls_adopted)
	x0=$(tls_rx)
	expect_eq "rx later: Connection: close request with the Finished: answered" "$ok" \
		"$(rx_later close)"
	expect_eq "... by the kernel (tls_adopted)" $((a0 + 1)) "$(stat_of tls_adopted)"
	expect_eq "... without receive-side kernel TLS ever (TlsRxSw)" "$x0" "$(tls_rx)"
	expect_eq "rx later: keep-alive, the 2nd and 3rd request through kernel TLS set then" \
		"$ok"$'\n'"$ok"$'\n'"$ok" "$(rx_later keepalive)"
	expect_eq "... receive side set once (TlsRxSw)" $((x0 + 1)) "$(tls_rx)"
	expect_eq "rx later: two requests in two records with the Finished" \
		"$ok"$'\n'"$ok" "$(rx_later records)"
	expect_eq "rx later: a head split over two records, the second 0.5 s later" "$ok" \
		"$(rx_later split)"
	x0=$(tls_rx)
	expect_eq "rx later: the request's record in two parts, 0.5 s apart" "$ok" \
		"$(rx_later partial)"
	expect_eq "... still by the kernel, without receive-side kernel TLS" "$x0" "$(tls_rx)"
	expect_eq "rx later: the request after the handshake (receive side set at once)" "$ok" \
		"$(rx_later late)"
	expect_eq "... TlsRxSw" $((x0 + 1)) "$(tls_rx)"
	expect_eq "rx later: a CGI request first (back to the daemon), then static" \
		"$cgi"$'\n'"$ok" "$(rx_later cgi)"
	expect_eq "rx later: adopted, all seven" $((a0 + 7)) "$(stat_of tls_adopted)"
}

# subject_of NAME: the certificate subject the server sends for SNI NAME.
subject_of() {
	echo | timeout 20 openssl s_client -connect 127.0.0.1:443 -servername "$1" 2> /dev/null |
		openssl x509 -noout -subject 2> /dev/null | sed 's/.*CN *= *//'
}

test_sni_versions() {
	expect_eq "SNI a.test: a.test's certificate" a.test "$(subject_of a.test)"
	expect_eq "SNI b.test: b.test's certificate" b.test "$(subject_of b.test)"
	expect_eq "SNI b.test: served" "hello over tls" "$(tcurl https://b.test/hello.txt)"
	local v a0
	for v in 1_2 1_3; do
		a0=$(stat_of tls_adopted)
		out=$( { printf 'GET /hello.txt HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n'; sleep 3; } |
			timeout 20 openssl s_client -quiet -tls$v -connect 127.0.0.1:443 \
				-servername a.test -CAfile $PKI/ca.pem 2> /dev/null | tr -d '\r')
		check "TLS ${v/_/.} only: 200 and the body" grep -q 'hello over tls' <<< "$out"
		echo "# TLS ${v/_/.}: tls_adopted $a0 -> $(stat_of tls_adopted)"
	done
	check "TLS 1.1 refused" bash -c "! echo | timeout 20 openssl s_client -tls1_1 -connect 127.0.0.1:443 -servername a.test > /dev/null 2>&1"
}

# sclient ARGS...: openssl s_client to a.test on 443 trusting the test CA,
# stdin from the caller.
sclient() {
	timeout 20 openssl s_client -connect 127.0.0.1:443 -servername a.test \
		-CAfile $PKI/ca.pem "$@" 2>&1 | tr -d '\r'
}

# Session resumption, by ticket and by the server's session cache (TLS 1.2
# session IDs, TLS 1.3 stateful tickets), for each version; then resumed as
# testssl.sh does, with no request and stdin at EOF at once.
test_resumption() {
	local v how opt out a0
	for v in 1_2 1_3; do
		for how in ticket id; do
			opt=
			[ $how = id ] && opt=-no_ticket
			rm -f /tmp/sess
			# (stdin open for a second: a TLS 1.3 ticket comes after
			# the handshake, and s_client stops reading at stdin's EOF)
			out=$(sleep 1 | sclient -tls$v $opt -sess_out /tmp/sess)
			echo "# TLS ${v/_/.} by $how, first: $(grep -E '^(New|Reused)|^Verify return code' <<< "$out" | tr '\n' ' ')"
			check "TLS ${v/_/.} resumption by $how: the first connection leaves a session" \
				test -s /tmp/sess
			a0=$(stat_of tls_adopted)
			out=$( { printf 'GET /hello.txt HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n'; sleep 3; } |
				sclient -tls$v $opt -sess_in /tmp/sess)
			check "TLS ${v/_/.} resumption by $how: resumed" grep -q '^Reused' <<< "$out"
			check "TLS ${v/_/.} resumption by $how: served" grep -q 'hello over tls' <<< "$out"
			check "TLS ${v/_/.} resumption by $how: adopted" test "$(stat_of tls_adopted)" -gt "$a0"
			# As testssl.sh resumes: no request, stdin at EOF. The
			# client's close_notify must get a clean close, not a reset.
			timeout 20 openssl s_client -connect 127.0.0.1:443 -servername a.test \
				-CAfile $PKI/ca.pem -tls$v $opt -sess_in /tmp/sess < /dev/null \
				> /tmp/sess.out 2>&1
			expect_eq "TLS ${v/_/.} resumption by $how, no request: s_client exits 0" 0 "$?"
			check "TLS ${v/_/.} resumption by $how, no request: resumed" grep -q '^Reused' /tmp/sess.out
		done
	done
}

# serial_of NAME: the serial of the certificate the server sends for SNI NAME.
serial_of() {
	echo | timeout 20 openssl s_client -connect 127.0.0.1:443 -servername "$1" 2> /dev/null |
		openssl x509 -noout -serial 2> /dev/null
}

# A renewed certificate, as certbot's deploy hook hands it over (`systemctl
# reload khttpd-fallbackd` sends SIGHUP): new handshakes get it, a
# connection the kernel already serves goes on, and a broken file leaves
# the daemon serving what it had.
# wait_log PATTERN N: until the daemon's log has N lines with PATTERN (10 s).
wait_log() {
	for _ in $(seq 50); do
		[ "$(grep -c "$1" "$DLOG")" -ge "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

test_reload_certs() {
	local old new pid
	old=$(serial_of a.test)
	check "a.test's certificate has a serial" test -n "$old"
	tcurl --limit-rate 256K -o /tmp/across.bin https://a.test/1m.bin &
	pid=$!
	sleep 1
	(
		cd $PKI || exit 1
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout a2.key -out a2.csr -subj /CN=a.test &&
		openssl x509 -req -in a2.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-days 2 -extfile a.ext -out a2.pem
	) >> $PKI/pki.log 2>&1
	cp $PKI/a.pem $PKI/a1.pem
	cp $PKI/a.key $PKI/a1.key
	cp $PKI/a2.key $PKI/a.key
	cp $PKI/a2.pem $PKI/a.pem
	kill -HUP "$DPID"
	check "SIGHUP: the reload is logged" wait_log 'SIGHUP: TLS reloaded' 1
	new=$(serial_of a.test)
	check "SIGHUP: new handshakes get the renewed certificate" \
		test -n "$new" -a "$new" != "$old"
	expect_eq "SIGHUP: the renewed certificate verifies, and serves" "hello over tls" \
		"$(tcurl https://a.test/hello.txt)"
	expect_eq "SIGHUP: b.test keeps its certificate" b.test "$(subject_of b.test)"
	wait "$pid"
	expect_eq "SIGHUP: a download adopted before it completes" \
		"$(sha256sum < "$WWW/1m.bin" | cut -d' ' -f1)" \
		"$(sha256sum < /tmp/across.bin | cut -d' ' -f1)"
	rm -f /tmp/across.bin
	echo 'not a certificate' > $PKI/a.pem
	kill -HUP "$DPID"
	check "SIGHUP with a broken certificate: the failure is logged" \
		wait_log 'SIGHUP: TLS reload failed' 1
	check "SIGHUP with a broken certificate: the daemon lives" kill -0 "$DPID"
	expect_eq "SIGHUP with a broken certificate: the last good one is still served" \
		"$new" "$(serial_of a.test)"
	expect_eq "SIGHUP with a broken certificate: still serving" "hello over tls" \
		"$(tcurl https://a.test/hello.txt)"
	# The original pair back, for the sections after this one.
	cp $PKI/a1.key $PKI/a.key
	cp $PKI/a1.pem $PKI/a.pem
	kill -HUP "$DPID"
	check "SIGHUP: reloaded again" wait_log 'SIGHUP: TLS reloaded' 2
	expect_eq "SIGHUP: the original certificate back" "$old" "$(serial_of a.test)"
}

fds_of_daemon() { ls /proc/$DPID/fd | wc -l; }

conns_settle() {
	for _ in $(seq 100); do
		[ "$(stat_of connections_active)" = 0 ] && return 0
		sleep 0.2
	done
	return 1
}

test_hostile() {
	local fd0 kind
	conns_settle
	fd0=$(fds_of_daemon)
	for kind in garbage truncated vanish; do
		check "hostile handshakes: $kind x 20" \
			python3 "$HERE/tls_hostile.py" 127.0.0.1 443 $kind 20
	done
	check "hostile handshakes: the daemon is still up" kill -0 "$DPID"
	check "hostile handshakes: no connection left in the kernel" conns_settle
	local fd1=
	for _ in $(seq 100); do
		fd1=$(fds_of_daemon)
		[ "$fd1" -le "$fd0" ] && break
		sleep 0.2
	done
	expect_eq "hostile handshakes: the daemon's descriptors back to $fd0" "$fd0" "$fd1"
	expect_eq "still served after them" "hello over tls" "$(tcurl https://a.test/hello.txt)"
}

test_kill_daemon() {
	local pid
	# An adopted connection in the middle of a slow download.
	tcurl --limit-rate 2M -o /tmp/slow.bin https://a.test/big.bin &
	pid=$!
	sleep 3
	kill -9 "$DPID"
	wait "$DPID" 2> /dev/null
	wait "$pid"
	expect_eq "daemon kill -9: the adopted download completes from the kernel" \
		"$(sha256sum < "$WWW/big.bin" | cut -d' ' -f1)" \
		"$(sha256sum < /tmp/slow.bin | cut -d' ' -f1)"
	check "daemon gone: new handshakes refused" fails tcurl -o /dev/null https://a.test/hello.txt
	start_daemon
	check "daemon back" wait_registered 2
	expect_eq "served again" "hello over tls" "$(tcurl https://a.test/hello.txt)"
}

test_rmmod() {
	local pid
	tcurl --limit-rate 1M -o /dev/null https://a.test/big.bin &
	pid=$!
	sleep 3
	check "rmmod with a TLS download open" rmmod khttpd
	wait "$pid"
	check "the download was cut (not hung)" true
	kill "$DPID" 2> /dev/null
	wait "$DPID" 2> /dev/null
	"$HERE/../../tools/apache/run-backend.sh" stop "$A" > /dev/null 2>&1
	check "no socket left on 443" bash -c "! ss -Htln 'sport = :443' | grep -q ."
}

run_sections test_setup test_no_daemon test_daemon_up test_static test_keepalive \
	test_rx_later test_mixed test_sni_versions test_resumption test_reload_certs test_hostile test_kill_daemon \
	test_rmmod
echo "# daemon log (tail):"
tail -n 30 "$DLOG" | sed 's/^/#   /'
summary
