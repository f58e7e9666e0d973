// SPDX-License-Identifier: GPL-2.0
/*
 * Hand-over of connections to the userspace daemon (docs/handover.md).
 *
 * The daemon registers by calling ioctl(KHTTPD_IOC_SERVE) on
 * /proc/net/khttpd/fallback with one end of an AF_UNIX SOCK_SEQPACKET
 * socketpair; the call lasts as long as the registration, and the calling
 * thread is the courier: worker threads put connections on a bounded
 * queue, and the courier, running in the daemon's own process, turns each
 * into a file descriptor and sends it over the socketpair with SCM_RIGHTS.
 *
 * Why this way: a file descriptor can only be created in the file table of
 * the process that will own it, and SCM_RIGHTS reads descriptors from the
 * sender's table. Worker threads are kernel threads sharing init's table;
 * installing a descriptor there would expose the client socket to every
 * kernel thread, and sending from there would read the wrong table. The
 * courier is the daemon's thread, so the descriptor exists only in the
 * daemon's table, for the moment of the send.
 *
 * The control file is a /proc entry, not a device: an open /proc file does
 * not pin the module, so rmmod works while a daemon is registered. Module
 * exit wakes the courier (the ioctl returns ESHUTDOWN), then removing the
 * entry waits for the ioctl to have returned.
 *
 * Each network namespace has its own (net.h): a daemon registers through
 * the fallback file of the namespace it serves (the one it was started in
 * with `ip netns exec`), and only that namespace's workers queue for it.
 * The namespace's exit ends the registration as module exit does.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/proc_fs.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <linux/wait.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "handover.h"
#include "khttpd.h"
#include "net.h"
#include "tls.h"

void khttpd_fallback_setup(struct khttpd_fallback *fb, const int *queue_max)
{
	memset(fb, 0, sizeof(*fb));
	spin_lock_init(&fb->lock);
	INIT_LIST_HEAD(&fb->queue);
	init_waitqueue_head(&fb->wait);
	fb->queue_max = queue_max;
}

/*
 * Frees @item; a connection still in it never reached the daemon (it went
 * away meanwhile): its client gets a 503 rather than a bare close.
 */
static void khttpd_item_free(struct khttpd_handover_item *item)
{
	static const char answer[] = "HTTP/1.1 503 Service Unavailable\r\n"
				     "Content-Length: 0\r\nConnection: close\r\n\r\n";

	struct socket *sock = item->file ? sock_from_file(item->file) : item->sock;

	if (sock) {
		struct kvec iov = { .iov_base = (void *)answer, .iov_len = sizeof(answer) - 1 };
		struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };

		/* (Through kernel TLS, for an adopted connection.) */
		kernel_sendmsg(sock, &msg, &iov, 1, iov.iov_len);
		kernel_sock_shutdown(sock, SHUT_WR);
	}
	if (item->file) {
		if (current->flags & PF_KTHREAD)
			__fput_sync(item->file);
		else
			fput(item->file);
	} else if (item->sock) {
		sock_release(item->sock);
	}
	kvfree(item);
}

static void khttpd_items_free(struct list_head *items)
{
	struct khttpd_handover_item *item, *tmp;

	list_for_each_entry_safe(item, tmp, items, node)
		khttpd_item_free(item);
}

int khttpd_fallback_reserve(struct khttpd_fallback *fb)
{
	int err = 0;

	spin_lock_bh(&fb->lock);
	if (!fb->registered)
		err = -ENOENT;
	else if (fb->slots >= READ_ONCE(*fb->queue_max)) {
		err = -EAGAIN;
		fb->refused++;
	} else
		fb->slots++;
	spin_unlock_bh(&fb->lock);
	return err;
}

void khttpd_fallback_unreserve(struct khttpd_fallback *fb)
{
	spin_lock_bh(&fb->lock);
	fb->slots--;
	fb->refused++;
	spin_unlock_bh(&fb->lock);
}

struct khttpd_handover_item *khttpd_fallback_item_alloc(const void *info, size_t info_len,
							const void *data, size_t len,
							u32 reason, u32 served,
							u64 conn_id)
{
	struct khttpd_handover_item *item;

	if (len > KHTTPD_HANDOVER_DATA_MAX || info_len > KHTTPD_ADOPT_INFO_MAX)
		return NULL;
	/* Up to 64 KiB: kvmalloc, not an order-5 kmalloc that fragmented
	 * memory may not have. */
	item = kvmalloc(struct_size(item, data, info_len + len), GFP_KERNEL);
	if (!item)
		return NULL;
	item->sock = NULL;
	item->file = NULL;
	item->hdr = (struct khttpd_handover){
		.magic = KHTTPD_HANDOVER_MAGIC,
		.version = KHTTPD_HANDOVER_VERSION,
		.header_len = sizeof(item->hdr),
		.data_len = len,
		.reason = reason,
		.conn_id = conn_id,
		.requests_served = served,
		.flags = info ? KHTTPD_HANDOVER_F_TLS : 0,
		.info_len = info_len,
	};
	if (info_len)
		memcpy(item->data, info, info_len);
	if (len)
		memcpy(item->data + info_len, data, len);
	return item;
}

