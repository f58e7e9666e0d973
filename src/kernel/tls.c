// SPDX-License-Identifier: GPL-2.0
/*
 * HTTPS: the kernel serves static files over TLS without doing TLS itself
 * (docs/tls.md).
 *
 *  1. A connection accepted on tls_port is sniffed: its first byte is
 *     peeked, not read. A handshake record (0x16) goes to the daemon whole
 *     (reason KHTTPD_HANDOVER_TLS, no data): the handshake, with its
 *     certificates, private keys and ciphers, is userspace's. Anything else
 *     is plain HTTP sent to the HTTPS port: 400, as nginx answers it.
 *  2. The daemon runs the handshake, turns kernel TLS on for both ways
 *     (tls.ko's record layer: setsockopt SOL_TLS TLS_TX and TLS_RX) and
 *     gives the socket back with KHTTPD_IOC_ADOPT, with the plaintext it
 *     had already read and an opaque "info" (its record of the handshake).
 *  3. A worker serves it as any connection: sendmsg, MSG_SPLICE_PAGES
 *     (6.12) and sendpage (6.1) go through the TLS layer, which encrypts
 *     from the page cache pages; recvmsg returns plaintext. A non-data
 *     record (an alert, a handshake message) comes with its type in a
 *     control message: close_notify ends the client's stream, anything
 *     else the connection (these kernels cannot rekey a TLS 1.3 KeyUpdate).
 *  4. A request the kernel does not serve goes back to the daemon with
 *     KHTTPD_HANDOVER_F_TLS and the info: the socket, kernel TLS on, is
 *     the same file the daemon gave.
 *
 * An adopted socket is a user socket, a file the daemon made: the kernel
 * keeps the file (its own reference, fget) rather than only the socket,
 * and drops it with __fput_sync() from its workers (kernel threads) so
 * that nothing of it outlives a stop or rmmod.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/tcp.h>
#include <linux/tls.h>
#include <linux/uaccess.h>
#include <net/inet_connection_sock.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/tls.h>

#include "handover.h"
#include "net.h"
#include "server_internal.h"
#include "stats.h"
#include "tls.h"
#include "trace.h"

/* TLS record content types (RFC 8446, 5.1). */
#define KHTTPD_TLS_ALERT 21
#define KHTTPD_TLS_HANDSHAKE 22
#define KHTTPD_TLS_DATA 23

void khttpd_tls_free(struct khttpd_tls *t)
{
	if (!t)
		return;
	memzero_explicit(t->rx_info, sizeof(t->rx_info));
	if (t->file) {
		/* A worker is a kernel thread: the socket closes now, not
		 * after the delayed fput this module might not outlive. */
		if (current->flags & PF_KTHREAD)
			__fput_sync(t->file);
		else
			fput(t->file);
	}
	kvfree(t);
}

/* ---- sniffing tls_port ------------------------------------------------- */

enum khttpd_sniff khttpd_tls_sniff(struct socket *sock)
{
	u8 first;
	struct kvec iov = { .iov_base = &first, .iov_len = 1 };
	struct msghdr msg = {};
	int n = kernel_recvmsg(sock, &msg, &iov, 1, 1, MSG_DONTWAIT | MSG_PEEK);

	if (n == -EAGAIN)
		return KHTTPD_SNIFF_WAIT;
	if (n <= 0)
		return KHTTPD_SNIFF_GONE;
	return first == KHTTPD_TLS_HANDSHAKE ? KHTTPD_SNIFF_TLS : KHTTPD_SNIFF_PLAIN;
}

void khttpd_tls_send_plain_400(struct socket *sock)
{
	static const char answer[] =
		"HTTP/1.1 400 Bad Request\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: 47\r\n"
		"Connection: close\r\n"
		"\r\n"
		"The plain HTTP request was sent to HTTPS port\r\n";
	struct kvec iov = { .iov_base = (void *)answer, .iov_len = sizeof(answer) - 1 };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };

	BUILD_BUG_ON(sizeof("The plain HTTP request was sent to HTTPS port\r\n") - 1 != 47);
	/* Far below an empty send buffer: all of it goes, or the client left. */
	kernel_sendmsg(sock, &msg, &iov, 1, iov.iov_len);
}

/* A fatal alert in a plaintext record, before any handshake: internal_error. */
static void khttpd_tls_send_alert(struct socket *sock)
{
	static const u8 alert[] = { KHTTPD_TLS_ALERT, 0x03, 0x03, 0x00, 0x02, 2, 80 };
	struct kvec iov = { .iov_base = (void *)alert, .iov_len = sizeof(alert) };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };

	kernel_sendmsg(sock, &msg, &iov, 1, iov.iov_len);
}

