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
 *
 * Each network namespace has its own server (net.h): everything here acts
 * on one namespace's instance, under its lock.
 *
 * A reload (as nginx's) builds a whole new generation of the server from
 * the staged settings while the current one serves; any failure leaves the
 * current one untouched. Then the new one takes over the listening sockets
 * (same port: nothing queued is lost) or listens on its own (new port),
 * and the old one retires: its workers keep stepping their connections,
 * each of which ends after its request in progress (Connection: close),
 * and it is destroyed once none is left (the reaper, every second), or at
 * stop. A retiring generation lives at most as long as its own timeouts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/completion.h>
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
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "cold_read.h"
#include "file_cache.h"
#include "handover.h"
#include "net.h"
#include "server_internal.h"
#include "stats.h"
#include "tls.h"

/*
 * Bodies up to this size that fit behind the head in the head buffer
 * (max_header_size) are copied there and sent with the head in one send:
 * cheaper than a second send of page-cache pages through the splice pipe.
 */
#define KHTTPD_INLINE_BODY_MAX 8192
/* How long a closing connection may take to send its FIN and drain what
 * the client still sends (nginx's lingering close), at most. */
#define KHTTPD_LINGER_SECS 2

/*
 * Bit 0: some generation's caches have the plain names (khttpd_conn,
 * khttpd_io); any other generation alive meanwhile, in any namespace, gets
 * names with a number of its own (khttpd_cache_seq), since SLUB wants
 * every cache's name unique (sysfs).
 */
static unsigned long khttpd_plain_cache_names;
static atomic_long_t khttpd_cache_seq = ATOMIC_LONG_INIT(0);

static void khttpd_reap(struct work_struct *work);

void khttpd_server_net_init(struct khttpd_net *kn)
{
	INIT_DELAYED_WORK(&kn->reaper, khttpd_reap);
}

bool khttpd_server_running(struct khttpd_net *kn)
{
	lockdep_assert_held(&kn->lock);
	return kn->server != NULL;
}

/* ---- workers --------------------------------------------------------------- */

static bool khttpd_worker_has_work(struct khttpd_worker *w)
{
	bool work;

	spin_lock_bh(&w->lock);
	work = w->accept_ready || !list_empty(&w->ready) || w->drop_listeners ||
	       !list_empty(&w->adopted);
	spin_unlock_bh(&w->lock);
	return work;
}

/*
 * A reload asked for @w's listeners: stop using them (the reload reads
 * them from w->listeners[] once this completes).
 */
static void khttpd_worker_drop_listeners(struct khttpd_worker *w)
{
	bool drop;

	spin_lock_bh(&w->lock);
	drop = w->drop_listeners;
	w->drop_listeners = false;
	spin_unlock_bh(&w->lock);
	if (!drop)
		return;
	w->nr_listeners = 0;
	complete(&w->listeners_dropped);
}

static int khttpd_worker_fn(void *data)
{
	struct khttpd_worker *w = data;
	long timeout = MAX_SCHEDULE_TIMEOUT;

	while (!kthread_should_stop()) {
		if (!khttpd_worker_has_work(w)) {
			wait_event_interruptible_timeout(w->wq, khttpd_worker_has_work(w) ||
							 kthread_should_stop(), timeout);
			khttpd_stat_inc(w->srv->stats, wakeups);
		}
		if (kthread_should_stop())
			break;
		khttpd_worker_drop_listeners(w);
		khttpd_listener_accept(w);
		khttpd_tls_open_adopted(w);
		khttpd_conn_run_ready(w);
		timeout = khttpd_conn_expire(w);
		if (khttpd_worker_has_work(w))
			cond_resched();
	}
	/* Stopping: this worker's connections go with it. */
	khttpd_tls_drop_adopted(w);
	khttpd_conn_stop_all(w);
	return 0;
}

/* ---- counters ------------------------------------------------------------ */

/* @stat of generation @srv alone, since it was made. */
static unsigned long khttpd_generation_stat(struct khttpd_server *srv,
					    enum khttpd_stat stat)
{
	unsigned long sum = 0;
	int i;

	if (stat == KHTTPD_STAT_REFUSED_CONNS)
		return khttpd_limits_refused(&srv->limits);
	for (i = 0; i < srv->nr_workers; i++) {
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

/*
 * The server's counters are sums over all workers of every generation
 * since the start (the current one, the retiring ones, and the totals of
 * those already gone), 0 while stopped; the hand-over's live in
 * handover.c.
 */
unsigned long khttpd_server_stat(struct khttpd_net *kn, enum khttpd_stat stat)
{
	struct khttpd_server *srv;
	unsigned long sum;

	lockdep_assert_held(&kn->lock);
	switch (stat) {
	case KHTTPD_STAT_DAEMON_PID:
		return khttpd_fallback_daemon(&kn->fb);
	case KHTTPD_STAT_REFUSED:
		return khttpd_fallback_refused(&kn->fb);
	default:
		break;
	}
	if (!kn->server)
		return 0;
	sum = khttpd_generation_stat(kn->server, stat);
	mutex_lock(&kn->retire_lock);
	list_for_each_entry(srv, &kn->retiring, retired_node)
		sum += khttpd_generation_stat(srv, stat);
	if (stat == KHTTPD_STAT_REQUESTS)
		sum += kn->gone_requests;
	else if (stat == KHTTPD_STAT_HANDOVERS)
		sum += kn->gone_handovers;
	else if (stat == KHTTPD_STAT_REFUSED_CONNS)
		sum += kn->gone_refused;
	mutex_unlock(&kn->retire_lock);
	return sum;
}

/* For the status file (stats.c). */
void khttpd_server_info(struct khttpd_net *kn, struct khttpd_server_info *info)
{
	struct khttpd_server *srv = kn->server;
	struct khttpd_server *old;

	lockdep_assert_held(&kn->lock);
	info->running = srv;
	info->uptime = srv ? ktime_get_boottime_seconds() - srv->started : 0;
	info->port = srv ? srv->port : kn->config.port;
	info->threads = srv ? srv->nr_workers : kn->config.threads;
	info->fc_entries = srv ? khttpd_fc_entries(srv->root.cache) : 0;
	info->generation = kn->generation;
	info->retiring_conns = 0;
	mutex_lock(&kn->retire_lock);
	list_for_each_entry(old, &kn->retiring, retired_node)
		info->retiring_conns += khttpd_generation_stat(old, KHTTPD_STAT_CONNECTIONS);
	mutex_unlock(&kn->retire_lock);
}

/*
 * One line per worker: its CPU is the one it last ran on (workers are not
 * bound to CPUs), connections are open now, requests counted since the
 * start (answered or handed over). The current generation's workers only.
 */
void khttpd_server_show_workers(struct khttpd_net *kn, struct seq_file *m)
{
	struct khttpd_server *srv = kn->server;
	int i;

	lockdep_assert_held(&kn->lock);
	for (i = 0; srv && i < srv->nr_workers; i++) {
		struct khttpd_worker *w = &srv->workers[i];

		seq_printf(m, "worker %d cpu %u connections %lu requests %lu\n", i,
			   task_cpu(w->task), READ_ONCE(w->nr_conns),
			   READ_ONCE(w->nr_requests));
	}
}

/* ---- building and destroying a generation ---------------------------------- */

/* @w with room for @max_listeners listeners (none yet) and no thread. */
static int khttpd_worker_init(struct khttpd_server *srv, struct khttpd_worker *w,
			      int max_listeners)
{
	w->srv = srv;
	spin_lock_init(&w->lock);
	INIT_LIST_HEAD(&w->ready);
	INIT_LIST_HEAD(&w->adopted);
	khttpd_conn_init_lists(w);
	init_waitqueue_head(&w->wq);
	init_completion(&w->listeners_dropped);
	/* Its first loop looks at its listeners: adopted ones may hold
	 * connections already. */
	w->accept_ready = true;
	w->listeners = kcalloc(max_listeners, sizeof(*w->listeners), GFP_KERNEL);
	if (!w->listeners)
		return -ENOMEM;
	w->max_listeners = max_listeners;
	w->scratch_mem = kvmalloc(khttpd_worker_scratch_size(srv->max_header_size),
				  GFP_KERNEL);
	if (!w->scratch_mem)
		return -ENOMEM;
	w->scratch = khttpd_worker_scratch_init(w->scratch_mem, srv->max_header_size);
	return 0;
}

/* Stops and frees everything khttpd_server_build() set up, in reverse. */
static void khttpd_server_destroy(struct khttpd_server *srv)
{
	int i;

	/* Each worker closes its connections before it returns (a thread
	 * never woken returns at once). */
	for (i = 0; i < srv->nr_workers; i++)
		if (srv->workers[i].task)
			kthread_stop(srv->workers[i].task);
	/* Their connections are gone; reads queued for them take w->lock. */
	khttpd_cold_read_flush();
	for (i = 0; i < srv->nr_workers; i++) {
		/* (Only a worker never woken can have some: the ioctl
		 * queues to running servers only.) */
		khttpd_tls_drop_adopted(&srv->workers[i]);
		khttpd_listener_close(&srv->workers[i]);
		kfree(srv->workers[i].listeners);
		kvfree(srv->workers[i].scratch_mem);
	}
	khttpd_limits_destroy(&srv->limits);
	kmem_cache_destroy(srv->io_cache);
	kmem_cache_destroy(srv->conn_cache);
	if (srv->plain_cache_names)
		clear_bit(0, &khttpd_plain_cache_names);
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
	char conn_name[32] = "khttpd_conn", io_name[32] = "khttpd_io";

	/* The plain names when free (what tools and tests look for). */
	srv->plain_cache_names = !test_and_set_bit(0, &khttpd_plain_cache_names);
	if (!srv->plain_cache_names) {
		long seq = atomic_long_inc_return(&khttpd_cache_seq);

		snprintf(conn_name, sizeof(conn_name), "khttpd_conn_%ld", seq);
		snprintf(io_name, sizeof(io_name), "khttpd_io_%ld", seq);
	}
	/* kmem_cache_create copies the name. */
	srv->conn_cache = kmem_cache_create(conn_name, conn,
					    max_t(size_t, khttpd_session_align(),
						  __alignof__(struct khttpd_conn)),
					    0, NULL);
	srv->io_cache = kmem_cache_create(io_name,
					  khttpd_conn_buffers_size(srv->max_header_size),
					  0, 0, NULL);
	return srv->conn_cache && srv->io_cache ? 0 : -ENOMEM;
}

/* The settings of @cfg that a generation keeps its own copy of. */
static void khttpd_server_settings(struct khttpd_server *srv,
				   const struct khttpd_config *cfg)
{
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
	srv->closing_params = srv->params;
	srv->closing_params.closing = 1;
	srv->max_header_size = cfg->max_header_size;
	srv->timeouts[KHTTPD_TIMER_HEAD] = (unsigned long)cfg->header_timeout * HZ;
	srv->timeouts[KHTTPD_TIMER_SEND] = (unsigned long)cfg->send_timeout * HZ;
	srv->timeouts[KHTTPD_TIMER_IDLE] = (unsigned long)cfg->keepalive_timeout * HZ;
	srv->timeouts[KHTTPD_TIMER_LINGER] = min_t(unsigned long, KHTTPD_LINGER_SECS,
						   cfg->keepalive_timeout) * HZ;
	srv->root.lookup_flags = kh_root_lookup_flags(cfg->crossmounts);
	srv->port = cfg->port;
	srv->tls_port = cfg->tls_port;
}

/* The root, its credentials and its open-file cache. */
static int khttpd_server_root(struct khttpd_server *srv, const struct khttpd_config *cfg)
{
	int err;

	srv->root.cache = khttpd_fc_create(cfg->filecache_entries, &err);
	if (err)
		return err;
	khttpd_fc_count_into(srv->root.cache, srv->stats);
	err = kh_root_init_cred(&srv->root, cfg->uid, cfg->gid);
	if (err)
		return err;
	/* As uid/gid: a root it cannot reach fails here, not in every request. */
	err = kh_root_lookup(&srv->root, cfg->docroot);
	if (err) {
		pr_err("documentroot %s: error %d\n", cfg->docroot, err);
		srv->root.path.dentry = NULL;
		return err;
	}
	if (khttpd_is_fs_root(&srv->root.path)) {
		/* The sysctl refuses "/"; a symlink to it is refused here. */
		pr_err("documentroot %s is the root directory: refused\n", cfg->docroot);
		return -EINVAL;
	}
	return 0;
}

/* Listeners on @port all workers of @old have together. */
static int khttpd_server_nr_listeners(const struct khttpd_server *old, int port)
{
	int i, j, n = 0;

	for (i = 0; i < old->nr_workers; i++)
		for (j = 0; j < old->workers[i].nr_listeners; j++)
			n += khttpd_listener_port(old->workers[i].listeners[j]) == port;
	return n;
}

/* Room worker @i of @n needs for the listeners on one port, @adopt of them
 * taken over (worker i adopts listeners i, i + n, ...), else its own. */
static int khttpd_listener_room(int i, int n, int adopt)
{
	return i < adopt ? DIV_ROUND_UP(adopt - i, n) : 1;
}

/*
 * A complete generation from @cfg, its threads made but not woken. With
 * @old on the same port, its workers get room for old's listeners (worker
 * i adopts listeners i, i + n, ... later) and those beyond old's count
 * listen themselves, joining the SO_REUSEPORT group; else each listens on
 * the port. Listeners come last: a failure before them has none to close
 * (closing one would reset what waits in its queue).
 */
static struct khttpd_server *khttpd_server_build(struct khttpd_net *kn,
						 const struct khttpd_server *old,
						 unsigned long generation, int *errp)
{
	const struct khttpd_config *cfg = &kn->config;
	int n = cfg->threads, adopt = 0, adopt_tls = 0, err, i;
	struct khttpd_server *srv;

	if (cfg->tls_port == cfg->port) {
		pr_err("tls_port %d is port too: refused\n", cfg->tls_port);
		*errp = -EINVAL;
		return NULL;
	}

	/*
	 * A power-of-two size, which kmalloc aligns to itself: the workers'
	 * cache-line alignment then holds in memory, not only in offsets.
	 */
	srv = kzalloc(roundup_pow_of_two(struct_size(srv, workers, n)), GFP_KERNEL);
	if (!srv) {
		*errp = -ENOMEM;
		return NULL;
	}
	srv->generation = generation;
	srv->kn = kn;
	srv->stats = kn->stats;
	srv->fb = &kn->fb;
	INIT_LIST_HEAD(&srv->retired_node);
	/* The server keeps its own copy: the config may change meanwhile. */
	khttpd_server_settings(srv, cfg);
	if (old && old->port == cfg->port)
		adopt = khttpd_server_nr_listeners(old, cfg->port);
	if (old && cfg->tls_port && old->tls_port == cfg->tls_port)
		adopt_tls = khttpd_server_nr_listeners(old, cfg->tls_port);

	err = khttpd_limits_init(&srv->limits, cfg->max_connections,
				 cfg->max_connections_per_ip);
	if (err)
		goto fail;
	srv->limits.stats = srv->stats;
	err = khttpd_server_caches(srv);
	if (err)
		goto fail;
	err = khttpd_server_root(srv, cfg);
	if (err)
		goto fail;
	for (i = 0; i < n; i++) {
		srv->nr_workers++;
		err = khttpd_worker_init(srv, &srv->workers[i],
					 khttpd_listener_room(i, n, adopt) +
					 (cfg->tls_port ? khttpd_listener_room(i, n, adopt_tls) : 0));
		if (err)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		struct task_struct *task;

		task = kthread_create(khttpd_worker_fn, &srv->workers[i], "khttpd/%d", i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			goto fail;
		}
		srv->workers[i].task = task;
	}
	for (i = adopt; i < n; i++) {
		err = khttpd_listen(&srv->workers[i], cfg->port);
		if (err)
			goto fail;
	}
	for (i = adopt_tls; cfg->tls_port && i < n; i++) {
		err = khttpd_listen(&srv->workers[i], cfg->tls_port);
		if (err)
			goto fail;
	}
	return srv;
fail:
	khttpd_server_destroy(srv);
	*errp = err;
	return NULL;
}

static void khttpd_server_run(struct khttpd_server *srv)
{
	int i;

	for (i = 0; i < srv->nr_workers; i++)
		wake_up_process(srv->workers[i].task);
}

/* ---- start, reload and stop ------------------------------------------------ */

int khttpd_server_start(struct khttpd_net *kn)
{
	const struct khttpd_config *cfg = &kn->config;
	struct khttpd_server *srv;
	int err;

	lockdep_assert_held(&kn->lock);
	if (kn->server)
		return 0;
	srv = khttpd_server_build(kn, NULL, kn->generation + 1, &err);
	if (!srv)
		return err;
	kn->generation++;
	srv->started = ktime_get_boottime_seconds();
	kn->server = srv;
	khttpd_server_run(srv);
	pr_info("serving %s on port %d with %d threads, at most %d connections (%d per address)%s\n",
		cfg->docroot, cfg->port, cfg->threads, cfg->max_connections,
		cfg->max_connections_per_ip,
		net_eq(kn->net, &init_net) ? "" : " in a network namespace");
	if (cfg->tls_port)
		pr_info("and HTTPS on port %d (handshakes in the hand-over daemon)\n",
			cfg->tls_port);
	return 0;
}

/*
 * Has every worker of @old stop using its listeners and wait until each
 * did; w->nr_handed is then how many of w->listeners[] it had.
 */
static void khttpd_server_quiesce(struct khttpd_server *old)
{
	int i;

	for (i = 0; i < old->nr_workers; i++) {
		struct khttpd_worker *w = &old->workers[i];

		w->nr_handed = w->nr_listeners; /* only w changes it, when asked */
		reinit_completion(&w->listeners_dropped);
		spin_lock_bh(&w->lock);
		w->drop_listeners = true;
		spin_unlock_bh(&w->lock);
		khttpd_worker_wake(w);
	}
	for (i = 0; i < old->nr_workers; i++)
		wait_for_completion(&old->workers[i].listeners_dropped);
}

/*
 * @old's listeners go to @srv's workers (same port, or same tls_port) or
 * are closed (the port changed: what waited on them is reset, as at a
 * stop). Each port's are dealt out as khttpd_server_build() counted.
 */
static void khttpd_server_hand_listeners(struct khttpd_server *old,
					 struct khttpd_server *srv)
{
	int i, j, k = 0, k_tls = 0, n = srv->nr_workers;

	for (i = 0; i < old->nr_workers; i++) {
		struct khttpd_worker *w = &old->workers[i];

		for (j = 0; j < w->nr_handed; j++) {
			struct socket *sock = w->listeners[j];
			int port = khttpd_listener_port(sock);

			if (port == srv->port && old->port == srv->port)
				khttpd_listener_adopt(&srv->workers[k++ % n], sock,
						      w->saved_listener_ready);
			else if (srv->tls_port && port == srv->tls_port &&
				 old->tls_port == srv->tls_port)
				khttpd_listener_adopt(&srv->workers[k_tls++ % n], sock,
						      w->saved_listener_ready);
			else
				khttpd_listener_release(w, sock);
		}
		w->nr_handed = 0;
	}
}

int khttpd_server_reload(struct khttpd_net *kn)
{
	const struct khttpd_config *cfg = &kn->config;
	struct khttpd_server *old = kn->server, *srv;
	int err;

	lockdep_assert_held(&kn->lock);
	if (!old)
		return -ESRCH;
	srv = khttpd_server_build(kn, old, kn->generation + 1, &err);
	if (!srv)
		return err;
	/* Nothing fails from here on. */
	khttpd_server_quiesce(old);
	khttpd_server_hand_listeners(old, srv);
	srv->started = old->started; /* the server's uptime goes on */
	kn->generation++;
	kn->server = srv;
	khttpd_server_run(srv);
	/* Each of old's connections ends after its request in progress. */
	smp_store_release(&old->retiring, true);
	mutex_lock(&kn->retire_lock);
	list_add_tail(&old->retired_node, &kn->retiring);
	mutex_unlock(&kn->retire_lock);
	schedule_delayed_work(&kn->reaper, HZ);
	pr_info("reloaded: generation %lu serving %s on port %d with %d threads\n",
		kn->generation, cfg->docroot, cfg->port, cfg->threads);
	return 0;
}

/* Destroys the retiring generations without connections left, every second
 * while any retire. Takes only the retire lock (see net.h). */
static void khttpd_reap(struct work_struct *work)
{
	struct khttpd_net *kn = container_of(to_delayed_work(work), struct khttpd_net,
					     reaper);
	struct khttpd_server *srv, *tmp;
	LIST_HEAD(gone);
	bool more;

	mutex_lock(&kn->retire_lock);
	list_for_each_entry_safe(srv, tmp, &kn->retiring, retired_node) {
		/* No listener left: its count can only go down. */
		if (khttpd_generation_stat(srv, KHTTPD_STAT_CONNECTIONS))
			continue;
		kn->gone_requests += khttpd_generation_stat(srv, KHTTPD_STAT_REQUESTS);
		kn->gone_handovers += khttpd_generation_stat(srv, KHTTPD_STAT_HANDOVERS);
		kn->gone_refused += khttpd_generation_stat(srv, KHTTPD_STAT_REFUSED_CONNS);
		list_move_tail(&srv->retired_node, &gone);
	}
	more = !list_empty(&kn->retiring);
	mutex_unlock(&kn->retire_lock);
	list_for_each_entry_safe(srv, tmp, &gone, retired_node) {
		pr_info("generation %lu retired\n", srv->generation);
		khttpd_server_destroy(srv);
	}
	if (more)
		schedule_delayed_work(&kn->reaper, HZ);
}

void khttpd_server_stop(struct khttpd_net *kn)
{
	struct khttpd_server *srv, *tmp;

	lockdep_assert_held(&kn->lock);
	if (!kn->server)
		return;
	/* The reaper takes no config lock: waiting for it here is safe. */
	cancel_delayed_work_sync(&kn->reaper);
	/* The retiring generations' connections are closed as the current's. */
	list_for_each_entry_safe(srv, tmp, &kn->retiring, retired_node) {
		mutex_lock(&kn->retire_lock);
		list_del(&srv->retired_node);
		mutex_unlock(&kn->retire_lock);
		khttpd_server_destroy(srv);
	}
	kn->gone_requests = 0;
	kn->gone_handovers = 0;
	kn->gone_refused = 0;
	khttpd_server_destroy(kn->server);
	kn->server = NULL;
	pr_info("stopped\n");
}
