// SPDX-License-Identifier: GPL-2.0
/*
 * Connection I/O for the core: receive, send, send a file.
 */
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/net.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/sched.h>
#include <linux/pipe_fs_i.h>
#include <linux/socket.h>
#include <linux/splice.h>
#include <linux/uio.h>
#include <linux/version.h>

#include "cold_read.h"
#include "kapi_kernel.h"
#include "server_internal.h" /* the worker's send batch */
#include "tls.h"

/* Never blocks: the core waits for socket events instead (server.c). */
long kh_conn_recv(struct kh_conn *conn, void *buf, kh_size len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	if (conn->tls)
		return khttpd_tls_recv(conn, buf, len);
	return kernel_recvmsg(conn->sock, &msg, &iov, 1, len, MSG_DONTWAIT);
}

long kh_conn_send(struct kh_conn *conn, const void *buf, kh_size len, int more)
{
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL | (more ? MSG_MORE : 0),
	};

	return kernel_sendmsg(conn->sock, &msg, &iov, 1, len);
}

/*
 * Zero-copy file sending, the way nfsd does it: splice_direct_to_actor()
 * fills the worker's internal pipe with page-cache pages of the file
 * (no copy, up to 16 pages at a time) and the actor hands them to TCP, which
 * takes a reference on each page instead of copying. Non-blocking: when the
 * socket's send buffer is full, TCP takes what fits and the rest waits for
 * the socket's write-space event.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
/*
 * 6.5+: all the pipe's pages in one sendmsg(MSG_SPLICE_PAGES), as the
 * kernel's own splice to a socket (sendfile) does, instead of one per page:
 * a 4 MiB body takes 64 sends instead of 1024, each one a lock_sock and a
 * pass through tcp_sendmsg. The pipe is the worker's own (current's
 * splice_pipe): no pipe lock.
 */
#define KHTTPD_SPLICE_SEGS 16

/* Drops the first @sent bytes of the pipe: what TCP now holds references to. */
static void khttpd_pipe_consume(struct pipe_inode_info *pipe, size_t sent)
{
	unsigned int mask = pipe->ring_size - 1;

	while (sent && !pipe_empty(pipe->head, pipe->tail)) {
		struct pipe_buffer *buf = &pipe->bufs[pipe->tail & mask];
		size_t seg = min_t(size_t, sent, buf->len);

		buf->offset += seg;
		buf->len -= seg;
		sent -= seg;
		if (buf->len)
			break;
		pipe_buf_release(pipe, buf);
		pipe->tail++;
	}
}

static int khttpd_splice_actor(struct pipe_inode_info *pipe, struct splice_desc *sd)
{
	struct socket *sock = sd->u.data;
	struct bio_vec bvec[KHTTPD_SPLICE_SEGS];
	unsigned int mask = pipe->ring_size - 1;
	unsigned int tail = pipe->tail;
	size_t len = 0;
	int nr = 0, ret = 0;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL | MSG_SPLICE_PAGES };

	while (!pipe_empty(pipe->head, tail) && nr < KHTTPD_SPLICE_SEGS &&
	       len < sd->total_len) {
		struct pipe_buffer *buf = &pipe->bufs[tail++ & mask];
		size_t seg = min_t(size_t, sd->total_len - len, buf->len);

		if (!seg)
			continue;
		ret = pipe_buf_confirm(pipe, buf);
		if (ret)
			break; /* send what is confirmed; the caller sees it short */
		bvec_set_page(&bvec[nr++], buf->page, seg, buf->offset);
		len += seg;
	}
	if (!nr) /* -ENODATA: the page was truncated, the file shrank */
		return ret == -ENODATA ? 0 : ret;
	if (len < sd->total_len || (sd->flags & SPLICE_F_MORE))
		msg.msg_flags |= MSG_MORE;
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bvec, nr, len);
	ret = sock_sendmsg(sock, &msg);
	if (ret > 0)
		khttpd_pipe_consume(pipe, ret);
	return ret;
}
#else
/*
 * 6.1: one kernel_sendpage() per page, as the kernel's sendfile does there,
 * and with its flags (pipe_to_sendpage): MSG_SENDPAGE_NOTLAST while more of
 * this batch waits in the pipe, so that TCP pushes once per batch, not once
 * per page. Without it every page ended in tcp_push(), and TCP sent many
 * small bursts where the kernel's sendfile sends one: khttpd spent 15-25%
 * more CPU than nginx per 1 MiB answer on 6.1 (benchmarks.md). A send that
 * finds the buffer full pushes what is queued before it returns -EAGAIN
 * (do_tcp_sendpages' wait_for_space), so nothing stays unpushed.
 */
