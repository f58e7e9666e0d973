/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel layer's control interface: the configuration, starting and
 * stopping, the counters, and the settings that take effect at once. It is
 * all that sysctl/ (the /proc/sys/net/khttpd table and its validators) sees
 * of the server (server.c), the hand-over (handover.c) and the MIME table
 * (mime_table.c); main.c uses it too.
 */
#ifndef KHTTPD_KERNEL_H
#define KHTTPD_KERNEL_H

#include <linux/limits.h>

#define KHTTPD_DOCROOT_MAX 1024
#define KHTTPD_INDEX_MAX 256 /* NAME_MAX + 1 */
#define KHTTPD_THREADS_MAX 256
#define KHTTPD_DYNAMIC_MAX 256
#define KHTTPD_TIMEOUT_MAX 3600 /* seconds, for every timeout */
#define KHTTPD_MAX_CONNECTIONS_MAX (1 << 24)
/*
 * max_connections' default: one connection per this many bytes of RAM
 * (2^17 = 128 KiB: 8192 connections per GiB), within the bounds below. A
 * busy connection holds ~20 KiB of its own (its slab object, a 2 x 8 KiB
 * buffer, the socket) plus what TCP queues for it, so all of them at once
 * stay well below the memory the machine has.
 */
#define KHTTPD_CONN_RAM_SHIFT 17
#define KHTTPD_MAX_CONNECTIONS_DEFAULT_MIN 256
#define KHTTPD_MAX_CONNECTIONS_DEFAULT_MAX (1 << 20)

/*
 * Settings from /proc/sys/net/khttpd, read when the server starts or
 * reloads (staged: a write while it runs changes the next generation).
 */
struct khttpd_config {
	int port;
	int tls_port;           /* HTTPS through the daemon and kernel TLS; 0: off */
	int threads;
	int max_header_size;    /* request line + headers, bytes */
	int keepalive_requests; /* per connection; 0 = unlimited */
	int keepalive_timeout;  /* seconds a connection may sit idle */
	int header_timeout;     /* seconds for a whole request head */
	int send_timeout;       /* seconds a send may make no progress */
	int max_connections;    /* open at once, all workers together */
	int max_connections_per_ip; /* open at once per client; 0 = no limit */
	int perm_required;      /* mode bits a served file must have */
	int perm_forbid;        /* mode bits a served file must not have */
	int crossmounts;        /* 1: lookups may enter other mounts */
	int filecache_entries;  /* open-file cache size; 0 = off */
	int sloppymime;         /* unknown types: 1 = octet-stream, 0 = userspace */
	int vhosts;             /* 1: the Host selects documentroot/<host>/ */
	int nodaemon_503;       /* 1: userspace's requests get 503 without a daemon */
	int clientport;         /* the userspace server's port (for the daemon) */
	int uid;                /* who looks files up and opens them */
	int gid;                /* ... and its only group; no capabilities */
	/* How many connections may wait for the daemon's courier
	 * (handover.c): beyond, a hand-over is refused and the kernel
	 * answers 503. Not staged: read at every hand-over. */
	int handover_queue;
	char dynamic[KHTTPD_DYNAMIC_MAX]; /* substrings that go to userspace */
	char docroot[KHTTPD_DOCROOT_MAX];
	char index[KHTTPD_INDEX_MAX];
};

/*
 * What every network namespace's settings start as (main.c; threads and
 * max_connections are set from the machine at load).
 */
extern struct khttpd_config khttpd_default_config;

/*
 * One server per network namespace (net.h): each function acts on @kn's,
 * with kn->lock held, from @kn's own config.
 */
struct khttpd_net;

/* Sets up @kn's server state (stopped) when its namespace is made. */
void khttpd_server_net_init(struct khttpd_net *kn);
/* Server lifetime. */
int khttpd_server_start(struct khttpd_net *kn);
/*
 * Replaces the running server with a new generation built from @cfg,
 * while serving: the old one's listening sockets are taken over (same
 * port) and its connections end after their request in progress. On any
 * error (-ENOENT documentroot, -EADDRINUSE, -ENOMEM, ...) the running
 * server is untouched. -ESRCH if none runs.
 */
int khttpd_server_reload(struct khttpd_net *kn);
/* Stops the server, retiring generations included. */
void khttpd_server_stop(struct khttpd_net *kn);
bool khttpd_server_running(struct khttpd_net *kn);

/* What the read-only sysctls show: khttpd_server_stat(). */
enum khttpd_stat {
	/* Of the running server (0 while stopped). */
	KHTTPD_STAT_CONNECTIONS, /* open now (lingering ones included) */
	KHTTPD_STAT_REQUESTS,    /* answered by the kernel since start */
	KHTTPD_STAT_HANDOVERS,   /* handed to the daemon since start */
	KHTTPD_STAT_REFUSED_CONNS, /* refused at accept since start (limits) */
	/* Of the hand-over (handover.c), since the namespace's instance
	 * was made. */
	KHTTPD_STAT_REFUSED,     /* hand-overs refused with a 503 */
	KHTTPD_STAT_DAEMON_PID,  /* the registered daemon's pid, 0 = none */
};
/* Called with kn->lock held. */
unsigned long khttpd_server_stat(struct khttpd_net *kn, enum khttpd_stat stat);

#define KHTTPD_HANDOVER_QUEUE_DEFAULT 256
#define KHTTPD_HANDOVER_QUEUE_MAX 65536

/*
 * The MIME table in use (mime_table.c; sysctl mimetypes). Makes the
 * mime.types file at @path (absolute) the table in use, at once, even
 * while the server runs; "" goes back to the built-in table. On any error
 * the table in use stays and it returns -EINVAL (a malformed file: dmesg
 * names its first bad line; or a relative or overlong path), -EFBIG (over
 * KHTTPD_MIME_FILE_MAX, mime_table.h), -ENOMEM, or what opening or
 * reading the file gave (-ENOENT, -EACCES, -EISDIR, ...). May sleep.
 */
#define KHTTPD_MIME_PATH_MAX 1024 /* a path is shorter than this */
int khttpd_mime_load(const char *path);
/* Copies the path of the table in use ("" = built-in) into @buf. */
void khttpd_mime_path(char *buf, size_t size);

/*
 * The initial namespace's /proc/net/khttpd (main.c): created first when
 * the module loads, removed last; the files in it (fallback, status,
 * access_log) are each added and removed by the file that serves them.
 * Other namespaces' directories are net.c's (no access_log in them).
 */
extern struct proc_dir_entry *khttpd_proc_dir;

#endif /* KHTTPD_KERNEL_H */
