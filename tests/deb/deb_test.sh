#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages end to end, on this host (as root):
#   1. make deb builds khttpd-dkms and khttpd, lintian reports no error or warning;
#   2. dpkg -i installs both (dependencies from apt first); nothing is
#      enabled or started; the units pass systemd-analyze verify;
#   3. DKMS builds and installs khttpd.ko for Debian 6.1 and 6.12 (their
#      headers, the kernels tools/vm/kernel.sh resolves);
#   4. in the test VM of each kernel, khttpd.service's own Exec lines load
#      the module DKMS built, apply /etc/khttpd/khttpd.conf, serve and
#      reload (ExecReload: khttpdctl reload), then stop (tests/deb/guest.sh:
#      systemd cannot run in that guest);
#   5. dpkg --purge leaves none of the packages' files, no DKMS tree, no
#      /etc/khttpd, no /var/log/khttpd.
# Prints `ok - ...` / `not ok - ...` lines (also to build/deb-test/results.txt)
# and a last line `N passed, N failed`; exit status 0 when all passed.
#
# Usage: tests/deb/deb_test.sh [--no-build] [KERNEL...]   (default: deb61 deb612)
# --no-build reuses the packages in build/deb/.
# It installs and purges the packages khttpd and khttpd-dkms on this host.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
build=1
if [ "${1:-}" = --no-build ]; then build=0; shift; fi
kernels=${*:-deb61 deb612}
out=$root/build/deb-test
results=$out/results.txt
rm -rf "$out"
mkdir -p "$out"
: > "$results"
passed=0 failed=0 t0=$SECONDS

