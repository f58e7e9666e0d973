// SPDX-License-Identifier: GPL-2.0
/*
 * A connection's life, from accept to close: its socket callbacks, the
 * steps of its session (the C++ core), its deadline, and the lingering
 * close. The worker threads (server.c) call in here; so does the
 * listener (listener.c) with every accepted socket.
 *
 * A connection is touched only by its worker. Socket callbacks run in
 * softirq context and only mark the connection ready under the worker's
 * lock; the worker detaches them (under sk_callback_lock) before it frees a
 * connection, so no callback can see it afterwards.
 *
 * Deadlines (HTTP.sys's timers): a request head must arrive whole within
 * header_timeout of its first byte (of the accept, for the first request),
 * however slowly it trickles in (slowloris); an answer being sent is
 * closed after send_timeout without progress, and only bytes that actually
 * left move that deadline (a client that never reads cannot keep its
 * connection, file and buffers by sending a byte now and then); a
 * connection waiting for its next request gets keepalive_timeout.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <net/sock.h>

#include "cold_read.h"
#include "server_internal.h"
#include "stats.h"
#include "tls.h"
#include "trace.h"

/* Steps a worker does per wake-up before it looks at its listener again. */
#define KHTTPD_STEP_BATCH 64

/* Connection numbers, for logs and traces: unique while the module is loaded. */
static atomic64_t khttpd_conn_ids = ATOMIC64_INIT(0);

u64 khttpd_conn_new_id(void)
{
	return atomic64_inc_return(&khttpd_conn_ids);
}

static struct khttpd_session *khttpd_session_of(struct khttpd_conn *c)
{
	return (struct khttpd_session *)c->session;
}

/* ---- events ------------------------------------------------------------ */

bool khttpd_conn_kick_locked(struct khttpd_conn *c)
{
	lockdep_assert_held(&c->w->lock);
	c->kicked = true;
	if (c->queued || c->running)
		return false;
	list_add_tail(&c->ready_node, &c->w->ready);
	c->queued = true;
	return true;
}

/* Marks @c ready; called from socket callbacks and by its worker. */
static void khttpd_conn_kick(struct khttpd_conn *c)
{
	struct khttpd_worker *w = c->w;
	bool wake;

	spin_lock_bh(&w->lock);
	wake = khttpd_conn_kick_locked(c);
	spin_unlock_bh(&w->lock);
	if (wake)
		khttpd_worker_wake(w);
}

void khttpd_conn_kick_kc(struct kh_conn *kc)
{
	khttpd_conn_kick(container_of(kc, struct khttpd_conn, kc));
}

/*
 * One callback per socket event, as nvmet-tcp has them. Each runs in
 * softirq (or process) context under sk_callback_lock, which the detach
 * takes for writing.
 */

