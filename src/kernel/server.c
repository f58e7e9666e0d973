// SPDX-License-Identifier: GPL-2.0
/*
 * The listening socket and the worker threads.
 *
 * Every worker blocks in accept() on the shared listener and serves the
 * connection it got until the connection ends (the C++ core's session
 * loop), then accepts again. Stopping sets `stopping`, shuts the listener
 * down (which wakes accept()), shuts down every worker's current
 * connection (which wakes recv()/send()), then kthread_stop()s the workers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stat.h>
#include <linux/tcp.h>
#include <net/net_namespace.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "khttpd/core.h"
#include "file_cache.h"
#include "kapi_kernel.h"
#include "khttpd.h"

#define KHTTPD_BACKLOG 1024

struct khttpd_server;

struct khttpd_worker {
	struct khttpd_server *srv;
	struct task_struct *task;
	/* Guards conn.sock against the stopper's shutdown. */
	struct mutex conn_lock;
	struct kh_conn conn;
	char *buffers_block;
	struct khttpd_session_buffers buffers;
};

struct khttpd_server {
	struct socket *listener;
	struct kh_root root;
	struct khttpd_session_params params;
	char index[KHTTPD_INDEX_MAX];
	int max_header_size;
	int io_timeout_secs;
	bool stopping;
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

static void khttpd_conn_setup(struct socket *sock, int timeout_secs)
{
	struct sock *sk = sock->sk;

	tcp_sock_set_nodelay(sk);
	sock_set_sndtimeo(sk, timeout_secs);
	lock_sock(sk);
	sk->sk_rcvtimeo = (long)timeout_secs * HZ;
	release_sock(sk);
}

static void khttpd_worker_serve(struct khttpd_worker *w, struct socket *sock)
{
	struct khttpd_server *srv = w->srv;

	mutex_lock(&w->conn_lock);
	if (READ_ONCE(srv->stopping)) {
		mutex_unlock(&w->conn_lock);
		sock_release(sock);
		return;
	}
	w->conn.sock = sock;
	mutex_unlock(&w->conn_lock);

	khttpd_conn_setup(sock, srv->io_timeout_secs);
	khttpd_session_run(&w->conn, &srv->root, &srv->params, &w->buffers);

	mutex_lock(&w->conn_lock);
	w->conn.sock = NULL;
	mutex_unlock(&w->conn_lock);
	kernel_sock_shutdown(sock, SHUT_WR);
	sock_release(sock);
}

/* After the listener is gone, wait to be reaped by kthread_stop(). */
static void khttpd_wait_for_stop(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static int khttpd_worker_fn(void *data)
{
	struct khttpd_worker *w = data;
	struct khttpd_server *srv = w->srv;

	while (!kthread_should_stop() && !READ_ONCE(srv->stopping)) {
		struct socket *sock;
		int err = kernel_accept(srv->listener, &sock, 0);

		if (err) {
			if (READ_ONCE(srv->stopping))
				break;
			/* A transient failure (-ENOMEM, -ECONNABORTED...). */
			cond_resched();
			continue;
		}
		khttpd_worker_serve(w, sock);
	}
	khttpd_wait_for_stop();
	return 0;
}

/*
 * Listens on all addresses: one IPv6 socket that also takes IPv4
 * (v4-mapped), or plain IPv4 where the kernel has no IPv6.
 */
static int khttpd_listen(struct khttpd_server *srv, int port)
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
	int err;

	err = sock_create_kern(&init_net, PF_INET6, SOCK_STREAM, IPPROTO_TCP,
			       &srv->listener);
	if (err == -EAFNOSUPPORT) {
		addr = (struct sockaddr *)&addr4;
		addrlen = sizeof(addr4);
		err = sock_create_kern(&init_net, PF_INET, SOCK_STREAM,
				       IPPROTO_TCP, &srv->listener);
	}
	if (err)
		return err;
	sock_set_reuseaddr(srv->listener->sk);
	if (addr->sa_family == AF_INET6)
		srv->listener->sk->sk_ipv6only = false;
	err = kernel_bind(srv->listener, addr, addrlen);
	if (err) {
		pr_err("cannot bind port %d: error %d\n", port, err);
		goto fail;
	}
	err = kernel_listen(srv->listener, KHTTPD_BACKLOG);
	if (err) {
		pr_err("cannot listen on port %d: error %d\n", port, err);
		goto fail;
	}
	return 0;
fail:
	sock_release(srv->listener);
	srv->listener = NULL;
	return err;
}

static int khttpd_worker_init(struct khttpd_server *srv, struct khttpd_worker *w)
{
	size_t size = khttpd_buffers_size(srv->max_header_size);

	w->srv = srv;
	mutex_init(&w->conn_lock);
	w->buffers_block = kvmalloc(size, GFP_KERNEL);
	if (!w->buffers_block)
		return -ENOMEM;
	khttpd_buffers_init(&w->buffers, w->buffers_block, srv->max_header_size);
	return 0;
}

static void khttpd_worker_free(struct khttpd_worker *w)
{
	kvfree(w->buffers_block);
	mutex_destroy(&w->conn_lock);
}

/* Stops and frees everything khttpd_server_start() set up, in reverse. */
static void khttpd_server_destroy(struct khttpd_server *srv)
{
	int i;

	WRITE_ONCE(srv->stopping, true);
	if (srv->listener)
		kernel_sock_shutdown(srv->listener, SHUT_RDWR);
	for (i = 0; i < srv->nr_workers; i++) {
		struct khttpd_worker *w = &srv->workers[i];

		mutex_lock(&w->conn_lock);
		if (w->conn.sock)
			kernel_sock_shutdown(w->conn.sock, SHUT_RDWR);
		mutex_unlock(&w->conn_lock);
	}
	for (i = 0; i < srv->nr_workers; i++) {
		struct khttpd_worker *w = &srv->workers[i];

		if (w->task)
			kthread_stop(w->task);
		khttpd_worker_free(w);
	}
	if (srv->listener)
		sock_release(srv->listener);
	khttpd_fc_destroy(srv->root.cache);
	if (srv->root.path.dentry)
		path_put(&srv->root.path);
	kfree(srv);
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
	srv->params.index_name = srv->index;
	srv->params.max_requests = cfg->keepalive_requests;
	srv->params.perm_required = cfg->perm_required;
	srv->params.perm_forbid = cfg->perm_forbid;
	srv->max_header_size = cfg->max_header_size;
	srv->io_timeout_secs = cfg->keepalive_timeout;
	srv->root.lookup_flags = kh_root_lookup_flags(cfg->crossmounts);

	srv->root.cache = khttpd_fc_create(cfg->filecache_entries, &err);
	if (err)
		goto fail;
	err = kern_path(cfg->docroot, LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
			&srv->root.path);
	if (err) {
		pr_err("documentroot %s: error %d\n", cfg->docroot, err);
		srv->root.path.dentry = NULL;
		goto fail;
	}
	err = khttpd_listen(srv, cfg->port);
	if (err)
		goto fail;

	for (i = 0; i < cfg->threads; i++) {
		struct khttpd_worker *w = &srv->workers[i];
		struct task_struct *task;

		srv->nr_workers++;
		err = khttpd_worker_init(srv, w);
		if (err)
			goto fail;
		task = kthread_run(khttpd_worker_fn, w, "khttpd/%d", i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			goto fail;
		}
		w->task = task;
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
