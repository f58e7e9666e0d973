// SPDX-License-Identifier: GPL-2.0
/*
 * khttpd_floor: the benchmark's TCP floor (issue 16, item 3). Not part of
 * khttpd and never installed: tools/bench builds it, loads it in the
 * benchmark VM beside the real servers, and reports khttpd's rate as a
 * fraction of this one's.
 *
 * It does what any HTTP server on this TCP stack must do at the least, in
 * khttpd's event style (src/kernel/listener.c, conn.c): one kernel thread
 * per CPU with its own SO_REUSEPORT listener; socket callbacks only mark a
 * connection ready and wake its thread; every accept, receive and send is
 * non-blocking. Each request head (up to "\r\n\r\n") is answered with one
 * prebuilt "200 OK" of body_size bytes: no parsing, no lookup, no file.
 * Pipelined requests are answered in order; a head holding
 * "Connection: close" ends its connection after its answer. There are no
 * timeouts and no connection limit: only benchmark clients talk to it.
 *
 * Parameters: port (default 8085), body_size (bytes, default 1024),
 * threads (0 = one per online CPU; thread N is bound to the N-th online
 * CPU, so threads=1 runs on CPU 0 alone).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bvec.h>
#include <linux/cpumask.h>
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <linux/version.h>
#include <linux/wait.h>
#include <net/sock.h>

static int port = 8085;
module_param(port, int, 0444);
MODULE_PARM_DESC(port, "TCP port to listen on (all IPv4 addresses)");
static uint body_size = 1024;
module_param(body_size, uint, 0444);
MODULE_PARM_DESC(body_size, "body bytes of every answer (at most 64 MiB)");
static int threads;
module_param(threads, int, 0444);
MODULE_PARM_DESC(threads, "worker threads, bound one per online CPU from the first (0 = all)");

#define FLOOR_BACKLOG 1024
#define FLOOR_ACCEPT_BATCH 64	/* as khttpd's listener */
#define FLOOR_STEP_BATCH 64	/* as khttpd's worker */
#define FLOOR_HEAD_MAX 1024	/* a longer request head ends the connection */
/* Answers up to this size leave by copy from one buffer, as khttpd copies
 * small bodies behind the head; larger ones by page reference (zero-copy). */
#define FLOOR_COPY_MAX 8192
#define FLOOR_BODY_MAX (64U << 20)

struct floor_worker {
	spinlock_t lock;		/* ready, accept_ready, conn flags */
	struct list_head ready;
	bool accept_ready;
	wait_queue_head_t wq;
	struct socket *listener;
	void (*saved_listener_ready)(struct sock *sk);
	struct list_head conns;		/* every open connection (worker only) */
	struct task_struct *task;
	unsigned long requests, accepts;
};

struct floor_conn {
	struct floor_worker *w;
	struct socket *sock;
	struct list_head node;		/* w->conns */
	struct list_head ready_node;	/* w->ready, under w->lock */
	bool queued, running, kicked;	/* under w->lock */
	void (*saved_data_ready)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
	unsigned int owed;		/* answers due, pipelined heads included */
	size_t off;			/* of the answer being sent */
	bool closing;			/* a head said Connection: close */
	unsigned int len;		/* bytes of buf held */
	char buf[FLOOR_HEAD_MAX];
};

/* The answer, built once: contiguous for copying, in pages for zero-copy. */
#define FLOOR_VARIANTS 2	/* [0] keep-alive, [1] Connection: close */
static char *floor_resp[FLOOR_VARIANTS];
static size_t floor_resp_len;		/* the same for both */
static struct page **floor_pages[FLOOR_VARIANTS];
static unsigned int floor_nr_pages;
static struct bio_vec *floor_bvec[FLOOR_VARIANTS];

static struct floor_worker *floor_workers;
static int floor_nr_workers;

/* ---- events (softirq or process context, under sk_callback_lock) ------- */

static void floor_kick(struct floor_conn *c)
{
	struct floor_worker *w = c->w;
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
		wake_up(&w->wq);
}

static void floor_sk_kick(struct sock *sk)
{
	struct floor_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c)
		floor_kick(c);
	read_unlock_bh(&sk->sk_callback_lock);
}

