/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cold files off the worker (cold_read.c): a file's pages that are not in
 * the page cache are read by a small workqueue, never by a worker.
 */
#ifndef KHTTPD_COLD_READ_H
#define KHTTPD_COLD_READ_H

#include <linux/types.h>

struct file;
struct kh_conn;
struct khttpd_conn;

/* The read queue: made at load, destroyed at unload. */
int khttpd_cold_read_init(void);
void khttpd_cold_read_exit(void);
/* Waits for every read queued: before a server's workers are freed. */
void khttpd_cold_read_flush(void);

/*
 * How many of the @len bytes of @file from @pos the connection may send
 * now without waiting for a disk: > 0, the cached prefix (or all of @len
 * if no read could be queued); -EAGAIN if none, a read being queued or in
 * flight, whose end kicks the connection.
 */
long khttpd_cold_prefix(struct kh_conn *kc, struct file *file, loff_t pos, u64 len);

/*
 * Whether a read for @kc is in flight, or ended and not yet followed by
 * the send it was for: the send must then go through khttpd_cold_prefix.
 */
bool khttpd_cold_pending(struct kh_conn *kc);

/* @c goes away: its read, if any, must not kick it. Under c->w->lock. */
void khttpd_cold_read_forget(struct khttpd_conn *c);

#endif
