/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handing connections to the userspace daemon (handover.c): a bounded queue
 * that worker threads fill and the daemon's courier thread empties.
 */
#ifndef KHTTPD_HANDOVER_H
#define KHTTPD_HANDOVER_H

#include <linux/list.h>
#include <linux/net.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "khttpd/fallback.h"

struct proc_dir_entry;

/*
 * One network namespace's hand-over (net.h): its daemon's registration
 * (made through that namespace's /proc/net/khttpd/fallback) and the queue
 * its workers fill.
 */
struct khttpd_fallback {
	spinlock_t lock;
	struct list_head queue;
	unsigned int slots;  /* queued items + reserved slots */
	bool registered;
	bool exiting;        /* the namespace goes: no more registrations */
	struct socket *chan; /* the courier's end of the socketpair */
	pid_t daemon;        /* the registered daemon's pid */
	unsigned long refused; /* hand-overs refused: queue full, no memory */
	wait_queue_head_t wait;
	const int *queue_max; /* the handover_queue setting, read at once */
};

/* A connection on its way to userspace, with the bytes read from it. */
struct khttpd_handover_item {
	struct list_head node;
	struct socket *sock; /* the client's; callbacks already restored */
	/* An adopted (TLS) connection's socket is a file already: the
	 * reference to it, instead of @sock. */
	struct file *file;
	struct khttpd_handover hdr;
	char data[];         /* hdr.info_len, then hdr.data_len bytes */
};

/*
 * A worker hands a connection over in three moves, so that it never gives
 * up a socket that then has nowhere to go:
 *   khttpd_fallback_reserve()   a queue slot: -ENOENT (no daemon
 *                               registered) or -EAGAIN (queue full);
 *   khttpd_fallback_item_alloc() the item, or NULL (then unreserve);
 *   khttpd_fallback_commit()     queues it (sets item->sock or
 *                                item->file first).
 * None of them sleeps beyond a GFP_KERNEL allocation.
 */
int khttpd_fallback_reserve(struct khttpd_fallback *fb);
void khttpd_fallback_unreserve(struct khttpd_fallback *fb);
struct khttpd_handover_item *khttpd_fallback_item_alloc(const void *info, size_t info_len,
							const void *data, size_t len,
							u32 reason, u32 served,
							u64 conn_id);
void khttpd_fallback_commit(struct khttpd_fallback *fb, struct khttpd_handover_item *item);

/* For khttpd_server_stat(): the registered daemon's pid (0: none), and how
 * many hand-overs were refused with a 503 since @fb was set up. */
pid_t khttpd_fallback_daemon(struct khttpd_fallback *fb);
unsigned long khttpd_fallback_refused(struct khttpd_fallback *fb);

/* KHTTPD_IOC_ADOPT's side of the control file: tls.c. */

/* An empty @fb (no daemon) whose queue holds at most *@queue_max. */
void khttpd_fallback_setup(struct khttpd_fallback *fb, const int *queue_max);
/*
 * A namespace's instance made and destroyed (net.c): @fb's control file
 * fallback in @dir. Exit ends a registration and returns once its courier
 * has left.
 */
int khttpd_fallback_init(struct khttpd_fallback *fb, struct proc_dir_entry *dir);
void khttpd_fallback_exit(struct khttpd_fallback *fb, struct proc_dir_entry *dir);

#endif /* KHTTPD_HANDOVER_H */
