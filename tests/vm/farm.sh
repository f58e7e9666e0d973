#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A web farm in one VM (issue 15): three "hosts", each a network namespace
# on a bridge with its own khttpd instance, behind a virtual IP that IPVS
# balances (NAT, round robin) on the director (the initial namespace), with
# keepalived's HTTP_GET checker taking hosts in and out. h1 also runs
# khttpd-fallbackd and Apache, as a host of a real farm would.
#
#         cl (10.7.1.2) --- director: 10.7.1.1 | br0 10.7.0.1, VIP 10.7.0.100
#                                                 |-- h1 10.7.0.11 khttpd + daemon + Apache
#                                                 |-- h2 10.7.0.12 khttpd
#                                                 '-- h3 10.7.0.13 khttpd
#
# Usage (inside the test VM): farm.sh KHTTPD_KO MODDIR DAEMON
#   MODDIR: veth, bridge, ip_vs, ip_vs_rr and what they need
#   (tools/vm/guest-mods.sh).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"

KO=${1:?usage: farm.sh KHTTPD_KO MODDIR DAEMON}
MODDIR=${2:?usage: farm.sh KHTTPD_KO MODDIR DAEMON}
DAEMON=${3:?usage: farm.sh KHTTPD_KO MODDIR DAEMON}
F=/tmp/farm
A=/tmp/farm/apache
VIP=10.7.0.100
HOSTS="h1 h2 h3"
# keepalived's check interval (delay_loop) and how long a change may take
# to show in the IPVS table: a failed check plus a retry, with margin for
# TCG.
CHECK_SECS=1
SETTLE_SECS=30

in_ns() { ip netns exec "$@"; }
host_ip() { echo "10.7.0.1${1#h}"; }

load_modules() {
	local m
	while read -r m; do
		insmod "$MODDIR/$m" 2> /dev/null || true
	done < "$MODDIR/order"
	check "ip_vs is loaded" test -d /proc/net/ip_vs -o -e /proc/net/ip_vs
}

topology() {
	ip link add br0 type bridge && ip addr add 10.7.0.1/24 dev br0 &&
		ip link set br0 up || fail "bridge br0"
	local h
	for h in $HOSTS; do
		ip netns add "$h"
		ip link add "v$h" type veth peer name eth0 netns "$h"
		ip link set "v$h" master br0 up
		ip -n "$h" addr add "$(host_ip "$h")/24" dev eth0
		ip -n "$h" link set eth0 up
		ip -n "$h" link set lo up
		ip -n "$h" route add default via 10.7.0.1
	done
	ip netns add cl
	ip link add vcl type veth peer name eth0 netns cl
	ip addr add 10.7.1.1/24 dev vcl
	ip link set vcl up
	ip -n cl addr add 10.7.1.2/24 dev eth0
	ip -n cl link set eth0 up
	ip -n cl link set lo up
	ip -n cl route add default via 10.7.1.1
	# The VIP is the director's own address: IPVS takes its packets at
	# LOCAL_IN and NATs them to a host, whose answers come back through
	# the director (their default route) to be translated back.
	ip addr add $VIP/32 dev br0
	echo 1 > /proc/sys/net/ipv4/ip_forward
}

make_sites() {
	local h
	for h in $HOSTS; do
		mkdir -p "$F/$h"
		echo "$h" > "$F/$h/host.txt"
		echo ok > "$F/$h/health.txt"
		head -c 65536 /dev/zero > "$F/$h/64k.bin"
	done
	mkdir -p "$F/h1/cgi-bin" "$A/cgi-bin"
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "cgi on h1"\n' \
		> "$A/cgi-bin/where.cgi"
	chmod 755 "$A/cgi-bin/where.cgi"
	chmod -R a+rX "$F"
}

