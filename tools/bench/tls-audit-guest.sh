#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of make tls-audit (tools/bench/tls-audit.sh): Debian's
# testssl.sh against khttpd's HTTPS (tls_port 443, handshakes in
# khttpd-fallbackd, kernel TLS) and against nginx with the same certificate
# (port 8443, TLS 1.2 and 1.3, Debian's default ciphers, kTLS), each with
# the same checks: protocols, cipher categories, forward secrecy, the
# server's preferences and defaults, headers, vulnerabilities. Writes
# $KHTTPD_OUT/{khttpd,nginx}.json and the side-by-side summary
# $KHTTPD_OUT/tls-audit.md.
# Usage (in the VM): tls-audit-guest.sh KHTTPD_KO KHTTPD_FALLBACKD MODS_DIR
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../tests/vm/tls_pki.sh"
KO=${1:?usage} DAEMON=${2:?usage} MODS=${3:?usage}
out=${KHTTPD_OUT:?}
SYS=/proc/sys/net/khttpd
PKI=/tmp/pki WWW=/tmp/www N=/tmp/nginx

die() { echo "tls-audit: $*" >&2; exit 1; }

make_pki $PKI || die "test certificates: $(tail -n 3 $PKI/pki.log)"
mkdir -p $WWW $N
echo 'hello over tls' > $WWW/index.html
chmod -R a+rX $WWW
while read -r m; do insmod "$MODS/$m" || die "insmod $m"; done < "$MODS/order"
insmod "$KO" || die "insmod khttpd"
echo $WWW > $SYS/documentroot
echo 443 > $SYS/tls_port
echo 1 > $SYS/start || die "start"
"$DAEMON" --tls-cert $PKI/a.pem --tls-key $PKI/a.key > /tmp/fallbackd.log 2>&1 &
dpid=$!
for _ in $(seq 100); do
	dmesg | grep -q 'hand-over daemon registered' && break
	sleep 0.1
done

cat > $N/nginx.conf <<EOF
user www-data;
worker_processes 1;
pid $N/nginx.pid;
error_log $N/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    client_body_temp_path $N/body;
    proxy_temp_path $N/proxy;
    fastcgi_temp_path $N/fastcgi;
    uwsgi_temp_path $N/uwsgi;
    scgi_temp_path $N/scgi;
    server {
        listen 127.0.0.1:8443 ssl;
        server_name a.test;
        root $WWW;
        ssl_certificate $PKI/a.pem;
        ssl_certificate_key $PKI/a.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_conf_command Options KTLS;
    }
}
EOF
nginx -c $N/nginx.conf || die "nginx: $(tail -n 3 $N/error.log)"

# Both answer before the audit starts.
curl -sf --cacert $PKI/ca.pem --resolve a.test:443:127.0.0.1 https://a.test/ > /dev/null ||
	die "khttpd does not answer over TLS: $(tail -n 5 /tmp/fallbackd.log)"
curl -sf --cacert $PKI/ca.pem --resolve a.test:8443:127.0.0.1 https://a.test:8443/ > /dev/null ||
	die "nginx does not answer over TLS"

audit() {
	local name=$1 port=$2 t0=$EPOCHSECONDS
	echo "tls-audit: testssl.sh against $name (port $port)"
	rm -f "$out/$name.json" # testssl.sh refuses to overwrite one
	testssl --quiet --color 0 --warnings off --sneaky --ip 127.0.0.1 \
		--add-ca $PKI/ca.pem -p -s -f -P -S -h -U \
		--jsonfile "$out/$name.json" "https://a.test:$port/" > "$out/$name.txt" 2>&1
	echo "tls-audit: $name took $((EPOCHSECONDS - t0)) s"
}
# Side by side: testssl.sh spends its time in openssl processes of its own,
# one at a time, so two runs fill the VM's two vCPUs (~35 min each under TCG).
audit khttpd 443 &
a1=$!
audit nginx 8443 &
a2=$!
wait $a1 $a2 # (not a bare wait: the daemon is a job of this shell too)

python3 - "$out/khttpd.json" "$out/nginx.json" > "$out/tls-audit.md" <<'PY'
import json, sys
order = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "WARN", "INFO", "OK"]
def load(p):
    try:
        return {f["id"]: f for f in json.load(open(p))}
    except Exception as e:
        sys.exit(f"tls-audit: {p}: {e}")
k, n = load(sys.argv[1]), load(sys.argv[2])
def sev(d):
    c = {}
    for f in d.values():
        c[f["severity"]] = c.get(f["severity"], 0) + 1
    return c
ck, cn = sev(k), sev(n)
print("| testssl.sh findings by severity | khttpd | nginx |")
print("|---|---|---|")
for s in order:
    print(f"| {s} | {ck.get(s, 0)} | {cn.get(s, 0)} |")
print()
print("| check | khttpd | nginx |")
print("|---|---|---|")
ids = [i for i in k if i in n and not i.startswith(("cert", "intermediate", "scanTime",
       "engine_problem", "service", "pre_", "DNS_", "clientAuth", "TLS_timestamp",
       "HTTP_clock", "HTTP_headerTime", "HTTP_status_code", "banner", "overall"))]
worse = []
for i in ids:
    a, b = k[i], n[i]
    if a["finding"] == b["finding"] and a["severity"] == b["severity"]:
        continue
    print(f"| {i} | {a['severity']}: {a['finding']} | {b['severity']}: {b['finding']} |")
    if order.index(a["severity"]) < order.index(b["severity"]) if a["severity"] in order and b["severity"] in order else False:
        worse.append(i)
only_k = [i for i in k if i not in n]
only_n = [i for i in n if i not in k]
print()
print(f"Checks with the same result on both: {len(ids) - sum(1 for i in ids if k[i]['finding'] != n[i]['finding'] or k[i]['severity'] != n[i]['severity'])} of {len(ids)}.")
if only_k:
    print(f"Only for khttpd: {', '.join(sorted(only_k))}.")
if only_n:
    print(f"Only for nginx: {', '.join(sorted(only_n))}.")
print()
print(f"WORSE_THAN_NGINX: {' '.join(worse) if worse else 'none'}")
PY
cat "$out/tls-audit.md"
nginx -c $N/nginx.conf -s stop
kill $dpid
wait $dpid 2> /dev/null
echo 0 > $SYS/start
rmmod khttpd || die "rmmod"
echo "tls-audit: done"
