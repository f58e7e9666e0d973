/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the three files of the server: server.c (workers, start, stop,
 * counters), conn.c (a connection's life: callbacks, steps, deadlines,
 * lingering close) and listener.c (listen, accept, the listener callback).
 *
 * One header rather than a conn.h and a listener.h: the three share one
 * set of data structures (a worker owns its listener and its connections,
 * and both point back at it), so split headers would each need the other's
 * types. limits.c (the connection limits, checked by the listener) is the
 * fourth file behind it; the kapi_*.c files, cold_read.c and tls.c reach
 * a connection's worker and counters through it. The rest of the module
 * sees the server through khttpd.h.
 */
#ifndef KHTTPD_SERVER_INTERNAL_H
#define KHTTPD_SERVER_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bvec.h>
#include <linux/completion.h>
#include <linux/list.h>
#include <linux/net.h>
#include <linux/pagevec.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "khttpd/core.h"
#include "khttpd/deadline.h"
#include "handover.h"
#include "kapi_kernel.h"
#include "khttpd.h"
#include "stats.h"

/*
 * Connection buffers a worker keeps for reuse. A keep-alive connection gives
 * its buffer back whenever it is idle, i.e. after every request; the
 * worker's spares save a slab allocation and free per request, and bound
 * what idle connections cost all the same.
 */
#define KHTTPD_IO_SPARES 16

struct khttpd_server;
struct khttpd_peer; /* limits.c: one client address's connection count */
struct khttpd_cold_read; /* cold_read.c */
struct khttpd_tls; /* tls.c */

/*
 * What a connection's deadline is for. A worker keeps one list per kind,
 * each sorted by deadline because all its entries get the same timeout
 * from the moment they are (re)added at the tail.
 */

/* Why limits.c refused a connection (0: it did not). */
enum khttpd_refusal {
	KHTTPD_REFUSED_MAX = 1, /* max_connections reached */
	KHTTPD_REFUSED_PER_IP,  /* max_connections_per_ip reached */
	KHTTPD_REFUSED_NOMEM,   /* no memory to count a new address */
	KHTTPD_NR_REFUSED,
};

struct khttpd_limits {
	int max_conns;
	int max_per_ip;      /* 0: no per-address limit (and no table) */
	atomic_t open;       /* admitted and not yet released */
	spinlock_t lock;     /* the table; taken by workers only */
	struct hlist_head *peers;
	unsigned int peer_bits;
	u32 seed;
	atomic_long_t refused[KHTTPD_NR_REFUSED]; /* by enum khttpd_refusal */
	/* Where refusals are counted too (the namespace's status file);
	 * NULL: nowhere (KUnit). */
	struct khttpd_stats __percpu *stats;
};

struct khttpd_worker {
	struct khttpd_server *srv;
	struct task_struct *task;
	/*
	 * Its listeners, all on the server's port: usually one, more after a
	 * reload to fewer threads (the new generation adopts every listener
	 * of the old one, so that no queued connection is lost). The array
	 * has room for max_listeners; only the worker itself changes
	 * nr_listeners once it runs (it drops them when asked, see
	 * drop_listeners).
	 */
	struct socket **listeners;
	int nr_listeners;
	int max_listeners;
	/* Taken by socket callbacks (softirq): ready, accept_ready, conn flags. */
	spinlock_t lock;
	struct list_head ready; /* connections with events to handle */
	bool accept_ready;      /* the listener has connections waiting */
	/* Connections the daemon gave back over TLS (struct khttpd_tls,
	 * tls.c), for this worker to open. */
	struct list_head adopted;
	/*
	 * A reload asks the worker (under lock) to stop using its listeners:
	 * it forgets them at its loop top and completes listeners_dropped,
	 * after which the reload hands them to the new generation.
	 */
	bool drop_listeners;
	struct completion listeners_dropped;
	int nr_handed; /* reload only: listeners[] it had when asked */
	wait_queue_head_t wq;
	/* Worker only: its connections by kind of deadline (enum
	 * khttpd_timer), each list soonest first. */
	struct list_head heads;     /* a request head arriving */
	struct list_head sending;   /* an answer leaving */
	struct list_head conns;     /* waiting for the next request */
	struct list_head lingering; /* answered, closing (khttpd_conn_linger) */
	/* Its listeners' own sk_data_ready: one for all, since every TCP
	 * socket is born with the same one. */
	void (*saved_listener_ready)(struct sock *sk);
	/* kapi_net.c's folios for one send from the page cache and their
	 * bio_vecs: here, not on the stack (750 bytes). */
	struct khttpd_send_batch {
		struct folio_batch folios;
		struct bio_vec bvec[PAGEVEC_SIZE];
	} send_batch;
	void *scratch_mem; /* the core's scratch block, shared by its connections */
	struct khttpd_worker_scratch *scratch; /* set up in it, once */
	char *io_spare[KHTTPD_IO_SPARES]; /* free connection buffers */
	int nr_io_spare;
	/* Counters, written by the worker only (read by the stat sysctls and
	 * the status file's worker lines), since the start. */
	unsigned long nr_conns;
	unsigned long requests;  /* answered (khttpd_session_served) */
	unsigned long handovers;
	unsigned long nr_requests; /* answered or handed over (kapi_log.c) */
	/*
	 * Its own cache lines: workers[] is one array, and a worker writes
	 * its lock, lists and counters all the time.
	 */
} ____cacheline_aligned_in_smp;

