# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154 # sourced: here, out, servers, ko, rounds are guest.sh's
# The HTTPS leg of the benchmark (sourced by tools/bench/guest.sh, after
# servers.sh). https_leg PLACEMENT starts the three HTTPS servers on one test
# certificate (tests/vm/tls_pki.sh: a.test, ECDSA P-256), checks their bytes
# over TLS, records what each negotiates, runs the cells, stops them:
#   khttpd  tls_port HTTPS_PORT[khttpd]; khttpd-fallbackd does the handshakes
#           (--tls-cert/--tls-key) and gives the socket back with kernel TLS;
#           pinned, the daemon runs on vCPU 0 beside the worker, and its CPU
#           time counts as khttpd's;
#   nginx   listen ... ssl, sendfile on, ssl_conf_command Options KTLS; whether
#           OpenSSL then gives it kernel TLS (and so sendfile over TLS) is
#           measured, not assumed: https_nginx_ktls reads nginx's debug log of
#           one probe connection, and /proc/net/tls_stat's TlsTxSw/TlsRxSw
#           deltas are recorded per run for every server;
#   apache  event MPM + mod_ssl, a config file of its own.
# One protocol and cipher for all: TLS 1.3 TLS_AES_128_GCM_SHA256 with X25519,
# pinned on the client side (an OpenSSL config that wrk, curl and s_client
# read through OPENSSL_CONF; khttpd-fallbackd has no cipher option) and on
# nginx and Apache too; s_client records what each server negotiated.
# The caller sets HTTPS_CELLS ("WL:SIZE:MODE:CONC[:SRV,SRV] ...", WL https-ka,
# https-4m or https-hs; SRV,...: the cell for those servers only), TLS_DAEMON, TLS_MODS, ko, rounds, and provides run_one, log, die.
# Per run, $out/https.csv gets the kernel-TLS evidence: tls_adopted (khttpd's
# connections the kernel took back) and TlsTxSw/TlsRxSw (sockets that got kernel
# TLS, software crypto) deltas. A khttpd run whose tls_adopted did not rise is a
# failure (the daemon's userspace would have served, not the kernel).

declare -A HTTPS_PORT=([khttpd]=8443 [apache]=8452 [nginx]=8453)
PKI=/tmp/pki
BENCH_SSL_CONF=/tmp/bench-openssl.cnf
TLSD_PID=

# tls_stat NAME: a counter of /proc/net/tls_stat.
tls_stat() { awk -v n="$1" '$1 == n {print $2; exit}' /proc/net/tls_stat; }

# bench_tls CMD...: CMD with the benchmark's client-side TLS settings.
bench_tls() { OPENSSL_CONF=$BENCH_SSL_CONF "$@"; }

