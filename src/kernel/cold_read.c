// SPDX-License-Identifier: GPL-2.0
/*
 * Cold files off the worker (docs/design.md, "Cold files").
 *
 * A worker serves many connections from one thread, so it must never wait
 * for a disk. Before it sends part of a file it asks which of that part's
 * pages are in the page cache (khttpd_cold_prefix()): it sends the cached
 * prefix at once, and when the part starts with a missing page it queues
 * a read of it on khttpd_read_wq, a small unbound workqueue (nginx's
 * `aio threads`): readahead of the range (POSIX_FADV_WILLNEED), then a
 * wait for its pages, nothing copied (a page that readahead did not bring
 * is read the ordinary way). The connection waits for that read as it
 * waits for send space. The read's end kicks the connection, whose next step finds
 * the pages in and sends them.
 *
 * Bounded: a connection has at most one read in flight, connections are
 * bounded by max_connections, and at most KHTTPD_READERS reads run at
 * once (the others wait in the queue). Each read covers at most
 * KHTTPD_COLD_READ_MAX bytes, with readahead asked for what follows.
 *
 * Lifetime: a read holds a reference on its file and on the credentials
 * it reads with, not on its connection. A connection that goes away
 * (closed, handed over, its server stopped) clears the read's pointer
 * under its worker's lock; the read then only frees itself. A server is
 * destroyed after khttpd_cold_read_flush(), so no read outlives the
 * worker whose lock it takes; the module's exit destroys the queue.
 */
#include <linux/cred.h>
#include <linux/fadvise.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "cold_read.h"
#include "server_internal.h"

/* Reads at once, at most (each one sleeps in the file system). */
#define KHTTPD_READERS 8
/* What one read brings in, at most; readahead is asked for twice that. */
#define KHTTPD_COLD_READ_MAX (256 * 1024)
/* How far one check looks: a send of the prefix covers at most this. */
#define KHTTPD_COLD_CHECK_MAX (256 * 1024)

static struct workqueue_struct *khttpd_read_wq;

struct khttpd_cold_read {
	struct work_struct work;
	struct file *file;
	const struct cred *cred;
	loff_t pos;
	size_t len;
	struct khttpd_worker *w;
	struct khttpd_conn *conn; /* under w->lock; NULL once it went away */
};

int khttpd_cold_read_init(void)
{
	khttpd_read_wq = alloc_workqueue("khttpd_read", WQ_UNBOUND, KHTTPD_READERS);
	return khttpd_read_wq ? 0 : -ENOMEM;
}

void khttpd_cold_read_exit(void)
{
	destroy_workqueue(khttpd_read_wq);
}

void khttpd_cold_read_flush(void)
{
	flush_workqueue(khttpd_read_wq);
}

/* The folio at @index of @mapping if it is there and up to date. */
static struct folio *khttpd_cached_folio(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio = filemap_get_folio(mapping, index);

	if (IS_ERR_OR_NULL(folio)) /* 6.1: NULL; 6.12: ERR_PTR(-ENOENT) */
		return NULL;
	if (!folio_test_uptodate(folio)) {
		folio_put(folio);
		return NULL;
	}
	return folio;
}

/*
 * How many bytes from @pos (at most @len and KHTTPD_COLD_CHECK_MAX) are in
 * the page cache, up to date; 0 if the first page is not.
 */
static u64 khttpd_cached_bytes(struct file *file, loff_t pos, u64 len)
{
	struct address_space *mapping = file->f_mapping;
	loff_t end = pos + min_t(u64, len, KHTTPD_COLD_CHECK_MAX);
	loff_t at = pos;

	while (at < end) {
		struct folio *folio = khttpd_cached_folio(mapping, at >> PAGE_SHIFT);
		loff_t folio_end;

		if (!folio)
			break;
		folio_end = folio_pos(folio) + folio_size(folio);
		folio_put(folio);
		at = folio_end;
	}
	return at > pos ? min_t(u64, at, end) - pos : 0;
}

/*
 * Brings [@pos, @pos + @len) of @file into the page cache. Readahead has
 * been asked for: a folio being read in is locked until its I/O ends, so
 * waiting for the lock waits for the disk, and nothing is copied. A
 * folio that readahead did not bring (no memory, or its I/O failed: a
 * device-mapper device drops readahead while suspended) is read the
 * ordinary way, one page into @scratch, which waits for it; a tmpfs hole
 * reads as zeros and stays uncached, which is why the send after a read
 * covers its range without looking (khttpd_cold_prefix). Stops at an
 * error or the end of the file: the send meets those itself.
 */