/* Only once a third of the buffer is free, as sk_stream_write_space. */
static void floor_sk_write_space(struct sock *sk)
{
	struct floor_conn *c;

	read_lock_bh(&sk->sk_callback_lock);
	c = sk->sk_user_data;
	if (c && sk->sk_socket && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		floor_kick(c);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void floor_listener_ready(struct sock *sk)
{
	struct floor_worker *w;

	read_lock_bh(&sk->sk_callback_lock);
	w = sk->sk_user_data;
	/* An accepted socket starts with its listener's callbacks. */
	if (w && sk->sk_state == TCP_LISTEN) {
		spin_lock_bh(&w->lock);
		w->accept_ready = true;
		spin_unlock_bh(&w->lock);
		wake_up(&w->wq);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/* ---- connections (worker thread only) ------------------------------------ */

static void floor_attach(struct floor_conn *c)
{
	struct sock *sk = c->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	c->saved_data_ready = sk->sk_data_ready == floor_listener_ready ?
			      c->w->saved_listener_ready : sk->sk_data_ready;
	c->saved_write_space = sk->sk_write_space;
	c->saved_state_change = sk->sk_state_change;
	sk->sk_user_data = c;
	sk->sk_data_ready = floor_sk_kick;
	sk->sk_write_space = floor_sk_write_space;
	sk->sk_state_change = floor_sk_kick;
	write_unlock_bh(&sk->sk_callback_lock);
}

static void floor_close(struct floor_conn *c)
{
	struct floor_worker *w = c->w;
	struct sock *sk = c->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = c->saved_data_ready;
	sk->sk_write_space = c->saved_write_space;
	sk->sk_state_change = c->saved_state_change;
	write_unlock_bh(&sk->sk_callback_lock);
	/* No callback of ours runs for it now: it can leave the ready list. */
	spin_lock_bh(&w->lock);
	if (c->queued)
		list_del(&c->ready_node);
	spin_unlock_bh(&w->lock);
	list_del(&c->node);
	sock_release(c->sock);
	kfree(c);
}

/* Sends what is left of the current answer; returns bytes sent or -errno. */
static int floor_send(struct floor_conn *c)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	size_t left = floor_resp_len - c->off;
	/* The answer to the head that asked to close is the last one. */
	unsigned int v = c->closing && c->owed == 1;

	/* More answers behind this one (pipelining): let TCP coalesce. */
	if (c->owed > 1)
		msg.msg_flags |= MSG_MORE;
	if (floor_resp_len <= FLOOR_COPY_MAX) {
		struct kvec iov = { .iov_base = floor_resp[v] + c->off, .iov_len = left };

		return kernel_sendmsg(c->sock, &msg, &iov, 1, left);
	}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	/* All of it in one call: TCP takes references on what fits. */
	msg.msg_flags |= MSG_SPLICE_PAGES;
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, floor_bvec[v], floor_nr_pages,
		      floor_resp_len);
	iov_iter_advance(&msg.msg_iter, c->off);
	return sock_sendmsg(c->sock, &msg);
#else
	{
		/* 6.1 has no MSG_SPLICE_PAGES: a page at a time, as its sendfile. */
		size_t done = 0;

		while (done < left) {
			size_t pos = c->off + done;
			size_t pg_off = pos & ~PAGE_MASK;
			size_t seg = min_t(size_t, PAGE_SIZE - pg_off, left - done);
			/* As the kernel's sendfile: push once, after the last page. */
			int flags = msg.msg_flags |
				    (done + seg < left ? MSG_MORE | MSG_SENDPAGE_NOTLAST : 0);
			int n = kernel_sendpage(c->sock, floor_pages[v][pos >> PAGE_SHIFT],
						pg_off, seg, flags);

			if (n <= 0) {
				if (done)
					break;
				return n;
			}
			done += n;
			if ((size_t)n < seg)
				break;
		}
		return done;
	}
#endif
}

/* Case-insensitive "connection: close" within the head @h of @n bytes. */
static bool floor_head_closes(const char *h, size_t n)
{
	static const char want[] = "\nconnection: close";
	const size_t wl = sizeof(want) - 1;
	size_t i;

	for (i = 0; i + wl <= n; i++)
		if (!strncasecmp(h + i, want, wl))
			return true;
	return false;
}

/* Counts the whole heads in c->buf as answers owed; keeps the partial one. */
static void floor_take_heads(struct floor_conn *c)
{
	size_t start = 0, i;

	for (i = 0; i + 4 <= c->len && !c->closing; i++) {
		if (memcmp(c->buf + i, "\r\n\r\n", 4))
			continue;
		c->owed++;
		c->closing = floor_head_closes(c->buf + start, i + 2 - start);
		start = i + 4;
		i += 3;
	}
	if (c->closing)
		start = c->len; /* nothing after the last answer is read */
	memmove(c->buf, c->buf + start, c->len - start);
	c->len -= start;
}

/*
 * One step of @c: send what is owed, then read more heads. A receive that
 * comes back short has emptied the socket (anything later kicks @c again),
 * so it is not asked again after the answers (khttpd's edge-triggered
 * session). Returns false if @c is closed.
 */
static bool floor_step(struct floor_conn *c)
{
	bool drained = false;

	for (;;) {
		while (c->owed) {
			int n = floor_send(c);

			if (n == -EAGAIN)
				return true; /* write space wakes us */
			if (n < 0) {
				floor_close(c);
				return false;
			}
			c->off += n;
			if (c->off < floor_resp_len)
				return true;
			c->off = 0;
			c->owed--;
			c->w->requests++;
		}
		if (c->closing) {
			/* The request said close: FIN behind the answer. */
			floor_close(c);
			return false;
		}
		if (drained)
			return true;
		{
			size_t room = FLOOR_HEAD_MAX - c->len;
			struct kvec iov = { .iov_base = c->buf + c->len, .iov_len = room };
			struct msghdr msg = {};
			int n = kernel_recvmsg(c->sock, &msg, &iov, 1, room, MSG_DONTWAIT);

			if (n == -EAGAIN)
				return true;
			if (n <= 0) { /* FIN, reset or error */
				floor_close(c);
				return false;
			}
			c->len += n;
			drained = (size_t)n < room;
			floor_take_heads(c);
			if (!c->owed && c->len == FLOOR_HEAD_MAX) { /* head too long */
				floor_close(c);
				return false;
			}
		}
	}
}

static void floor_run_ready(struct floor_worker *w)
{
	int budget;

	for (budget = FLOOR_STEP_BATCH; budget; budget--) {
		struct floor_conn *c;

		spin_lock_bh(&w->lock);
		c = list_first_entry_or_null(&w->ready, struct floor_conn, ready_node);
		if (c) {
			list_del_init(&c->ready_node);
			c->queued = false;
			c->running = true;
			c->kicked = false;
		}
		spin_unlock_bh(&w->lock);
		if (!c)
			return;
		if (!floor_step(c))
			continue;
		spin_lock_bh(&w->lock);
		c->running = false;
		if (c->kicked) {
			list_add_tail(&c->ready_node, &w->ready);
			c->queued = true;
		}
		spin_unlock_bh(&w->lock);
	}
}

static void floor_open(struct floor_worker *w, struct socket *sock)
{
	struct floor_conn *c = kmalloc(sizeof(*c), GFP_KERNEL);

	if (!c) {
		sock_release(sock);
		return;
	}
	c->w = w;
	c->sock = sock;
	INIT_LIST_HEAD(&c->ready_node);
	c->queued = c->running = c->kicked = false;
	c->owed = 0;
	c->off = 0;
	c->closing = false;
	c->len = 0;
	list_add_tail(&c->node, &w->conns);
	tcp_sock_set_nodelay(sock->sk);
	floor_attach(c);
	floor_kick(c); /* the request may be there already */
}

static void floor_accept(struct floor_worker *w)
{
	int budget = FLOOR_ACCEPT_BATCH;

	spin_lock_bh(&w->lock);
	w->accept_ready = false;
	spin_unlock_bh(&w->lock);
	while (budget) {
		struct socket *sock;
		int err = kernel_accept(w->listener, &sock, O_NONBLOCK);

		if (err == -EAGAIN)
			return;
		budget--;
		if (err)
			continue;
		w->accepts++;
		floor_open(w, sock);
	}
	spin_lock_bh(&w->lock);
	w->accept_ready = true; /* more may wait: after the ready ones */
	spin_unlock_bh(&w->lock);
}

/* ---- workers --------------------------------------------------------------- */

static bool floor_has_work(struct floor_worker *w)
{
	bool work;

	spin_lock_bh(&w->lock);
	work = w->accept_ready || !list_empty(&w->ready);
	spin_unlock_bh(&w->lock);
	return work;
}

static int floor_worker_fn(void *data)
{
	struct floor_worker *w = data;

	while (!kthread_should_stop()) {
		wait_event_interruptible(w->wq, floor_has_work(w) || kthread_should_stop());
		if (kthread_should_stop())
			break;
		floor_accept(w);
		floor_run_ready(w);
		if (floor_has_work(w))
			cond_resched();
	}
	while (!list_empty(&w->conns))
		floor_close(list_first_entry(&w->conns, struct floor_conn, node));
	return 0;
}

static int floor_listen(struct floor_worker *w)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_ANY),
		.sin_port = htons(port),
	};
	int defer = 1; /* TCP_DEFER_ACCEPT, as khttpd's listeners */
	struct socket *sock;
	struct sock *sk;
	int err;

	err = sock_create_kern(&init_net, PF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err)
		return err;
	sk = sock->sk;
	sock_set_reuseaddr(sk);
	sock_set_reuseport(sk);
	err = sock->ops->setsockopt(sock, SOL_TCP, TCP_DEFER_ACCEPT,
				    KERNEL_SOCKPTR(&defer), sizeof(defer));
	if (!err)
		err = kernel_bind(sock, (struct sockaddr *)&addr, sizeof(addr));
	if (!err)
		err = kernel_listen(sock, FLOOR_BACKLOG);
	if (err) {
		pr_err("cannot listen on port %d: error %d\n", port, err);
		sock_release(sock);
		return err;
	}
	write_lock_bh(&sk->sk_callback_lock);
	w->saved_listener_ready = sk->sk_data_ready;
	sk->sk_user_data = w;
	sk->sk_data_ready = floor_listener_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	w->listener = sock;
	return 0;
}

