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

/* Bounce buffer for sending file data (copying path; zero-copy comes later). */
#define KHTTPD_FILEBUF_SIZE (64 * 1024)

struct kh_conn {
	struct socket *sock;
	char *filebuf; /* KHTTPD_FILEBUF_SIZE bytes, owned by the worker */
};

struct kh_root {
	struct path path;
};

static inline struct file *kh_to_file(struct kh_file *f)
{
	return (struct file *)f;
}

static inline struct kh_file *kh_from_file(struct file *f)
{
	return (struct kh_file *)f;
}

#endif /* KHTTPD_KAPI_KERNEL_H */
