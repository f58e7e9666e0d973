// SPDX-License-Identifier: GPL-2.0
/*
 * The access log (docs/observability.md): per-CPU byte rings of binary
 * records, and /proc/net/khttpd/access_log, which khttpd-fallbackd drains.
 *
 * Writers are the workers, in process context, once per request: they
 * must never sleep or allocate, so each CPU has a ring allocated when the
 * module loads, and a record that does not fit is dropped and counted
 * rather than waited for. A writer takes the ring of the CPU it runs on
 * and that ring's spinlock; if it is migrated between the two, it writes
 * into another CPU's ring under that ring's lock, which is still correct
 * (the rings are per CPU to spread the locks, not for ownership).
 *
 * The reader (one open file at a time) copies whole records out under a
 * ring's lock into a bounce buffer, copies them to userspace outside it,
 * and only then frees their room: records are never lost to a fault.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "khttpd/access_log.h"
#include "access_log.h"
#include "khttpd.h"

#define KHTTPD_LOG_BUFFER_KB_MIN 16
#define KHTTPD_LOG_BUFFER_KB_MAX 16384

static unsigned int log_buffer_kb = 256;
module_param(log_buffer_kb, uint, 0444);
MODULE_PARM_DESC(log_buffer_kb,
		 "access-log ring per possible CPU, in KiB (16-16384, default 256)");

/* The reader's bounce buffer: a whole number of the largest records. */
#define KHTTPD_LOG_BOUNCE (16 * KHTTPD_LOG_RECORD_MAX)

int khttpd_logging = 1;

/*
 * One CPU's ring. Records lie end to end from @tail, each a multiple of 8
 * bytes long and starting on a multiple of 8, and may wrap around the end
 * of @buf; since @size is a multiple of 8 too, a record's first 8 bytes
 * (its size) never wrap.
 */
struct khttpd_log_ring {
	spinlock_t lock;
	u8 *buf;
	u32 size;    /* bytes, a multiple of 8 */
	u32 head;    /* where the next record goes */
	u32 tail;    /* the oldest record */
	u32 used;    /* bytes of records; read without the lock to see if any wait */
	u64 records; /* written */
	u64 drops;   /* dropped: no room */
};

static struct {
	struct khttpd_log_ring __percpu *rings;
	wait_queue_head_t wait; /* the reader, blocked in read(2) or poll(2) */
	unsigned long busy;     /* bit 0: the file is open */
	bool exiting;           /* module unload: readers get EOF */
} khttpd_log = {
	.wait = __WAIT_QUEUE_HEAD_INITIALIZER(khttpd_log.wait),
};

static void khttpd_log_ring_init(struct khttpd_log_ring *ring, u8 *buf, u32 size)
{
	spin_lock_init(&ring->lock);
	ring->buf = buf;
	ring->size = size;
	ring->head = 0;
	ring->tail = 0;
	ring->used = 0;
	ring->records = 0;
	ring->drops = 0;
}

/* Copies @len bytes into the ring at @off, wrapping; returns the offset after. */
static u32 khttpd_log_ring_put(struct khttpd_log_ring *ring, u32 off, const void *src,
			       size_t len)
{
	size_t first = min_t(size_t, len, ring->size - off);

	if (!len)
		return off; /* @src may be NULL for an absent field */
	memcpy(ring->buf + off, src, first);
	memcpy(ring->buf, (const u8 *)src + first, len - first);
	off += len;
	return off >= ring->size ? off - ring->size : off;
}

static u32 khttpd_log_ring_get(const struct khttpd_log_ring *ring, u32 off, void *dst,
			       size_t len)
{
	size_t first = min_t(size_t, len, ring->size - off);

	memcpy(dst, ring->buf + off, first);
	memcpy((u8 *)dst + first, ring->buf, len - first);
	off += len;
	return off >= ring->size ? off - ring->size : off;
}

/* Cuts a field to @max bytes, flagging @cut in @flags if it was longer. */
static u16 khttpd_log_cut(kh_size len, size_t max, u8 cut, u8 *flags)
{
	if (len <= max)
		return len;
	*flags |= cut;
	return max;
}