void khttpd_fallback_commit(struct khttpd_fallback *fb, struct khttpd_handover_item *item)
{
	bool queued = false;

	spin_lock_bh(&fb->lock);
	if (fb->registered) {
		list_add_tail(&item->node, &fb->queue);
		queued = true;
	} else {
		fb->slots--; /* the daemon left since the reservation */
	}
	spin_unlock_bh(&fb->lock);
	if (queued)
		wake_up(&fb->wait);
	else
		khttpd_item_free(item);
}

static struct khttpd_handover_item *khttpd_fallback_pop(struct khttpd_fallback *fb)
{
	struct khttpd_handover_item *item;

	spin_lock_bh(&fb->lock);
	item = list_first_entry_or_null(&fb->queue, struct khttpd_handover_item, node);
	if (item) {
		list_del(&item->node);
		fb->slots--;
	}
	spin_unlock_bh(&fb->lock);
	return item;
}

/*
 * A socket accepted on a kernel listener holds no reference on its network
 * namespace (listener.c): the namespace's exit closes every connection the
 * server still has. One that becomes a file in userspace is no longer the
 * server's to close, so it takes the reference a user socket has from its
 * birth, which its last release drops (the socket core does, as for any
 * socket with sk_net_refcnt set).
 */
static void khttpd_sock_hold_net(struct sock *sk)
{
	lock_sock(sk); /* sk_net_refcnt shares its byte with other flags */
	if (!sk->sk_net_refcnt) {
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
		sk_net_refcnt_upgrade(sk);
#else
		/* 6.1 has no helper (nor a tracker for kernel sockets):
		 * sk_alloc()'s steps for a user socket. */
		sk->sk_net_refcnt = 1;
		get_net_track(sock_net(sk), &sk->ns_tracker, GFP_KERNEL);
		sock_inuse_add(sock_net(sk), 1);
#endif
	}
	release_sock(sk);
}

/*
 * In the daemon's context: the socket becomes a descriptor in the daemon's
 * table just long enough for SCM_RIGHTS to take a reference to its file.
 */
static int khttpd_courier_send(struct socket *chan, struct khttpd_handover_item *item)
{
	struct {
		struct cmsghdr hdr;
		int fd; /* the cmsg's data */
	} ctl = {};
	size_t data_len = item->hdr.info_len + item->hdr.data_len;
	struct kvec iov[2] = {
		{ .iov_base = &item->hdr, .iov_len = sizeof(item->hdr) },
		{ .iov_base = item->data, .iov_len = data_len },
	};
	struct msghdr msg = {
		.msg_control = &ctl,
		.msg_controllen = sizeof(ctl),
		.msg_flags = MSG_NOSIGNAL,
	};
	struct file *file;
	int fd, err;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	if (item->file) {
		/* Adopted: the file the daemon made, blocking again. */
		file = item->file;
		item->file = NULL;
		spin_lock(&file->f_lock);
		file->f_flags &= ~O_NONBLOCK;
		spin_unlock(&file->f_lock);
	} else {
		khttpd_sock_hold_net(item->sock->sk);
		file = sock_alloc_file(item->sock, O_RDWR, NULL);
		item->sock = NULL; /* the file has it now, or released it on failure */
		if (IS_ERR(file)) {
			put_unused_fd(fd);
			return PTR_ERR(file);
		}
	}
	fd_install(fd, file);

	BUILD_BUG_ON(offsetof(typeof(ctl), fd) != CMSG_ALIGN(sizeof(struct cmsghdr)));
	BUILD_BUG_ON(sizeof(ctl) != CMSG_SPACE(sizeof(int)));
	ctl.hdr.cmsg_len = CMSG_LEN(sizeof(int));
	ctl.hdr.cmsg_level = SOL_SOCKET;
	ctl.hdr.cmsg_type = SCM_RIGHTS;
	ctl.fd = fd;
	err = kernel_sendmsg(chan, &msg, iov, 2, sizeof(item->hdr) + data_len);
	/* The message holds its own reference; if it was not sent, this was
	 * the last one and the client's connection closes. */
	close_fd(fd);
	return err < 0 ? err : 0;
}

