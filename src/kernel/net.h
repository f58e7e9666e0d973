/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One khttpd per network namespace (net.c): each namespace has its own
 * settings, server (with its retiring generations), hand-over daemon and
 * counters, its own /proc/sys/net/khttpd and /proc/net/khttpd. What stays
 * module-wide: the MIME table, the access log's rings (and its file, in
 * the initial namespace only) and the logging switch.
 */
#ifndef KHTTPD_NET_H
#define KHTTPD_NET_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>

#include "handover.h"
#include "khttpd.h"

struct net;
struct ctl_table;
struct ctl_table_header;
struct proc_dir_entry;
struct khttpd_server;
struct khttpd_stats;

struct khttpd_net {
	struct net *net; /* no reference: this lives and dies with it */
	/* The config, and starting, reloading and stopping this server. */
	struct mutex lock;
	struct khttpd_config config;
	/* server.c: the current generation (NULL: stopped) and those a
	 * reload retired that still have connections. */
	struct khttpd_server *server;
	/*
	 * Its own mutex, not @lock: the reaper takes only this one, so stop
	 * can wait for the reaper while it holds @lock. Order: @lock, then
	 * this.
	 */
	struct mutex retire_lock;
	struct list_head retiring;
	/* Totals of retired generations destroyed since the start (retire
	 * lock): the counters must not go backwards when one goes. */
	unsigned long gone_requests, gone_handovers, gone_refused;
	unsigned long generation; /* made since the module loaded (@lock) */
	struct delayed_work reaper;
	/* handover.c: this namespace's daemon and queue. */
	struct khttpd_fallback fb;
	/* stats.c: this namespace's counters, for the namespace's life. */
	struct khttpd_stats __percpu *stats;
	struct proc_dir_entry *proc_dir; /* /proc/net/khttpd */
	struct ctl_table *table;         /* /proc/sys/net/khttpd's entries */
	struct ctl_table_header *sysctl;
};

/* @net's instance: from the pernet data, which exists as long as @net. */
struct khttpd_net *khttpd_net(const struct net *net);

/*
 * Module load and unload: an instance for every namespace, present and
 * future (register_pernet_subsys). Unregistering stops every namespace's
 * server and returns once all of it is gone.
 */
int khttpd_net_register(void);
void khttpd_net_unregister(void);

/* sysctl/sysctl.c: @kn's /proc/sys/net/khttpd. */
int khttpd_sysctl_register(struct khttpd_net *kn);
void khttpd_sysctl_unregister(struct khttpd_net *kn);

#endif /* KHTTPD_NET_H */