/* Kicks @sk's connection, if one is attached. */
static void khttpd_sk_kick(struct sock *sk)
{
	struct khttpd_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c)
		khttpd_conn_kick(c);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* Data arrived, or a FIN (the step's receive sees 0). */
static void khttpd_sk_data_ready(struct sock *sk)
{
	khttpd_sk_kick(sk);
}

/*
 * TCP calls this after an ACK freed send space, but only while
 * SOCK_NOSPACE is set (a send found no room: tcp_check_space). Like
 * sk_stream_write_space, wake the worker only once enough room is free to
 * be worth a step (sk_stream_is_writeable: a third of the buffer), and
 * clear SOCK_NOSPACE then: until the next send that finds no room, the
 * ACKs of the rest of the answer wake nobody.
 */
static void khttpd_sk_write_space(struct sock *sk)
{
	struct khttpd_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c && sk->sk_socket && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		khttpd_conn_kick(c);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/*
 * The peer closed or reset, or a lingering close moved on: the step finds
 * out which. State changes are a few per connection: each one wakes.
 */
static void khttpd_sk_state_change(struct sock *sk)
{
	khttpd_sk_kick(sk);
}

/*
 * An adopted socket's callbacks are kernel TLS's (tls.ko set them when the
 * daemon turned it on), and they have work of their own: the receive side
 * parses records as they arrive, the transmit side pushes encrypted
 * records that did not fit into TCP when space frees up. Ours call theirs
 * first, then kick.
 */
static void khttpd_sk_tls_data_ready(struct sock *sk)
{
	struct khttpd_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c) {
		c->saved_data_ready(sk);
		khttpd_conn_kick(c);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void khttpd_sk_tls_write_space(struct sock *sk)
{
	struct khttpd_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c) {
		c->saved_write_space(sk);
		if (sk->sk_socket && sk_stream_is_writeable(sk)) {
			clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
			khttpd_conn_kick(c);
		}
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
	sk->sk_data_ready = c->kc.tls ? khttpd_sk_tls_data_ready : khttpd_sk_data_ready;
	sk->sk_write_space = c->kc.tls ? khttpd_sk_tls_write_space : khttpd_sk_write_space;
	sk->sk_state_change = khttpd_sk_state_change;
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

/* For the hand-over (kapi_handover.c): the socket leaves with its own
 * callbacks; the step that called it then returns KHTTPD_STEP_HANDOVER. */
struct socket *khttpd_conn_take_sock(struct kh_conn *kc)
{
	struct khttpd_conn *c = container_of(kc, struct khttpd_conn, kc);
	struct socket *sock = kc->sock;

	khttpd_conn_detach(c);
	kc->sock = NULL;
	return sock;
}

/* ---- deadlines ----------------------------------------------------------- */

static struct list_head *khttpd_timer_list(struct khttpd_worker *w, enum khttpd_timer t)
{
	switch (t) {
	case KHTTPD_TIMER_HEAD:
		return &w->heads;
	case KHTTPD_TIMER_SEND:
		return &w->sending;
	case KHTTPD_TIMER_IDLE:
		return &w->conns;
	default:
		return &w->lingering;
	}
}

void khttpd_conn_init_lists(struct khttpd_worker *w)
{
	enum khttpd_timer t;

	for (t = 0; t < KHTTPD_NR_TIMERS; t++)
		INIT_LIST_HEAD(khttpd_timer_list(w, t));
}

/* @c's deadline is now @t's timeout from now (the latest in its list). */
static void khttpd_conn_set_timer(struct khttpd_worker *w, struct khttpd_conn *c,
				  enum khttpd_timer t)
{
	/* The status file's gauges follow the lists (stats.h). */
	if (c->timer != t) {
		khttpd_stat_add(w->srv->stats, conns[c->timer], -1);
		khttpd_stat_inc(w->srv->stats, conns[t]);
	}
	c->timer = t;
	c->deadline = jiffies + w->srv->timeouts[t];
	list_move_tail(&c->node, khttpd_timer_list(w, t));
}

/*
 * After a step of @c's session that returned @step; @sent: it sent bytes.
 * Waiting for input with a request begun (or none answered yet since the
 * accept): the head's deadline, which only a new request restarts.
 * Output pending: the send deadline, moved by progress only. Nothing
 * pending: the keep-alive wait, from the end of the last answer.
 */
static void khttpd_conn_deadline(struct khttpd_worker *w, struct khttpd_conn *c,
				 enum khttpd_step step, bool sent)
{
	struct khttpd_session *s = khttpd_session_of(c);
	enum khttpd_timer t = khttpd_timer_after_step(step, khttpd_session_idle(s),
						      khttpd_session_bytes_sent(s));

	/* The rule and its host test: include/khttpd/deadline.h. */
	if (khttpd_timer_restarts(c->timer, t, sent))
		khttpd_conn_set_timer(w, c, t);
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

/* Serves @c, whose socket and numbers are set. */
static void khttpd_conn_start(struct khttpd_worker *w, struct khttpd_conn *c,
			      struct khttpd_peer *peer)
{
	struct khttpd_server *srv = w->srv;
	struct socket *sock = c->kc.sock;

	khttpd_client_addr_of(sock->sk, &c->kc.client);
	c->w = w;
	c->peer = peer;
	INIT_LIST_HEAD(&c->ready_node);
	khttpd_session_init(khttpd_session_of(c), &c->kc);
	tcp_sock_set_nodelay(sock->sk);
	/* The first request's head: from the accept on. */
	c->timer = KHTTPD_TIMER_HEAD;
	c->deadline = jiffies + srv->timeouts[KHTTPD_TIMER_HEAD];
	list_add_tail(&c->node, &w->heads);
	khttpd_stat_inc(w->srv->stats, conns[KHTTPD_TIMER_HEAD]);
	WRITE_ONCE(w->nr_conns, w->nr_conns + 1);
	trace_conn_open(c->kc.id, &c->kc.client, w - srv->workers);
	khttpd_conn_attach(c);
	/* The request may have arrived before the callbacks were set. */
	khttpd_conn_kick(c);
}

void khttpd_conn_open(struct khttpd_worker *w, struct socket *sock,
		      struct khttpd_peer *peer, bool tls_port)
{
	struct khttpd_conn *c;

	c = kmem_cache_zalloc(w->srv->conn_cache, GFP_KERNEL);
	if (!c) {
		khttpd_limits_release(&w->srv->limits, peer);
		sock_release(sock);
		return;
	}
	c->kc.sock = sock;
	c->kc.id = khttpd_conn_new_id();
	c->sniff = tls_port;
	khttpd_conn_start(w, c, peer);
}

void khttpd_conn_adopt(struct khttpd_worker *w, struct khttpd_tls *t)
{
	struct khttpd_conn *c;

	c = kmem_cache_zalloc(w->srv->conn_cache, GFP_KERNEL);
	if (!c) {
		khttpd_limits_release(&w->srv->limits, t->peer);
		khttpd_tls_free(t);
		return;
	}
	c->kc.sock = sock_from_file(t->file);
	c->kc.id = t->conn_id;
	c->kc.tls = t;
	khttpd_conn_start(w, c, t->peer);
	t->peer = NULL; /* the connection's now */
}

void khttpd_conn_count_request(struct kh_conn *kc)
{
	struct khttpd_conn *c = container_of(kc, struct khttpd_conn, kc);

	kc->requests++;
	WRITE_ONCE(c->w->nr_requests, c->w->nr_requests + 1);
}

/*
 * Frees @c, which leaves for @why; its socket is already released or
 * handed over.
 */
static void khttpd_conn_free(struct khttpd_worker *w, struct khttpd_conn *c,
			     enum khttpd_close_why why)
{
	u64 sent = khttpd_session_bytes_sent(khttpd_session_of(c));

	spin_lock_bh(&w->lock);
	if (c->queued)
		list_del(&c->ready_node);
	khttpd_cold_read_forget(c);
	spin_unlock_bh(&w->lock);
	list_del(&c->node);
	khttpd_stat_add(w->srv->stats, conns[c->timer], -1);
	WRITE_ONCE(w->nr_conns, w->nr_conns - 1);
	/* May log an answer cut short (kh_conn_request_done): before the trace. */
	khttpd_session_destroy(khttpd_session_of(c));
	trace_conn_close(c->kc.id, c->kc.requests, sent, why);
	khttpd_conn_put_io(w, c);
	khttpd_limits_release(&w->srv->limits, c->peer);
	/* An adopted connection handed over again took its file along. */
	khttpd_tls_free(c->kc.tls);
	kmem_cache_free(w->srv->conn_cache, c);
}

static void khttpd_conn_close(struct khttpd_worker *w, struct khttpd_conn *c,
			      enum khttpd_close_why why)
{
	khttpd_conn_detach(c);
	if (c->kc.tls) {
		/* TLS's end before TCP's, unless the socket is being reset. */
		if (!sock_flag(c->kc.sock->sk, SOCK_LINGER))
			khttpd_tls_close_notify(&c->kc);
		/* The socket goes with its file (khttpd_tls_free). */
	} else {
		sock_release(c->kc.sock);
	}
	c->kc.sock = NULL;
	khttpd_conn_free(w, c, why);
}

/*
 * The server is stopping. A connection stopped in the middle of an answer
 * is reset: what is still queued can only be a truncated answer, and a
 * released socket would go on trickling it to a slow reader for as long
 * as that takes, out of the administrator's hands. An idle one gets a
 * plain FIN.
 */
static void khttpd_conn_stop(struct khttpd_worker *w, struct khttpd_conn *c,
			     enum khttpd_close_why why)
{
	if (READ_ONCE(c->kc.sock->sk->sk_wmem_queued))
		sock_no_linger(c->kc.sock->sk);
	khttpd_conn_close(w, c, why);
}

void khttpd_conn_stop_all(struct khttpd_worker *w)
{
	list_splice_init(&w->lingering, &w->conns);
	list_splice_init(&w->heads, &w->conns);
	list_splice_init(&w->sending, &w->conns);
	while (!list_empty(&w->conns))
		khttpd_conn_stop(w, list_first_entry(&w->conns, struct khttpd_conn, node),
				 KHTTPD_CLOSE_STOPPED);
	while (w->nr_io_spare)
		kmem_cache_free(w->srv->io_cache, w->io_spare[--w->nr_io_spare]);
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
	khttpd_conn_set_timer(w, c, KHTTPD_TIMER_LINGER);
	khttpd_conn_put_io(w, c);
	khttpd_tls_close_notify(&c->kc); /* only for an adopted connection */
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
	char tls_sink[128]; /* kernel TLS writes what it decrypts */
	int i;

	for (i = 0; i < 64; i++) {
		struct kvec iov = { .iov_base = sink, .iov_len = sizeof(sink) };
		struct msghdr msg = {};
		int n;

		/* Records still raw (the receive side never needed) are
		 * dropped as TCP data. */
		if (c->kc.tls && !khttpd_tls_rx_raw(c->kc.tls)) {
			n = khttpd_tls_recv(&c->kc, tls_sink, sizeof(tls_sink));
			if (n == -EAGAIN)
				return true;
			if (n <= 0)
				return false;
			continue;
		}
		n = kernel_recvmsg(c->kc.sock, &msg, &iov, 1, sizeof(sink),
				   MSG_DONTWAIT | MSG_TRUNC);

		if (n == -EAGAIN)
			return true;
		if (n <= 0)
			return false;
	}
	return true;
}

/* @c's own buffers for a step: the block it kept, or one from the spares. */
static bool khttpd_conn_buffers(struct khttpd_worker *w, struct khttpd_conn *c,
				struct khttpd_conn_buffers *bufs)
{
	if (!c->io) {
		c->io = khttpd_io_get(w);
		if (!c->io)
			return false;
	}
	khttpd_conn_buffers_init(bufs, c->io, w->srv->max_header_size);
	return true;
}

/*
 * A close the session asked for: the client's doing if it had closed its
 * side (FIN or reset received), else the server's (Connection: close,
 * keepalive_requests, an answer that ends the connection).
 */
static enum khttpd_close_why khttpd_close_why(struct khttpd_conn *c)
{
	struct sock *sk = c->kc.sock->sk;

	return (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) || READ_ONCE(sk->sk_err) ?
	       KHTTPD_CLOSE_PEER : KHTTPD_CLOSE_DONE;
}

static bool khttpd_conn_step(struct khttpd_worker *w, struct khttpd_conn *c,
			     enum khttpd_step *step);

/*
 * A connection on tls_port before its first byte: to the daemon for the
 * handshake, or a 400 for plain HTTP. Returns false if @c is gone.
 */
static bool khttpd_conn_sniff(struct khttpd_worker *w, struct khttpd_conn *c,
			      enum khttpd_step *step)
{
	*step = KHTTPD_STEP_READ;
	switch (khttpd_tls_sniff(c->kc.sock)) {
	case KHTTPD_SNIFF_WAIT:
		return true; /* within header_timeout of the accept */
	case KHTTPD_SNIFF_GONE:
		khttpd_conn_close(w, c, KHTTPD_CLOSE_PEER);
		return false;
	case KHTTPD_SNIFF_TLS:
		if (!khttpd_tls_hand_over(&c->kc)) {
			WRITE_ONCE(w->handovers, w->handovers + 1);
			khttpd_conn_free(w, c, KHTTPD_CLOSE_HANDOVER);
			return false;
		}
		break; /* refused with an alert */
	default:
		khttpd_stat_inc(w->srv->stats, tls_plain);
		khttpd_tls_send_plain_400(c->kc.sock);
		break;
	}
	/* The answer is out: close without a reset that could destroy it. */
	c->sniff = false;
	khttpd_conn_linger(w, c);
	return khttpd_conn_step(w, c, step);
}

/* Steps @c's session. Returns false if @c is gone. */
static bool khttpd_conn_step(struct khttpd_worker *w, struct khttpd_conn *c,
			     enum khttpd_step *step)
{
	struct khttpd_server *srv = w->srv;
	struct khttpd_session *s = khttpd_session_of(c);
	struct khttpd_conn_buffers bufs;
	u32 served = khttpd_session_served(s);
	u64 sent = khttpd_session_bytes_sent(s);

	khttpd_stat_inc(w->srv->stats, conn_steps);

	if (c->sniff)
		return khttpd_conn_sniff(w, c, step);
	if (c->timer == KHTTPD_TIMER_LINGER) {
		if (!khttpd_conn_drain(c)) {
			khttpd_conn_close(w, c, KHTTPD_CLOSE_DONE);
			return false;
		}
		*step = KHTTPD_STEP_READ;
		return true;
	}
	if (!khttpd_conn_buffers(w, c, &bufs)) {
		/* out of memory: shed this one */
		khttpd_conn_close(w, c, KHTTPD_CLOSE_ERROR);
		return false;
	}
	/* A retired generation's answers end their connections (reload). */
	*step = khttpd_session_step(s, &srv->root, khttpd_server_params(srv), &bufs,
				    w->scratch);
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
			khttpd_conn_close(w, c, khttpd_close_why(c));
			return false;
		}
		khttpd_conn_linger(w, c);
		*step = KHTTPD_STEP_READ;
		return khttpd_conn_step(w, c, step);
	case KHTTPD_STEP_HANDOVER:
		/* kh_conn_hand_over() took the socket and its callbacks. */
		WRITE_ONCE(w->handovers, w->handovers + 1);
		khttpd_conn_free(w, c, KHTTPD_CLOSE_HANDOVER);
		return false;
	default:
		break;
	}
	khttpd_conn_deadline(w, c, *step, khttpd_session_bytes_sent(s) != sent);
	if (khttpd_session_idle(s))
		khttpd_conn_put_io(w, c); /* idle: holds nothing */
	return true;
}

void khttpd_conn_run_ready(struct khttpd_worker *w)
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

/* Why a connection whose deadline under @t passed is closed. */
static enum khttpd_close_why khttpd_timeout_why(enum khttpd_timer t)
{
	switch (t) {
	case KHTTPD_TIMER_HEAD:
		return KHTTPD_CLOSE_TIMEOUT_HEADER;
	case KHTTPD_TIMER_SEND:
		return KHTTPD_CLOSE_TIMEOUT_SEND;
	case KHTTPD_TIMER_IDLE:
		return KHTTPD_CLOSE_TIMEOUT_KEEPALIVE;
	default:
		return KHTTPD_CLOSE_DONE;
	}
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
		if (c->timer != KHTTPD_TIMER_LINGER) /* a lingering close's end is normal */
			khttpd_stat_inc(w->srv->stats, timeouts[c->timer]);
		/*
		 * No send progress for send_timeout: the client does not read.
		 * Reset, as a stop does: a plain close would leave the queued
		 * answer in an orphaned socket, trickling to that client for
		 * as long as it keeps its window barely open. (A lingering
		 * close, whose answer is complete, keeps its FIN.)
		 */
		if (c->timer == KHTTPD_TIMER_SEND)
			khttpd_conn_stop(w, c, KHTTPD_CLOSE_TIMEOUT_SEND);
		else
			khttpd_conn_close(w, c, khttpd_timeout_why(c->timer));
	}
	return MAX_SCHEDULE_TIMEOUT;
}

long khttpd_conn_expire(struct khttpd_worker *w)
{
	long next = MAX_SCHEDULE_TIMEOUT;
	enum khttpd_timer t;

	for (t = 0; t < KHTTPD_NR_TIMERS; t++)
		next = min(next, khttpd_expire_list(w, khttpd_timer_list(w, t)));
	return next;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "conn_test.c"
#endif