/* The record's header for @req, its fields cut to the format's limits. */
static void khttpd_log_header(struct khttpd_log_record *hdr, const struct kh_request_log *req,
			      const struct khttpd_client_addr *client, u64 conn_id, u64 time_ns)
{
	u8 flags = req->aborted ? KHTTPD_LOG_F_ABORTED : 0;

	memset(hdr, 0, sizeof(*hdr));
	hdr->version = KHTTPD_LOG_VERSION;
	hdr->family = client->family;
	memcpy(hdr->addr, client->addr, client->family == AF_INET ? 4 : 16);
	hdr->port = client->port;
	hdr->status = req->status;
	hdr->handover_reason = req->status ? 0 : req->handover_reason;
	hdr->line_len = khttpd_log_cut(req->line_len, KHTTPD_LOG_LINE_MAX,
				       KHTTPD_LOG_F_LINE_CUT, &flags);
	hdr->referer_len = khttpd_log_cut(req->referer_len, KHTTPD_LOG_REFERER_MAX,
					  KHTTPD_LOG_F_REFERER_CUT, &flags);
	hdr->agent_len = khttpd_log_cut(req->agent_len, KHTTPD_LOG_AGENT_MAX,
					KHTTPD_LOG_F_AGENT_CUT, &flags);
	hdr->host_len = khttpd_log_cut(req->host_len, KHTTPD_LOG_HOST_MAX,
				       KHTTPD_LOG_F_HOST_CUT, &flags);
	hdr->flags = flags;
	hdr->time_ns = time_ns;
	hdr->body_bytes = req->body_bytes;
	hdr->usec = req->usec;
	hdr->conn_id = conn_id;
	hdr->size = ALIGN(sizeof(*hdr) + hdr->line_len + hdr->referer_len + hdr->agent_len +
			  hdr->host_len, 8);
}

/*
 * Appends the record @hdr + @req's strings to @ring, or drops it if there
 * is no room. Never sleeps. *@was_empty: the ring held no record before
 * (only then may the reader be asleep waiting for this ring).
 */
static bool khttpd_log_ring_add(struct khttpd_log_ring *ring, const struct khttpd_log_record *hdr,
				const struct kh_request_log *req, bool *was_empty)
{
	static const u8 zeros[8];
	size_t strings = sizeof(*hdr) + hdr->line_len + hdr->referer_len + hdr->agent_len +
			 hdr->host_len;
	u32 off;

	/* _bh: cheap, and safe should a caller ever run in softirq context. */
	spin_lock_bh(&ring->lock);
	if (hdr->size > ring->size - ring->used) {
		ring->drops++;
		spin_unlock_bh(&ring->lock);
		return false;
	}
	*was_empty = !ring->used;
	off = khttpd_log_ring_put(ring, ring->head, hdr, sizeof(*hdr));
	off = khttpd_log_ring_put(ring, off, req->line, hdr->line_len);
	off = khttpd_log_ring_put(ring, off, req->referer, hdr->referer_len);
	off = khttpd_log_ring_put(ring, off, req->agent, hdr->agent_len);
	off = khttpd_log_ring_put(ring, off, req->host, hdr->host_len);
	ring->head = khttpd_log_ring_put(ring, off, zeros, hdr->size - strings);
	WRITE_ONCE(ring->used, ring->used + hdr->size);
	ring->records++;
	spin_unlock_bh(&ring->lock);
	return true;
}

/*
 * Copies whole records from the oldest on into @dst, as many as fit in
 * @room, without removing them. Returns the bytes copied; *@next is the
 * size of the first record left because it did not fit (0: none left).
 */
static size_t khttpd_log_ring_peek(struct khttpd_log_ring *ring, u8 *dst, size_t room,
				   size_t *next)
{
	size_t n = 0;
	u32 off;

	*next = 0;
	spin_lock_bh(&ring->lock);
	off = ring->tail;
	while (n < ring->used) {
		u16 size;

		memcpy(&size, ring->buf + off, sizeof(size));
		/* Only our own writes are here: a bad size is a bug, and
		 * looping on it under the lock would hang the CPU. */
		if (WARN_ON_ONCE(size < sizeof(struct khttpd_log_record) || size % 8 ||
				 size > ring->used - n)) {
			ring->tail = ring->head;
			WRITE_ONCE(ring->used, 0);
			n = 0;
			break;
		}
		if (size > room - n) {
			*next = size;
			break;
		}
		off = khttpd_log_ring_get(ring, off, dst + n, size);
		n += size;
	}
	spin_unlock_bh(&ring->lock);
	return n;
}

/* Frees the room of the first @n bytes of records (peeked and delivered). */
static void khttpd_log_ring_consume(struct khttpd_log_ring *ring, size_t n)
{
	spin_lock_bh(&ring->lock);
	ring->tail += n;
	if (ring->tail >= ring->size)
		ring->tail -= ring->size;
	WRITE_ONCE(ring->used, ring->used - n);
	spin_unlock_bh(&ring->lock);
}