static void floor_unlisten(struct floor_worker *w)
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

/* ---- the answer ------------------------------------------------------------ */

/*
 * Two variants of the same length: keep-alive, and the last answer of a
 * connection that asked to close ("Connection: close", padded with blanks
 * so that only the head differs: clients such as wrk reconnect on it).
 */
static const char *const floor_conn_hdr[FLOOR_VARIANTS] = {
	"keep-alive", "close     ",
};

static void floor_free_resp(void)
{
	unsigned int v, i;

	/* Pages TCP still holds stay alive on TCP's own references. */
	for (v = 0; v < FLOOR_VARIANTS; v++) {
		/* The variants share every page but the first. */
		for (i = 0; floor_pages[v] && i < (v ? 1 : floor_nr_pages); i++)
			if (floor_pages[v][i])
				__free_page(floor_pages[v][i]);
		kfree(floor_pages[v]);
		kfree(floor_bvec[v]);
		kvfree(floor_resp[v]);
		floor_pages[v] = NULL;
		floor_bvec[v] = NULL;
		floor_resp[v] = NULL;
	}
}

/* Byte @pos of an answer whose head @head is @hl long. */
static char floor_byte(const char *head, size_t hl, size_t pos)
{
	return pos < hl ? head[pos] : 'a' + pos % 26;
}