static int khttpd_splice_buf(struct pipe_inode_info *pipe,
			     struct pipe_buffer *buf, struct splice_desc *sd)
{
	struct socket *sock = sd->u.data;
	bool more = sd->total_len > sd->len || (sd->flags & SPLICE_F_MORE);
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL | (more ? MSG_MORE : 0);

	if (sd->len < sd->total_len && pipe_occupancy(pipe->head, pipe->tail) > 1)
		flags |= MSG_SENDPAGE_NOTLAST;
	return kernel_sendpage(sock, buf->page, buf->offset, sd->len, flags);
}

static int khttpd_splice_actor(struct pipe_inode_info *pipe,
			       struct splice_desc *sd)
{
	return __splice_from_pipe(pipe, sd, khttpd_splice_buf);
}
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
/*
 * The page cache straight to TCP, without the pipe: one batched lookup of
 * the folios from @pos (filemap_get_folios_contig, a reference on each),
 * and one sendmsg(MSG_SPLICE_PAGES) of up to a batch (31 folios), in which
 * TCP takes its own references, as the floor does with its prebuilt pages
 * (tools/bench/floor). The splice path looks every page up twice (the
 * cached-prefix check, then the file system's splice_read into the pipe)
 * and sends 16 pages per call; this looks once and sends 31 folios (or
 * more bytes, with large folios) per call.
 *
 * Only where the page cache is the file's truth (khttpd_page_cache_is_truth,
 * kapi_file.c); other file systems keep the splice path, which goes
 * through them.
 *
 * Returns the bytes sent (maybe short), 0 if the folio at @pos is not in
 * the page cache, up to date (the caller takes the cold path), or a
 * negative errno from TCP (-EAGAIN: no send space).
 */
static long khttpd_send_cached(struct kh_conn *kc, struct file *file, loff_t pos,
			       u64 len, bool more)
{
	struct khttpd_send_batch *b = &container_of(kc, struct khttpd_conn, kc)->w->send_batch;
	struct address_space *mapping = file->f_mapping;
	struct folio_batch *fbatch = &b->folios;
	struct bio_vec *bvec = b->bvec;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL | MSG_SPLICE_PAGES };
	pgoff_t index = pos >> PAGE_SHIFT;
	size_t total = 0;
	unsigned int i, nr = 0;
	long ret;

	/* Shrunk under us: the splice path meets the end and says so. */
	if (pos + len > i_size_read(file_inode(file)))
		return 0;
	folio_batch_init(fbatch);
	filemap_get_folios_contig(mapping, &index, (pos + len - 1) >> PAGE_SHIFT, fbatch);
	for (i = 0; i < folio_batch_count(fbatch) && total < len; i++) {
		struct folio *folio = fbatch->folios[i];
		loff_t at = pos + total;
		size_t off, seg;

		/* Not read in yet, or truncated since the lookup. */
		if (!folio_test_uptodate(folio) || READ_ONCE(folio->mapping) != mapping ||
		    at < folio_pos(folio) || at >= folio_pos(folio) + folio_size(folio))
			break;
		off = at - folio_pos(folio);
		seg = min_t(u64, folio_size(folio) - off, len - total);
		bvec_set_folio(&bvec[nr++], folio, seg, off);
		total += seg;
	}
	if (!nr) {
		folio_batch_release(fbatch);
		return 0;
	}
	if (more || total < len)
		msg.msg_flags |= MSG_MORE;
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, bvec, nr, total);
	ret = sock_sendmsg(kc->sock, &msg);
	folio_batch_release(fbatch); /* TCP holds its own references */
	return ret;
}
#endif

/*
 * Sends up to @len bytes; returns how many, or a negative errno. Only
 * what is in the page cache: pages that are not are read off the worker
 * (cold_read.c), and -EAGAIN waits for them.
 */
long kh_conn_send_file(struct kh_conn *conn, struct kh_file *kf, kh_u64 offset,
		       kh_u64 len, int more)
{
	struct splice_desc sd = {
		.pos = offset,
		.u.data = conn->sock,
	};
	long cached;
	ssize_t n;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	if (khttpd_page_cache_is_truth(kh_to_file(kf)) && !khttpd_cold_pending(conn)) {
		n = khttpd_send_cached(conn, kh_to_file(kf), offset, len, more);
		if (n == -EAGAIN)
			return -KH_EAGAIN;
		if (n)
			return n;
		/* The first folio is not in: the cold path reads it off the worker. */
	}
#endif
	cached = khttpd_cold_prefix(conn, kh_to_file(kf), offset, len);

	if (cached < 0)
		return cached == -EAGAIN ? -KH_EAGAIN : cached;
	sd.total_len = cached;
	sd.flags = more || (u64)cached < len ? SPLICE_F_MORE : 0;
	n = splice_direct_to_actor(kh_to_file(kf), &sd, khttpd_splice_actor);
	if (n == 0)
		return -EIO; /* the file shrank under us: Content-Length is wrong */
	return n;
}
