/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MIME table in use (src/kernel/mime_table.c): the built-in one, or
 * one loaded from a mime.types file through /proc/sys/net/khttpd/mimetypes.
 */
#ifndef KHTTPD_KERNEL_MIME_TABLE_H
#define KHTTPD_KERNEL_MIME_TABLE_H

#include <linux/types.h>

#define KHTTPD_MIME_PATH_MAX 1024  /* a path is shorter than this */
#define KHTTPD_MIME_FILE_MAX (1 << 20) /* largest mime.types file, bytes */

/*
 * Makes the mime.types file at @path (absolute) the table in use, at once,
 * even while the server runs; "" goes back to the built-in table. On any
 * error the table in use stays and it returns -EINVAL (a malformed file:
 * dmesg names its first bad line; or a relative or overlong path), -EFBIG
 * (over KHTTPD_MIME_FILE_MAX), -ENOMEM, or what opening or reading the
 * file gave (-ENOENT, -EACCES, -EISDIR, ...). May sleep.
 */
int khttpd_mime_load(const char *path);

/* Copies the path of the table in use ("" = built-in) into @buf. */
void khttpd_mime_path(char *buf, size_t size);

/* Frees a loaded table, at module exit (after the server stopped). */
void khttpd_mime_exit(void);

#endif /* KHTTPD_KERNEL_MIME_TABLE_H */
