// SPDX-License-Identifier: GPL-2.0
/*
 * The listening sockets, the worker threads and their connections.
 *
 * Every worker thread owns a listener (SO_REUSEPORT: the kernel spreads new
 * connections over the workers' listeners) and the connections it accepted
 * on it. It sleeps until a socket callback (data arrived, send space freed,
 * peer closed, connection waiting to be accepted) puts work on its ready
 * list, then steps each ready connection's session (the C++ core) as far as
 * it goes without blocking. Nothing polls: the only timer is the earliest
 * connection deadline (keepalive_timeout).
 *
 * A connection is touched only by its worker. Socket callbacks run in
 * softirq context and only mark the connection ready under the worker's
 * lock; the worker detaches them (under sk_callback_lock) before it frees a
 * connection, so no callback can see it afterwards. Stopping stops each
 * worker, which closes its own connections on the way out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/wait.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "khttpd/core.h"
#include "handover.h"
#include "file_cache.h"
#include "kapi_kernel.h"
#include "khttpd.h"

#define KHTTPD_BACKLOG 1024
/* Work a worker does per wake-up before it looks at its listener again. */
#define KHTTPD_ACCEPT_BATCH 64
#define KHTTPD_STEP_BATCH 64
/* How long a closing connection may take to send its FIN and drain what
 * the client still sends (nginx's lingering close), at most. */
#define KHTTPD_LINGER_SECS 2
/*
 * Bodies up to this size that fit behind the head in the head buffer
 * (max_header_size) are copied there and sent with the head in one send:
 * cheaper than a second send of page-cache pages through the splice pipe.
 */
#define KHTTPD_INLINE_BODY_MAX 8192
/*
 * Connection buffers a worker keeps for reuse. A keep-alive connection gives
 * its buffer back whenever it is idle, i.e. after every request; the
 * worker's spares save a slab allocation and free per request, and bound
 * what idle connections cost all the same.
 */
#define KHTTPD_IO_SPARES 16
/*
 * TCP_DEFER_ACCEPT on the listeners (Apache's AcceptFilter does the same):
 * a connection reaches a worker with its request, not with the bare ACK of
 * the handshake, which saves a wake-up and an empty step per connection. A
 * client that connects and stays silent waits in the kernel's SYN queue
 * (holding no worker memory) and is accepted after about this many seconds.
 */
#define KHTTPD_DEFER_ACCEPT_SECS 1

struct khttpd_server;

struct khttpd_worker {
	struct khttpd_server *srv;
	struct task_struct *task;
	struct socket *listener;
	/* Taken by socket callbacks (softirq): ready, accept_ready, conn flags. */
	spinlock_t lock;
	struct list_head ready; /* connections with events to handle */
	bool accept_ready;      /* the listener has connections waiting */
	wait_queue_head_t wq;
	/* Worker only: its connections by deadline, soonest first. */
	struct list_head conns;     /* open ones */
	struct list_head lingering; /* answered, closing (khttpd_conn_linger) */
	void (*saved_listener_ready)(struct sock *sk);
	char *scratch; /* the core's scratch block, shared by its connections */
	char *io_spare[KHTTPD_IO_SPARES]; /* free connection buffers */
	int nr_io_spare;
	struct khttpd_session_buffers scratch_bufs; /* set up in it, once */
	/* Counters, written by the worker only (read by the stat sysctls). */
	unsigned long nr_conns;
	unsigned long requests;
	unsigned long handovers;
};

struct khttpd_conn {
	struct kh_conn kc;
	struct khttpd_worker *w;
	struct list_head ready_node; /* in w->ready while queued */
	struct list_head node;       /* in w->conns */
	unsigned long deadline;      /* jiffies */
	bool queued;  /* on w->ready (under w->lock) */
	bool running; /* its worker is stepping it (under w->lock) */
	bool kicked;  /* an event came while running (under w->lock) */
	bool lingering; /* answered; draining input until the peer closes */
	char *io;     /* recv + head buffers while busy, NULL while idle */
	void (*saved_data_ready)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
	/* The core's session, khttpd_session_size() bytes. */
	u64 session[] __aligned(sizeof(u64));
};