static int floor_build_variant(unsigned int v)
{
	char head[192];
	size_t hl = scnprintf(head, sizeof(head),
			      "HTTP/1.1 200 OK\r\nServer: khttpd-floor\r\n"
			      "Content-Type: application/octet-stream\r\n"
			      "Content-Length: %u\r\nConnection: %s\r\n\r\n",
			      body_size, floor_conn_hdr[v]);
	size_t i;

	floor_resp_len = hl + body_size;
	if (floor_resp_len <= FLOOR_COPY_MAX) {
		floor_resp[v] = kvmalloc(floor_resp_len, GFP_KERNEL);
		if (!floor_resp[v])
			return -ENOMEM;
		for (i = 0; i < floor_resp_len; i++)
			floor_resp[v][i] = floor_byte(head, hl, i);
		return 0;
	}
	floor_nr_pages = DIV_ROUND_UP(floor_resp_len, PAGE_SIZE);
	floor_pages[v] = kcalloc(floor_nr_pages, sizeof(*floor_pages[v]), GFP_KERNEL);
	floor_bvec[v] = kcalloc(floor_nr_pages, sizeof(*floor_bvec[v]), GFP_KERNEL);
	if (!floor_pages[v] || !floor_bvec[v])
		return -ENOMEM;
	for (i = 0; i < floor_nr_pages; i++) {
		size_t from = i * PAGE_SIZE;
		size_t seg = min_t(size_t, PAGE_SIZE, floor_resp_len - from);
		char *p;
		size_t j;

		if (v && i) {
			floor_pages[v][i] = floor_pages[0][i];
		} else {
			floor_pages[v][i] = alloc_page(GFP_KERNEL);
			if (!floor_pages[v][i])
				return -ENOMEM;
			p = page_address(floor_pages[v][i]);
			for (j = 0; j < seg; j++)
				p[j] = floor_byte(head, hl, from + j);
		}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
		bvec_set_page(&floor_bvec[v][i], floor_pages[v][i], seg, 0);
#endif
	}
	return 0;
}