int khttpd_tls_hand_over(struct kh_conn *kc)
{
	struct khttpd_server *srv = khttpd_kc_server(kc);
	struct khttpd_handover_item *item;
	int err;

	err = khttpd_fallback_reserve(srv->fb);
	if (!err) {
		item = khttpd_fallback_item_alloc(NULL, 0, NULL, 0, KHTTPD_HANDOVER_TLS, 0,
						  kc->id);
		if (item) {
			item->sock = khttpd_conn_take_sock(kc);
			khttpd_fallback_commit(srv->fb, item);
			khttpd_stats_handover(srv->stats, KHTTPD_HANDOVER_TLS);
			trace_handover(kc->id, KHTTPD_HANDOVER_TLS, 0);
			return 0;
		}
		khttpd_fallback_unreserve(srv->fb);
		err = -ENOMEM;
	}
	/* No daemon to do the handshake: refuse it the way TLS does. */
	khttpd_stat_inc(srv->stats, tls_refused);
	khttpd_tls_send_alert(kc->sock);
	return err;
}

/* ---- serving an adopted connection ----------------------------------- */

/* One receive from the socket: plaintext of data records, 0 at the end
 * (TCP's, or the client's close_notify), or an error. */
static long khttpd_tls_recv_sock(struct kh_conn *kc, void *buf, size_t len)
{
	u8 ctl[CMSG_SPACE(sizeof(u8))] __aligned(sizeof(size_t)) = {};
	struct cmsghdr *cmsg = (struct cmsghdr *)ctl;
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	long n;

	n = kernel_recvmsg(kc->sock, &msg, &iov, 1, len, MSG_DONTWAIT);
	if (n < 0 || msg.msg_controllen == sizeof(ctl))
		return n; /* an error, or a TCP end of file: no record */
	if (cmsg->cmsg_level != SOL_TLS || cmsg->cmsg_type != TLS_GET_RECORD_TYPE)
		return -EPROTO;
	switch (*(u8 *)CMSG_DATA(cmsg)) {
	case KHTTPD_TLS_DATA:
		return n;
	case KHTTPD_TLS_ALERT:
		/* close_notify (warning, 0) ends the stream; any other alert
		 * is fatal or meaningless now. */
		if (n == 2 && ((u8 *)buf)[1] == 0)
			return 0;
		return -ECONNRESET;
	default:
		/* A handshake message after the handshake (a TLS 1.3
		 * KeyUpdate, a renegotiation): the record layer here cannot
		 * follow it. */
		return -EPROTO;
	}
}

/*
 * The core takes a short receive to mean the socket is empty and waits
 * for its next event. Over kernel TLS that holds only if this reads on
 * until the socket says -EAGAIN: a receive stops at a record of another
 * type (an alert after the data), and the daemon's plaintext comes first.
 * An end or error met after some bytes is kept for the next call, which a
 * kick of the connection makes happen.
 */
long khttpd_tls_recv(struct kh_conn *kc, void *buf, size_t len)
{
	struct khttpd_tls *t = kc->tls;
	size_t n = 0;
	long m;

	if (t->deferred) {
		m = t->deferred == 1 ? 0 : t->deferred;
		t->deferred = 0;
		return m;
	}
	if (t->data_off < t->data_len) {
		n = min_t(size_t, len, t->data_len - t->data_off);
		memcpy(buf, t->bytes + t->info_len + t->data_off, n);
		t->data_off += n;
		if (khttpd_tls_rx_raw(t)) {
			/*
			 * The receive side stays off until more is asked
			 * for: the daemon's plaintext may hold all the
			 * connection needs (a Connection: close request).
			 * Records already waiting behind it gave their
			 * event before the connection was ours: a kick
			 * stands in for it.
			 */
			if (!skb_queue_empty_lockless(&kc->sock->sk->sk_receive_queue))
				khttpd_conn_kick_kc(kc);
			return n;
		}
	}
	if (n < len && khttpd_tls_rx_on(kc))
		return -EPROTO;
	while (n < len) {
		m = khttpd_tls_recv_sock(kc, (u8 *)buf + n, len - n);
		if (m > 0) {
			n += m;
			continue;
		}
		if (!n)
			return m;
		if (m != -EAGAIN) {
			t->deferred = m ?: 1;
			khttpd_conn_kick_kc(kc);
		}
		break;
	}
	return n;
}

