/* SPDX-License-Identifier: GPL-2.0 */
/*
 * File system fixtures for khttpd's KUnit suites (built into khttpd.ko
 * only when the kernel has CONFIG_KUNIT; see tests/kunit/kunit_fs.c).
 *
 * Names are single path components inside @dir unless said otherwise. All
 * of these may sleep and return 0 or a negative errno.
 */
#ifndef KHTTPD_KUNIT_FS_H
#define KHTTPD_KUNIT_FS_H

#include <linux/path.h>
#include <linux/types.h>

struct kunit;

/*
 * A tmpfs of the test's own, mounted nowhere: its root in *@root. Released
 * (with everything in it) when the test ends.
 */
int khttpd_kunit_tmpfs(struct kunit *test, struct path *root);

/*
 * A directory in the file system the calling kernel thread sees, reachable
 * by the absolute path written to @name (@size bytes), for code that takes
 * path names: /tmp, or / if /tmp does not exist, provided it is an
 * in-memory file system (tmpfs, ramfs); -EROFS otherwise. Not removed:
 * remove what you create in it.
 */
int khttpd_kunit_scratch_dir(struct path *dir, char *name, size_t size);

/* Creates or truncates @path (may have '/' in it), then writes @data. */
int khttpd_kunit_write(const struct path *dir, const char *path, const void *data,
		       size_t len);
/* Writes @data at @pos of the existing @path, without truncating. */
int khttpd_kunit_pwrite(const struct path *dir, const char *path, const void *data,
			size_t len, loff_t pos);
int khttpd_kunit_mkdir(const struct path *dir, const char *name);
/* Removes a file or an empty directory. */
int khttpd_kunit_remove(const struct path *dir, const char *name);
/* Renames @from to @to in @dir, replacing @to if it exists. */
int khttpd_kunit_rename(const struct path *dir, const char *from, const char *to);
/* chmod of @path (may have '/' in it). */
int khttpd_kunit_chmod(const struct path *dir, const char *path, umode_t mode);

/*
 * Sleeps until the file system clock moved on, so that the next change
 * of a file gives it a new ctime even where timestamps are per tick.
 */
void khttpd_kunit_next_tick(void);

struct socket;

/*
 * A TCP connection on loopback in the initial namespace: *@listener (bound
 * to an ephemeral port), *@client connected to it and *@server, the
 * accepted end. Each is set as soon as it exists, for the caller to
 * release (sock_release) whatever the result.
 */
int khttpd_kunit_tcp_pair(struct socket **listener, struct socket **client,
			  struct socket **server);

#endif /* KHTTPD_KUNIT_FS_H */