ok() { passed=$((passed + 1)); echo "ok - $1" | tee -a "$results"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1${2:+: $2}" | tee -a "$results"; }
# check NAME CMD...: ok if CMD succeeds, else not ok with its last lines.
check() {
	local name=$1 o
	shift
	if o=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$(echo "$o" | tail -n 3 | tr '\n' ' ')"; fi
}
finish() {
	echo "# deb_test: took $((SECONDS - t0))s"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed; }
purge_all() { dpkg --purge khttpd khttpd-dkms > "$out/purge.log" 2>&1; }

[ "$(id -u)" -eq 0 ] || { not_ok "deb test must run as root"; finish; }
version=$(dpkg-parsechangelog -l debian/changelog -S Version)

# A run that died half-way left the packages installed: start clean.
if installed khttpd || installed khttpd-dkms; then
	echo "# purging the khttpd packages left by an earlier run"
	purge_all || { cat "$out/purge.log"; not_ok "purge of leftover packages"; finish; }
fi

# ---- 1. build + lintian ----
if [ $build = 1 ]; then
	echo "# make deb"
	if make deb > "$out/make-deb.log" 2>&1; then
		ok "make deb builds khttpd-dkms and khttpd, lintian without errors or warnings"
	else
		tail -n 30 "$out/make-deb.log"
		not_ok "make deb (see $out/make-deb.log)"
		finish
	fi
fi
deb_dkms=build/deb/khttpd-dkms_${version}_all.deb
deb_main=build/deb/khttpd_${version}_$(dpkg --print-architecture).deb
[ -f "$deb_dkms" ] && [ -f "$deb_main" ] ||
	{ not_ok "packages of version $version in build/deb/"; finish; }
lint=$(lintian --fail-on error,warning "$deb_dkms" "$deb_main" 2>&1 | grep -v 'root privileges')
check "lintian: no errors or warnings on either package${lint:+ ($lint)}" test -z "$(echo "$lint" | grep -E '^[EW]:')"

# ---- 2. install ----
echo "# dependencies from apt, then dpkg -i"
mapfile -t deps < <( { dpkg-deb -f "$deb_dkms" Depends; dpkg-deb -f "$deb_main" Depends; } |
	tr ',' '\n' | sed -E 's/\(.*\)//; s/^ +//; s/ +$//' | grep -v '^khttpd' | sort -u)
check "apt installs the dependencies (${deps[*]})" \
	apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=900 "${deps[@]}"
if dpkg -i "$deb_dkms" "$deb_main" > "$out/install.log" 2>&1; then
	ok "dpkg -i khttpd-dkms khttpd"
else
	tail -n 30 "$out/install.log"
	not_ok "dpkg -i (see $out/install.log)"
	finish
fi
# What the packages installed, for the purge check.
dpkg -L khttpd khttpd-dkms | sort -u > "$out/files.txt"
check "/etc/khttpd/khttpd.conf is a conffile" \
	grep -q '^ /etc/khttpd/khttpd.conf ' <(dpkg-query -W -f='${Conffiles}\n' khttpd)
check "/var/log/khttpd exists" test -d /var/log/khttpd
check "installing enabled nothing" \
	test -z "$(find /etc/systemd/system -name 'khttpd*' 2>/dev/null)"
check "the installed units pass systemd-analyze verify" \
	systemd-analyze verify /lib/systemd/system/khttpd.service /lib/systemd/system/khttpd-fallbackd.service
for u in khttpd khttpd-fallbackd; do
	for d in $(sed -n 's/^Documentation=//p' "/lib/systemd/system/$u.service"); do
		case $d in
		file:*) check "$u.service's Documentation= ${d#file:} exists" test -f "${d#file:}" ;;
		man:*) p=${d#man:} && check "$u.service's Documentation= man page $p exists" \
			man -w "${p%%(*}" ;;
		esac
	done
done
check "khttpd-fallbackd --version is the package version ($version)" \
	test "$(/usr/sbin/khttpd-fallbackd --version)" = "khttpd-fallbackd $version"
check "khttpdctl --version is the package version ($version)" \
	test "$(/usr/sbin/khttpdctl --version)" = "khttpdctl $version"
check "the shipped /etc/khttpd/khttpd.conf passes khttpdctl check" \
	/usr/sbin/khttpdctl check /etc/khttpd/khttpd.conf
check "dkms.conf carries the package version" \
	grep -qx "PACKAGE_VERSION=\"$version\"" "/usr/src/khttpd-$version/dkms.conf"

# ---- 3. DKMS for each kernel ----
for k in $kernels; do
	kver=$(tools/vm/kernel.sh kver "$k") && tools/vm/kernel.sh kdir "$k" > /dev/null ||
		{ not_ok "$k: resolve the kernel and install its headers"; continue; }
	# khttpd-dkms's postinst builds for the running kernel and the newest
	# one in /boot; the others are built here, as an admin would.
	if dkms status -m khttpd -v "$version" -k "$kver" 2> /dev/null | grep -q ': installed'; then
		ok "$k: dpkg -i had DKMS build and install khttpd.ko for $kver"
	fi
	echo "# dkms build + install for $k ($kver)"
	s=$SECONDS
	if dkms build -m khttpd -v "$version" -k "$kver" > "$out/dkms-$k.log" 2>&1 &&
		dkms install -m khttpd -v "$version" -k "$kver" >> "$out/dkms-$k.log" 2>&1; then
		ok "$k: dkms build + install -k $kver ($((SECONDS - s))s; a no-op if already done)"
	else
		tail -n 30 "$out/dkms-$k.log"
		cat "/var/lib/dkms/khttpd/$version/build/make.log" 2>/dev/null | tail -n 30
		not_ok "$k: DKMS build for $kver (see $out/dkms-$k.log)"
		continue
	fi
	ko=$(ls /lib/modules/"$kver"/updates/dkms/khttpd.ko* 2>/dev/null | head -n 1)
	check "$k: khttpd.ko in /lib/modules/$kver/updates/dkms/, vermagic $kver" \
		test "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)" = "$kver"
done

# ---- 4. the VM loads what DKMS built, the unit's way ----
for k in $kernels; do
	kver=$(tools/vm/kernel.sh kver "$k") || continue
	ls /lib/modules/"$kver"/updates/dkms/khttpd.ko* > /dev/null 2>&1 || continue
	echo "# VM on $k"
	rc=0
	tools/vm/run.sh --kernel "$k" --out "$out/vm-$k" --timeout 600 -- tests/deb/guest.sh \
		> "$out/vm-$k.log" 2>&1 || rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$k VM: ${line#ok - }" ;;
		"not ok - "*) not_ok "$k VM: ${line#not ok - }" ;;
		esac
	done < <(cat "$out/vm-$k/results.txt" 2>/dev/null)
	if [ $rc -eq 0 ]; then ok "$k VM: guest script passed, dmesg clean"
	else tail -n 20 "$out/vm-$k.log"; not_ok "$k VM: run.sh exited $rc (see $out/vm-$k.log)"; fi
done

# ---- 5. purge ----
echo "# dpkg --purge"
# What the daemon writes at run time is no file of the package: the purge
# must remove it all the same.
echo '127.0.0.1 - - [28/Nov/2026:04:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-" 10' \
	> /var/log/khttpd/access.log
check "dpkg --purge khttpd khttpd-dkms" purge_all
left=()
while IFS= read -r f; do
	# Directories other packages share (/etc, /usr/sbin, /lib -> usr/lib
	# ...) stay; the packages' own go.
	if [ -d "$f" ]; then
		case $f in
		/etc/khttpd | /usr/src/khttpd-* | /usr/share/doc/khttpd* | /var/log/khttpd) ;;
		*) continue ;;
		esac
	fi
	if [ -e "$f" ] || [ -L "$f" ]; then left+=("$f"); fi
done < "$out/files.txt"
check "purge leaves none of the packages' files${left:+ (left: ${left[*]})}" test ${#left[@]} -eq 0
check "purge removes the DKMS tree and every built khttpd.ko" \
	test -z "$(ls -d /var/lib/dkms/khttpd /lib/modules/*/updates/dkms/khttpd.ko* 2>/dev/null)"
check "purge removes /etc/khttpd and /var/log/khttpd" test ! -e /etc/khttpd -a ! -e /var/log/khttpd
finish
