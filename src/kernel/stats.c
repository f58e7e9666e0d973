// SPDX-License-Identifier: GPL-2.0
/*
 * The module's counters (stats.h) and /proc/net/khttpd/status, their text
 * form (the format is docs/observability.md's contract with khttpdctl).
 *
 * Each network namespace has its own counters and status file (net.h);
 * the access log's counts in it are the module's (one log for all).
 *
 * Reading the status file takes the namespace's lock, as the stat_* sysctls
 * do: the server is then either wholly running or wholly stopped, never
 * half torn down by a khttpd_server_stop() racing the reader, and its
 * workers cannot go away while their lines are printed. The counters need
 * no lock (stats.h). The namespace's exit removes the file first, which
 * waits for a read in progress, and frees the counters after it.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "access_log.h"
#include "handover.h"
#include "khttpd.h"
#include "net.h"
#include "stats.h"

void khttpd_stats_response(struct khttpd_stats __percpu *st, unsigned int status,
			   u64 bytes)
{
	khttpd_stat_inc(st, requests);
	if (status >= 100 && status < 600)
		khttpd_stat_inc(st, responses[status / 100 - 1]);
	khttpd_stat_add(st, bytes_sent, bytes);
}

void khttpd_stats_handover(struct khttpd_stats __percpu *st, unsigned int reason)
{
	khttpd_stat_inc(st, requests);
	khttpd_stat_inc(st, handovers[reason < KHTTPD_HANDOVER_SLOTS ? reason : 0]);
}

/*
 * Every field is a u64 or an s64 (stats.h), so a block is summed as an
 * array of u64; the gauges' signed deltas add up correctly in two's
 * complement.
 */
void khttpd_stats_sum(struct khttpd_stats __percpu *pcpu, struct khttpd_stats *sum)
{
	u64 *dst = (u64 *)sum;
	unsigned int i;
	int cpu;

	BUILD_BUG_ON(sizeof(*sum) % sizeof(u64));
	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const u64 *src = (const u64 *)per_cpu_ptr(pcpu, cpu);

		for (i = 0; i < sizeof(*sum) / sizeof(u64); i++)
			dst[i] += READ_ONCE(src[i]);
	}
}

/* ---- the status file ------------------------------------------------------ */

/* The status lines' names of enum khttpd_handover_reason, by value. */
static const char *const khttpd_handover_names[KHTTPD_HANDOVER_SLOTS] = {
	[KHTTPD_HANDOVER_METHOD] = "method",
	[KHTTPD_HANDOVER_DYNAMIC] = "dynamic",
	[KHTTPD_HANDOVER_MISSING] = "missing",
	[KHTTPD_HANDOVER_FORBIDDEN] = "forbidden",
	[KHTTPD_HANDOVER_MIME] = "mime",
	[KHTTPD_HANDOVER_RANGE] = "range",
	[KHTTPD_HANDOVER_OVERSIZE] = "oversize",
	[KHTTPD_HANDOVER_MALFORMED] = "malformed",
	[KHTTPD_HANDOVER_BODY] = "body",
	[KHTTPD_HANDOVER_TLS] = "tls",
};

/* What the status file shows besides the counters. */
struct khttpd_status_extra {
	struct khttpd_server_info srv;
	pid_t daemon_pid;
	unsigned long handovers_refused;
	u64 log_records, log_drops;
};

/*
 * A gauge read while connections move between the lists may be caught
 * between one CPU's -1 and another's +1; it is never below 0 in truth.
 */
static u64 khttpd_gauge(s64 v)
{
	return v < 0 ? 0 : v;
}