struct khttpd_server {
	struct kh_root root;
	struct khttpd_session_params params;
	char index[KHTTPD_INDEX_MAX];
	char dynamic[KHTTPD_DYNAMIC_MAX];
	int max_header_size;
	unsigned long timeout; /* keepalive_timeout, jiffies */
	struct kmem_cache *conn_cache;
	struct kmem_cache *io_cache;
	atomic64_t next_conn_id;
	int nr_workers; /* initialised so far; workers[] has room for all */
	struct khttpd_worker workers[];
};

DEFINE_MUTEX(khttpd_config_lock);
static struct khttpd_server *khttpd_server;

bool khttpd_server_running(void)
{
	lockdep_assert_held(&khttpd_config_lock);
	return khttpd_server != NULL;
}

static struct khttpd_session *khttpd_session_of(struct khttpd_conn *c)
{
	return (struct khttpd_session *)c->session;
}

/* ---- events ------------------------------------------------------------ */

static void khttpd_wake(struct khttpd_worker *w)
{
	wake_up(&w->wq);
}

/* Marks @c ready; called from socket callbacks and by its worker. */
static void khttpd_conn_kick(struct khttpd_conn *c)
{
	struct khttpd_worker *w = c->w;
	bool wake = false;

	spin_lock_bh(&w->lock);
	c->kicked = true;
	if (!c->queued && !c->running) {
		list_add_tail(&c->ready_node, &w->ready);
		c->queued = true;
		wake = true;
	}
	spin_unlock_bh(&w->lock);
	if (wake)
		khttpd_wake(w);
}

