// SPDX-License-Identifier: GPL-2.0
/*
 * The worker threads, starting and stopping the server, and its counters.
 *
 * Every worker thread owns a listener (listener.c) and the connections it
 * accepted on it (conn.c). It sleeps until a socket callback (data arrived,
 * send space freed, peer closed, connection waiting to be accepted) puts
 * work on its ready list, then steps each ready connection's session (the
 * C++ core) as far as it goes without blocking. Nothing polls: the only
 * timer is the earliest connection deadline (conn.c).
 *
 * Stopping stops each worker, which closes its own connections on the way
 * out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs_struct.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/namei.h>
#include <linux/log2.h>
#include <linux/path.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>

#include "file_cache.h"
#include "handover.h"
#include "server_internal.h"
#include "stats.h"

/*
 * Bodies up to this size that fit behind the head in the head buffer
 * (max_header_size) are copied there and sent with the head in one send:
 * cheaper than a second send of page-cache pages through the splice pipe.
 */
#define KHTTPD_INLINE_BODY_MAX 8192
/* How long a closing connection may take to send its FIN and drain what
 * the client still sends (nginx's lingering close), at most. */
#define KHTTPD_LINGER_SECS 2

DEFINE_MUTEX(khttpd_config_lock);
static struct khttpd_server *khttpd_server;

bool khttpd_server_running(void)
{
	lockdep_assert_held(&khttpd_config_lock);
	return khttpd_server != NULL;
}

/* ---- workers --------------------------------------------------------------- */

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
		if (!khttpd_worker_has_work(w)) {
			wait_event_interruptible_timeout(w->wq, khttpd_worker_has_work(w) ||
							 kthread_should_stop(), timeout);
			khttpd_stat_inc(wakeups);
		}
		if (kthread_should_stop())
			break;
		khttpd_listener_accept(w);
		khttpd_conn_run_ready(w);
		timeout = khttpd_conn_expire(w);
		if (khttpd_worker_has_work(w))
			cond_resched();
	}
	/* Stopping: this worker's connections go with it. */
	khttpd_conn_stop_all(w);
	return 0;
}

/* ---- counters ------------------------------------------------------------ */

/*
 * The server's counters are sums over all workers, 0 while stopped; the
 * hand-over's live in handover.c.
 */
unsigned long khttpd_server_stat(enum khttpd_stat stat)
{
	struct khttpd_server *srv;
	unsigned long sum = 0;
	int i;

	lockdep_assert_held(&khttpd_config_lock);
	switch (stat) {
	case KHTTPD_STAT_DAEMON_PID:
		return khttpd_fallback_daemon();
	case KHTTPD_STAT_REFUSED:
		return khttpd_fallback_refused();
	case KHTTPD_STAT_REFUSED_CONNS:
		return khttpd_server ? khttpd_limits_refused(&khttpd_server->limits) : 0;
	default:
		break;
	}
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

/* For the status file (stats.c). */
void khttpd_server_info(struct khttpd_server_info *info)
{
	struct khttpd_server *srv = khttpd_server;

	lockdep_assert_held(&khttpd_config_lock);
	info->running = srv;
	info->uptime = srv ? ktime_get_boottime_seconds() - srv->started : 0;
	info->port = srv ? srv->port : khttpd_config.port;
	info->threads = srv ? srv->nr_workers : khttpd_config.threads;
	info->fc_entries = srv ? khttpd_fc_entries(srv->root.cache) : 0;
}

/*
 * One line per worker: its CPU is the one it last ran on (workers are not
 * bound to CPUs), connections are open now, requests counted since the
 * start (answered or handed over).
 */
void khttpd_server_show_workers(struct seq_file *m)
{
	struct khttpd_server *srv = khttpd_server;
	int i;

	lockdep_assert_held(&khttpd_config_lock);
	for (i = 0; srv && i < srv->nr_workers; i++) {
		struct khttpd_worker *w = &srv->workers[i];

		seq_printf(m, "worker %d cpu %u connections %lu requests %lu\n", i,
			   task_cpu(w->task), READ_ONCE(w->nr_conns),
			   READ_ONCE(w->nr_requests));
	}
}

/* ---- start and stop ------------------------------------------------------- */

static int khttpd_worker_init(struct khttpd_server *srv, struct khttpd_worker *w,
			      int port)
{
	w->srv = srv;
	spin_lock_init(&w->lock);
	INIT_LIST_HEAD(&w->ready);
	khttpd_conn_init_lists(w);
	init_waitqueue_head(&w->wq);
	w->scratch_mem = kvmalloc(khttpd_worker_scratch_size(srv->max_header_size),
				  GFP_KERNEL);
	if (!w->scratch_mem)
		return -ENOMEM;
	w->scratch = khttpd_worker_scratch_init(w->scratch_mem, srv->max_header_size);
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
		kvfree(srv->workers[i].scratch_mem);
	}
	khttpd_limits_destroy(&srv->limits);
	kmem_cache_destroy(srv->io_cache);
	kmem_cache_destroy(srv->conn_cache);
	khttpd_fc_destroy(srv->root.cache);
	if (srv->root.path.dentry)
		path_put(&srv->root.path);
	if (srv->root.cred)
		put_cred(srv->root.cred);
	kfree(srv);
}

/* Whether @path is the file system root of the task starting the server. */
static bool khttpd_is_fs_root(const struct path *path)
{
	struct path root;
	bool same;

	get_fs_root(current->fs, &root);
	same = path_equal(path, &root);
	path_put(&root);
	return same;
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

	/*
	 * A power-of-two size, which kmalloc aligns to itself: the workers'
	 * cache-line alignment then holds in memory, not only in offsets.
	 */
	srv = kzalloc(roundup_pow_of_two(struct_size(srv, workers, cfg->threads)),
		      GFP_KERNEL);
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
	srv->params.vhosts = cfg->vhosts;
	srv->params.nodaemon_503 = cfg->nodaemon_503;
	srv->params.inline_body_max = KHTTPD_INLINE_BODY_MAX;
	srv->max_header_size = cfg->max_header_size;
	srv->timeouts[KHTTPD_TIMER_HEAD] = (unsigned long)cfg->header_timeout * HZ;
	srv->timeouts[KHTTPD_TIMER_SEND] = (unsigned long)cfg->send_timeout * HZ;
	srv->timeouts[KHTTPD_TIMER_IDLE] = (unsigned long)cfg->keepalive_timeout * HZ;
	srv->timeouts[KHTTPD_TIMER_LINGER] = min_t(unsigned long, KHTTPD_LINGER_SECS,
						   cfg->keepalive_timeout) * HZ;
	srv->root.lookup_flags = kh_root_lookup_flags(cfg->crossmounts);
	srv->port = cfg->port;

	err = khttpd_limits_init(&srv->limits, cfg->max_connections,
				 cfg->max_connections_per_ip);
	if (err)
		goto fail;
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
	if (khttpd_is_fs_root(&srv->root.path)) {
		/* The sysctl refuses "/"; a symlink to it is refused here. */
		pr_err("documentroot %s is the root directory: refused\n", cfg->docroot);
		err = -EINVAL;
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
	srv->started = ktime_get_boottime_seconds();
	khttpd_server = srv;
	pr_info("serving %s on port %d with %d threads, at most %d connections (%d per address)\n",
		cfg->docroot, cfg->port, cfg->threads, cfg->max_connections,
		cfg->max_connections_per_ip);
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
