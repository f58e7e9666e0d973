// SPDX-License-Identifier: GPL-2.0
/*
 * Connection I/O for the core: receive, send, send a file.
 */
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/pipe_fs_i.h>
#include <linux/socket.h>
#include <linux/splice.h>
#include <linux/uio.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
#include <linux/bvec.h>
#endif

#include "cold_read.h"
#include "kapi_kernel.h"
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
/* 6.1: one kernel_sendpage() per page, as the kernel's sendfile does there. */
static int khttpd_splice_buf(struct pipe_inode_info *pipe,
			     struct pipe_buffer *buf, struct splice_desc *sd)
{
	struct socket *sock = sd->u.data;
	bool more = sd->total_len > sd->len || (sd->flags & SPLICE_F_MORE);
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL | (more ? MSG_MORE : 0);

	return kernel_sendpage(sock, buf->page, buf->offset, sd->len, flags);
}

static int khttpd_splice_actor(struct pipe_inode_info *pipe,
			       struct splice_desc *sd)
{
	return __splice_from_pipe(pipe, sd, khttpd_splice_buf);
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
	long cached = khttpd_cold_prefix(conn, kh_to_file(kf), offset, len);
	ssize_t n;

	if (cached < 0)
		return cached == -EAGAIN ? -KH_EAGAIN : cached;
	sd.total_len = cached;
	sd.flags = more || (u64)cached < len ? SPLICE_F_MORE : 0;
	n = splice_direct_to_actor(kh_to_file(kf), &sd, khttpd_splice_actor);
	if (n == 0)
		return -EIO; /* the file shrank under us: Content-Length is wrong */
	return n;
}
