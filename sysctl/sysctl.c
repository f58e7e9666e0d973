// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sys/net/khttpd: control and configuration.
 *
 *   start         write 1 to start serving, 0 to stop; reads 1 while running
 *   stop          write 1 to stop serving; reads 1 while stopped
 *   serverport    TCP port, 1..65535 (default 80)
 *   documentroot  absolute path of the directory served (default /var/www)
 *   threads       worker threads, 1..256 (default: online CPUs)
 *
 * Malformed or out-of-range writes fail with EINVAL and change nothing.
 * Settings are read when the server starts; changing one while it runs
 * fails with EBUSY (stop, change, start).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/sysctl.h>
#include <linux/version.h>

#include "../src/kernel/khttpd.h"

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define KHTTPD_CTL_TABLE const struct ctl_table
#else
#define KHTTPD_CTL_TABLE struct ctl_table
#endif

static int khttpd_zero;
static int khttpd_one = 1;
static int khttpd_port_max = 65535;
static int khttpd_threads_max = KHTTPD_THREADS_MAX;

/* Parses an int in [extra1, extra2] through a copy of @table into @val. */
static int khttpd_parse_int(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			    size_t *lenp, loff_t *ppos, int *val)
{
	struct ctl_table tmp = *table;

	tmp.data = val;
	return proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
}

/* start: 1 starts, 0 stops. */
static int khttpd_sysctl_start(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			       size_t *lenp, loff_t *ppos)
{
	int val, err;

	mutex_lock(&khttpd_config_lock);
	val = khttpd_server_running();
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write) {
		if (val)
			err = khttpd_server_start(&khttpd_config);
		else
			khttpd_server_stop();
	}
	mutex_unlock(&khttpd_config_lock);
	return err;
}

/* stop: 1 stops, 0 does nothing. */
static int khttpd_sysctl_stop(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			      size_t *lenp, loff_t *ppos)
{
	int val, err;

	mutex_lock(&khttpd_config_lock);
	val = !khttpd_server_running();
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write && val)
		khttpd_server_stop();
	mutex_unlock(&khttpd_config_lock);
	return err;
}

/* An int setting that is read at start: EBUSY while running. */
static int khttpd_sysctl_setting(KHTTPD_CTL_TABLE *table, int write, void *buffer,
				 size_t *lenp, loff_t *ppos)
{
	int val, err;

	mutex_lock(&khttpd_config_lock);
	val = *(int *)table->data;
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write) {
		if (khttpd_server_running())
			err = -EBUSY;
		else
			*(int *)table->data = val;
	}
	mutex_unlock(&khttpd_config_lock);
	return err;
}

/* documentroot: an absolute path; EBUSY while running. */
static int khttpd_sysctl_docroot(KHTTPD_CTL_TABLE *table, int write, void *buffer,
				 size_t *lenp, loff_t *ppos)
{
	static char val[KHTTPD_DOCROOT_MAX]; /* under khttpd_config_lock */
	struct ctl_table tmp = *table;
	int err;

	/* proc_dostring would silently truncate an overlong value. */
	if (write) {
		const char *in = buffer;
		size_t n = 0;

		while (n < *lenp && in[n] && in[n] != '\n')
			n++;
		if (*ppos || n >= sizeof(val))
			return -EINVAL;
	}

	mutex_lock(&khttpd_config_lock);
	strscpy(val, khttpd_config.docroot, sizeof(val));
	tmp.data = val;
	tmp.maxlen = sizeof(val);
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (!err && write) {
		if (val[0] != '/' || strchr(val, '\n'))
			err = -EINVAL;
		else if (khttpd_server_running())
			err = -EBUSY;
		else
			strscpy(khttpd_config.docroot, val, sizeof(khttpd_config.docroot));
	}
	mutex_unlock(&khttpd_config_lock);
	return err;
}

static struct ctl_table khttpd_table[] = {
	{
		.procname = "start",
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_start,
		.extra1 = &khttpd_zero,
		.extra2 = &khttpd_one,
	},
	{
		.procname = "stop",
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_stop,
		.extra1 = &khttpd_zero,
		.extra2 = &khttpd_one,
	},
	{
		.procname = "serverport",
		.data = &khttpd_config.port,
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_setting,
		.extra1 = &khttpd_one,
		.extra2 = &khttpd_port_max,
	},
	{
		.procname = "threads",
		.data = &khttpd_config.threads,
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_setting,
		.extra1 = &khttpd_one,
		.extra2 = &khttpd_threads_max,
	},
	{
		.procname = "documentroot",
		.maxlen = KHTTPD_DOCROOT_MAX,
		.mode = 0644,
		.proc_handler = khttpd_sysctl_docroot,
	},
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
	{} /* 6.1 needs the sentinel; 6.11+ refuse it */
#endif
};

static struct ctl_table_header *khttpd_sysctl_header;

int khttpd_sysctl_register(void)
{
	khttpd_sysctl_header = register_sysctl("net/khttpd", khttpd_table);
	if (!khttpd_sysctl_header) {
		pr_err("cannot register /proc/sys/net/khttpd\n");
		return -ENOMEM;
	}
	return 0;
}

void khttpd_sysctl_unregister(void)
{
	unregister_sysctl_table(khttpd_sysctl_header);
}