int khttpd_tls_rx_on(struct kh_conn *kc)
{
	struct khttpd_tls *t = kc->tls;
	struct socket *sock = kc->sock;
	int err;

	if (t->rx_error || !t->rx_info_len)
		return t->rx_error;
	/* tls.ko's setsockopt copies with copy_from_sockptr(): a kernel
	 * buffer is as good as the daemon's. */
	err = sock->ops->setsockopt(sock, SOL_TLS, TLS_RX, KERNEL_SOCKPTR(t->rx_info),
				    t->rx_info_len);
	memzero_explicit(t->rx_info, sizeof(t->rx_info));
	t->rx_info_len = 0;
	t->rx_error = err;
	if (err)
		pr_warn_ratelimited("connection %llu: kernel TLS receive: error %d\n", kc->id,
				    err);
	return err;
}

void khttpd_tls_close_notify(struct kh_conn *kc)
{
	struct khttpd_tls *t = kc->tls;
	u8 ctl[CMSG_SPACE(sizeof(u8))] __aligned(sizeof(size_t)) = {};
	struct cmsghdr *cmsg = (struct cmsghdr *)ctl;
	u8 alert[2] = { 1, 0 }; /* warning, close_notify */
	struct kvec iov = { .iov_base = alert, .iov_len = sizeof(alert) };
	struct msghdr msg = {
		.msg_control = ctl,
		.msg_controllen = sizeof(ctl),
		.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL,
	};

	if (!t || t->notified || !kc->sock)
		return;
	t->notified = true;
	cmsg->cmsg_level = SOL_TLS;
	cmsg->cmsg_type = TLS_SET_RECORD_TYPE;
	cmsg->cmsg_len = CMSG_LEN(sizeof(u8));
	*(u8 *)CMSG_DATA(cmsg) = KHTTPD_TLS_ALERT;
	kernel_sendmsg(kc->sock, &msg, &iov, 1, sizeof(alert));
}

/* ---- adoption ---------------------------------------------------------- */

/*
 * Kernel TLS is on for sending on @sk, in software or offloaded, and for
 * receiving unless @rx_info is given: then it is off, and @rx_info (its
 * crypto_info to come) names the sending side's version and cipher.
 */
static bool khttpd_sock_has_ktls(struct sock *sk, const struct tls_crypto_info *rx_info)
{
	const struct inet_connection_sock *icsk = inet_csk(sk);
	struct tls_context *ctx;
	bool on = false;

	lock_sock(sk);
	if (icsk->icsk_ulp_ops && !strcmp(icsk->icsk_ulp_ops->name, "tls")) {
		ctx = tls_get_ctx(sk);
		if (!ctx || ctx->tx_conf == TLS_BASE)
			on = false;
		else if (!rx_info)
			on = ctx->rx_conf != TLS_BASE;
		else
			on = ctx->rx_conf == TLS_BASE &&
			     rx_info->version == ctx->crypto_send.info.version &&
			     rx_info->cipher_type == ctx->crypto_send.info.cipher_type;
	}
	release_sock(sk);
	return on;
}

