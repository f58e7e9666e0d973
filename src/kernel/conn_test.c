// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: a connection's socket callbacks, attached to a real accepted TCP
 * socket on loopback and detached while another thread keeps sending to
 * it. Included at the end of conn.c when the kernel has KUnit
 * (docs/testing.md).
 *
 * The worker is a bare struct khttpd_worker (its lock, ready list and wait
 * queue: what a callback touches); no worker thread runs, so whatever a
 * callback did stays visible on the connection and the ready list.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/socket.h>
#include <net/net_namespace.h>

#include "../../tests/kunit/kunit_fs.h"

struct khttpd_conn_test {
	struct socket *listener, *client, *server;
	struct khttpd_worker *w;
	/* The accepted socket's own callbacks, before any attach. */
	void (*data_ready)(struct sock *sk);
	void (*write_space)(struct sock *sk);
	void (*state_change)(struct sock *sk);
	struct task_struct *sender;
	unsigned long sent; /* bytes the sender got out */
};

static int khttpd_conn_test_init(struct kunit *test)
{
	struct khttpd_conn_test *t;
	struct sock *sk;
	int err;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	t->w = kunit_kzalloc(test, sizeof(*t->w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->w);
	spin_lock_init(&t->w->lock);
	INIT_LIST_HEAD(&t->w->ready);
	init_waitqueue_head(&t->w->wq);
	err = khttpd_kunit_tcp_pair(&t->listener, &t->client, &t->server);
	if (err)
		kunit_skip(test, "no loopback TCP connection (error %d)", err);
	sk = t->server->sk;
	t->data_ready = sk->sk_data_ready;
	t->write_space = sk->sk_write_space;
	t->state_change = sk->sk_state_change;
	return 0;
}

static void khttpd_conn_test_exit(struct kunit *test)
{
	struct khttpd_conn_test *t = test->priv;

	if (!t)
		return;
	if (t->sender)
		kthread_stop(t->sender);
	if (t->server)
		sock_release(t->server);
	if (t->client)
		sock_release(t->client);
	if (t->listener)
		sock_release(t->listener);
}

static struct khttpd_conn *khttpd_conn_test_conn(struct kunit *test)
{
	struct khttpd_conn_test *t = test->priv;
	struct khttpd_conn *c;

	/* kzalloc, not kunit_kzalloc: freed by the test, so that KASAN sees
	 * a callback that comes late. */
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->w = t->w;
	c->kc.sock = t->server;
	INIT_LIST_HEAD(&c->ready_node);
	return c;
}

/* What callbacks did to @c since the last call; forgets it. */
static bool khttpd_conn_test_take_kick(struct khttpd_conn *c)
{
	struct khttpd_worker *w = c->w;
	bool kicked;

	spin_lock_bh(&w->lock);
	kicked = c->kicked;
	if (c->queued)
		list_del_init(&c->ready_node);
	c->kicked = false;
	c->queued = false;
	spin_unlock_bh(&w->lock);
	return kicked;
}

static int khttpd_conn_test_send(struct socket *sock, unsigned int flags)
{
	struct kvec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr msg = { .msg_flags = flags | MSG_NOSIGNAL };

	return kernel_sendmsg(sock, &msg, &iov, 1, 1);
}

/* Reads whatever waits on @sock, without blocking. */
static void khttpd_conn_test_drain(struct socket *sock)
{
	char buf[256];
	struct kvec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };

	while (kernel_recvmsg(sock, &msg, &iov, 1, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void khttpd_conn_test_expect_restored(struct kunit *test)
{
	struct khttpd_conn_test *t = test->priv;
	struct sock *sk = t->server->sk;

	KUNIT_EXPECT_NULL(test, sk->sk_user_data);
	KUNIT_EXPECT_PTR_EQ(test, sk->sk_data_ready, t->data_ready);
	KUNIT_EXPECT_PTR_EQ(test, sk->sk_write_space, t->write_space);
	KUNIT_EXPECT_PTR_EQ(test, sk->sk_state_change, t->state_change);
}

/* Data arriving kicks an attached connection, and only an attached one. */
static void khttpd_conn_test_attach(struct kunit *test)
{
	struct khttpd_conn_test *t = test->priv;
	struct khttpd_conn *c = khttpd_conn_test_conn(test);
	struct sock *sk = t->server->sk;
	int i;

	khttpd_conn_attach(c);
	KUNIT_EXPECT_PTR_EQ(test, sk->sk_user_data, (void *)c);
	KUNIT_EXPECT_PTR_EQ(test, c->saved_data_ready, t->data_ready);
	KUNIT_ASSERT_EQ(test, khttpd_conn_test_send(t->client, 0), 1);
	for (i = 0; i < 200 && !READ_ONCE(c->kicked); i++)
		msleep(5);
	spin_lock_bh(&t->w->lock);
	KUNIT_EXPECT_TRUE(test, c->kicked);
	KUNIT_EXPECT_TRUE(test, c->queued);
	KUNIT_EXPECT_PTR_EQ(test, t->w->ready.next, &c->ready_node);
	spin_unlock_bh(&t->w->lock);

	khttpd_conn_detach(c);
	khttpd_conn_test_expect_restored(test);
	khttpd_conn_test_take_kick(c);
	KUNIT_ASSERT_EQ(test, khttpd_conn_test_send(t->client, 0), 1);
	kernel_sock_shutdown(t->client, SHUT_WR); /* a state change too */
	msleep(50);
	KUNIT_EXPECT_FALSE(test, khttpd_conn_test_take_kick(c));
	KUNIT_EXPECT_TRUE(test, list_empty(&t->w->ready));
	kfree(c);
}

/*
 * An accepted socket starts with its listener's callback; if that is
 * ours, detach puts back the one the listener had before, not ours.
 */
static void khttpd_conn_test_inherited(struct kunit *test)
{
	struct khttpd_conn_test *t = test->priv;
	struct khttpd_conn *c = khttpd_conn_test_conn(test);
	struct sock *sk = t->server->sk;

	t->w->saved_listener_ready = t->data_ready;
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_data_ready = khttpd_listener_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	khttpd_conn_attach(c);
	KUNIT_EXPECT_PTR_EQ(test, c->saved_data_ready, t->data_ready);
	khttpd_conn_detach(c);
	khttpd_conn_test_expect_restored(test);
	kfree(c);
}

static int khttpd_conn_test_sender(void *data)
{
	struct khttpd_conn_test *t = data;

	while (!kthread_should_stop()) {
		if (khttpd_conn_test_send(t->client, MSG_DONTWAIT) == 1)
			t->sent++;
		else
			usleep_range(100, 200);
		cond_resched();
	}
	return 0;
}

/*
 * Another thread sends all along; a new connection is attached, kicked,
 * detached and freed, 200 times. After each detach no callback of ours
 * may run: none may touch the freed connection (KASAN watches) nor kick
 * it between detach and free.
 */
static void khttpd_conn_test_detach_under_load(struct kunit *test)
{
	struct khttpd_conn_test *t = test->priv;
	unsigned int round, kicked = 0, late = 0;
	struct khttpd_conn *c;
	int i;

	t->sender = kthread_run(khttpd_conn_test_sender, t, "khttpd-kunit-send");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->sender));
	for (round = 0; round < 200; round++) {
		c = khttpd_conn_test_conn(test);
		khttpd_conn_attach(c);
		for (i = 0; i < 20 && !READ_ONCE(c->kicked); i++) {
			khttpd_conn_test_drain(t->server);
			usleep_range(50, 100);
		}
		khttpd_conn_detach(c);
		if (khttpd_conn_test_take_kick(c))
			kicked++;
		for (i = 0; i < 3; i++) {
			khttpd_conn_test_drain(t->server);
			usleep_range(50, 100);
		}
		if (khttpd_conn_test_take_kick(c))
			late++;
		kfree(c);
	}
	kthread_stop(t->sender);
	t->sender = NULL;
	KUNIT_EXPECT_EQ(test, late, 0U);
	KUNIT_EXPECT_GT(test, kicked, 0U);
	KUNIT_EXPECT_GT(test, t->sent, 0UL);
	KUNIT_EXPECT_TRUE(test, list_empty(&t->w->ready));
	khttpd_conn_test_expect_restored(test);
}

/* Sends 16 KiB chunks from the server side until the socket is full. */
static unsigned long khttpd_conn_test_fill(struct socket *sock)
{
	static char chunk[16384];
	struct kvec iov = { .iov_base = chunk, .iov_len = sizeof(chunk) };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	unsigned long sent = 0;
	int n;

	/* Bounded: loopback buffers autotune to a few MiB at most. */
	while (sent < (64UL << 20)) {
		n = kernel_sendmsg(sock, &msg, &iov, 1, sizeof(chunk));
		if (n <= 0)
			break;
		sent += n;
	}
	return sent;
}

/*
 * The write-space callback wakes the worker only when a third of the send
 * buffer is free, and then clears SOCK_NOSPACE, as sk_stream_write_space
 * does: otherwise every ACK of a large answer would wake the worker for
 * the rest of the connection's life (issue 16, item 1).
 */
static void khttpd_conn_test_write_space(struct kunit *test)
{
	struct khttpd_conn_test *t = test->priv;
	struct khttpd_conn *c = khttpd_conn_test_conn(test);
	struct sock *sk = t->server->sk;
	int i;

	khttpd_conn_attach(c);
	KUNIT_ASSERT_GT(test, khttpd_conn_test_fill(t->server), 0UL);
	/* A send that found no room sets SOCK_NOSPACE. */
	KUNIT_ASSERT_TRUE(test, test_bit(SOCK_NOSPACE, &t->server->flags));
	KUNIT_ASSERT_FALSE(test, sk_stream_is_writeable(sk));
	khttpd_conn_test_take_kick(c);

	/* No room yet: TCP may call it after any ACK; it must not wake. */
	local_bh_disable();
	sk->sk_write_space(sk);
	local_bh_enable();
	KUNIT_EXPECT_FALSE(test, khttpd_conn_test_take_kick(c));
	KUNIT_EXPECT_TRUE(test, test_bit(SOCK_NOSPACE, &t->server->flags));

	/* The client reads it all: the ACKs free the buffer, TCP calls back. */
	for (i = 0; i < 400 && !READ_ONCE(c->kicked); i++) {
		khttpd_conn_test_drain(t->client);
		usleep_range(1000, 2000);
	}
	KUNIT_EXPECT_TRUE(test, khttpd_conn_test_take_kick(c));
	/* Cleared: until a send finds no room again, TCP calls back no more. */
	KUNIT_EXPECT_FALSE(test, test_bit(SOCK_NOSPACE, &t->server->flags));
	khttpd_conn_detach(c);
	kfree(c);
}

/* The listener's callback ignores a socket that is not a listener. */
static void khttpd_conn_test_listener_child(struct kunit *test)
{
	struct khttpd_conn_test *t = test->priv;
	struct sock *sk = t->server->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = t->w;
	write_unlock_bh(&sk->sk_callback_lock);
	local_bh_disable();
	khttpd_listener_ready(sk);
	local_bh_enable();
	KUNIT_EXPECT_FALSE(test, t->w->accept_ready);
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	write_unlock_bh(&sk->sk_callback_lock);
}

static struct kunit_case khttpd_conn_test_cases[] = {
	KUNIT_CASE(khttpd_conn_test_write_space),
	KUNIT_CASE(khttpd_conn_test_listener_child),
	KUNIT_CASE(khttpd_conn_test_attach),
	KUNIT_CASE(khttpd_conn_test_inherited),
	KUNIT_CASE(khttpd_conn_test_detach_under_load),
	{}
};

static struct kunit_suite khttpd_conn_test_suite = {
	.name = "khttpd_conn",
	.init = khttpd_conn_test_init,
	.exit = khttpd_conn_test_exit,
	.test_cases = khttpd_conn_test_cases,
};

kunit_test_suite(khttpd_conn_test_suite);