static int floor_build_resp(void)
{
	unsigned int v;
	int err;

	for (v = 0; v < FLOOR_VARIANTS; v++) {
		err = floor_build_variant(v);
		if (err)
			return err;
	}
	return 0;
}

/* ---- module ---------------------------------------------------------------- */

static void floor_stop(void)
{
	unsigned long requests = 0, accepts = 0;
	int i;

	for (i = 0; i < floor_nr_workers; i++) {
		struct floor_worker *w = &floor_workers[i];

		if (w->task)
			kthread_stop(w->task); /* closes its connections */
		floor_unlisten(w);
		requests += w->requests;
		accepts += w->accepts;
	}
	/* A callback that read our pointer before a detach finishes first. */
	synchronize_net();
	kfree(floor_workers);
	floor_workers = NULL;
	floor_free_resp();
	pr_info("stopped: %lu connections, %lu answers\n", accepts, requests);
}

static int __init floor_init(void)
{
	int cpu, i = 0, err;

	if (port < 1 || port > 65535 || body_size > FLOOR_BODY_MAX ||
	    threads < 0 || threads > num_online_cpus())
		return -EINVAL;
	floor_nr_workers = threads ? threads : num_online_cpus();
	floor_workers = kcalloc(floor_nr_workers, sizeof(*floor_workers), GFP_KERNEL);
	if (!floor_workers)
		return -ENOMEM;
	err = floor_build_resp();
	if (err)
		goto fail;
	for (i = 0; i < floor_nr_workers; i++) {
		struct floor_worker *w = &floor_workers[i];

		spin_lock_init(&w->lock);
		INIT_LIST_HEAD(&w->ready);
		INIT_LIST_HEAD(&w->conns);
		init_waitqueue_head(&w->wq);
		err = floor_listen(w);
		if (err)
			goto fail;
	}
	/* Thread N on the N-th online CPU: threads=1 is CPU 0 alone. */
	i = 0;
	for_each_online_cpu(cpu) {
		struct floor_worker *w;
		struct task_struct *t;

		if (i == floor_nr_workers)
			break;
		w = &floor_workers[i];
		t = kthread_create(floor_worker_fn, w, "kfloor/%d", i);
		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			goto fail;
		}
		kthread_bind(t, cpu);
		w->task = t;
		i++;
	}
	for (i = 0; i < floor_nr_workers; i++)
		wake_up_process(floor_workers[i].task);
	pr_info("port %d, %u body bytes, %d threads\n", port, body_size, floor_nr_workers);
	return 0;
fail:
	/* kthread_stop on a never-woken thread returns at once. */
	floor_stop();
	return err;
}

static void __exit floor_exit(void)
{
	floor_stop();
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("khttpd benchmark: the TCP floor, a prebuilt answer to every request");
