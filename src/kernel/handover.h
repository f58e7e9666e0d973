/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handing connections to the userspace daemon (handover.c): a bounded queue
 * that worker threads fill and the daemon's courier thread empties.
 */
#ifndef KHTTPD_HANDOVER_H
#define KHTTPD_HANDOVER_H

#include <linux/list.h>
#include <linux/net.h>

#include "khttpd/fallback.h"
#include "khttpd.h" /* khttpd_handover_queue */

/* A connection on its way to userspace, with the bytes read from it. */
struct khttpd_handover_item {
	struct list_head node;
	struct socket *sock; /* the client's; callbacks already restored */
	struct khttpd_handover hdr;
	char data[];         /* hdr.data_len bytes */
};

/*
 * A worker hands a connection over in three moves, so that it never gives
 * up a socket that then has nowhere to go:
 *   khttpd_fallback_reserve()   a queue slot: -ENOENT (no daemon
 *                               registered) or -EAGAIN (queue full);
 *   khttpd_fallback_item_alloc() the item, or NULL (then unreserve);
 *   khttpd_fallback_commit()     queues it (sets item->sock first).
 * None of them sleeps beyond a GFP_KERNEL allocation.
 */
int khttpd_fallback_reserve(void);
void khttpd_fallback_unreserve(void);
struct khttpd_handover_item *khttpd_fallback_item_alloc(const void *data, size_t len,
							u32 reason, u32 served,
							u64 conn_id);
void khttpd_fallback_commit(struct khttpd_handover_item *item);

/* For khttpd_server_stat(): the registered daemon's pid (0: none), and how
 * many hand-overs were refused with a 503 since the module was loaded. */
pid_t khttpd_fallback_daemon(void);
unsigned long khttpd_fallback_refused(void);

/* Module load and unload: the control file /proc/net/khttpd/fallback. */
int khttpd_fallback_init(void);
void khttpd_fallback_exit(void);

#endif /* KHTTPD_HANDOVER_H */