struct khttpd_conn {
	struct kh_conn kc;
	struct khttpd_worker *w;
	struct list_head ready_node; /* in w->ready while queued */
	struct list_head node;       /* in its timer's list of w */
	unsigned long deadline;      /* jiffies */
	enum khttpd_timer timer;     /* what the deadline is for */
	struct khttpd_peer *peer;    /* its address's count; NULL: none kept */
	bool queued;  /* on w->ready (under w->lock) */
	bool running; /* its worker is stepping it (under w->lock) */
	bool kicked;  /* an event came while running (under w->lock) */
	bool sniff;   /* on tls_port, its first byte not seen yet (tls.c) */
	char *io;     /* recv + head buffers while busy, NULL while idle */
	/* Its read of a cold file in flight (cold_read.c; set by its
	 * worker, cleared by the read, both under w->lock), and the range
	 * the last one covered (end 0: none, or already used). */
	struct khttpd_cold_read *cold_read;
	loff_t cold_read_start, cold_read_end;
	void (*saved_data_ready)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
	/* The core's session, khttpd_session_size() bytes. */
	u64 session[] __aligned(sizeof(u64));
};

struct khttpd_server {
	struct kh_root root;
	/* The namespace's instance it serves (net.h), and from it: */
	struct khttpd_net *kn;
	struct khttpd_stats __percpu *stats; /* its counters */
	struct khttpd_fallback *fb;          /* its hand-over daemon */
	struct khttpd_session_params params;
	/*
	 * The same with closing set, for when a reload retires this
	 * generation: written before the workers start, never after, so a
	 * worker switches by reading the retiring flag only (no params that
	 * a worker may be reading are ever written).
	 */
	struct khttpd_session_params closing_params;
	bool retiring; /* smp_store_release by the reload, read by workers */
	struct list_head retired_node; /* on the retiring list (server.c) */
	unsigned long generation;
	bool plain_cache_names; /* its caches are khttpd_conn, khttpd_io */
	char index[KHTTPD_INDEX_MAX];
	char dynamic[KHTTPD_DYNAMIC_MAX];
	int max_header_size;
	unsigned long timeouts[KHTTPD_NR_TIMERS]; /* jiffies, by enum khttpd_timer */
	struct khttpd_limits limits;
	struct kmem_cache *conn_cache;
	struct kmem_cache *io_cache;
	int port;
	int tls_port; /* 0: none */
	time64_t started; /* boot time, seconds (of the first generation) */
	int nr_workers; /* initialised so far; workers[] has room for all */
	struct khttpd_worker workers[];
};

/* The server of the generation @kc was accepted by. */
static inline struct khttpd_server *khttpd_kc_server(struct kh_conn *kc)
{
	return container_of(kc, struct khttpd_conn, kc)->w->srv;
}

static inline void khttpd_worker_wake(struct khttpd_worker *w)
{
	wake_up(&w->wq);
}

