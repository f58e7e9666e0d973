/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's side of include/khttpd/kapi.h: what the opaque handles are.
 */
#ifndef KHTTPD_KAPI_KERNEL_H
#define KHTTPD_KAPI_KERNEL_H

#include <linux/fs.h>
#include <linux/net.h>
#include <linux/path.h>

#include "khttpd/kapi.h"

struct kh_conn {
	struct socket *sock; /* NULL once handed over */
	u64 id;              /* for logs and the hand-over header */
};

struct khttpd_file_cache;

struct kh_root {
	struct path path;
	unsigned int lookup_flags;
	struct khttpd_file_cache *cache; /* NULL: caching off */
};

/* Path walk flags that confine lookups to the document root. */
unsigned int kh_root_lookup_flags(bool crossmounts);

static inline struct file *kh_to_file(struct kh_file *f)
{
	return (struct file *)f;
}

static inline struct kh_file *kh_from_file(struct file *f)
{
	return (struct kh_file *)f;
}

#endif /* KHTTPD_KAPI_KERNEL_H */
