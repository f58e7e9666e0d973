/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's tracepoints (docs/observability.md): khttpd:request,
 * khttpd:handover, khttpd:conn_open, khttpd:conn_close. Off, each costs a
 * patched-out branch; on, perf, ftrace and BPF see them.
 *
 * Kept to what both 6.1 and 6.12 spell the same: the request line is a
 * __dynamic_array filled with memcpy (__string/__assign_str changed their
 * arguments in between).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM khttpd

#if !defined(KHTTPD_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KHTTPD_TRACE_H

#include <linux/minmax.h>
#include <linux/socket.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "khttpd/handover_reason.h"
#include "khttpd/kapi.h"
#include "access_log.h" /* struct khttpd_client_addr */
#include "stats.h"      /* enum khttpd_close_why */

/* Bytes of the request line a khttpd:request event keeps (then a NUL). */
#define KHTTPD_TRACE_LINE_MAX 128
#define khttpd_trace_line_len(log) min_t(size_t, (log)->line_len, KHTTPD_TRACE_LINE_MAX)

/* So that perf and bpftrace can resolve the names in the formats. */
TRACE_DEFINE_ENUM(KHTTPD_HANDOVER_METHOD);
TRACE_DEFINE_ENUM(KHTTPD_HANDOVER_DYNAMIC);
TRACE_DEFINE_ENUM(KHTTPD_HANDOVER_MISSING);
TRACE_DEFINE_ENUM(KHTTPD_HANDOVER_FORBIDDEN);
TRACE_DEFINE_ENUM(KHTTPD_HANDOVER_MIME);
TRACE_DEFINE_ENUM(KHTTPD_HANDOVER_RANGE);
TRACE_DEFINE_ENUM(KHTTPD_HANDOVER_OVERSIZE);
TRACE_DEFINE_ENUM(KHTTPD_HANDOVER_MALFORMED);
TRACE_DEFINE_ENUM(KHTTPD_HANDOVER_BODY);
TRACE_DEFINE_ENUM(KHTTPD_HANDOVER_TLS);
TRACE_DEFINE_ENUM(KHTTPD_CLOSE_DONE);
TRACE_DEFINE_ENUM(KHTTPD_CLOSE_PEER);
TRACE_DEFINE_ENUM(KHTTPD_CLOSE_TIMEOUT_HEADER);
TRACE_DEFINE_ENUM(KHTTPD_CLOSE_TIMEOUT_SEND);
TRACE_DEFINE_ENUM(KHTTPD_CLOSE_TIMEOUT_KEEPALIVE);
TRACE_DEFINE_ENUM(KHTTPD_CLOSE_STOPPED);
TRACE_DEFINE_ENUM(KHTTPD_CLOSE_ERROR);
TRACE_DEFINE_ENUM(KHTTPD_CLOSE_HANDOVER);

#define khttpd_show_reason(r)						\
	__print_symbolic(r,						\
		{ 0, "-" },						\
		{ KHTTPD_HANDOVER_METHOD, "method" },			\
		{ KHTTPD_HANDOVER_DYNAMIC, "dynamic" },			\
		{ KHTTPD_HANDOVER_MISSING, "missing" },			\
		{ KHTTPD_HANDOVER_FORBIDDEN, "forbidden" },		\
		{ KHTTPD_HANDOVER_MIME, "mime" },			\
		{ KHTTPD_HANDOVER_RANGE, "range" },			\
		{ KHTTPD_HANDOVER_OVERSIZE, "oversize" },		\
		{ KHTTPD_HANDOVER_MALFORMED, "malformed" },		\
		{ KHTTPD_HANDOVER_BODY, "body" },			\
		{ KHTTPD_HANDOVER_TLS, "tls" })

/*
 * A request done: answered by the kernel (status, bytes) or handed over
 * (status 0 and the reason). @log as kh_conn_request_done() got it.
 */
