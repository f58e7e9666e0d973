# SPDX-License-Identifier: GPL-2.0
# Guest-side test of the identity files are looked up and opened with
# (sysctls uid and gid: no root, no capabilities), and of the open-file
# cache following deploys and permission changes on the next request.
# Sourced by integration.sh, which calls test_credentials with the server
# running on $WWW with default settings, and the helpers of lib.sh and
# integration.sh (sysctl_write, with_settings); uses $SYS, $URL and $WWW.
# Leaves the server running with default settings. Builtins and a few
# coreutils only: cheap enough for the debug kernel.

# cred_denied NAME PATH: PATH is not served. 403 as the core answers it
# without a daemon; 503 if a hand-over that fails closed is the answer.
cred_denied() {
	local code
	code=$(status "$2")
	case $code in
	403|503) pass "$1 ($code)" ;;
	*) fail "$1" "expected 403 (or 503), got $code" ;;
	esac
}

test_credentials_sysctl() {
	local v
	check "sysctl uid exists" test -f "$SYS/uid"
	check "sysctl gid exists" test -f "$SYS/gid"
	expect_eq "uid defaults to 33 (www-data)" 33 "$(cat "$SYS/uid")"
	expect_eq "gid defaults to 33 (www-data)" 33 "$(cat "$SYS/gid")"
	check "uid write while running is staged" sysctl_write "$SYS/uid" 34
	expect_eq "uid reads the staged value" 34 "$(cat "$SYS/uid")"
	sysctl_write "$SYS/uid" 33
	sysctl_write "$SYS/stop" 1
	for v in -1 2147483648 4294967295 abc ''; do
		expect_fail_with "uid rejects '$v'" "Invalid argument" sysctl_write "$SYS/uid" "$v"
		expect_fail_with "gid rejects '$v'" "Invalid argument" sysctl_write "$SYS/gid" "$v"
	done
	expect_eq "uid unchanged by bad writes" 33 "$(cat "$SYS/uid")"
	expect_eq "gid unchanged by bad writes" 33 "$(cat "$SYS/gid")"
	check "uid accepts 65534" sysctl_write "$SYS/uid" 65534
	expect_eq "uid reads back 65534" 65534 "$(cat "$SYS/uid")"
	sysctl_write "$SYS/uid" 33
	# The document root itself is looked up as uid/gid.
	mkdir -p /tmp/khttpd-private/www
	chmod 700 /tmp/khttpd-private
	sysctl_write "$SYS/documentroot" /tmp/khttpd-private/www
	expect_fail_with "start fails for a documentroot uid 33 cannot reach" \
		"Permission denied" sysctl_write "$SYS/start" 1
	expect_eq "still stopped after that" 0 "$(cat "$SYS/start")"
	sysctl_write "$SYS/stop" 1
	sysctl_write "$SYS/documentroot" "$WWW"
	check "start again" sysctl_write "$SYS/start" 1
}

# Directory and file permissions apply as to uid/gid, and gid is the only
# group.
test_credentials_access() {
	local d=$WWW/cred
	mkdir -p "$d/private"
	echo private > "$d/private/p.txt"
	chmod 644 "$d/private/p.txt"
	chown root:root "$d/private"
	chmod 750 "$d/private"
	cred_denied "0644 file in a 0750 root:root directory" /cred/private/p.txt
	chgrp 33 "$d/private"
	expect_eq "the same after chgrp 33 (gid): served" private "$(get /cred/private/p.txt)"
	with_settings gid=34
	cred_denied "gid=34: the root:33 0750 directory is closed again" /cred/private/p.txt
	with_settings gid=33

	echo group > "$d/g.txt"
	chown root:33 "$d/g.txt"
	chmod 640 "$d/g.txt"
	echo mine > "$d/root.txt"
	chmod 600 "$d/root.txt"
	cred_denied "perm_required=4: a 0640 file is not served" /cred/g.txt
	with_settings perm_required=0
	expect_eq "perm_required=0: a 0640 root:33 file is served via gid" group "$(get /cred/g.txt)"
	cred_denied "perm_required=0: a 0600 file of root's is not (no capabilities)" /cred/root.txt
	with_settings perm_required=0 gid=34
	cred_denied "perm_required=0, gid=34: the 0640 root:33 file is not served" /cred/g.txt
	with_settings perm_required=4 gid=33
	rm -rf "$d"
}

