/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HTTPS (tls.c, docs/tls.md): connections on tls_port go to the daemon for
 * the handshake; the daemon gives them back with kernel TLS on both ways
 * (KHTTPD_IOC_ADOPT), and the kernel serves them as any other, reading
 * and writing plaintext through the socket's TLS layer.
 */
#ifndef KHTTPD_TLS_H
#define KHTTPD_TLS_H

#include <linux/list.h>
#include <linux/types.h>

#include "khttpd/fallback.h"

struct file;
struct kh_conn;
struct khttpd_net;
struct khttpd_peer;
struct khttpd_worker;
struct socket;

/*
 * An adopted connection's TLS side: made by the ioctl, queued to a worker
 * (khttpd_worker.adopted) and, once its connection is open, owned by it
 * (kh_conn.tls) until it closes or goes back to the daemon.
 */
struct khttpd_tls {
	struct file *file;       /* our reference to the socket (NULL: handed on) */
	struct khttpd_peer *peer; /* its admission by the limits, until opened */
	struct list_head node;   /* on its worker's adopted list, until opened */
	u64 conn_id;
	u32 info_len;            /* the daemon's info: bytes[0, info_len) */
	u32 data_len;            /* plaintext it had read: bytes[info_len, +data_len) */
	u32 data_off;            /* of that, given to the core so far */
	bool notified;           /* close_notify sent */
	int deferred;            /* khttpd_tls_recv's next result: 1 = 0 (end), < 0 error */
	/* KHTTPD_IOC_ADOPT_RX_LATER: the receive side's crypto_info, set
	 * (then wiped) before the socket is first read; 0: receiving is on. */
	u32 rx_info_len;
	int rx_error;            /* setting it failed: the socket stays raw */
	u8 rx_info[KHTTPD_ADOPT_RX_INFO_MAX] __aligned(8);
	u8 bytes[];
};

/* The daemon's ioctls on the namespace's control file (handover.c):
 * KHTTPD_IOC_ADOPT and KHTTPD_IOC_ADOPT_RX_LATER (@rx_later). */
long khttpd_tls_adopt(struct khttpd_net *kn, void __user *uarg, bool rx_later);

/* What the first byte on tls_port says (peeked, not read). */
enum khttpd_sniff {
	KHTTPD_SNIFF_WAIT,  /* nothing yet */
	KHTTPD_SNIFF_GONE,  /* the client closed or reset */
	KHTTPD_SNIFF_TLS,   /* a TLS handshake record: to the daemon */
	KHTTPD_SNIFF_PLAIN, /* anything else: plain HTTP on the TLS port */
};
enum khttpd_sniff khttpd_tls_sniff(struct socket *sock);

/* The answer to plain HTTP on the TLS port (nginx's "400 The plain HTTP
 * request was sent to HTTPS port"); the caller closes after it. */
void khttpd_tls_send_plain_400(struct socket *sock);

/*
 * Gives a connection whose first byte was a handshake record to the daemon
 * (reason KHTTPD_HANDOVER_TLS, no data). 0: taken (its socket too); else
 * refused (no daemon, queue full, no memory): a TLS alert went out, the
 * caller closes.
 */
int khttpd_tls_hand_over(struct kh_conn *kc);

/* kh_conn_recv() of an adopted connection: plaintext, or 0 at the client's
 * close_notify, or an error for a record the kernel cannot take. */
long khttpd_tls_recv(struct kh_conn *kc, void *buf, size_t len);

/* Turns the receive side's kernel TLS on if the daemon left it to the
 * kernel (KHTTPD_IOC_ADOPT_RX_LATER): before the socket is read for
 * plaintext or given back to the daemon. 0, or the error of setsockopt,
 * then and at every later call: such a socket can give no plaintext. */
int khttpd_tls_rx_on(struct kh_conn *kc);

/* The socket gives raw TLS records: the receive side is not on. */
static inline bool khttpd_tls_rx_raw(const struct khttpd_tls *t)
{
	return t && (t->rx_info_len || t->rx_error);
}

/* Sends close_notify once, without waiting (before a FIN). */
void khttpd_tls_close_notify(struct kh_conn *kc);

/* Opens what the daemon gave @w since it last looked (server.c). */
void khttpd_tls_open_adopted(struct khttpd_worker *w);
/* @w stops: what it was given and did not open is closed. */
void khttpd_tls_drop_adopted(struct khttpd_worker *w);

/* Drops @t and its reference to the socket, if it still has it. */
void khttpd_tls_free(struct khttpd_tls *t);

#endif /* KHTTPD_TLS_H */
