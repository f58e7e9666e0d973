// SPDX-License-Identifier: GPL-2.0
/*
 * Connection I/O for the core: receive, send, send a file.
 */
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/uio.h>

#include "kapi_kernel.h"

long kh_conn_recv(struct kh_conn *conn, void *buf, kh_size len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	return kernel_recvmsg(conn->sock, &msg, &iov, 1, len, 0);
}

static int send_all(struct socket *sock, const void *buf, size_t len, bool more)
{
	while (len) {
		struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
		struct msghdr msg = {
			.msg_flags = MSG_NOSIGNAL | (more ? MSG_MORE : 0),
		};
		int n = kernel_sendmsg(sock, &msg, &iov, 1, len);

		if (n < 0)
			return n;
		if (n == 0)
			return -EPIPE;
		buf += n;
		len -= n;
	}
	return 0;
}

int kh_conn_send(struct kh_conn *conn, const void *buf, kh_size len, int more)
{
	return send_all(conn->sock, buf, len, more);
}

int kh_conn_send_file(struct kh_conn *conn, struct kh_file *kf, kh_u64 offset,
		      kh_u64 len)
{
	struct file *file = kh_to_file(kf);
	loff_t pos = offset;

	while (len) {
		size_t chunk = min_t(u64, len, KHTTPD_FILEBUF_SIZE);
		ssize_t n = kernel_read(file, conn->filebuf, chunk, &pos);
		int err;

		if (n < 0)
			return n;
		if (n == 0)
			return -EIO; /* file shrank under us: Content-Length is wrong */
		len -= n;
		err = send_all(conn->sock, conn->filebuf, n, len > 0);
		if (err)
			return err;
		cond_resched();
	}
	return 0;
}