/* Everything but the worker lines, in the documented order. */
static void khttpd_status_print(struct seq_file *m, const struct khttpd_stats *s,
				const struct khttpd_status_extra *x)
{
	u64 reading = khttpd_gauge(s->conns[KHTTPD_TIMER_HEAD]);
	u64 writing = khttpd_gauge(s->conns[KHTTPD_TIMER_SEND]);
	u64 waiting = khttpd_gauge(s->conns[KHTTPD_TIMER_IDLE]);
	u64 lingering = khttpd_gauge(s->conns[KHTTPD_TIMER_LINGER]);
	u64 handovers = 0;
	int i;

	for (i = 0; i < KHTTPD_HANDOVER_SLOTS; i++)
		handovers += s->handovers[i];
	seq_puts(m, "version 1\n");
	seq_printf(m, "state %s\n", x->srv.running ? "running" : "stopped");
	seq_printf(m, "uptime_seconds %llu\n", x->srv.uptime);
	seq_printf(m, "port %d\n", x->srv.port);
	seq_printf(m, "threads %d\n", x->srv.threads);
	seq_printf(m, "generation %lu\n", x->srv.generation);
	seq_printf(m, "daemon_pid %d\n", x->daemon_pid);
	seq_printf(m, "connections_active %llu\n", reading + writing + waiting + lingering);
	seq_printf(m, "connections_reading %llu\n", reading);
	seq_printf(m, "connections_writing %llu\n", writing);
	seq_printf(m, "connections_waiting %llu\n", waiting);
	seq_printf(m, "connections_lingering %llu\n", lingering);
	seq_printf(m, "retiring_connections %lu\n", x->srv.retiring_conns);
	seq_printf(m, "accepts %llu\n", s->accepts);
	seq_printf(m, "handled %llu\n", s->handled);
	seq_printf(m, "requests %llu\n", s->requests);
	for (i = 0; i < ARRAY_SIZE(s->responses); i++)
		seq_printf(m, "responses_%dxx %llu\n", i + 1, s->responses[i]);
	seq_printf(m, "bytes_sent %llu\n", s->bytes_sent);
	seq_printf(m, "filecache_hits %llu\n", s->fc_hits);
	seq_printf(m, "filecache_misses %llu\n", s->fc_misses);
	seq_printf(m, "filecache_entries %u\n", x->srv.fc_entries);
	seq_printf(m, "handovers %llu\n", handovers);
	for (i = 1; i < KHTTPD_HANDOVER_SLOTS; i++)
		seq_printf(m, "handover_%s %llu\n", khttpd_handover_names[i], s->handovers[i]);
	seq_printf(m, "handovers_refused %lu\n", x->handovers_refused);
	seq_printf(m, "refused_max_connections %llu\n", s->refused_max);
	seq_printf(m, "refused_per_ip %llu\n", s->refused_per_ip);
	seq_printf(m, "refused_nomem %llu\n", s->refused_nomem);
	seq_printf(m, "timeouts_header %llu\n", s->timeouts[KHTTPD_TIMER_HEAD]);
	seq_printf(m, "timeouts_send %llu\n", s->timeouts[KHTTPD_TIMER_SEND]);
	seq_printf(m, "timeouts_keepalive %llu\n", s->timeouts[KHTTPD_TIMER_IDLE]);
	seq_printf(m, "worker_wakeups %llu\n", s->wakeups);
	seq_printf(m, "connection_steps %llu\n", s->conn_steps);
	seq_printf(m, "cold_reads %llu\n", s->cold_reads);
	seq_printf(m, "tls_adopted %llu\n", s->tls_adopted);
	seq_printf(m, "tls_refused %llu\n", s->tls_refused);
	seq_printf(m, "tls_plain_http %llu\n", s->tls_plain);
	seq_printf(m, "log_records %llu\n", x->log_records);
	seq_printf(m, "log_drops %llu\n", x->log_drops);
}

static int khttpd_status_show(struct seq_file *m, void *v)
{
	struct khttpd_net *kn = m->private;
	struct khttpd_status_extra x;
	struct khttpd_stats sum;

	/* Interruptible: a reader need not hang behind a slow stop. */
	if (mutex_lock_interruptible(&kn->lock))
		return -EINTR;
	khttpd_server_info(kn, &x.srv);
	x.daemon_pid = khttpd_fallback_daemon(&kn->fb);
	x.handovers_refused = khttpd_fallback_refused(&kn->fb);
	khttpd_access_log_counts(&x.log_records, &x.log_drops);
	khttpd_stats_sum(kn->stats, &sum);
	khttpd_status_print(m, &sum, &x);
	khttpd_server_show_workers(kn, m);
	mutex_unlock(&kn->lock);
	return 0;
}

int khttpd_stats_init(struct khttpd_net *kn)
{
	kn->stats = alloc_percpu(struct khttpd_stats);
	if (!kn->stats)
		return -ENOMEM;
	if (!proc_create_single_data("status", 0444, kn->proc_dir, khttpd_status_show, kn)) {
		free_percpu(kn->stats);
		kn->stats = NULL;
		return -ENOMEM;
	}
	return 0;
}

void khttpd_stats_exit(struct khttpd_net *kn)
{
	/* Waits for a read in progress; later ones fail. */
	remove_proc_entry("status", kn->proc_dir);
	free_percpu(kn->stats);
	kn->stats = NULL;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "stats_test.c"
#endif