# start_host H: H's own khttpd, configured through H's own
# /proc/sys/net/khttpd (the instance of H's network namespace).
start_host() {
	in_ns "$1" sh -c "printf '%s\n' '$F/$1' > /proc/sys/net/khttpd/documentroot &&
		echo 1 > /proc/sys/net/khttpd/threads && echo 1 > /proc/sys/net/khttpd/start"
}
stop_host() {
	in_ns "$1" sh -c 'echo 1 > /proc/sys/net/khttpd/stop'
}

start_servers() {
	check "insmod" insmod "$KO"
	local h
	for h in $HOSTS; do
		check "$h: its own khttpd starts" start_host "$h"
	done
	for h in $HOSTS; do
		expect_eq "$h answers on its own address" "$h" \
			"$(in_ns cl curl -s -m 10 "http://$(host_ip "$h")/host.txt")"
	done
	# h1 is also a full host: what its kernel does not serve goes to
	# Apache, through the daemon registered in h1's namespace.
	check "h1: Apache starts (127.0.0.1:8080 in h1)" \
		in_ns h1 "$HERE/../../tools/apache/run-backend.sh" start "$A" "$F/h1" "$A/cgi-bin"
	in_ns h1 "$DAEMON" > "$F/daemon.log" 2>&1 &
	DPID=$!
	local i
	for i in $(seq 100); do
		[ "$(in_ns h1 cat /proc/sys/net/khttpd/daemon_pid 2> /dev/null)" = 0 ] || break
		sleep 0.2
	done
	check "h1: the daemon registered with h1's instance" \
		test "$(in_ns h1 cat /proc/sys/net/khttpd/daemon_pid)" != 0
	check "h2: no daemon registered in h2" \
		test "$(in_ns h2 cat /proc/sys/net/khttpd/daemon_pid)" = 0
	expect_eq "h1: a CGI request is handed to Apache in h1" "cgi on h1" \
		"$(in_ns cl curl -s -m 20 "http://10.7.0.11/cgi-bin/where.cgi")"
	expect_eq "h2 has no daemon: the same request fails closed there" 503 \
		"$(in_ns cl curl -s -o /dev/null -w '%{http_code}' -m 20 "http://10.7.0.12/cgi-bin/where.cgi")"
}

keepalived_conf() {
	local h
	echo "global_defs { router_id khttpd_farm }"
	echo "virtual_server $VIP 80 {"
	echo "  delay_loop $CHECK_SECS"
	echo "  lb_algo rr"
	echo "  lb_kind NAT"
	echo "  protocol TCP"
	for h in $HOSTS; do
		cat <<-EOF
		  real_server $(host_ip "$h") 80 {
		    weight 1
		    HTTP_GET {
		      url {
		        path /health.txt
		        status_code 200
		      }
		      connect_timeout 2
		      retry 1
		      delay_before_retry 1
		    }
		  }
		EOF
	done
	echo "}"
}

# in_table H: whether H is a real server of the VIP now.
in_table() {
	ipvsadm -Ln -t $VIP:80 2> /dev/null | grep -q " $(host_ip "$1"):80 "
}
# wait_table H yes|no: waits (at most SETTLE_SECS) for H to be in or out.
wait_table() {
	local i
	for i in $(seq $((SETTLE_SECS * 2))); do
		if in_table "$1"; then [ "$2" = yes ] && return 0; else [ "$2" = no ] && return 0; fi
		sleep 0.5
	done
	return 1
}

start_director() {
	keepalived_conf > "$F/keepalived.conf"
	keepalived --dont-fork --log-console --check --use-file="$F/keepalived.conf" \
		--pid="$F/keepalived.pid" --checkers_pid="$F/checkers.pid" \
		> "$F/keepalived.log" 2>&1 &
	KPID=$!
	local h
	for h in $HOSTS; do
		check "keepalived puts $h in the VIP's table" wait_table "$h" yes
	done
	ipvsadm -Ln
}

