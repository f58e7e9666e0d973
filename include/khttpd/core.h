/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the C kernel layer asks of the C++ core.
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
};

/*
 * Scratch memory owned by a worker and reused for every connection it
 * serves, so serving allocates nothing. Sizes: see khttpd_buffers_size().
 */
struct khttpd_session_buffers {
	char *recv; /* request bytes; its size bounds a request head */
	kh_size recv_size;
	char *path; /* the decoded path + index name + NUL */
	kh_size path_size;
	char *head; /* the response head */
	kh_size head_size;
};

/* Splits one block of khttpd_buffers_size(@max_head) bytes into buffers. */
kh_size khttpd_buffers_size(kh_size max_head);
void khttpd_buffers_init(struct khttpd_session_buffers *b, char *block,
			 kh_size max_head);

/*
 * Serve one client connection until it closes, errs, asks to close, or the
 * server stops.
 */
void khttpd_session_run(struct kh_conn *conn, struct kh_root *root,
			const struct khttpd_session_params *params,
			const struct khttpd_session_buffers *buffers);

#ifdef __cplusplus
}
#endif

#endif /* KHTTPD_CORE_H */
