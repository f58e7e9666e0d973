// SPDX-License-Identifier: GPL-2.0
/*
 * What the core reports of each request (kapi.h's kh_conn_request_done and
 * a taken hand-over's log): counted (stats.h), traced (khttpd:request) and
 * written to the access log (access_log.c). Runs on the worker, per
 * request: nothing here sleeps, allocates or takes a lock.
 */
#include <linux/ktime.h>
#include <linux/timekeeping.h>

#include "access_log.h"
#include "kapi_kernel.h"
#include "server_internal.h"
#include "stats.h"
#include "trace.h"

kh_u64 kh_clock_us(void)
{
	return div_u64(ktime_get_ns(), NSEC_PER_USEC);
}

void kh_conn_request_done(struct kh_conn *kc, const struct kh_request_log *log)
{
	khttpd_stats_response(khttpd_kc_server(kc)->stats, log->status, log->bytes);
	khttpd_conn_count_request(kc);
	trace_request(kc->id, log);
	khttpd_access_log_add(log, &kc->client, kc->id);
}

void khttpd_log_handover(struct kh_conn *kc, const struct kh_request_log *log,
			 u32 reason, u32 served)
{
	struct kh_request_log handed;

	khttpd_stats_handover(khttpd_kc_server(kc)->stats, reason);
	khttpd_conn_count_request(kc);
	trace_handover(kc->id, reason, served);
	if (!log)
		return;
	handed = *log;
	handed.status = 0;
	handed.handover_reason = reason;
	trace_request(kc->id, &handed);
	khttpd_access_log_add(&handed, &kc->client, kc->id);
}
