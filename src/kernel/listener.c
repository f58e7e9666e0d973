// SPDX-License-Identifier: GPL-2.0
/*
 * The listening sockets: one per worker, all on the same port
 * (SO_REUSEPORT: the kernel spreads new connections over the workers'
 * listeners), their sk_data_ready callback, and accepting what waits on
 * them. An accepted socket goes to conn.c. A reload moves listeners from
 * the old generation's workers to the new one's (khttpd_listener_adopt),
 * so a worker may own several.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <net/net_namespace.h>
#include <net/inet_connection_sock.h>
#include <net/inet_sock.h>
#include <net/request_sock.h>
#include <net/sock.h>

#include "net.h"
#include "server_internal.h"
#include "stats.h"

#define KHTTPD_BACKLOG 1024
/* Connections a worker accepts per wake-up before it steps its ready ones. */
#define KHTTPD_ACCEPT_BATCH 64
/*
 * TCP_DEFER_ACCEPT on the listeners (Apache's AcceptFilter does the same):
 * a connection reaches a worker with its request, not with the bare ACK of
 * the handshake, which saves a wake-up and an empty step per connection. A
 * client that connects and stays silent waits in the kernel's SYN queue
 * (holding no worker memory) and is accepted after about this many seconds.
 */
#define KHTTPD_DEFER_ACCEPT_SECS 1

void khttpd_listener_ready(struct sock *sk)
{
	struct khttpd_worker *w;

	read_lock_bh(&sk->sk_callback_lock);
	w = sk->sk_user_data;
	/*
	 * An accepted socket is born with the listener's callbacks and
	 * sk_user_data, until conn.c attaches its own: its data must not
	 * pass for a connection waiting on the listener.
	 */
	if (w && sk->sk_state == TCP_LISTEN) {
		spin_lock_bh(&w->lock);
		w->accept_ready = true;
		spin_unlock_bh(&w->lock);
		khttpd_worker_wake(w);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

int khttpd_listener_port(struct socket *sock)
{
	return inet_sk(sock->sk)->inet_num;
}

/*
 * Connections wait on @listener, as poll() sees it (without the socket's
 * lock: a hint, which kernel_accept() settles). An accept that finds none
 * is not free: kernel_accept() makes a socket (an inode of sockfs) before
 * it looks, and releases it on -EAGAIN.
 */
static bool khttpd_listener_pending(struct socket *listener)
{
	return !reqsk_queue_empty(&inet_csk(listener->sk)->icsk_accept_queue);
}

/* Accepts up to *@budget connections waiting on @listener. */
static void khttpd_listener_accept_one(struct khttpd_worker *w, struct socket *listener,
				       int *budget)
{
	bool tls = w->srv->tls_port && khttpd_listener_port(listener) == w->srv->tls_port;

	while (*budget && khttpd_listener_pending(listener)) {
		struct khttpd_peer *peer;
		struct socket *sock;
		int err;

		err = kernel_accept(listener, &sock, O_NONBLOCK);
		if (err == -EAGAIN)
			return;
		--*budget;
		if (err)
			continue; /* the client gave up already, or no memory */
		khttpd_stat_inc(w->srv->stats, accepts);
		if (khttpd_limits_admit(&w->srv->limits, sock, &peer)) {
			/* Over a limit: a reset at once, nothing allocated. */
			sock_no_linger(sock->sk);
			sock_release(sock);
			continue;
		}
		khttpd_stat_inc(w->srv->stats, handled);
		khttpd_conn_open(w, sock, peer, tls);
	}
}

void khttpd_listener_accept(struct khttpd_worker *w)
{
	int budget = KHTTPD_ACCEPT_BATCH;
	bool ready;
	int i;

	/* Only when a listener called: a worker's loop runs once per wake-up,
	 * and most wake-ups are for its connections, not its listeners. */
	spin_lock_bh(&w->lock);
	ready = w->accept_ready;
	w->accept_ready = false; /* an arrival from now on sets it again */
	spin_unlock_bh(&w->lock);
	if (!ready)
		return;
	for (i = 0; i < w->nr_listeners && budget; i++)
		khttpd_listener_accept_one(w, w->listeners[i], &budget);
	if (budget)
		return;
	spin_lock_bh(&w->lock);
	w->accept_ready = true; /* more may wait: after the ready ones */
	spin_unlock_bh(&w->lock);
}

/*
 * A listener on all addresses: IPv6 taking IPv4 too (v4-mapped), or plain
 * IPv4 where the kernel has no IPv6. SO_REUSEPORT, so every worker has its
 * own. In the server's network namespace, as a kernel socket: it holds
 * no reference on the namespace (which the namespace's exit, net.c, would
 * otherwise never come to), nor do the sockets accepted on it; one handed
 * to userspace takes its reference then (handover.c).
 */
int khttpd_listen(struct khttpd_worker *w, int port)
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
	struct net *net = w->srv->kn->net;

	err = sock_create_kern(net, PF_INET6, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err == -EAFNOSUPPORT) {
		addr = (struct sockaddr *)&addr4;
		addrlen = sizeof(addr4);
		err = sock_create_kern(net, PF_INET, SOCK_STREAM, IPPROTO_TCP, &sock);
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
	w->listeners[w->nr_listeners++] = sock;
	return 0;
fail:
	sock_release(sock);
	return err;
}

/*
 * The old worker no longer looks at @sock; connections queued on it stay
 * queued meanwhile and are @w's from here on. The callback stays ours:
 * only whom it wakes changes, under the lock it reads that under.
 */
void khttpd_listener_adopt(struct khttpd_worker *w, struct socket *sock,
			   void (*saved_ready)(struct sock *sk))
{
	struct sock *sk = sock->sk;

	w->saved_listener_ready = saved_ready;
	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = w;
	write_unlock_bh(&sk->sk_callback_lock);
	w->listeners[w->nr_listeners++] = sock;
}

void khttpd_listener_release(struct khttpd_worker *w, struct socket *sock)
{
	struct sock *sk = sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = w->saved_listener_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	sock_release(sock);
}

void khttpd_listener_close(struct khttpd_worker *w)
{
	while (w->nr_listeners)
		khttpd_listener_release(w, w->listeners[--w->nr_listeners]);
}
