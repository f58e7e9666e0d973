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
 * Connection I/O never blocks: a call that cannot make progress now returns
 * -KH_EAGAIN, and the session waits for the socket (khttpd_session_step's
 * KHTTPD_STEP_READ / KHTTPD_STEP_WRITE).
 */

/*
 * Receive up to @len bytes. Returns the count (> 0; fewer than @len only
 * when the socket held no more at that moment), 0 when the peer closed or
 * the server is stopping, -KH_EAGAIN when nothing is there yet, or another
 * negative errno.
 */
long kh_conn_recv(struct kh_conn *conn, void *buf, kh_size len);

/*
 * Send up to @len bytes of @buf. @more says more data follows at once, so
 * the kernel may hold a partial segment back. Returns the count sent (> 0,
 * maybe fewer than @len), -KH_EAGAIN when the socket has no send space, or
 * another negative errno.
 */
long kh_conn_send(struct kh_conn *conn, const void *buf, kh_size len, int more);

/*
 * Send up to @len bytes of @file from @offset, from the page cache without a
 * copy. @more: data follows these @len bytes. Returns as kh_conn_send();
 * -KH_EIO if the file ends before @offset + @len (it shrank). Never waits
 * for a disk: pages not in the page cache are read elsewhere, and
 * -KH_EAGAIN waits for them as for send space (the read's end is an event).
 */
long kh_conn_send_file(struct kh_conn *conn, struct kh_file *file, kh_u64 offset,
		       kh_u64 len, int more);

/*
 * Copy up to @len bytes of @file from @offset into @buf (from the page
 * cache; for small bodies, sent with the response head in one send).
 * Returns the count or a negative errno. Never waits for a disk: fewer
 * than @len (or -KH_EAGAIN) when the file ends or its pages are not in the
 * page cache; the caller then sends the body with kh_conn_send_file().
 */
long kh_file_read(struct kh_file *file, kh_u64 offset, void *buf, kh_size len);

/*
 * What the core tells the kernel of one request once its fate is known: for
 * the counters (/proc/net/khttpd/status), the khttpd:request tracepoint and
 * the access log. The strings point into the connection's buffers and are
 * valid only during the call; none is NUL-terminated, and a length of 0
 * means the request had no such field (logged as "-").
 */
struct kh_request_log {
	const char *line;  /* the request line as received, without CR LF */
	kh_size line_len;
	const char *referer; /* the Referer field's value */
	kh_size referer_len;
	const char *agent; /* the User-Agent field's value */
	kh_size agent_len;
	const char *host;  /* the Host field's value (or the absolute-form authority) */
	kh_size host_len;
	kh_u64 body_bytes; /* body bytes sent (nginx's $body_bytes_sent) */
	kh_u64 bytes;      /* all bytes sent for it, head included */
	kh_u64 usec;       /* from its first byte received to its last byte sent */
	kh_u16 status;     /* the answer's status; 0: handed over */
	kh_u8 handover_reason; /* with status 0: enum khttpd_handover_reason */
	kh_u8 aborted;     /* 1: the answer was cut short (the client went away,
			    * a send failed or timed out, the server stopped) */
};

/*
 * A request the core answered itself is done: its answer was sent in full
 * or cut short (@log->aborted). Counts it and logs it. Never sleeps and
 * never allocates: a log record that does not fit is dropped and counted.
 */
void kh_conn_request_done(struct kh_conn *conn, const struct kh_request_log *log);

/* A monotonic clock in microseconds, for request times. Never sleeps. */
kh_u64 kh_clock_us(void);

/*
 * Hand the connection to the userspace daemon, with @len bytes it sent that
 * the core read but did not answer (@data: the request being handed over
 * and whatever followed it). @reason: enum khttpd_handover_reason
 * (khttpd/handover_reason.h, in include/uapi); @served: requests the core
 * answered before. Returns 0 when taken (the connection is no longer the
 * core's: the step returns KHTTPD_STEP_HANDOVER and touches it no more),
 * -KH_ENOENT when no daemon is registered, -KH_EAGAIN when the daemon is
 * too far behind, -KH_ENOMEM. When it is taken, the kernel counts and logs
 * @log (status 0, @reason) as kh_conn_request_done() would; when it is not,
 * it does neither (the core answers the request and logs that answer).
 */
int kh_conn_hand_over(struct kh_conn *conn, const void *data, kh_size len,
		      kh_u32 reason, kh_u32 served, const struct kh_request_log *log);

/*
 * Whether a daemon is registered that would take @conn if it were handed
 * over now. It may still go away before kh_conn_hand_over(), which then
 * fails with -KH_ENOENT. Never sleeps.
 */
bool kh_conn_daemon_ready(struct kh_conn *conn);

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

/*
 * The Content-Type for file name @name (@name_len bytes; a path is fine),
 * from its extension, in the MIME table in use (the built-in one, or one
 * loaded at run time: /proc/sys/net/khttpd/mimetypes). Copies it into @out
 * (no NUL added) and returns its length; returns 0 if the name has no or
 * an unknown extension (the caller applies its sloppymime policy), or if
 * the type does not fit @out_size (KH_MIME_TYPE_MAX, in types.h, always
 * fits). Never sleeps.
 */
kh_size kh_mime_type(const char *name, kh_size name_len, char *out, kh_size out_size);

#ifdef __cplusplus
}
#endif

#endif /* KHTTPD_KAPI_H */
