/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interface of the kernel layer: configuration and server control.
 */
#ifndef KHTTPD_KERNEL_H
#define KHTTPD_KERNEL_H

#include <linux/limits.h>
#include <linux/mutex.h>

#define KHTTPD_DOCROOT_MAX 1024
#define KHTTPD_INDEX_MAX 256 /* NAME_MAX + 1 */
#define KHTTPD_THREADS_MAX 256

/* Settings from /proc/sys/net/khttpd, read when the server starts. */
struct khttpd_config {
	int port;
	int threads;
	int max_header_size;    /* request line + headers, bytes */
	int keepalive_requests; /* per connection; 0 = unlimited */
	int keepalive_timeout;  /* seconds a connection may sit idle */
	int perm_required;      /* mode bits a served file must have */
	int perm_forbid;        /* mode bits a served file must not have */
	int crossmounts;        /* 1: lookups may enter other mounts */
	int filecache_entries;  /* open-file cache size; 0 = off */
	char docroot[KHTTPD_DOCROOT_MAX];
	char index[KHTTPD_INDEX_MAX];
};

/* All of the config, and starting/stopping, happen under this mutex. */
extern struct mutex khttpd_config_lock;
extern struct khttpd_config khttpd_config;

/* Server lifetime. Both are called with khttpd_config_lock held. */
int khttpd_server_start(const struct khttpd_config *cfg);
void khttpd_server_stop(void);
bool khttpd_server_running(void);

int khttpd_sysctl_register(void);
void khttpd_sysctl_unregister(void);

#endif /* KHTTPD_KERNEL_H */
