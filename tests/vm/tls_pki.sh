# SPDX-License-Identifier: GPL-2.0
# make_pki DIR: a throwaway test CA (DIR/ca.pem) and two server certificates
# it signed, DIR/a.pem + a.key for a.test and DIR/b.pem + b.key for b.test
# (P-256, subjectAltName DNS), valid two days. Sourced by tests/vm/tls.sh and
# tools/bench/tls-audit-guest.sh. Output of openssl in DIR/pki.log.
make_pki() {
	local dir=$1 n
	mkdir -p "$dir"
	(
		cd "$dir" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.pem -days 2 -subj /CN=khttpd-test-ca || exit 1
		for n in a b; do
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-keyout $n.key -out $n.csr -subj /CN=$n.test &&
			printf 'subjectAltName=DNS:%s.test\n' $n > $n.ext &&
			openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
				-days 2 -extfile $n.ext -out $n.pem || exit 1
		done
	) > "$dir/pki.log" 2>&1
}
