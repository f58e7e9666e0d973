// SPDX-License-Identifier: GPL-2.0
/*
 * The core's side of the hand-over: kh_conn_hand_over() gives a connection
 * and the bytes read from it to the daemon's queue (handover.c) of the
 * connection's network namespace.
 */
#include <linux/errno.h>
#include <linux/net.h>

#include "handover.h"
#include "kapi_kernel.h"
#include "server_internal.h"
#include "tls.h"

int kh_conn_hand_over(struct kh_conn *kc, const void *data, kh_size len,
		      kh_u32 reason, kh_u32 served, const struct kh_request_log *log)
{
	struct khttpd_fallback *fb = khttpd_kc_server(kc)->fb;
	struct khttpd_handover_item *item;
	int err;

	/* The daemon reads plaintext from an adopted socket: both ways on. */
	if (kc->tls && khttpd_tls_rx_on(kc))
		return -EPROTO;
	err = khttpd_fallback_reserve(fb);
	if (err)
		return err;
	item = kc->tls ? khttpd_fallback_item_alloc(kc->tls->bytes, kc->tls->info_len, data, len,
						    reason, served, kc->id) :
			 khttpd_fallback_item_alloc(NULL, 0, data, len, reason, served, kc->id);
	if (!item) {
		khttpd_fallback_unreserve(fb);
		return -ENOMEM;
	}
	/* The socket leaves with its own callbacks (kernel TLS's, if it was
	 * adopted: then as the file the daemon gave). */
	if (kc->tls) {
		item->file = kc->tls->file;
		kc->tls->file = NULL;
		khttpd_conn_take_sock(kc);
	} else {
		item->sock = khttpd_conn_take_sock(kc);
	}
	khttpd_fallback_commit(fb, item);
	/* Taken: counted and logged here; a refused one is the core's to answer. */
	khttpd_log_handover(kc, log, reason, served);
	return 0;
}
