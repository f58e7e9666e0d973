/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The access log's records, as read(2) returns them from
 * /proc/net/khttpd/access_log: shared by the module (which writes them into
 * its per-CPU rings) and khttpd-fallbackd (which drains the rings and
 * writes /var/log/khttpd/access.log in the combined format).
 *
 * A read returns whole records only, one after another, each starting on
 * an 8-byte boundary of the buffer; a buffer too small for the next record
 * gets -EINVAL (KHTTPD_LOG_RECORD_MAX always fits). Records of one CPU come
 * in order; records of different CPUs may interleave out of time order.
 */
#ifndef KHTTPD_UAPI_ACCESS_LOG_H
#define KHTTPD_UAPI_ACCESS_LOG_H

#include <linux/types.h>

#define KHTTPD_LOG_VERSION 1

/* Longest string kept per field; a longer one is cut and flagged. */
#define KHTTPD_LOG_LINE_MAX 2048
#define KHTTPD_LOG_REFERER_MAX 1024
#define KHTTPD_LOG_AGENT_MAX 1024
#define KHTTPD_LOG_HOST_MAX 256

/* khttpd_log_record.flags */
#define KHTTPD_LOG_F_LINE_CUT (1U << 0)    /* line_len bytes are a prefix */
#define KHTTPD_LOG_F_REFERER_CUT (1U << 1)
#define KHTTPD_LOG_F_AGENT_CUT (1U << 2)
#define KHTTPD_LOG_F_HOST_CUT (1U << 3)
#define KHTTPD_LOG_F_ABORTED (1U << 4)     /* the answer was cut short */

struct khttpd_log_record {
	__u16 size;    /* bytes of the record: this header, the strings, padding to 8 */
	__u8 version;  /* KHTTPD_LOG_VERSION */
	__u8 family;   /* AF_INET or AF_INET6 (IPv4-mapped addresses come as AF_INET) */
	__u16 status;  /* HTTP status; 0: handed over to the daemon */
	__u8 handover_reason; /* with status 0: enum khttpd_handover_reason */
	__u8 flags;    /* KHTTPD_LOG_F_* */
	__u8 addr[16]; /* client address, network order (4 bytes used for AF_INET) */
	__u16 port;    /* client port, host order */
	__u16 line_len;
	__u16 referer_len; /* 0: no Referer ("-") */
	__u16 agent_len;   /* 0: no User-Agent ("-") */
	__u16 host_len;    /* 0: no Host */
	__u16 reserved[3]; /* 0 */
	__u64 time_ns;     /* when it was done, CLOCK_REALTIME */
	__u64 body_bytes;  /* body bytes sent */
	__u64 usec;        /* request time, microseconds */
	__u64 conn_id;     /* the connection's number since the module loaded */
	/* Then line, referer, agent and host bytes, in this order, no NULs. */
};

#define KHTTPD_LOG_RECORD_MAX \
	((sizeof(struct khttpd_log_record) + KHTTPD_LOG_LINE_MAX + KHTTPD_LOG_REFERER_MAX + \
	  KHTTPD_LOG_AGENT_MAX + KHTTPD_LOG_HOST_MAX + 7) & ~7UL)

#endif /* KHTTPD_UAPI_ACCESS_LOG_H */
