/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MIME table in use (src/kernel/mime_table.c): the built-in one, or
 * one loaded from a mime.types file through /proc/sys/net/khttpd/mimetypes.
 */
#ifndef KHTTPD_KERNEL_MIME_TABLE_H
#define KHTTPD_KERNEL_MIME_TABLE_H

#include <linux/types.h>

/* khttpd_mime_load() and khttpd_mime_path(), for the sysctl: khttpd.h. */
#include "khttpd.h"

#define KHTTPD_MIME_FILE_MAX (1 << 20) /* largest mime.types file, bytes */

/* Frees a loaded table, at module exit (after the server stopped). */
void khttpd_mime_exit(void);

#endif /* KHTTPD_KERNEL_MIME_TABLE_H */