# The open-file cache answers as a fresh lookup would, on the next
# request: deploys by symlink swap and by rename, permission changes on
# the file and on every directory of its path.
test_credentials_cache() {
	local d=$WWW/deploy
	mkdir -p "$d/release1/sub" "$d/release2/sub"
	echo one > "$d/release1/sub/a.txt"
	echo two > "$d/release2/sub/a.txt"
	chmod -R a+rX "$d"
	ln -sfn release1 "$d/current"
	expect_eq "deploy: release1" one "$(get /deploy/current/sub/a.txt)"
	expect_eq "deploy: release1 again (cached)" one "$(get /deploy/current/sub/a.txt)"
	# coreutils' ln -sfn replaces the link by a rename; rm + ln -s (as
	# older tools and many deploy scripts do it) renames nothing.
	ln -sfn release2 "$d/current"
	expect_eq "symlink swap (ln -sfn): the next request sees release2" two \
		"$(get /deploy/current/sub/a.txt)"
	expect_eq "release2 cached" two "$(get /deploy/current/sub/a.txt)"
	ln -s release1 "$d/tmp"
	mv -T "$d/tmp" "$d/current"
	expect_eq "rename-over deploy (mv -T): the next request sees release1" one \
		"$(get /deploy/current/sub/a.txt)"
	expect_eq "release1 cached again" one "$(get /deploy/current/sub/a.txt)"
	rm "$d/current"
	ln -s release2 "$d/current"
	expect_eq "symlink swap by rm + ln -s (no rename): the next request sees release2" two \
		"$(get /deploy/current/sub/a.txt)"
	expect_eq "release2 cached again" two "$(get /deploy/current/sub/a.txt)"
	rm "$d/current"
	ln -s release1 "$d/current"
	expect_eq "rm + ln -s back: the next request sees release1" one \
		"$(get /deploy/current/sub/a.txt)"

	chmod o-r "$d/release1/sub/a.txt"
	cred_denied "chmod o-r on the file: refused on the next request" /deploy/current/sub/a.txt
	chmod o+r "$d/release1/sub/a.txt"
	expect_eq "chmod o+r: served again" one "$(get /deploy/current/sub/a.txt)"
	with_settings perm_required=0
	expect_eq "perm_required=0: cached" one "$(get /deploy/current/sub/a.txt)"
	chmod 600 "$d/release1/sub/a.txt"
	cred_denied "perm_required=0, chmod 600 on the file: refused" /deploy/current/sub/a.txt
	chmod 644 "$d/release1/sub/a.txt"
	with_settings perm_required=4

	expect_eq "cached once more" one "$(get /deploy/current/sub/a.txt)"
	chmod o-x "$d/release1/sub"
	cred_denied "chmod o-x on the parent directory: refused on the next request" \
		/deploy/current/sub/a.txt
	chmod o+x "$d/release1/sub"
	expect_eq "chmod o+x on it: served again" one "$(get /deploy/current/sub/a.txt)"
	chmod 700 "$d/release1"
	cred_denied "chmod 700 on a directory higher up: refused" /deploy/current/sub/a.txt
	chmod 755 "$d/release1"
	expect_eq "chmod 755 on it: served again" one "$(get /deploy/current/sub/a.txt)"
	chmod o-x "$d"
	cred_denied "chmod o-x on the top directory (/deploy): refused" /deploy/current/sub/a.txt
	chmod o+x "$d"
	expect_eq "and back" one "$(get /deploy/current/sub/a.txt)"

	rm "$d/current"
	expect_eq "symlink removed: 404" 404 "$(status /deploy/current/sub/a.txt)"
	rm -rf "$d"
}

test_credentials() {
	test_credentials_sysctl
	test_credentials_access
	test_credentials_cache
}