void khttpd_access_log_add(const struct kh_request_log *req,
			   const struct khttpd_client_addr *client, u64 conn_id)
{
	struct khttpd_log_record hdr;
	struct khttpd_log_ring *ring;
	bool was_empty;

	if (!READ_ONCE(khttpd_logging))
		return;
	khttpd_log_header(&hdr, req, client, conn_id, ktime_get_real_ns());
	/* raw_: no preemption check; a migration after this is harmless. */
	ring = raw_cpu_ptr(khttpd_log.rings);
	if (!khttpd_log_ring_add(ring, &hdr, req, &was_empty))
		return;
	/* Once per batch, and only with a sleeper: wq_has_sleeper's barrier
	 * pairs with the one in prepare_to_wait() / the poll's smp_mb(). */
	if (was_empty && wq_has_sleeper(&khttpd_log.wait))
		wake_up_interruptible_poll(&khttpd_log.wait, EPOLLIN | EPOLLRDNORM);
}

void khttpd_access_log_counts(u64 *records, u64 *drops)
{
	int cpu;

	*records = 0;
	*drops = 0;
	for_each_possible_cpu(cpu) {
		struct khttpd_log_ring *ring = per_cpu_ptr(khttpd_log.rings, cpu);

		spin_lock_bh(&ring->lock); /* u64s: no torn values on 32-bit */
		*records += ring->records;
		*drops += ring->drops;
		spin_unlock_bh(&ring->lock);
	}
}

static bool khttpd_log_pending(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		if (READ_ONCE(per_cpu_ptr(khttpd_log.rings, cpu)->used))
			return true;
	return false;
}

/* An open /proc/net/khttpd/access_log. */
struct khttpd_log_reader {
	struct mutex lock;  /* one read(2) at a time: peek, copy, consume */
	u8 *bounce;         /* KHTTPD_LOG_BOUNCE bytes */
	unsigned int start; /* the CPU whose ring the next read drains first */
};

/*
 * One pass over the rings, from r->start on, copying whole records to
 * @buf after the *@done bytes already there, until the rings are empty or
 * @buf is full. *@next: the size of the record that did not fit (0: none).
 */
static int khttpd_log_drain(struct khttpd_log_reader *r, char __user *buf, size_t count,
			    size_t *done, size_t *next)
{
	unsigned int i;

	for (i = 0; i < nr_cpu_ids; i++) {
		unsigned int cpu = (r->start + i) % nr_cpu_ids;
		struct khttpd_log_ring *ring;
		size_t big, n;

		if (!cpu_possible(cpu))
			continue;
		ring = per_cpu_ptr(khttpd_log.rings, cpu);
		for (;;) {
			/* The bounce buffer holds any record: n == 0 only when
			 * the ring is empty or @buf has no room for the next. */
			size_t room = min_t(size_t, count - *done, KHTTPD_LOG_BOUNCE);

			n = khttpd_log_ring_peek(ring, r->bounce, room, &big);
			if (!n)
				break;
			if (copy_to_user(buf + *done, r->bounce, n))
				return -EFAULT; /* the records stay in the ring */
			khttpd_log_ring_consume(ring, n);
			*done += n;
		}
		if (big) {
			/* @buf is full: the next read starts with the next
			 * ring, so a busy CPU cannot starve the others. */
			*next = big;
			r->start = (cpu + 1) % nr_cpu_ids;
			break;
		}
	}
	return 0;
}

static ssize_t khttpd_access_log_read(struct file *file, char __user *buf, size_t count,
				      loff_t *ppos)
{
	struct khttpd_log_reader *r = file->private_data;
	size_t done = 0, next = 0;
	int err;

	if (!count)
		return 0;
	if (mutex_lock_interruptible(&r->lock))
		return -ERESTARTSYS;
	for (;;) {
		err = khttpd_log_drain(r, buf, count, &done, &next);
		if (err || done)
			break;
		if (next) {
			err = -EINVAL; /* the next record does not fit @count */
			break;
		}
		if (READ_ONCE(khttpd_log.exiting))
			break; /* end of file */
		if (file->f_flags & O_NONBLOCK) {
			err = -EAGAIN;
			break;
		}
		err = wait_event_interruptible(khttpd_log.wait,
					       khttpd_log_pending() || READ_ONCE(khttpd_log.exiting));
		if (err)
			break;
	}
	mutex_unlock(&r->lock);
	return done ? done : err;
}

static __poll_t khttpd_access_log_poll(struct file *file, poll_table *wait)
{
	__poll_t mask = 0;

	poll_wait(file, &khttpd_log.wait, wait);
	smp_mb(); /* our entry in the queue before reading the rings: see add */
	if (khttpd_log_pending())
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(khttpd_log.exiting))
		mask |= EPOLLHUP;
	return mask;
}

