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
#define KHTTPD_DYNAMIC_MAX 256

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
	int sloppymime;         /* unknown types: 1 = octet-stream, 0 = userspace */
	int nodaemon_503;       /* 1: userspace's requests get 503 without a daemon */
	int clientport;         /* the userspace server's port (for the daemon) */
	int uid;                /* who looks files up and opens them */
	int gid;                /* ... and its only group; no capabilities */
	char dynamic[KHTTPD_DYNAMIC_MAX]; /* substrings that go to userspace */
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

/* What the read-only sysctls show. */
enum khttpd_stat {
	/* Of the running server (0 while stopped): khttpd_server_stat(). */
	KHTTPD_STAT_CONNECTIONS, /* open now (lingering ones included) */
	KHTTPD_STAT_REQUESTS,    /* answered by the kernel since start */
	KHTTPD_STAT_HANDOVERS,   /* handed to the daemon since start */
	/* Of the hand-over (handover.c), since the module was loaded. */
	KHTTPD_STAT_REFUSED,     /* hand-overs refused with a 503 */
	KHTTPD_STAT_DAEMON_PID,  /* the registered daemon's pid, 0 = none */
};
unsigned long khttpd_server_stat(enum khttpd_stat stat);

int khttpd_sysctl_register(void);
void khttpd_sysctl_unregister(void);

#endif /* KHTTPD_KERNEL_H */