static long khttpd_courier(struct khttpd_fallback *fb, struct socket *chan)
{
	for (;;) {
		struct khttpd_handover_item *item = NULL;
		int err;

		err = wait_event_interruptible(fb->wait, (item = khttpd_fallback_pop(fb)) ||
						      READ_ONCE(fb->exiting));
		if (err)
			return -EINTR; /* a signal: the daemon unregisters */
		if (!item)
			return -ESHUTDOWN;
		err = khttpd_courier_send(chan, item);
		khttpd_item_free(item);
		if (err == -ERESTARTSYS || err == -EINTR)
			return -EINTR;
		if (err == -EPIPE || err == -ECONNRESET || err == -ENOTCONN)
			return -EPIPE; /* the daemon closed its end */
		if (err)
			pr_warn_ratelimited("hand-over failed: error %d\n", err);
	}
}

static long khttpd_fallback_serve(struct khttpd_fallback *fb, int __user *argp)
{
	struct socket *chan;
	LIST_HEAD(dropped);
	long err;
	int fd, lookup_err;

	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	if (get_user(fd, argp))
		return -EFAULT;
	chan = sockfd_lookup(fd, &lookup_err);
	if (!chan)
		return lookup_err;
	if (chan->sk->sk_family != AF_UNIX || chan->type != SOCK_SEQPACKET) {
		sockfd_put(chan);
		return -EINVAL;
	}

	err = 0;
	spin_lock_bh(&fb->lock);
	if (fb->exiting)
		err = -ESHUTDOWN;
	else if (fb->registered)
		err = -EBUSY;
	else {
		fb->registered = true;
		fb->chan = chan;
		fb->daemon = task_tgid_nr(current);
	}
	spin_unlock_bh(&fb->lock);
	if (err) {
		sockfd_put(chan);
		return err;
	}
	pr_info("hand-over daemon registered (pid %d)\n", task_tgid_nr(current));

	err = khttpd_courier(fb, chan);

	spin_lock_bh(&fb->lock);
	fb->registered = false;
	fb->chan = NULL;
	fb->daemon = 0;
	while (!list_empty(&fb->queue)) {
		list_move_tail(fb->queue.next, &dropped);
		fb->slots--;
	}
	spin_unlock_bh(&fb->lock);
	khttpd_items_free(&dropped);
	sockfd_put(chan);
	pr_info("hand-over daemon unregistered (pid %d, %s)\n", task_tgid_nr(current),
		err == -EINTR ? "signal" : err == -ESHUTDOWN ? "module unloading" :
		"channel closed");
	return err;
}

pid_t khttpd_fallback_daemon(struct khttpd_fallback *fb)
{
	return READ_ONCE(fb->daemon);
}

unsigned long khttpd_fallback_refused(struct khttpd_fallback *fb)
{
	return READ_ONCE(fb->refused);
}

static long khttpd_fallback_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct khttpd_fallback *fb = pde_data(file_inode(file));

	switch (cmd) {
	case KHTTPD_IOC_SERVE:
		return khttpd_fallback_serve(fb, (int __user *)arg);
	case KHTTPD_IOC_ADOPT:
	case KHTTPD_IOC_ADOPT_RX_LATER:
		return khttpd_tls_adopt(container_of(fb, struct khttpd_net, fb),
					(void __user *)arg, cmd == KHTTPD_IOC_ADOPT_RX_LATER);
	default:
		return -ENOTTY;
	}
}

static int khttpd_fallback_open(struct inode *inode, struct file *file)
{
	return capable(CAP_NET_ADMIN) ? 0 : -EPERM;
}

static const struct proc_ops khttpd_fallback_ops = {
	.proc_open = khttpd_fallback_open,
	.proc_ioctl = khttpd_fallback_ioctl,
#ifdef CONFIG_COMPAT
	.proc_compat_ioctl = compat_ptr_ioctl,
#endif
	.proc_lseek = noop_llseek,
};

int khttpd_fallback_init(struct khttpd_fallback *fb, struct proc_dir_entry *dir)
{
	if (!proc_create_data("fallback", 0600, dir, &khttpd_fallback_ops, fb))
		return -ENOMEM;
	return 0;
}

void khttpd_fallback_exit(struct khttpd_fallback *fb, struct proc_dir_entry *dir)
{
	struct socket *chan = NULL;

	spin_lock_bh(&fb->lock);
	fb->exiting = true;
	if (fb->chan) {
		chan = fb->chan;
		get_file(chan->file); /* keeps it past the courier's sockfd_put */
	}
	spin_unlock_bh(&fb->lock);
	wake_up(&fb->wait);
	/* Wakes a courier blocked sending to a daemon that stopped reading. */
	if (chan) {
		kernel_sock_shutdown(chan, SHUT_RDWR);
		fput(chan->file);
	}
	/* Waits for a running ioctl (the courier) to return. */
	remove_proc_entry("fallback", dir);
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "handover_test.c"
#endif