static int khttpd_access_log_open(struct inode *inode, struct file *file)
{
	struct khttpd_log_reader *r;

	if (test_and_set_bit_lock(0, &khttpd_log.busy))
		return -EBUSY;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		goto nomem;
	r->bounce = kvmalloc(KHTTPD_LOG_BOUNCE, GFP_KERNEL);
	if (!r->bounce)
		goto nomem;
	mutex_init(&r->lock);
	file->private_data = r;
	return stream_open(inode, file);

nomem:
	kfree(r);
	clear_bit_unlock(0, &khttpd_log.busy);
	return -ENOMEM;
}

/* At close, or for a file still open when the entry is removed. */
static int khttpd_access_log_release(struct inode *inode, struct file *file)
{
	struct khttpd_log_reader *r = file->private_data;

	mutex_destroy(&r->lock);
	kvfree(r->bounce);
	kfree(r);
	clear_bit_unlock(0, &khttpd_log.busy);
	return 0;
}

static const struct proc_ops khttpd_access_log_ops = {
	.proc_open = khttpd_access_log_open,
	.proc_read = khttpd_access_log_read,
	.proc_poll = khttpd_access_log_poll,
	.proc_release = khttpd_access_log_release,
	.proc_lseek = noop_llseek,
};

static void khttpd_log_free_rings(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		kvfree(per_cpu_ptr(khttpd_log.rings, cpu)->buf);
	free_percpu(khttpd_log.rings);
	khttpd_log.rings = NULL;
}

int khttpd_access_log_init(void)
{
	u32 size = log_buffer_kb * 1024;
	int cpu;

	if (log_buffer_kb < KHTTPD_LOG_BUFFER_KB_MIN || log_buffer_kb > KHTTPD_LOG_BUFFER_KB_MAX) {
		pr_err("log_buffer_kb=%u: must be %d to %d\n", log_buffer_kb,
		       KHTTPD_LOG_BUFFER_KB_MIN, KHTTPD_LOG_BUFFER_KB_MAX);
		return -EINVAL;
	}
	BUILD_BUG_ON(KHTTPD_LOG_BUFFER_KB_MIN * 1024 < KHTTPD_LOG_RECORD_MAX);
	BUILD_BUG_ON(KHTTPD_LOG_RECORD_MAX > U16_MAX);
	BUILD_BUG_ON(sizeof(struct khttpd_log_record) % 8);
	khttpd_log.rings = alloc_percpu(struct khttpd_log_ring); /* zeroed */
	if (!khttpd_log.rings)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		u8 *buf = kvmalloc_node(size, GFP_KERNEL, cpu_to_node(cpu));

		if (!buf)
			goto nomem;
		khttpd_log_ring_init(per_cpu_ptr(khttpd_log.rings, cpu), buf, size);
	}
	if (!proc_create("access_log", 0400, khttpd_proc_dir, &khttpd_access_log_ops))
		goto nomem;
	return 0;

nomem:
	khttpd_log_free_rings();
	return -ENOMEM;
}

/*
 * The wait queue is this module's memory, and poll(2), select(2) and epoll
 * keep entries in it beyond the file operations remove_proc_entry() waits
 * for. Wake them all until none is left: epoll's entries detach on POLLFREE
 * (as wake_up_pollfree() does, which would warn while a poll(2) entry is
 * still there); a woken poll(2) or select(2) polls again, finds the file
 * gone (proc answers for it then), returns and takes its entry out. Checked
 * under the queue's lock, so none is still inside it; then an RCU grace
 * period, as wake_up_pollfree() requires for epoll's lockless look.
 */
static void khttpd_log_wait_pollers(void)
{
	for (;;) {
		bool empty;

		spin_lock_irq(&khttpd_log.wait.lock);
		empty = list_empty(&khttpd_log.wait.head);
		spin_unlock_irq(&khttpd_log.wait.lock);
		if (empty)
			break;
		__wake_up(&khttpd_log.wait, TASK_NORMAL, 0, poll_to_key(EPOLLHUP | POLLFREE));
		wake_up_all(&khttpd_log.wait);
		msleep(1);
	}
	synchronize_rcu();
}

void khttpd_access_log_exit(void)
{
	WRITE_ONCE(khttpd_log.exiting, true);
	wake_up_all(&khttpd_log.wait); /* a blocked read returns (end of file) */
	/* Waits for a running read or poll; releases a file still open. */
	remove_proc_entry("access_log", khttpd_proc_dir);
	khttpd_log_wait_pollers();
	khttpd_log_free_rings();
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "access_log_test.c"
#endif