https_setup_once() {
	[[ -f $PKI/a.pem ]] && return 0
	# shellcheck source=../../tests/vm/tls_pki.sh
	. "$here/../../tests/vm/tls_pki.sh"
	make_pki $PKI || die "test certificates: $(tail -n 3 $PKI/pki.log)"
	chmod 644 $PKI/a.pem $PKI/ca.pem
	local m
	if [[ ! -e /proc/net/tls_stat ]]; then
		while read -r m; do insmod "$TLS_MODS/$m" || die "insmod $m"; done < "$TLS_MODS/order"
	fi
	[[ -e /proc/net/tls_stat ]] || die "no kernel TLS (/proc/net/tls_stat)"
	cat > $BENCH_SSL_CONF <<'EOF'
# The benchmark's clients (wrk, curl, openssl s_client): TLS 1.3 with one
# cipher and one group, so every server is measured on the same crypto.
openssl_conf = init
[init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = bench
[bench]
MinProtocol = TLSv1.3
Ciphersuites = TLS_AES_128_GCM_SHA256
Groups = X25519
EOF
	cp $BENCH_SSL_CONF "$out/conf/bench-openssl.cnf"
	echo "https_cert=ECDSA P-256 (tests/vm/tls_pki.sh make_pki, CN a.test)" >> "$out/settings.txt"
	echo "https_client_conf=TLSv1.3 TLS_AES_128_GCM_SHA256 X25519 (OPENSSL_CONF for wrk, curl, s_client)" >> "$out/settings.txt"
	echo "openssl=$(openssl version)" >> "$out/settings.txt"
	echo "placement,server,workload,round,tls_adopted,tls_tx_sw,tls_rx_sw" > "$out/https.csv"
}

start_tls_daemon() {
	local pin=() i
	[[ $PLACEMENT == pinned ]] && pin=(taskset -c 0)
	"${pin[@]}" "$TLS_DAEMON" --tls-cert $PKI/a.pem --tls-key $PKI/a.key --no-access-log \
		--backend "127.0.0.1:${PORT[apache]}" --no-proxy-protocol > /tmp/bench-tlsd.log 2>&1 &
	TLSD_PID=$!
	for i in $(seq 300); do
		[[ $(status_value daemon_pid) == "$TLSD_PID" ]] && break
		kill -0 "$TLSD_PID" 2> /dev/null || { cat /tmp/bench-tlsd.log; die "khttpd-fallbackd (TLS) exited"; }
		sleep 0.1
	done
	[[ $i -lt 300 ]] || { cat /tmp/bench-tlsd.log; die "khttpd-fallbackd (TLS) did not register in 30 s"; }
	check_placement khttpd-fallbackd "$TLSD_PID"
}

start_nginx_tls() {
	local N=/tmp/nginx-tls workers='worker_processes auto;'
	mkdir -p $N
	[[ $PLACEMENT == pinned ]] && workers='worker_processes 1;
worker_cpu_affinity 01;'
	cat > $N/nginx.conf <<EOF
user www-data;
$workers
worker_rlimit_nofile 65536;
pid $N/nginx.pid;
error_log $N/error.log warn;
events {
    worker_connections 20000;
    use epoll;
    # Debug log for the one probe connection from 127.0.0.2 (https_nginx_ktls),
    # none for wrk's (127.0.0.1): Debian's nginx is built --with-debug.
    debug_connection 127.0.0.2;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 60;
    keepalive_requests 1000000;
    open_file_cache max=$NGINX_FILECACHE inactive=60s;
    open_file_cache_valid 60s;
    client_body_temp_path $N/body;
    proxy_temp_path $N/proxy;
    fastcgi_temp_path $N/fastcgi;
    uwsgi_temp_path $N/uwsgi;
    scgi_temp_path $N/scgi;
    ssl_certificate $PKI/a.pem;
    ssl_certificate_key $PKI/a.key;
    ssl_protocols TLSv1.3;
    ssl_ecdh_curve X25519;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
    # Asks OpenSSL for kernel TLS (and so sendfile over TLS): with Debian 12's
    # OpenSSL 3.0.22 nginx gets it for sending (https_nginx_ktls measures it).
    ssl_conf_command Options KTLS;
    ssl_session_cache off;
    server {
        listen 127.0.0.1:${HTTPS_PORT[nginx]} ssl reuseport backlog=1024;
        server_name a.test localhost;
        root $WWW;
    }
}
EOF
	cp $N/nginx.conf "$out/conf/nginx-https-$PLACEMENT.conf"
	on_server_cpus nginx -e $N/error.log -c $N/nginx.conf || { cat $N/error.log; die "nginx (TLS) start"; }
	if [[ $PLACEMENT == pinned ]]; then
		sleep 0.5
		# shellcheck disable=SC2046
		check_placement nginx-tls $(pids_of nginx)
	fi
}

start_apache_tls() {
	local A=/tmp/apache-tls M=/usr/lib/apache2/modules
	apache_conf $A a.test "${HTTPS_PORT[apache]}" "\
LoadModule socache_shmcb_module $M/mod_socache_shmcb.so
LoadModule ssl_module $M/mod_ssl.so
SSLEngine on
SSLCertificateFile $PKI/a.pem
SSLCertificateKeyFile $PKI/a.key
SSLProtocol -all +TLSv1.3
SSLCipherSuite TLSv1.3 TLS_AES_128_GCM_SHA256
SSLOpenSSLConfCmd Curves X25519
SSLSessionCache none
SSLRandomSeed startup builtin"
	cp $A/apache.conf "$out/conf/apache-https-$PLACEMENT.conf"
	on_server_cpus apache2 -f $A/apache.conf -k start || { cat $A/error.log; die "apache (TLS) start"; }
	if [[ $PLACEMENT == pinned ]]; then
		sleep 1
		# shellcheck disable=SC2046
		check_placement apache-tls $(pids_of apache2)
	fi
}

stop_https_servers() {
	local pid
	if [[ -n $TLSD_PID ]]; then
		kill -TERM "$TLSD_PID" 2> /dev/null
		wait "$TLSD_PID" 2> /dev/null
		TLSD_PID=
	fi
	if [[ -f /tmp/nginx-tls/nginx.pid ]]; then
		pid=$(cat /tmp/nginx-tls/nginx.pid)
		nginx -c /tmp/nginx-tls/nginx.conf -s stop 2> /dev/null
		wait_gone "$pid"
	fi
	if [[ -f /tmp/apache-tls/run/httpd.pid ]]; then
		pid=$(cat /tmp/apache-tls/run/httpd.pid)
		apache2 -f /tmp/apache-tls/apache.conf -k stop 2> /dev/null
		wait_gone "$pid"
	fi
	if [[ -d $SYS ]]; then
		echo 1 > $SYS/stop
		rmmod khttpd
	fi
	cp /tmp/nginx-tls/error.log "$out/conf/nginx-https-error-$PLACEMENT.log" 2> /dev/null
	cp /tmp/apache-tls/error.log "$out/conf/apache-https-error-$PLACEMENT.log" 2> /dev/null
	cp /tmp/bench-tlsd.log "$out/conf/fallbackd-https-$PLACEMENT.log" 2> /dev/null
	rm -f /tmp/nginx-tls/error.log /tmp/apache-tls/error.log
}

# https_bytes SRV SIZE: the body of /fSIZE.bin over TLS (verifying the test
# CA and the name) must be the file's bytes, else die.
https_bytes() {
	local srv=$1 s=$2 f got want i
	f=$(fname "$s")
	want=$(sha256sum < "$WWW/$f" | cut -d' ' -f1)
	for i in 1 2 3; do
		got=$(bench_tls curl -sf --max-time 60 --cacert $PKI/ca.pem \
			--resolve "a.test:${HTTPS_PORT[$srv]}:127.0.0.1" \
			"https://a.test:${HTTPS_PORT[$srv]}/$f" | sha256sum | cut -d' ' -f1)
		[[ $got == "$want" ]] && return 0
		sleep 1
	done
	die "$srv did not return the exact bytes of /$f over TLS"
}

# https_negotiated SRV: "PROTOCOL CIPHER" that openssl s_client (the bench's
# client settings) got from SRV, recorded in settings.txt.
https_negotiated() {
	local srv=$1 txt p c
	txt=$(bench_tls openssl s_client -connect "127.0.0.1:${HTTPS_PORT[$srv]}" \
		-servername a.test -CAfile $PKI/ca.pem < /dev/null 2>&1)
	# "New, TLSv1.3, Cipher is X": printed at the handshake's end, before the
	# session block (which a TLS 1.3 s_client may not print: no ticket yet).
	p=$(awk '/^New, / {sub(",", "", $2); print $2; exit}' <<< "$txt")
	c=$(awk '/^New, / {print $NF; exit}' <<< "$txt")
	echo "https_negotiated_${srv}_$PLACEMENT=$p $c" >> "$out/settings.txt"
	echo "$txt" > "$out/conf/s_client-$srv-$PLACEMENT.txt"
	[[ $p == TLSv1.3 && $c == TLS_AES_128_GCM_SHA256 ]] ||
		die "$srv negotiated '$p $c', not TLSv1.3 TLS_AES_128_GCM_SHA256"
	log "$PLACEMENT: $srv over TLS: $p $c"
}

# https_run_bytes PLACEMENT SRV WL SIZE ROUND ROWS: wrk's byte count of the run
# just made (results.csv's last line, if it has more than ROWS lines: a failed
# wrk run writes none and is counted already) must hold SIZE body bytes per
# answer; a short count is a failure (TLS answers cut or wrong).
https_run_bytes() {
	local last req by
	[[ $(wc -l < "$out/results.csv") -gt $6 ]] || return 0
	last=$(tail -n 1 "$out/results.csv")
	IFS=, read -r _ _ _ _ _ _ _ _ req _ by _ <<< "$last"
	if [[ $req -le 0 || $by -lt $((req * $4)) ]]; then
		log "ERROR: $1 $3 $2 round $5: $by bytes for $req answers of $4 bytes"
		fail=$((fail + 1))
	fi
}

# https_nginx_ktls: one GET of the largest cell's file from 127.0.0.2 (nginx
# logs that connection at debug level): did OpenSSL give nginx kernel TLS for
# sending ("BIO_get_ktls_send(): 1") and did nginx then use sendfile over TLS
# ("SSL_sendfile: ")? Recorded in settings.txt, the log kept in conf/.
https_nginx_ktls() {
	local s big=0 f log=/tmp/nginx-tls/error.log ks sf
	big=$(https_sizes | tail -n 1)
	f=$(fname "$big")
	bench_tls curl -sf -o /dev/null --max-time 60 --interface 127.0.0.2 --cacert $PKI/ca.pem \
		--resolve "a.test:${HTTPS_PORT[nginx]}:127.0.0.1" "https://a.test:${HTTPS_PORT[nginx]}/$f" ||
		die "nginx: the kernel-TLS probe's GET /$f failed"
	sleep 0.5
	ks=$(grep -c 'BIO_get_ktls_send(): 1' $log)
	sf=$(grep -c 'SSL_sendfile: ' $log)
	grep -E 'ktls|KTLS|SSL_sendfile|SSL_write' $log | head -n 20 > "$out/conf/nginx-https-ktls-$PLACEMENT.log"
	echo "https_nginx_ktls_$PLACEMENT=BIO_get_ktls_send 1: $ks connection(s); SSL_sendfile calls: $sf (GET /$f)" >> "$out/settings.txt"
	log "$PLACEMENT: nginx kernel TLS probe (GET /$f): BIO_get_ktls_send()=1 on $ks connection(s), $sf SSL_sendfile calls"
	# The debug lines would fill the copy of the error log kept after the leg.
	: > $log
}

https_servers() { local s; for s in khttpd nginx apache; do in_list "$s" "$servers" && echo "$s"; done; }
# https_cell_servers CELL: the servers measured in CELL (its 5th field, if any).
https_cell_servers() {
	local only s
	IFS=: read -r _ _ _ _ only <<< "$1"
	for s in $(https_servers); do
		[[ -z $only ]] || in_list "$s" "${only//,/ }" && echo "$s"
	done
}
# https_sizes: the cells' file sizes, each once.
https_sizes() { local c; for c in $HTTPS_CELLS; do IFS=: read -r _ c _ <<< "$c"; echo "$c"; done | sort -un; }

https_leg() {
	local placement=$1 srv cell wl s mode c r a0 a1 tx0 rx0 tx1 rx1 sz rows
	PLACEMENT=$placement
	https_setup_once
	log "placement $placement: HTTPS leg: starting the servers"
	KHTTPD_TLS_PORT=${HTTPS_PORT[khttpd]} start_khttpd "$ko"
	start_tls_daemon
	in_list nginx "$servers" && start_nginx_tls
	in_list apache "$servers" && start_apache_tls
	sleep 1
	for srv in $(https_servers); do
		for sz in $(https_sizes); do https_bytes "$srv" "$sz"; done
		https_negotiated "$srv"
		[[ $srv == nginx ]] && https_nginx_ktls
		log "$placement: $srv serves identical bytes over TLS"
	done
	for cell in $HTTPS_CELLS; do
		IFS=: read -r wl s mode c _ <<< "$cell"
		for r in $(seq 1 "$rounds"); do
			for srv in $(https_cell_servers "$cell"); do
				n=$((n + 1))
				a0=$(status_value tls_adopted) tx0=$(tls_stat TlsTxSw) rx0=$(tls_stat TlsRxSw)
				rows=$(wc -l < "$out/results.csv")
				run_one "$placement" "$srv" "$s" "$mode" "$c" "$r" "$wl"
				https_run_bytes "$placement" "$srv" "$wl" "$s" "$r" "$rows"
				a1=$(status_value tls_adopted) tx1=$(tls_stat TlsTxSw) rx1=$(tls_stat TlsRxSw)
				echo "$placement,$srv,$wl,$r,$((a1 - a0)),$((tx1 - tx0)),$((rx1 - rx0))" >> "$out/https.csv"
				log "$placement $wl $srv round $r: tls_adopted +$((a1 - a0)), TlsTxSw +$((tx1 - tx0)), TlsRxSw +$((rx1 - rx0))"
				if [[ $srv == khttpd && $((a1 - a0)) -le 0 ]]; then
					log "ERROR: $placement $wl khttpd round $r: tls_adopted did not rise (the kernel served nothing over TLS)"
					fail=$((fail + 1))
				fi
			done
		done
	done
	# The same bytes after the load, too.
	for srv in $(https_servers); do https_bytes "$srv" 1024; done
	stop_https_servers
	KHTTPD_TLS_PORT=
}