/* @sock may be served on @kn's behalf: TCP, connected, in @kn's namespace. */
static int khttpd_tls_check_sock(struct khttpd_net *kn, struct socket *sock,
				 const struct tls_crypto_info *rx_info)
{
	struct sock *sk = sock->sk;

	if (!sk || sock->type != SOCK_STREAM || sk->sk_protocol != IPPROTO_TCP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6))
		return -EINVAL;
	if (!net_eq(sock_net(sk), kn->net))
		return -EINVAL;
	if (!((1 << READ_ONCE(sk->sk_state)) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		return -EINVAL;
	if (!khttpd_sock_has_ktls(sk, rx_info))
		return -EINVAL;
	return 0;
}

/* Queues @t for a worker of the running server; with kn->lock held. */
static int khttpd_tls_queue(struct khttpd_net *kn, struct khttpd_tls *t, struct socket *sock)
{
	struct khttpd_server *srv = kn->server;
	struct khttpd_worker *w;

	if (!srv || !srv->tls_port || smp_load_acquire(&srv->retiring))
		return -ESHUTDOWN;
	if (khttpd_limits_admit(&srv->limits, sock, &t->peer))
		return -EAGAIN;
	/* Spread over the workers as SO_REUSEPORT spreads accepts. */
	w = &srv->workers[t->conn_id % srv->nr_workers];
	spin_lock_bh(&w->lock);
	list_add_tail(&t->node, &w->adopted);
	spin_unlock_bh(&w->lock);
	khttpd_stat_inc(srv->stats, tls_adopted);
	khttpd_worker_wake(w);
	return 0;
}

/* KHTTPD_IOC_ADOPT_RX_LATER's crypto_info into @rx_info, checked for size. */
static int khttpd_tls_copy_rx_info(const struct khttpd_adopt_rx_later *later, u8 *rx_info)
{
	if (later->reserved || later->rx_info_len < sizeof(struct tls_crypto_info) ||
	    later->rx_info_len > KHTTPD_ADOPT_RX_INFO_MAX)
		return -EINVAL;
	if (copy_from_user(rx_info, u64_to_user_ptr(later->rx_info), later->rx_info_len))
		return -EFAULT;
	return 0;
}

/* khttpd_tls_adopt() once its argument is read: @rx_info NULL for
 * KHTTPD_IOC_ADOPT. */
static long khttpd_tls_adopt_file(struct khttpd_net *kn, struct khttpd_adopt __user *uarg,
				  const struct khttpd_adopt *adopt, const u8 *rx_info,
				  u32 rx_info_len)
{
	const struct khttpd_adopt a = *adopt; /* read once, from our copy */
	struct khttpd_tls *t;
	struct socket *sock;
	struct file *file;
	long err;

	file = fget(a.fd);
	if (!file)
		return -EBADF;
	sock = sock_from_file(file);
	if (!sock) {
		fput(file);
		return -ENOTSOCK;
	}
	err = khttpd_tls_check_sock(kn, sock, (const struct tls_crypto_info *)rx_info);
	if (err) {
		fput(file);
		return err;
	}
	t = kvzalloc(struct_size(t, bytes, a.info_len + a.data_len), GFP_KERNEL);
	if (!t) {
		fput(file);
		return -ENOMEM;
	}
	t->file = file;
	t->info_len = a.info_len;
	t->data_len = a.data_len;
	if (rx_info) {
		memcpy(t->rx_info, rx_info, rx_info_len);
		t->rx_info_len = rx_info_len;
	}
	INIT_LIST_HEAD(&t->node);
	if (copy_from_user(t->bytes, u64_to_user_ptr(a.info), a.info_len) ||
	    copy_from_user(t->bytes + a.info_len, u64_to_user_ptr(a.data), a.data_len)) {
		khttpd_tls_free(t);
		return -EFAULT;
	}
	/* Told before it is queued: once queued, the connection is ours. */
	t->conn_id = khttpd_conn_new_id();
	if (put_user(t->conn_id, &uarg->conn_id)) {
		khttpd_tls_free(t);
		return -EFAULT;
	}

	mutex_lock(&kn->lock);
	err = khttpd_tls_queue(kn, t, sock);
	mutex_unlock(&kn->lock);
	if (err)
		khttpd_tls_free(t);
	return err;
}

long khttpd_tls_adopt(struct khttpd_net *kn, void __user *uarg, bool rx_later)
{
	struct khttpd_adopt_rx_later later = {};
	const struct khttpd_adopt *a = &later.adopt;
	u8 rx_info[KHTTPD_ADOPT_RX_INFO_MAX] __aligned(8) = {};
	long err;

	/* KHTTPD_IOC_ADOPT's argument is the head of RX_LATER's. */
	BUILD_BUG_ON(offsetof(struct khttpd_adopt_rx_later, adopt) != 0);
	if (!capable(CAP_NET_ADMIN))
		return -EPERM;
	if (copy_from_user(&later, uarg, rx_later ? sizeof(later) : sizeof(later.adopt)))
		return -EFAULT;
	if (a->flags || a->data_len > KHTTPD_HANDOVER_DATA_MAX ||
	    a->info_len > KHTTPD_ADOPT_INFO_MAX)
		return -EINVAL;
	if (rx_later) {
		err = khttpd_tls_copy_rx_info(&later, rx_info);
		if (err)
			goto wipe;
	}
	err = khttpd_tls_adopt_file(kn, uarg, a, rx_later ? rx_info : NULL, later.rx_info_len);
wipe:
	memzero_explicit(rx_info, sizeof(rx_info));
	return err;
}

/* Takes @w's adopted list, to open (or drop) outside its lock. */
static void khttpd_tls_take_adopted(struct khttpd_worker *w, struct list_head *list)
{
	spin_lock_bh(&w->lock);
	list_splice_init(&w->adopted, list);
	spin_unlock_bh(&w->lock);
}

void khttpd_tls_open_adopted(struct khttpd_worker *w)
{
	struct khttpd_tls *t, *tmp;
	LIST_HEAD(list);

	khttpd_tls_take_adopted(w, &list);
	list_for_each_entry_safe(t, tmp, &list, node) {
		list_del_init(&t->node);
		khttpd_conn_adopt(w, t);
	}
}

void khttpd_tls_drop_adopted(struct khttpd_worker *w)
{
	struct khttpd_tls *t, *tmp;
	LIST_HEAD(list);

	khttpd_tls_take_adopted(w, &list);
	list_for_each_entry_safe(t, tmp, &list, node) {
		list_del_init(&t->node);
		khttpd_limits_release(&w->srv->limits, t->peer);
		khttpd_tls_free(t);
	}
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "tls_test.c"
#endif