static void khttpd_sk_event(struct sock *sk)
{
	struct khttpd_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c)
		khttpd_conn_kick(c);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void khttpd_listener_ready(struct sock *sk)
{
	struct khttpd_worker *w;

	read_lock_bh(&sk->sk_callback_lock);
	w = sk->sk_user_data;
	if (w) {
		spin_lock_bh(&w->lock);
		w->accept_ready = true;
		spin_unlock_bh(&w->lock);
		khttpd_wake(w);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void khttpd_conn_attach(struct khttpd_conn *c)
{
	struct sock *sk = c->kc.sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	/*
	 * An accepted socket starts as a copy of its listener, callbacks and
	 * sk_user_data included: its own sk_data_ready is the one the listener
	 * had before we replaced it. (Until now a wake-up of it only marked
	 * the listener ready: harmless.)
	 */
	c->saved_data_ready = sk->sk_data_ready == khttpd_listener_ready ?
			      c->w->saved_listener_ready : sk->sk_data_ready;
	c->saved_write_space = sk->sk_write_space;
	c->saved_state_change = sk->sk_state_change;
	sk->sk_user_data = c;
	sk->sk_data_ready = khttpd_sk_event;
	sk->sk_write_space = khttpd_sk_event;
	sk->sk_state_change = khttpd_sk_event;
	write_unlock_bh(&sk->sk_callback_lock);
}

/* After this no callback of ours runs for @c's socket, nor will. */
static void khttpd_conn_detach(struct khttpd_conn *c)
{
	struct sock *sk = c->kc.sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	if (sk->sk_user_data == c) {
		sk->sk_user_data = NULL;
		sk->sk_data_ready = c->saved_data_ready;
		sk->sk_write_space = c->saved_write_space;
		sk->sk_state_change = c->saved_state_change;
	}
	write_unlock_bh(&sk->sk_callback_lock);
}

/* ---- connections ------------------------------------------------------- */

static char *khttpd_io_get(struct khttpd_worker *w)
{
	if (w->nr_io_spare)
		return w->io_spare[--w->nr_io_spare];
	return kmem_cache_alloc(w->srv->io_cache, GFP_KERNEL);
}

/* @c gives its buffer back (if it has one): to the spares, else the slab. */
static void khttpd_conn_put_io(struct khttpd_worker *w, struct khttpd_conn *c)
{
	if (!c->io)
		return;
	if (w->nr_io_spare < KHTTPD_IO_SPARES)
		w->io_spare[w->nr_io_spare++] = c->io;
	else
		kmem_cache_free(w->srv->io_cache, c->io);
	c->io = NULL;
}

static void khttpd_conn_open(struct khttpd_worker *w, struct socket *sock)
{
	struct khttpd_server *srv = w->srv;
	struct khttpd_conn *c;

	c = kmem_cache_zalloc(srv->conn_cache, GFP_KERNEL);
	if (!c) {
		sock_release(sock);
		return;
	}
	c->kc.sock = sock;
	c->kc.id = atomic64_inc_return(&srv->next_conn_id);
	c->w = w;
	INIT_LIST_HEAD(&c->ready_node);
	khttpd_session_init(khttpd_session_of(c), &c->kc);
	tcp_sock_set_nodelay(sock->sk);
	c->deadline = jiffies + srv->timeout;
	list_add_tail(&c->node, &w->conns);
	WRITE_ONCE(w->nr_conns, w->nr_conns + 1);
	khttpd_conn_attach(c);
	/* The request may have arrived before the callbacks were set. */
	khttpd_conn_kick(c);
}

/* Frees @c; its socket is already released or handed over. */
static void khttpd_conn_free(struct khttpd_worker *w, struct khttpd_conn *c)
{
	spin_lock_bh(&w->lock);
	if (c->queued)
		list_del(&c->ready_node);
	spin_unlock_bh(&w->lock);
	list_del(&c->node);
	WRITE_ONCE(w->nr_conns, w->nr_conns - 1);
	khttpd_session_destroy(khttpd_session_of(c));
	khttpd_conn_put_io(w, c);
	kmem_cache_free(w->srv->conn_cache, c);
}

static void khttpd_conn_close(struct khttpd_worker *w, struct khttpd_conn *c)
{
	khttpd_conn_detach(c);
	sock_release(c->kc.sock);
	khttpd_conn_free(w, c);
}

/*
 * The server is stopping. A connection stopped in the middle of an answer
 * is reset: what is still queued can only be a truncated answer, and a
 * released socket would go on trickling it to a slow reader for as long
 * as that takes, out of the administrator's hands. An idle one gets a
 * plain FIN.
 */
static void khttpd_conn_stop(struct khttpd_worker *w, struct khttpd_conn *c)
{
	if (READ_ONCE(c->kc.sock->sk->sk_wmem_queued))
		sock_no_linger(c->kc.sock->sk);
	khttpd_conn_close(w, c);
}

/*
 * The answer is queued; close without losing it. Releasing a socket that
 * still has unread input (a request body, pipelined requests after
 * "Connection: close") sends a reset, which can destroy the answer at the
 * client before it is read. So: send FIN, read and drop until the client
 * closes too, for a short while at most.
 */
static void khttpd_conn_linger(struct khttpd_worker *w, struct khttpd_conn *c)
{
	c->lingering = true;
	c->deadline = jiffies + min_t(unsigned long, w->srv->timeout,
				      KHTTPD_LINGER_SECS * HZ);
	list_move_tail(&c->node, &w->lingering);
	khttpd_conn_put_io(w, c);
	kernel_sock_shutdown(c->kc.sock, SHUT_WR);
}

/*
 * Returns false when the lingering connection is done with. A client that
 * keeps sending is not drained forever in one go: the rest waits for the
 * next event or the linger deadline.
 */
static bool khttpd_conn_drain(struct khttpd_conn *c)
{
	static char sink[512]; /* never written: MSG_TRUNC drops TCP data */
	int i;

	for (i = 0; i < 64; i++) {
		struct kvec iov = { .iov_base = sink, .iov_len = sizeof(sink) };
		struct msghdr msg = {};
		int n = kernel_recvmsg(c->kc.sock, &msg, &iov, 1, sizeof(sink),
				       MSG_DONTWAIT | MSG_TRUNC);

		if (n == -EAGAIN)
			return true;
		if (n <= 0)
			return false;
	}
	return true;
}

static bool khttpd_conn_buffers(struct khttpd_worker *w, struct khttpd_conn *c,
				struct khttpd_session_buffers *bufs)
{
	struct khttpd_server *srv = w->srv;

	if (!c->io) {
		c->io = khttpd_io_get(w);
		if (!c->io)
			return false;
	}
	*bufs = w->scratch_bufs;
	khttpd_conn_buffers_init(bufs, c->io, srv->max_header_size);
	return true;
}

/* Steps @c's session. Returns false if @c is gone. */
static bool khttpd_conn_step(struct khttpd_worker *w, struct khttpd_conn *c,
			     enum khttpd_step *step)
{
	struct khttpd_server *srv = w->srv;
	struct khttpd_session *s = khttpd_session_of(c);
	struct khttpd_session_buffers bufs;
	bool was_idle = khttpd_session_idle(s);
	u32 served = khttpd_session_served(s);

	if (c->lingering) {
		if (!khttpd_conn_drain(c)) {
			khttpd_conn_close(w, c);
			return false;
		}
		*step = KHTTPD_STEP_READ;
		return true;
	}
	if (!khttpd_conn_buffers(w, c, &bufs)) {
		khttpd_conn_close(w, c); /* out of memory: shed this one */
		return false;
	}
	*step = khttpd_session_step(s, &srv->root, &srv->params, &bufs);
	WRITE_ONCE(w->requests, w->requests + (khttpd_session_served(s) - served));
	switch (*step) {
	case KHTTPD_STEP_CLOSE:
		/*
		 * The client announced the close and left nothing unread: the
		 * FIN can follow the answer at once, without lingering (nginx
		 * closes the same way). This saves connection-per-request
		 * clients a wake-up and a step for their FIN.
		 */
		if (khttpd_session_peer_done(s) &&
		    skb_queue_empty_lockless(&c->kc.sock->sk->sk_receive_queue)) {
			khttpd_conn_close(w, c);
			return false;
		}
		khttpd_conn_linger(w, c);
		*step = KHTTPD_STEP_READ;
		return khttpd_conn_step(w, c, step);
	case KHTTPD_STEP_HANDOVER:
		/* kh_conn_hand_over() took the socket and its callbacks. */
		WRITE_ONCE(w->handovers, w->handovers + 1);
		khttpd_conn_free(w, c);
		return false;
	default:
		break;
	}
	/*
	 * Deadlines: a keep-alive wait gets the full timeout, so does each
	 * step that sent something (nginx's send_timeout); a request head must
	 * arrive whole within the timeout of its first byte, however slowly.
	 */
	if (was_idle || *step != KHTTPD_STEP_READ || khttpd_session_idle(s)) {
		c->deadline = jiffies + srv->timeout;
		list_move_tail(&c->node, &w->conns);
	}
	if (khttpd_session_idle(s))
		khttpd_conn_put_io(w, c); /* idle: holds nothing */
	return true;
}

static void khttpd_worker_run_ready(struct khttpd_worker *w)
{
	int budget;

	for (budget = KHTTPD_STEP_BATCH; budget; budget--) {
		struct khttpd_conn *c;
		enum khttpd_step step;

		spin_lock_bh(&w->lock);
		c = list_first_entry_or_null(&w->ready, struct khttpd_conn, ready_node);
		if (c) {
			list_del_init(&c->ready_node);
			c->queued = false;
			c->running = true;
			c->kicked = false;
		}
		spin_unlock_bh(&w->lock);
		if (!c)
			return;
		if (!khttpd_conn_step(w, c, &step))
			continue;
		spin_lock_bh(&w->lock);
		c->running = false;
		if (step == KHTTPD_STEP_YIELD || c->kicked) {
			list_add_tail(&c->ready_node, &w->ready);
			c->queued = true;
		}
		spin_unlock_bh(&w->lock);
	}
}

static void khttpd_worker_accept(struct khttpd_worker *w)
{
	int n;

	for (n = 0; n < KHTTPD_ACCEPT_BATCH; n++) {
		struct socket *sock;
		int err;

		spin_lock_bh(&w->lock);
		w->accept_ready = false; /* an arrival from now on sets it again */
		spin_unlock_bh(&w->lock);
		err = kernel_accept(w->listener, &sock, O_NONBLOCK);
		if (err == -EAGAIN)
			return;
		if (err)
			continue; /* the client gave up already, or no memory */
		khttpd_conn_open(w, sock);
	}
	spin_lock_bh(&w->lock);
	w->accept_ready = true; /* more may wait: after the ready ones */
	spin_unlock_bh(&w->lock);
}

/*
 * Closes the connections of @list (sorted by deadline) that are past it;
 * returns the jiffies until the next deadline.
 */
static long khttpd_expire_list(struct khttpd_worker *w, struct list_head *list)
{
	struct khttpd_conn *c, *tmp;

	list_for_each_entry_safe(c, tmp, list, node) {
		if (time_before(jiffies, c->deadline))
			return c->deadline - jiffies;
		khttpd_conn_close(w, c);
	}
	return MAX_SCHEDULE_TIMEOUT;
}

static long khttpd_worker_expire(struct khttpd_worker *w)
{
	return min(khttpd_expire_list(w, &w->conns), khttpd_expire_list(w, &w->lingering));
}

static bool khttpd_worker_has_work(struct khttpd_worker *w)
{
	bool work;

	spin_lock_bh(&w->lock);
	work = w->accept_ready || !list_empty(&w->ready);
	spin_unlock_bh(&w->lock);
	return work;
}

static int khttpd_worker_fn(void *data)
{
	struct khttpd_worker *w = data;
	long timeout = MAX_SCHEDULE_TIMEOUT;

	while (!kthread_should_stop()) {
		wait_event_interruptible_timeout(w->wq, khttpd_worker_has_work(w) ||
						 kthread_should_stop(), timeout);
		if (kthread_should_stop())
			break;
		khttpd_worker_accept(w);
		khttpd_worker_run_ready(w);
		timeout = khttpd_worker_expire(w);
		if (khttpd_worker_has_work(w))
			cond_resched();
	}
	/* Stopping: this worker's connections go with it. */
	list_splice_init(&w->lingering, &w->conns);
	while (!list_empty(&w->conns))
		khttpd_conn_stop(w, list_first_entry(&w->conns, struct khttpd_conn, node));
	while (w->nr_io_spare)
		kmem_cache_free(w->srv->io_cache, w->io_spare[--w->nr_io_spare]);
	return 0;
}

/* ---- hand-over ----------------------------------------------------------- */

int kh_conn_hand_over(struct kh_conn *kc, const void *data, kh_size len,
		      kh_u32 reason, kh_u32 served)
{
	struct khttpd_conn *c = container_of(kc, struct khttpd_conn, kc);
	struct khttpd_handover_item *item;
	int err;

	err = khttpd_fallback_reserve();
	if (err)
		return err;
	item = khttpd_fallback_item_alloc(data, len, reason, served, kc->id);
	if (!item) {
		khttpd_fallback_unreserve();
		return -ENOMEM;
	}
	/* The socket leaves with its own callbacks, and in blocking mode. */
	khttpd_conn_detach(c);
	item->sock = kc->sock;
	kc->sock = NULL;
	khttpd_fallback_commit(item);
	return 0;
}

/* ---- counters ------------------------------------------------------------ */

/* Sum of a worker counter over all workers; 0 while stopped. */
unsigned long khttpd_server_stat(enum khttpd_stat stat)
{
	struct khttpd_server *srv;
	unsigned long sum = 0;
	int i;

	lockdep_assert_held(&khttpd_config_lock);
	srv = khttpd_server;
	for (i = 0; srv && i < srv->nr_workers; i++) {
		struct khttpd_worker *w = &srv->workers[i];

		switch (stat) {
		case KHTTPD_STAT_CONNECTIONS:
			sum += READ_ONCE(w->nr_conns);
			break;
		case KHTTPD_STAT_REQUESTS:
			sum += READ_ONCE(w->requests);
			break;
		case KHTTPD_STAT_HANDOVERS:
			sum += READ_ONCE(w->handovers);
			break;
		default:
			break;
		}
	}
	return sum;
}

/* ---- start and stop ------------------------------------------------------- */

/*
 * A listener on all addresses: IPv6 taking IPv4 too (v4-mapped), or plain
 * IPv4 where the kernel has no IPv6. SO_REUSEPORT, so every worker has its
 * own. Created as a user socket (kern = 0): accepted sockets then hold a
 * reference on their network namespace, which a socket handed to
 * userspace needs.
 */
static int khttpd_listen(struct khttpd_worker *w, int port)
{
	struct sockaddr_in6 addr6 = {
		.sin6_family = AF_INET6,
		.sin6_addr = IN6ADDR_ANY_INIT,
		.sin6_port = htons(port),
	};
	struct sockaddr_in addr4 = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(port),
	};
	struct sockaddr *addr = (struct sockaddr *)&addr6;
	int addrlen = sizeof(addr6);
	int defer = KHTTPD_DEFER_ACCEPT_SECS;
	struct socket *sock;
	struct sock *sk;
	int err;

	err = __sock_create(&init_net, PF_INET6, SOCK_STREAM, IPPROTO_TCP, &sock, 0);
	if (err == -EAFNOSUPPORT) {
		addr = (struct sockaddr *)&addr4;
		addrlen = sizeof(addr4);
		err = __sock_create(&init_net, PF_INET, SOCK_STREAM, IPPROTO_TCP,
				    &sock, 0);
	}
	if (err)
		return err;
	sk = sock->sk;
	sock_set_reuseaddr(sk);
	sock_set_reuseport(sk);
	err = sock->ops->setsockopt(sock, SOL_TCP, TCP_DEFER_ACCEPT,
				    KERNEL_SOCKPTR(&defer), sizeof(defer));
	if (err)
		goto fail;
	if (addr->sa_family == AF_INET6)
		sk->sk_ipv6only = false;
	err = kernel_bind(sock, addr, addrlen);
	if (err) {
		pr_err("cannot bind port %d: error %d\n", port, err);
		goto fail;
	}
	err = kernel_listen(sock, KHTTPD_BACKLOG);
	if (err) {
		pr_err("cannot listen on port %d: error %d\n", port, err);
		goto fail;
	}
	write_lock_bh(&sk->sk_callback_lock);
	w->saved_listener_ready = sk->sk_data_ready;
	sk->sk_user_data = w;
	sk->sk_data_ready = khttpd_listener_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	w->listener = sock;
	return 0;
fail:
	sock_release(sock);
	return err;
}

static void khttpd_listener_close(struct khttpd_worker *w)
{
	struct sock *sk;

	if (!w->listener)
		return;
	sk = w->listener->sk;
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = w->saved_listener_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	sock_release(w->listener);
	w->listener = NULL;
}

static int khttpd_worker_init(struct khttpd_server *srv, struct khttpd_worker *w,
			      int port)
{
	w->srv = srv;
	spin_lock_init(&w->lock);
	INIT_LIST_HEAD(&w->ready);
	INIT_LIST_HEAD(&w->conns);
	INIT_LIST_HEAD(&w->lingering);
	init_waitqueue_head(&w->wq);
	w->scratch = kvmalloc(khttpd_scratch_buffer_size(srv->max_header_size),
			      GFP_KERNEL);
	if (!w->scratch)
		return -ENOMEM;
	khttpd_scratch_buffer_init(&w->scratch_bufs, w->scratch, srv->max_header_size);
	return khttpd_listen(w, port);
}

/* Stops and frees everything khttpd_server_start() set up, in reverse. */
static void khttpd_server_destroy(struct khttpd_server *srv)
{
	int i;

	/* Each worker closes its connections before it returns. */
	for (i = 0; i < srv->nr_workers; i++)
		if (srv->workers[i].task)
			kthread_stop(srv->workers[i].task);
	for (i = 0; i < srv->nr_workers; i++) {
		khttpd_listener_close(&srv->workers[i]);
		kvfree(srv->workers[i].scratch);
	}
	kmem_cache_destroy(srv->io_cache);
	kmem_cache_destroy(srv->conn_cache);
	khttpd_fc_destroy(srv->root.cache);
	if (srv->root.path.dentry)
		path_put(&srv->root.path);
	if (srv->root.cred)
		put_cred(srv->root.cred);
	kfree(srv);
}

static int khttpd_server_caches(struct khttpd_server *srv)
{
	size_t conn = ALIGN(sizeof(struct khttpd_conn), khttpd_session_align()) +
		      khttpd_session_size();

	srv->conn_cache = kmem_cache_create("khttpd_conn", conn,
					    max_t(size_t, khttpd_session_align(),
						  __alignof__(struct khttpd_conn)),
					    0, NULL);
	srv->io_cache = kmem_cache_create("khttpd_io",
					  khttpd_conn_buffers_size(srv->max_header_size),
					  0, 0, NULL);
	return srv->conn_cache && srv->io_cache ? 0 : -ENOMEM;
}

int khttpd_server_start(const struct khttpd_config *cfg)
{
	struct khttpd_server *srv;
	int err, i;

	lockdep_assert_held(&khttpd_config_lock);
	if (khttpd_server)
		return 0;

	srv = kzalloc(struct_size(srv, workers, cfg->threads), GFP_KERNEL);
	if (!srv)
		return -ENOMEM;
	/* The server keeps its own copy: the config may change meanwhile. */
	strscpy(srv->index, cfg->index, sizeof(srv->index));
	strscpy(srv->dynamic, cfg->dynamic, sizeof(srv->dynamic));
	srv->params.index_name = srv->index;
	srv->params.dynamic = srv->dynamic;
	srv->params.max_requests = cfg->keepalive_requests;
	srv->params.perm_required = cfg->perm_required;
	srv->params.perm_forbid = cfg->perm_forbid;
	srv->params.sloppy_mime = cfg->sloppymime;
	srv->params.nodaemon_503 = cfg->nodaemon_503;
	srv->params.inline_body_max = KHTTPD_INLINE_BODY_MAX;
	srv->max_header_size = cfg->max_header_size;
	srv->timeout = (unsigned long)cfg->keepalive_timeout * HZ;
	srv->root.lookup_flags = kh_root_lookup_flags(cfg->crossmounts);
	atomic64_set(&srv->next_conn_id, 0);

	err = khttpd_server_caches(srv);
	if (err)
		goto fail;
	srv->root.cache = khttpd_fc_create(cfg->filecache_entries, &err);
	if (err)
		goto fail;
	err = kh_root_init_cred(&srv->root, cfg->uid, cfg->gid);
	if (err)
		goto fail;
	/* As uid/gid: a root it cannot reach fails here, not in every request. */
	err = kh_root_lookup(&srv->root, cfg->docroot);
	if (err) {
		pr_err("documentroot %s: error %d\n", cfg->docroot, err);
		srv->root.path.dentry = NULL;
		goto fail;
	}
	for (i = 0; i < cfg->threads; i++) {
		srv->nr_workers++;
		err = khttpd_worker_init(srv, &srv->workers[i], cfg->port);
		if (err)
			goto fail;
	}
	/* Threads last: a failure above has no thread to stop. */
	for (i = 0; i < cfg->threads; i++) {
		struct task_struct *task;

		task = kthread_run(khttpd_worker_fn, &srv->workers[i], "khttpd/%d", i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			goto fail;
		}
		srv->workers[i].task = task;
	}
	khttpd_server = srv;
	pr_info("serving %s on port %d with %d threads\n", cfg->docroot,
		cfg->port, cfg->threads);
	return 0;
fail:
	khttpd_server_destroy(srv);
	return err;
}

void khttpd_server_stop(void)
{
	lockdep_assert_held(&khttpd_config_lock);
	if (!khttpd_server)
		return;
	khttpd_server_destroy(khttpd_server);
	khttpd_server = NULL;
	pr_info("stopped\n");
}
