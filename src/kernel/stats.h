/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's counters (stats.c), shown in /proc/net/khttpd/status
 * (docs/observability.md).
 *
 * One per-CPU block per network namespace (net.h), for the namespace's
 * life: the figures survive a stop and a start, and the status file reads
 * them while the server is stopped. The serving path only ever adds to its own CPU's
 * block (this_cpu_*: no lock, no atomic, no cache line shared between
 * workers); a reader sums all possible CPUs' blocks. The gauges are per-CPU
 * signed deltas too: a connection counted in on one CPU may be counted out
 * on another (its worker migrated), and only the sum means anything.
 */
#ifndef KHTTPD_STATS_H
#define KHTTPD_STATS_H

#include <linux/percpu.h>
#include <linux/types.h>

#include "khttpd/deadline.h"          /* enum khttpd_timer */
#include "khttpd/handover_reason.h"

/* Slots of khttpd_stats.handovers: by reason; 0 for an unknown one. */
#define KHTTPD_HANDOVER_SLOTS (KHTTPD_HANDOVER_TLS + 1)

/*
 * Every field is 64 bits wide, so that summing can treat a block as an
 * array of u64 (stats.c) and a reader on another CPU never sees half of
 * an update (x86-64 loads and stores 8 aligned bytes at once).
 */
struct khttpd_stats {
	u64 accepts;      /* connections accepted, refused ones included */
	u64 handled;      /* ... and admitted by the limits */
	u64 requests;     /* answered by the kernel or handed over */
	u64 responses[5]; /* the kernel's answers by class: 1xx ... 5xx */
	u64 bytes_sent;   /* of the kernel's answers, heads included */
	u64 fc_hits;      /* open-file cache */
	u64 fc_misses;
	u64 handovers[KHTTPD_HANDOVER_SLOTS]; /* by enum khttpd_handover_reason */
	u64 refused_max;     /* refused at accept: max_connections */
	u64 refused_per_ip;  /* max_connections_per_ip */
	u64 refused_nomem;   /* no memory to count a new address */
	u64 timeouts[KHTTPD_NR_TIMERS]; /* closed at a deadline, by timer
					 * (not LINGER's: a normal close) */
	s64 conns[KHTTPD_NR_TIMERS];    /* gauges: connections by timer
					 * (reading, writing, waiting, lingering) */
	u64 wakeups;      /* a worker slept and woke (events, accepts, deadlines) */
	u64 conn_steps;   /* a connection stepped (an event, a yield, its first) */
	u64 cold_reads;   /* file reads moved off a worker (cold_read.c) */
	u64 tls_adopted;  /* TLS connections the daemon gave back (tls.c) */
	u64 tls_refused;  /* handshakes refused: no daemon, queue full */
	u64 tls_plain;    /* plain HTTP on tls_port, answered 400 */
};

/* Adds to this CPU's block of @st (a namespace's counters). */
#define khttpd_stat_inc(st, field) this_cpu_inc((st)->field)
#define khttpd_stat_add(st, field, n) this_cpu_add((st)->field, n)

/* A request the kernel answered with @status, @bytes sent for it. */
void khttpd_stats_response(struct khttpd_stats __percpu *st, unsigned int status,
			   u64 bytes);
/* A request handed over for @reason. */
void khttpd_stats_handover(struct khttpd_stats __percpu *st, unsigned int reason);

/* Sums @pcpu over all possible CPUs into @sum. */
void khttpd_stats_sum(struct khttpd_stats __percpu *pcpu, struct khttpd_stats *sum);

/* What the status file shows of the server (server.c). */
struct khttpd_server_info {
	bool running;
	u64 uptime;     /* seconds since the start; 0 while stopped */
	int port;       /* the running server's; while stopped, the sysctl's */
	int threads;    /* likewise */
	unsigned int fc_entries; /* files in the open-file cache now */
	unsigned long generation; /* made since the load: starts and reloads */
	unsigned long retiring_conns; /* open in generations a reload retired */
};

struct seq_file;
struct khttpd_net;

/* Both with kn->lock held (the server cannot stop meanwhile). */
void khttpd_server_info(struct khttpd_net *kn, struct khttpd_server_info *info);
/* The `worker` lines of the running server (none while stopped). */
void khttpd_server_show_workers(struct khttpd_net *kn, struct seq_file *m);

/*
 * Why a connection left the kernel: the khttpd:conn_close tracepoint's
 * `why` (trace.h prints these names).
 */
enum khttpd_close_why {
	KHTTPD_CLOSE_DONE,              /* the server closed after its last answer */
	KHTTPD_CLOSE_PEER,              /* the client had closed (FIN or reset) */
	KHTTPD_CLOSE_TIMEOUT_HEADER,    /* header_timeout */
	KHTTPD_CLOSE_TIMEOUT_SEND,      /* send_timeout (reset) */
	KHTTPD_CLOSE_TIMEOUT_KEEPALIVE, /* keepalive_timeout */
	KHTTPD_CLOSE_STOPPED,           /* the server stopped */
	KHTTPD_CLOSE_ERROR,             /* no memory for its buffers */
	KHTTPD_CLOSE_HANDOVER,          /* handed to the daemon, no longer the kernel's */
};

/*
 * A namespace's instance made and destroyed (net.c): its counters and its
 * /proc/net/khttpd/status (in kn->proc_dir). Init before the server can
 * start; exit after it stopped for good.
 */
int khttpd_stats_init(struct khttpd_net *kn);
void khttpd_stats_exit(struct khttpd_net *kn);

#endif /* KHTTPD_STATS_H */
