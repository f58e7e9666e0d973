/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C kernel layer asks of the C++ core.
 *
 * A connection is driven by events: the kernel layer calls
 * khttpd_session_step() whenever the socket may have made progress (data
 * arrived, send space freed, the peer closed), and the step does all the
 * non-blocking work it can, then says what it waits for.
 */
#ifndef KHTTPD_CORE_H
#define KHTTPD_CORE_H

#include "kapi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Server settings a connection needs, copied when the server starts. */
struct khttpd_session_params {
	const char *index_name; /* file served for a path ending in '/' */
	kh_u32 max_requests;    /* per connection; 0 = unlimited */
	kh_u32 perm_required;   /* mode bits a file must have (kHTTPd's) */
	kh_u32 perm_forbid;     /* mode bits a file must not have */
	/*
	 * kHTTPd's `dynamic` list: space-separated substrings; a request whose
	 * target (as sent) or decoded path holds one goes to userspace. NULL or
	 * "" = none.
	 */
	const char *dynamic;
	/* Unknown file types: 1 = serve as application/octet-stream, 0 = hand
	 * them to userspace (served as octet-stream when no daemon runs). */
	kh_u8 sloppy_mime;
	/* 1: a request meant for userspace gets 503 while no daemon is
	 * registered, instead of the static server's own answer. */
	kh_u8 nodaemon_503;
	/*
	 * A body of at most this many bytes that fits behind the response head
	 * in the head buffer is copied there (kh_file_read) and goes out with
	 * the head in one send; larger ones are sent from the page cache
	 * without a copy (kh_conn_send_file). 0 = always the latter.
	 */
	kh_u32 inline_body_max;
	/*
	 * 1: every answer from now on closes its connection (Connection:
	 * close). A server generation being retired by a reload sets it, so
	 * its open connections end after the request in progress and the
	 * client reconnects to the new generation.
	 */
	kh_u8 closing;
	/*
	 * 1: name-based virtual hosts. The request's host (Host, or an
	 * absolute-form target's authority), lowercased and without its port,
	 * selects the directory <root>/<host>/; a host without one, or no
	 * host, gets <root>/_default/; a host that is not a plain name is a
	 * 400 (src/core/virtual_host.h).
	 */
	kh_u8 vhosts;
};

/*
 * A connection's own memory while it is busy: its unanswered request bytes
 * and the head of the answer being sent. The kernel layer may take the
 * block away, and give the connection another one at a later step,
 * whenever khttpd_session_idle() is true.
 */
struct khttpd_conn_buffers {
	char *recv; /* request bytes; its size bounds a request head */
	kh_size recv_size;
	char *head; /* the response head being sent */
	kh_size head_size;
};

/* Bytes of a connection's block for a request head limit of @max_head. */
kh_size khttpd_conn_buffers_size(kh_size max_head);
/* Points @b's recv and head into @block (khttpd_conn_buffers_size bytes). */
void khttpd_conn_buffers_init(struct khttpd_conn_buffers *b, char *block,
			      kh_size max_head);

/*
 * A worker's memory, shared by all its connections and used only within a
 * step: the decoded path of the request being decided, and the Date field,
 * formatted once a second. Opaque; set up once per worker.
 */
struct khttpd_worker_scratch;
/* Bytes of the block for a request head limit of @max_head. */
kh_size khttpd_worker_scratch_size(kh_size max_head);
/* Sets the scratch up in @block (khttpd_worker_scratch_size bytes, aligned
 * to 8) and returns it; it lives as long as the block. */
struct khttpd_worker_scratch *khttpd_worker_scratch_init(void *block, kh_size max_head);

/* One connection's state, kept by the kernel layer: opaque, of
 * khttpd_session_size() bytes, aligned to khttpd_session_align(). */
struct khttpd_session;
kh_size khttpd_session_size(void);
kh_size khttpd_session_align(void);
void khttpd_session_init(struct khttpd_session *s, struct kh_conn *conn);
/* Releases what the session holds (an open file being sent). */
void khttpd_session_destroy(struct khttpd_session *s);

enum khttpd_step {
	KHTTPD_STEP_READ,     /* step again when data arrives or the peer closes */
	KHTTPD_STEP_WRITE,    /* step again when the socket has send space */
	KHTTPD_STEP_YIELD,    /* more work is ready: step again after others */
	KHTTPD_STEP_CLOSE,    /* done: close the connection */
	KHTTPD_STEP_HANDOVER, /* kh_conn_hand_over() took it: forget it */
};

/*
 * Does what can be done without blocking: receives, answers requests in
 * order (pipelined ones too), sends. Returns what it waits for.
 * Edge-triggered: the caller must step the session again for any data or
 * close that arrives after the step began (also while it runs), since a
 * step does not ask the socket again once a receive came back short.
 */
enum khttpd_step khttpd_session_step(struct khttpd_session *s, struct kh_root *root,
				     const struct khttpd_session_params *params,
				     const struct khttpd_conn_buffers *io,
				     struct khttpd_worker_scratch *scratch);

/* Requests the session has answered so far (not those handed over). */
kh_u32 khttpd_session_served(const struct khttpd_session *s);

/*
 * Bytes the session has sent so far (heads and bodies). The kernel layer
 * moves a send deadline only when this grew: a client that reads nothing,
 * or one byte now and then, cannot keep a connection by making events.
 */
kh_u64 khttpd_session_bytes_sent(const struct khttpd_session *s);

/*
 * After KHTTPD_STEP_CLOSE: the client sends nothing more. Its last request
 * said it was the last (Connection: close, or HTTP/1.0 without keep-alive),
 * had no body and nothing came behind it; or the client closed. Closing the
 * socket at once then cannot reset an answer the client has not read, so
 * no lingering close is needed (if the socket holds no unread input).
 */
bool khttpd_session_peer_done(const struct khttpd_session *s);

/* No buffered request bytes and nothing left to send: the session does not
 * need its recv/head buffers until its next step. */
bool khttpd_session_idle(const struct khttpd_session *s);

#ifdef __cplusplus
}
#endif

#endif /* KHTTPD_CORE_H */