static void khttpd_read_range(struct file *file, loff_t pos, size_t len, void *scratch)
{
	loff_t at = pos, end = pos + len;

	while (at < end) {
		struct folio *folio = khttpd_cached_folio(file->f_mapping, at >> PAGE_SHIFT);
		loff_t page = at & PAGE_MASK;

		if (!folio) {
			folio = filemap_get_folio(file->f_mapping, at >> PAGE_SHIFT);
			if (!IS_ERR_OR_NULL(folio)) {
				folio_wait_locked(folio);
				if (!folio_test_uptodate(folio)) {
					folio_put(folio);
					folio = NULL;
				}
			} else {
				folio = NULL;
			}
		}
		if (folio) {
			at = folio_pos(folio) + folio_size(folio);
			folio_put(folio);
			continue;
		}
		if (!scratch || kernel_read(file, scratch, PAGE_SIZE, &page) <= 0 || page <= at)
			return; /* an error, or the end of the file */
		at = page;
	}
}

static void khttpd_cold_read_fn(struct work_struct *work)
{
	struct khttpd_cold_read *rd = container_of(work, struct khttpd_cold_read, work);
	struct khttpd_worker *w = rd->w;
	const struct cred *old = override_creds(rd->cred);
	void *scratch = (void *)__get_free_page(GFP_KERNEL);
	bool wake = false;

	/*
	 * Readahead of the whole window at once (twice the range: the next
	 * send's pages are on their way too), then a wait for the range's
	 * own pages to be read in.
	 */
	vfs_fadvise(rd->file, rd->pos, 2 * rd->len, POSIX_FADV_WILLNEED);
	khttpd_read_range(rd->file, rd->pos, rd->len, scratch);
	free_page((unsigned long)scratch); /* 0 is fine */
	revert_creds(old);

	spin_lock_bh(&w->lock);
	if (rd->conn) {
		struct khttpd_conn *c = rd->conn;

		c->cold_read_start = rd->pos;
		c->cold_read_end = rd->pos + rd->len;
		/* Seen NULL, the range above is seen too (khttpd_cold_prefix). */
		smp_store_release(&c->cold_read, NULL);
		wake = khttpd_conn_kick_locked(c);
	}
	spin_unlock_bh(&w->lock);
	if (wake)
		khttpd_worker_wake(w);
	fput(rd->file);
	put_cred(rd->cred);
	kfree(rd);
}

/* Queues a read of @len bytes of @file from @pos for @c. */
static int khttpd_cold_read_queue(struct khttpd_conn *c, struct file *file, loff_t pos,
				  u64 len)
{
	struct khttpd_worker *w = c->w;
	struct khttpd_cold_read *rd = kzalloc(sizeof(*rd), GFP_KERNEL);

	if (!rd)
		return -ENOMEM;
	INIT_WORK(&rd->work, khttpd_cold_read_fn);
	rd->file = get_file(file);
	rd->cred = get_cred(w->srv->root.cred);
	rd->pos = pos;
	rd->len = min_t(u64, len, KHTTPD_COLD_READ_MAX);
	rd->w = w;
	rd->conn = c;
	spin_lock_bh(&w->lock);
	c->cold_read = rd;
	spin_unlock_bh(&w->lock);
	khttpd_stat_inc(w->srv->stats, cold_reads);
	queue_work(khttpd_read_wq, &rd->work);
	return 0;
}

long khttpd_cold_prefix(struct kh_conn *kc, struct file *file, loff_t pos, u64 len)
{
	struct khttpd_conn *c = container_of(kc, struct khttpd_conn, kc);
	u64 cached;

	if (smp_load_acquire(&c->cold_read))
		return -EAGAIN; /* its read's end kicks it */
	if (c->cold_read_end) {
		/*
		 * A read for this connection ended: what it covered is sent
		 * without looking, once. Its pages are in, unless the read
		 * failed (the send then meets the error, or the end of a
		 * file that shrank, as it would have without us) or the
		 * range is a hole that the file system reads as zeros
		 * without caching anything (tmpfs): looking again would
		 * read again forever.
		 */
		loff_t start = c->cold_read_start, end = c->cold_read_end;

		c->cold_read_end = 0;
		if (pos >= start && pos < end)
			return min_t(u64, len, end - pos);
	}
	cached = khttpd_cached_bytes(file, pos, len);
	if (cached)
		return cached;
	/* No memory for the read: send anyway, waiting in the worker. */
	return khttpd_cold_read_queue(c, file, pos, len) ? len : -EAGAIN;
}

bool khttpd_cold_pending(struct kh_conn *kc)
{
	struct khttpd_conn *c = container_of(kc, struct khttpd_conn, kc);

	return smp_load_acquire(&c->cold_read) || c->cold_read_end;
}

void khttpd_cold_read_forget(struct khttpd_conn *c)
{
	lockdep_assert_held(&c->w->lock);
	if (c->cold_read) {
		c->cold_read->conn = NULL;
		c->cold_read = NULL;
	}
}
