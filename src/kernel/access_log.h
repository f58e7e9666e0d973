/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The access log (access_log.c): per-CPU bounded rings of binary records
 * (include/uapi/khttpd/access_log.h), filled by workers without blocking or
 * allocating, drained by khttpd-fallbackd through /proc/net/khttpd/access_log.
 */
#ifndef KHTTPD_ACCESS_LOG_H
#define KHTTPD_ACCESS_LOG_H

#include <linux/types.h>

#include "khttpd/kapi.h"

/* A client's address as the log (and the tracepoints) record it. */
struct khttpd_client_addr {
	u8 family;   /* AF_INET or AF_INET6; an IPv4-mapped IPv6 address is AF_INET */
	u8 addr[16]; /* network order; 4 bytes used for AF_INET */
	u16 port;    /* host order */
};

/* sysctl `logging`: 1 (default) logs every request, 0 none. Read without a
 * lock on the serving path; takes effect at once. */
extern int khttpd_logging;

/*
 * Appends a record of @req (a request of connection @conn_id from @client)
 * to this CPU's ring. Never sleeps, never allocates; a record that does not
 * fit is dropped and counted. Does nothing while `logging` is 0.
 */
void khttpd_access_log_add(const struct kh_request_log *req,
			   const struct khttpd_client_addr *client, u64 conn_id);

/* Records written and dropped since the module loaded (summed over CPUs). */
void khttpd_access_log_counts(u64 *records, u64 *drops);

/* Module load and unload: the rings and /proc/net/khttpd/access_log. */
int khttpd_access_log_init(void);
void khttpd_access_log_exit(void);

#endif /* KHTTPD_ACCESS_LOG_H */