# spread N: "h1 h2 h3" counts of N requests through the VIP, each on a new
# connection, as "h1=A h2=B h3=C".
spread() {
	in_ns cl python3 - "$1" <<-'EOF'
	import http.client, sys, collections
	seen = collections.Counter()
	for _ in range(int(sys.argv[1])):
	    c = http.client.HTTPConnection("10.7.0.100", 80, timeout=20)
	    try:
	        c.request("GET", "/host.txt")
	        r = c.getresponse()
	        seen[r.read().decode().strip() if r.status == 200 else str(r.status)] += 1
	    except Exception as e:
	        seen["error"] += 1
	    c.close()
	print(" ".join(f"{k}={seen[k]}" for k in sorted(seen)))
	EOF
}

# wrk_clean SECS: wrk through the VIP from the client; prints "requests
# errors" where errors are socket errors plus non-2xx answers.
wrk_clean() {
	local out req err
	out=$(in_ns cl wrk -t1 -c8 -d"$1"s "http://$VIP/64k.bin" 2>&1)
	req=$(echo "$out" | sed -n 's/^ *\([0-9]*\) requests in.*/\1/p')
	err=$(echo "$out" | sed -n 's/.*Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1+\2+\3+\4/p')
	local non2xx
	non2xx=$(echo "$out" | sed -n 's/^ *Non-2xx or 3xx responses: \([0-9]*\).*/\1/p')
	echo "${req:-0} $(( ${err:-0} + ${non2xx:-0} ))"
}

test_spread() {
	expect_eq "30 requests through the VIP spread over the three hosts" "h1=10 h2=10 h3=10" \
		"$(spread 30)"
	local got
	got=$(spread 3 | tr ' ' '\n' | grep -c .)
	expect_eq "round robin: three requests, three hosts" 3 "$got"
	expect_eq "a CGI request through the VIP reaches Apache on h1 when h1's turn comes" 1 \
		"$(for i in 1 2 3; do in_ns cl curl -s -m 20 "http://$VIP/cgi-bin/where.cgi"; echo; done |
			grep -c 'cgi on h1')"
}

test_host_down() {
	local r
	check "h2: stop" stop_host h2
	check "keepalived takes h2 out of the VIP's table" wait_table h2 no
	ipvsadm -Ln
	r=$(wrk_clean 5)
	echo "# wrk through the VIP with h2 stopped: requests errors = $r"
	expect_eq "wrk through the VIP after the check interval: no failed request" 0 "${r#* }"
	check "wrk made requests" test "${r% *}" -gt 0
	expect_eq "requests through the VIP go to h1 and h3 only" "h1=3 h3=3" "$(spread 6)"
}

test_host_back() {
	local r
	check "h2: start again" in_ns h2 sh -c 'echo 1 > /proc/sys/net/khttpd/start'
	check "keepalived puts h2 back in" wait_table h2 yes
	expect_eq "h2 serves through the VIP again" "h1=2 h2=2 h3=2" "$(spread 6)"
	r=$(wrk_clean 5)
	echo "# wrk through the VIP with all three: requests errors = $r"
	expect_eq "wrk through the VIP with all three hosts: no failed request" 0 "${r#* }"
}

test_teardown() {
	kill "$KPID" 2> /dev/null
	wait "$KPID" 2> /dev/null
	# The daemon: whatever `ip netns exec` left between it and $DPID.
	local pid
	pid=$(in_ns h1 cat /proc/sys/net/khttpd/daemon_pid)
	kill "$DPID" "$pid" 2> /dev/null
	wait "$DPID" 2> /dev/null
	for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
	check "h1's daemon exits on SIGTERM" bash -c "! kill -0 $pid 2> /dev/null"
	in_ns h1 "$HERE/../../tools/apache/run-backend.sh" stop "$A" 2> /dev/null
	local h
	for h in $HOSTS; do stop_host "$h"; done
	check "rmmod with three namespaces' instances" rmmod khttpd
	for h in $HOSTS cl; do ip netns del "$h"; done
	ip link del br0
}

run_sections load_modules topology make_sites start_servers start_director test_spread \
	test_host_down test_host_back test_teardown
summary
