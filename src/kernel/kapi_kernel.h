/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's side of include/khttpd/kapi.h: what the opaque handles are.
 */
#ifndef KHTTPD_KAPI_KERNEL_H
#define KHTTPD_KAPI_KERNEL_H

#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/path.h>

#include "khttpd/kapi.h"
#include "access_log.h" /* struct khttpd_client_addr */

struct khttpd_tls;

struct kh_conn {
	struct socket *sock; /* NULL once handed over */
	u64 id;              /* for logs and the hand-over header; since the
			      * module loaded */
	struct khttpd_client_addr client; /* read at accept */
	u32 requests;        /* answered or handed over (kapi_log.c) */
	struct khttpd_tls *tls; /* adopted over TLS (tls.c); NULL: plain */
};

/*
 * conn.c, for kapi_log.c: one more request of @conn's is done (answered or
 * handed over); counts it for the connection and its worker.
 */
void khttpd_conn_count_request(struct kh_conn *conn);

/*
 * kapi_log.c, for kh_conn_hand_over(): @conn was taken by the daemon for
 * @reason after @served answers; counts, traces and logs it (@log with
 * status 0 and @reason; NULL: counted and traced only).
 */
void khttpd_log_handover(struct kh_conn *conn, const struct kh_request_log *log,
			 u32 reason, u32 served);

/*
 * conn.c, for the hand-over: detaches the server's callbacks from @conn's
 * socket (its own ones are back) and takes it; @conn->sock is NULL after.
 */
struct socket *khttpd_conn_take_sock(struct kh_conn *conn);

/*
 * kapi_file.c: whether @file's cached pages may be read (kh_file_read) and
 * sent (kh_conn_send_file) straight from the page cache, without the file
 * system's read path. Only on local file systems whose read path adds
 * nothing to up-to-date cached pages: NFS, CIFS, FUSE and the like
 * revalidate their pages there, and overlayfs reads through another
 * file. The permission checks were made at the open (kh_open_path, as
 * the server's unprivileged identity), and the open-file cache drops an
 * entry whose ctime changed (a chmod or a relabel).
 */
bool khttpd_page_cache_is_truth(struct file *file);

struct khttpd_file_cache;

struct kh_root {
	struct path path;
	unsigned int lookup_flags;
	const struct cred *cred; /* who looks files up and opens them */
	struct khttpd_file_cache *cache; /* NULL: caching off */
};

/* Path walk flags that confine lookups to the document root. */
unsigned int kh_root_lookup_flags(bool crossmounts);

/*
 * Makes @root->cred: @uid and @gid (in the initial user namespace), no
 * supplementary groups, no capabilities. -EINVAL for an unmapped id,
 * -ENOMEM; @root->cred stays NULL on failure. Released by put_cred().
 */
int kh_root_init_cred(struct kh_root *root, int uid, int gid);

/* Resolves @docroot into @root->path, with @root->cred's permissions. */
int kh_root_lookup(struct kh_root *root, const char *docroot);

static inline struct file *kh_to_file(struct kh_file *f)
{
	return (struct file *)f;
}

static inline struct kh_file *kh_from_file(struct file *f)
{
	return (struct kh_file *)f;
}

#endif /* KHTTPD_KAPI_KERNEL_H */
