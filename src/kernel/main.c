// SPDX-License-Identifier: GPL-2.0
/*
 * khttpd: a static-file HTTP server in the kernel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <net/net_namespace.h>

#include "access_log.h"
#include "cold_read.h"
#include "handover.h"
#include "khttpd.h"
#include "mime_table.h"
#include "net.h"

struct proc_dir_entry *khttpd_proc_dir;

/* Each network namespace's settings start as these (net.c). */
struct khttpd_config khttpd_default_config = {
	.port = 80,
	.max_header_size = 8192,
	.keepalive_requests = 1000,
	.keepalive_timeout = 60,
	.header_timeout = 20,   /* a head within 20 s: slowloris */
	.send_timeout = 60,     /* as nginx's send_timeout */
	.max_connections_per_ip = 256,
	.perm_required = S_IROTH, /* world-readable files only, as kHTTPd */
	/* Any execute bit, as kHTTPd refused them: a file userspace may run
	 * (a CGI script) goes to the daemon, never out as source. */
	.perm_forbid = S_IXUSR | S_IXGRP | S_IXOTH,
	.crossmounts = 0,
	.filecache_entries = 4096,
	.docroot = "/var/www",
	.index = "index.html",
	/* No "?": a query on a static file (style.css?v=3) is served here. */
	.dynamic = ".. cgi-bin",
	.sloppymime = 0,
	.vhosts = 0,
	.nodaemon_503 = 0,
	.clientport = 8080,
	.uid = 33, /* Debian's www-data */
	.gid = 33,
	.handover_queue = KHTTPD_HANDOVER_QUEUE_DEFAULT,
};

static int __init khttpd_init(void)
{
	int err;

	khttpd_default_config.threads = clamp_t(int, num_online_cpus(), 1,
						KHTTPD_THREADS_MAX);
	khttpd_default_config.max_connections =
		clamp_t(unsigned long,
			totalram_pages() >> (KHTTPD_CONN_RAM_SHIFT - PAGE_SHIFT),
			KHTTPD_MAX_CONNECTIONS_DEFAULT_MIN,
			KHTTPD_MAX_CONNECTIONS_DEFAULT_MAX);
	khttpd_proc_dir = proc_mkdir("khttpd", init_net.proc_net);
	if (!khttpd_proc_dir)
		return -ENOMEM;
	err = khttpd_cold_read_init();
	if (err)
		goto err_proc;
	err = khttpd_access_log_init();
	if (err)
		goto err_reads;
	/*
	 * After the log: status files read its counts. Makes every
	 * namespace's instance, the initial one's in khttpd_proc_dir.
	 */
	err = khttpd_net_register();
	if (err)
		goto err_log;
	pr_info("loaded; configure /proc/sys/net/khttpd, then echo 1 > start\n");
	return 0;

err_log:
	khttpd_access_log_exit();
err_reads:
	khttpd_cold_read_exit();
err_proc:
	proc_remove(khttpd_proc_dir);
	return err;
}

static void __exit khttpd_exit(void)
{
	/*
	 * Every namespace's instance goes (net.c): its sysctls, its server,
	 * its daemon's registration (the daemon's connections are its own),
	 * its counters.
	 */
	khttpd_net_unregister();
	khttpd_mime_exit(); /* no reader left: served and sysctl gone */
	khttpd_access_log_exit(); /* no writer left: the workers are gone */
	khttpd_cold_read_exit(); /* every server flushed it when destroyed */
	proc_remove(khttpd_proc_dir);
}

module_init(khttpd_init);
module_exit(khttpd_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Static-file HTTP server in the kernel");
MODULE_AUTHOR("The khttpd authors");
