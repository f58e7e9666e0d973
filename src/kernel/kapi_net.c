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

#include "kapi_kernel.h"

/* Never blocks: the core waits for socket events instead (server.c). */
long kh_conn_recv(struct kh_conn *conn, void *buf, kh_size len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

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
 * (no copy), and khttpd_splice_buf() hands each page to TCP, which takes a
 * reference on it instead of copying: kernel_sendpage() before 6.5,
 * MSG_SPLICE_PAGES from 6.5 on (where TCP honours it). Non-blocking: when
 * the socket's send buffer is full, TCP takes what fits and the rest waits
 * for the socket's write-space event.
 */
static int khttpd_splice_buf(struct pipe_inode_info *pipe,
			     struct pipe_buffer *buf, struct splice_desc *sd)
{
	struct socket *sock = sd->u.data;
	bool more = sd->total_len > sd->len || (sd->flags & SPLICE_F_MORE);
	int flags = MSG_DONTWAIT | MSG_NOSIGNAL | (more ? MSG_MORE : 0);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	struct bio_vec bvec;
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };

	bvec_set_page(&bvec, buf->page, sd->len, buf->offset);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, sd->len);
	return sock_sendmsg(sock, &msg);
#else
	return kernel_sendpage(sock, buf->page, buf->offset, sd->len, flags);
#endif
}

static int khttpd_splice_actor(struct pipe_inode_info *pipe,
			       struct splice_desc *sd)
{
	return __splice_from_pipe(pipe, sd, khttpd_splice_buf);
}

/* Sends up to @len bytes; returns how many, or a negative errno. */
long kh_conn_send_file(struct kh_conn *conn, struct kh_file *kf, kh_u64 offset,
		       kh_u64 len, int more)
{
	struct splice_desc sd = {
		.total_len = len,
		.pos = offset,
		.u.data = conn->sock,
		.flags = more ? SPLICE_F_MORE : 0,
	};
	ssize_t n;

	n = splice_direct_to_actor(kh_to_file(kf), &sd, khttpd_splice_actor);
	if (n == 0)
		return -EIO; /* the file shrank under us: Content-Length is wrong */
	return n;
}
