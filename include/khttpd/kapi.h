/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C++ core may ask of the kernel.
 *
 * The core never includes a kernel header. It sees the kernel only through
 * these opaque handles and plain functions, implemented in src/kernel/ for
 * the module and by fakes in tests/ for host unit tests and KUnit.
 *
 * All functions may sleep; none may be called from atomic context.
 */
#ifndef KHTTPD_KAPI_H
#define KHTTPD_KAPI_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kh_conn; /* a connected client socket */
struct kh_root; /* the document root, fixed while the server runs */
struct kh_file; /* an open regular file */

struct kh_file_info {
	kh_u64 size;
	kh_s64 mtime_sec;
	kh_u32 mtime_nsec;
	kh_u32 mode; /* KH_S_IF* type bits and permission bits */
	kh_u64 ino;
};

/*
 * Receive up to @len bytes. Returns the count (> 0), 0 when the peer closed
 * or the server is stopping, or a negative errno (-KH_EAGAIN on timeout).
 */
long kh_conn_recv(struct kh_conn *conn, void *buf, kh_size len);

/*
 * Send all @len bytes of @buf. @more says more data follows at once, so the
 * kernel may hold a partial segment back. Returns 0 or a negative errno.
 */
int kh_conn_send(struct kh_conn *conn, const void *buf, kh_size len, int more);

/* Send @len bytes of @file starting at @offset. Returns 0 or a negative errno. */
int kh_conn_send_file(struct kh_conn *conn, struct kh_file *file, kh_u64 offset,
		      kh_u64 len);

/*
 * Look up @path (NUL-terminated, relative, already normalised: no leading
 * '/', no "." or ".." segments) beneath @root. The walk itself is confined
 * to the root by the kernel. Fills @info for any file type; opens and
 * returns the file in @file only when it is a regular file (*@file is NULL
 * otherwise). Returns 0 or a negative errno (-KH_ENOENT, -KH_EACCES, ...).
 */
int kh_file_open(struct kh_root *root, const char *path, struct kh_file **file,
		 struct kh_file_info *info);
void kh_file_close(struct kh_file *file);

/* Wall-clock time in seconds since the Unix epoch. */
kh_s64 kh_now_seconds(void);

/* Memory for the core. May sleep. Returns NULL on failure. */
void *kh_alloc(kh_size size);
void kh_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif /* KHTTPD_KAPI_H */