TRACE_EVENT(request,
	TP_PROTO(u64 conn_id, const struct kh_request_log *log),
	TP_ARGS(conn_id, log),
	TP_STRUCT__entry(
		__field(u64, conn_id)
		__field(u64, bytes)
		__field(u64, body_bytes)
		__field(u64, usec)
		__field(u16, status)
		__field(u8, reason)
		__field(u8, aborted)
		__dynamic_array(char, line, khttpd_trace_line_len(log) + 1)
	),
	TP_fast_assign(
		size_t len = khttpd_trace_line_len(log);
		char *line = __get_dynamic_array(line);

		__entry->conn_id = conn_id;
		__entry->bytes = log->bytes;
		__entry->body_bytes = log->body_bytes;
		__entry->usec = log->usec;
		__entry->status = log->status;
		__entry->reason = log->status ? 0 : log->handover_reason;
		__entry->aborted = log->aborted;
		if (len)
			memcpy(line, log->line, len);
		line[len] = '\0';
	),
	TP_printk("conn_id=%llu status=%u reason=%s bytes=%llu body_bytes=%llu usec=%llu aborted=%u line=\"%s\"",
		  __entry->conn_id, __entry->status, khttpd_show_reason(__entry->reason),
		  __entry->bytes, __entry->body_bytes, __entry->usec, __entry->aborted,
		  __get_str(line))
);

/* A connection taken by the daemon, after @served answers of the kernel's. */
TRACE_EVENT(handover,
	TP_PROTO(u64 conn_id, u32 reason, u32 served),
	TP_ARGS(conn_id, reason, served),
	TP_STRUCT__entry(
		__field(u64, conn_id)
		__field(u32, reason)
		__field(u32, served)
	),
	TP_fast_assign(
		__entry->conn_id = conn_id;
		__entry->reason = reason;
		__entry->served = served;
	),
	TP_printk("conn_id=%llu reason=%s served=%u", __entry->conn_id,
		  khttpd_show_reason(__entry->reason), __entry->served)
);

/*
 * A connection admitted, served by worker @worker. addr is always the
 * 16-byte IPv6 form (an IPv4 client's as ::ffff:a.b.c.d), so one format
 * prints both; family says which the client used.
 */
TRACE_EVENT(conn_open,
	TP_PROTO(u64 conn_id, const struct khttpd_client_addr *client, unsigned int worker),
	TP_ARGS(conn_id, client, worker),
	TP_STRUCT__entry(
		__field(u64, conn_id)
		__field(u32, worker)
		__field(u16, family)
		__field(u16, port)
		__array(u8, addr, 16)
	),
	TP_fast_assign(
		__entry->conn_id = conn_id;
		__entry->worker = worker;
		__entry->family = client->family;
		__entry->port = client->port;
		if (client->family == AF_INET) { /* ::ffff:a.b.c.d */
			memset(__entry->addr, 0, 10);
			memset(__entry->addr + 10, 0xff, 2);
			memcpy(__entry->addr + 12, client->addr, 4);
		} else {
			memcpy(__entry->addr, client->addr, 16);
		}
	),
	TP_printk("conn_id=%llu worker=%u family=%s addr=%pI6c port=%u",
		  __entry->conn_id, __entry->worker,
		  __entry->family == AF_INET ? "inet" : "inet6", __entry->addr,
		  __entry->port)
);

/* A connection leaves the kernel, after @requests requests, @bytes sent. */
TRACE_EVENT(conn_close,
	TP_PROTO(u64 conn_id, u32 requests, u64 bytes, int why),
	TP_ARGS(conn_id, requests, bytes, why),
	TP_STRUCT__entry(
		__field(u64, conn_id)
		__field(u64, bytes)
		__field(u32, requests)
		__field(u32, why)
	),
	TP_fast_assign(
		__entry->conn_id = conn_id;
		__entry->bytes = bytes;
		__entry->requests = requests;
		__entry->why = why;
	),
	TP_printk("conn_id=%llu requests=%u bytes=%llu why=%s", __entry->conn_id,
		  __entry->requests, __entry->bytes,
		  __print_symbolic(__entry->why,
			{ KHTTPD_CLOSE_DONE, "done" },
			{ KHTTPD_CLOSE_PEER, "peer" },
			{ KHTTPD_CLOSE_TIMEOUT_HEADER, "timeout_header" },
			{ KHTTPD_CLOSE_TIMEOUT_SEND, "timeout_send" },
			{ KHTTPD_CLOSE_TIMEOUT_KEEPALIVE, "timeout_keepalive" },
			{ KHTTPD_CLOSE_STOPPED, "stopped" },
			{ KHTTPD_CLOSE_ERROR, "error" },
			{ KHTTPD_CLOSE_HANDOVER, "handover" }))
);

#endif /* KHTTPD_TRACE_H */

/* Out of the kernel tree: define_trace.h finds this file through the -I
 * that Kbuild gives trace.c. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