/* The session parameters @srv's connections step with now. */
static inline const struct khttpd_session_params *
khttpd_server_params(const struct khttpd_server *srv)
{
	return smp_load_acquire(&srv->retiring) ? &srv->closing_params : &srv->params;
}

/* conn.c: connections, all called by their worker only. */

/* Sets up @w's connection lists (none yet). */
void khttpd_conn_init_lists(struct khttpd_worker *w);
/*
 * Takes @sock (accepted on @w's listener, admitted by the limits with
 * @peer) and serves it, or releases it and gives the admission back.
 * @tls_port: accepted there, to be sniffed first (tls.c).
 */
void khttpd_conn_open(struct khttpd_worker *w, struct socket *sock,
		      struct khttpd_peer *peer, bool tls_port);
/* The same for a connection the daemon gave back over TLS (tls.c). */
void khttpd_conn_adopt(struct khttpd_worker *w, struct khttpd_tls *t);
/* Steps @kc's connection again soon (from its own step: tls.c). */
void khttpd_conn_kick_kc(struct kh_conn *kc);
/* A new connection number (for logs, traces and the hand-over header). */
u64 khttpd_conn_new_id(void);
/* Steps the ready connections, a batch at a time. */
void khttpd_conn_run_ready(struct khttpd_worker *w);
/* Closes connections past their deadline; returns jiffies to the next. */
long khttpd_conn_expire(struct khttpd_worker *w);
/* The worker is stopping: closes all its connections, frees its spares. */
void khttpd_conn_stop_all(struct khttpd_worker *w);
/*
 * The exception to "worker only": marks @c ready from elsewhere (a cold
 * read's end), with w->lock held. True if the worker must be woken
 * (khttpd_worker_wake, after the lock).
 */
bool khttpd_conn_kick_locked(struct khttpd_conn *c);

/* listener.c */

/*
 * Adds a new listener on @port (all addresses, SO_REUSEPORT) to @w's,
 * its callback set. @w must have room for it. The port a listener is on
 * is its socket's (khttpd_listener_port): tls_port's connections are
 * sniffed.
 */
int khttpd_listen(struct khttpd_worker *w, int port);
/*
 * Moves listener @sock, whose worker stopped using it, to @w (which has
 * room): from now on its callback wakes @w.
 */
void khttpd_listener_adopt(struct khttpd_worker *w, struct socket *sock,
			   void (*saved_ready)(struct sock *sk));
int khttpd_listener_port(struct socket *sock);
/* Accepts what waits on @w's listeners, a batch at a time. */
void khttpd_listener_accept(struct khttpd_worker *w);
/* Detaches the callback of @sock, one of @w's listeners, and releases it. */
void khttpd_listener_release(struct khttpd_worker *w, struct socket *sock);
/* Detaches the callbacks and releases @w's listeners (if any). */
void khttpd_listener_close(struct khttpd_worker *w);
/* The listener's sk_data_ready (accepted sockets inherit it). */
void khttpd_listener_ready(struct sock *sk);

/* limits.c: connection limits, checked at accept (listener.c). */

int khttpd_limits_init(struct khttpd_limits *l, int max_conns, int max_per_ip);
/* After every admitted connection was released. */
void khttpd_limits_destroy(struct khttpd_limits *l);
/*
 * Admits @sock, or refuses it: returns 0 with *@peer set (NULL if no
 * per-address count is kept), or an enum khttpd_refusal, counted. Sleeps
 * (GFP_KERNEL) for a new address's entry.
 */
int khttpd_limits_admit(struct khttpd_limits *l, struct socket *sock,
			struct khttpd_peer **peer);
/* Gives back what khttpd_limits_admit() took for a connection now gone. */
void khttpd_limits_release(struct khttpd_limits *l, struct khttpd_peer *peer);
/* Refusals since khttpd_limits_init(), all reasons. */
unsigned long khttpd_limits_refused(struct khttpd_limits *l);
/* The client's address and port of connected @sk, for the log and traces. */
void khttpd_client_addr_of(struct sock *sk, struct khttpd_client_addr *client);

#endif /* KHTTPD_SERVER_INTERNAL_H */
