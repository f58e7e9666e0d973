// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/sys/net/khttpd: control and configuration (docs/sysctl.md).
 *
 * Every write needs CAP_NET_ADMIN in the initial user namespace (EPERM
 * otherwise): the file mode alone would let any root process, one without
 * capabilities or in a container, reconfigure the server. Malformed or
 * out-of-range writes fail with EINVAL and change nothing. Settings are
 * read when the server starts or reloads: a write while it runs is
 * validated the same way and staged, i.e. it changes what the next start
 * or reload uses, not the running server (write 1 to reload to apply).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/string.h>
#include <linux/sysctl.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include <linux/version.h>

#include "../src/kernel/access_log.h"
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
static int khttpd_header_min = 1024;
static int khttpd_header_max = 65536;
static int khttpd_int_max = INT_MAX;
static int khttpd_timeout_max = KHTTPD_TIMEOUT_MAX;
static int khttpd_conns_max = KHTTPD_MAX_CONNECTIONS_MAX;
static int khttpd_mode_max = 07777;
static int khttpd_filecache_max = 1 << 20;
static int khttpd_handover_queue_max = KHTTPD_HANDOVER_QUEUE_MAX;

/*
 * Whether the writer may change settings: CAP_NET_ADMIN in the initial
 * user namespace (capable() checks there), as for the hand-over's control
 * file. Every handler asks first, so a refused write changes nothing.
 */
static int khttpd_may_write(int write)
{
	return write && !capable(CAP_NET_ADMIN) ? -EPERM : 0;
}

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
	int val, err = khttpd_may_write(write);

	if (err)
		return err;
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
	int val, err = khttpd_may_write(write);

	if (err)
		return err;
	mutex_lock(&khttpd_config_lock);
	val = !khttpd_server_running();
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write && val)
		khttpd_server_stop();
	mutex_unlock(&khttpd_config_lock);
	return err;
}

/*
 * reload: 1 makes a new generation of the running server from the staged
 * settings (khttpd_server_reload: its error, and the running one stays);
 * ESRCH while stopped. Write-only (mode 0200).
 */
static int khttpd_sysctl_reload(KHTTPD_CTL_TABLE *table, int write, void *buffer,
				size_t *lenp, loff_t *ppos)
{
	int val = 0, err = khttpd_may_write(write);

	if (err)
		return err;
	/* A read (the file mode lets none through /proc) shows 0. */
	mutex_lock(&khttpd_config_lock);
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write)
		err = khttpd_server_running() ? khttpd_server_reload(&khttpd_config) : -ESRCH;
	mutex_unlock(&khttpd_config_lock);
	return err;
}

/* An int setting read at start and reload (staged while running). */
static int khttpd_sysctl_int(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			     size_t *lenp, loff_t *ppos)
{
	int val, err = khttpd_may_write(write);

	if (err)
		return err;
	mutex_lock(&khttpd_config_lock);
	val = *(int *)table->data;
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write)
		*(int *)table->data = val;
	mutex_unlock(&khttpd_config_lock);
	return err;
}

/*
 * uid, gid: an id of the initial user namespace (0 to INT_MAX, all
 * mapped there; checked all the same), read at start and reload like the
 * others.
 * @table->extra1 is NULL for uid, non-NULL for gid.
 */
static int khttpd_sysctl_id(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			    size_t *lenp, loff_t *ppos)
{
	struct ctl_table tmp = *table;
	int val, err = khttpd_may_write(write);

	if (err)
		return err;
	tmp.extra1 = &khttpd_zero;
	tmp.extra2 = &khttpd_int_max;
	mutex_lock(&khttpd_config_lock);
	val = *(int *)table->data;
	err = khttpd_parse_int(&tmp, write, buffer, lenp, ppos, &val);
	if (!err && write) {
		bool mapped = table->extra1 ? gid_valid(make_kgid(&init_user_ns, val)) :
					      uid_valid(make_kuid(&init_user_ns, val));

		if (!mapped)
			err = -EINVAL;
		else
			*(int *)table->data = val;
	}
	mutex_unlock(&khttpd_config_lock);
	return err;
}

/*
 * An absolute path that is not the root directory however it is spelt
 * ("/", "//", "/.", "/tmp/.."): serving the whole file system is never
 * what was meant. (Start also refuses a path that resolves to the root
 * directory through a symlink.)
 */
static bool khttpd_valid_docroot(const char *s)
{
	int depth = 0;

	if (s[0] != '/')
		return false;
	while (*s) {
		size_t n;

		while (*s == '/')
			s++;
		n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.')
			depth = depth ? depth - 1 : 0;
		else if (n && !(n == 1 && s[0] == '.'))
			depth++;
		s += n;
	}
	return depth > 0;
}

/* Printable ASCII (and spaces), nothing that could end a line. */
static bool khttpd_valid_dynamic(const char *s)
{
	for (; *s; s++)
		if (*s < ' ' || *s > '~')
			return false;
	return true;
}

/* One file name: not empty, no '/', not "." or "..". */
static bool khttpd_valid_index(const char *s)
{
	return s[0] && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/*
 * A string write in one piece that fits @table->maxlen with its NUL:
 * proc_dostring would silently truncate an overlong value.
 */
static bool khttpd_string_fits(KHTTPD_CTL_TABLE *table, const char *in, size_t len,
			       loff_t pos)
{
	size_t n = 0;

	while (n < len && in[n] && in[n] != '\n')
		n++;
	return !pos && n < table->maxlen;
}

/*
 * A string setting read at start: @table->data is the config field of
 * @table->maxlen bytes, @table->extra1 its validator. Staged while running.
 */
static int khttpd_sysctl_string(KHTTPD_CTL_TABLE *table, int write, void *buffer,
				size_t *lenp, loff_t *ppos)
{
	static char val[KHTTPD_DOCROOT_MAX]; /* under khttpd_config_lock */
	bool (*valid)(const char *) = table->extra1;
	struct ctl_table tmp = *table;
	int err = khttpd_may_write(write);

	if (err)
		return err;
	if (write && !khttpd_string_fits(table, buffer, *lenp, *ppos))
		return -EINVAL;

	mutex_lock(&khttpd_config_lock);
	strscpy(val, table->data, table->maxlen);
	tmp.data = val;
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (!err && write) {
		if (strchr(val, '\n') || !valid(val))
			err = -EINVAL;
		else
			strscpy(table->data, val, table->maxlen);
	}
	mutex_unlock(&khttpd_config_lock);
	return err;
}

/*
 * mimetypes: the mime.types file whose table is in use ("" = built-in).
 * Unlike the settings above, a write takes effect at once, even while the
 * server runs; a file that cannot be loaded fails the write with its errno
 * and leaves the value and the table as they were.
 */
static int khttpd_sysctl_mimetypes(KHTTPD_CTL_TABLE *table, int write, void *buffer,
				   size_t *lenp, loff_t *ppos)
{
	struct ctl_table tmp = *table;
	char *val;
	int err = khttpd_may_write(write);

	if (err)
		return err;
	if (write && !khttpd_string_fits(table, buffer, *lenp, *ppos))
		return -EINVAL;
	val = kzalloc(table->maxlen, GFP_KERNEL);
	if (!val)
		return -ENOMEM;
	if (!write)
		khttpd_mime_path(val, table->maxlen);
	tmp.data = val;
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (!err && write)
		err = khttpd_mime_load(val);
	kfree(val);
	return err;
}

/* An int setting that takes effect at once (handover_queue). */
static int khttpd_sysctl_live_int(KHTTPD_CTL_TABLE *table, int write, void *buffer,
				  size_t *lenp, loff_t *ppos)
{
	int err = khttpd_may_write(write);

	return err ? err : proc_dointvec_minmax(table, write, buffer, lenp, ppos);
}

/* A read-only counter: @table->extra1 is its enum khttpd_stat. */
static int khttpd_sysctl_stat(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			      size_t *lenp, loff_t *ppos)
{
	struct ctl_table tmp = *table;
	unsigned long val;
	int err;

	if (write)
		return -EPERM;
	mutex_lock(&khttpd_config_lock);
	val = khttpd_server_stat((enum khttpd_stat)(long)table->extra1);
	tmp.data = &val;
	tmp.maxlen = sizeof(val);
	tmp.extra1 = NULL;
	tmp.extra2 = NULL;
	err = proc_doulongvec_minmax(&tmp, write, buffer, lenp, ppos);
	mutex_unlock(&khttpd_config_lock);
	return err;
}

#define KHTTPD_STAT(name, which)					\
	{								\
		.procname = name,					\
		.maxlen = sizeof(unsigned long),			\
		.mode = 0444,						\
		.proc_handler = khttpd_sysctl_stat,			\
		.extra1 = (void *)(long)(which),			\
	}

#define KHTTPD_INT(name, field, min, max)				\
	{								\
		.procname = name,					\
		.data = &khttpd_config.field,				\
		.maxlen = sizeof(int),					\
		.mode = 0644,						\
		.proc_handler = khttpd_sysctl_int,			\
		.extra1 = min,						\
		.extra2 = max,						\
	}

#define KHTTPD_STRING(name, field, validator)				\
	{								\
		.procname = name,					\
		.data = khttpd_config.field,				\
		.maxlen = sizeof(khttpd_config.field),			\
		.mode = 0644,						\
		.proc_handler = khttpd_sysctl_string,			\
		.extra1 = validator,					\
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
		.procname = "reload",
		.maxlen = sizeof(int),
		.mode = 0200,
		.proc_handler = khttpd_sysctl_reload,
		.extra1 = &khttpd_one, /* 1 only */
		.extra2 = &khttpd_one,
	},
	KHTTPD_INT("serverport", port, &khttpd_one, &khttpd_port_max),
	KHTTPD_INT("threads", threads, &khttpd_one, &khttpd_threads_max),
	KHTTPD_INT("max_header_size", max_header_size, &khttpd_header_min,
		   &khttpd_header_max),
	KHTTPD_INT("keepalive_requests", keepalive_requests, &khttpd_zero,
		   &khttpd_int_max),
	KHTTPD_INT("keepalive_timeout", keepalive_timeout, &khttpd_one,
		   &khttpd_timeout_max),
	KHTTPD_INT("header_timeout", header_timeout, &khttpd_one, &khttpd_timeout_max),
	KHTTPD_INT("send_timeout", send_timeout, &khttpd_one, &khttpd_timeout_max),
	KHTTPD_INT("max_connections", max_connections, &khttpd_one, &khttpd_conns_max),
	KHTTPD_INT("max_connections_per_ip", max_connections_per_ip, &khttpd_zero,
		   &khttpd_conns_max),
	KHTTPD_INT("perm_required", perm_required, &khttpd_zero, &khttpd_mode_max),
	KHTTPD_INT("perm_forbid", perm_forbid, &khttpd_zero, &khttpd_mode_max),
	KHTTPD_INT("crossmounts", crossmounts, &khttpd_zero, &khttpd_one),
	KHTTPD_INT("filecache_entries", filecache_entries, &khttpd_zero,
		   &khttpd_filecache_max),
	KHTTPD_STRING("documentroot", docroot, khttpd_valid_docroot),
	KHTTPD_STRING("indexfile", index, khttpd_valid_index),
	KHTTPD_STRING("dynamic", dynamic, khttpd_valid_dynamic),
	KHTTPD_INT("sloppymime", sloppymime, &khttpd_zero, &khttpd_one),
	KHTTPD_INT("vhosts", vhosts, &khttpd_zero, &khttpd_one),
	KHTTPD_INT("nodaemon_503", nodaemon_503, &khttpd_zero, &khttpd_one),
	KHTTPD_INT("clientport", clientport, &khttpd_one, &khttpd_port_max),
	{
		.procname = "uid",
		.data = &khttpd_config.uid,
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_id,
	},
	{
		.procname = "gid",
		.data = &khttpd_config.gid,
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_id,
		.extra1 = &khttpd_one, /* a gid */
	},
	{
		/* Takes effect at once: read at every hand-over. */
		.procname = "handover_queue",
		.data = &khttpd_handover_queue,
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_live_int,
		.extra1 = &khttpd_one,
		.extra2 = &khttpd_handover_queue_max,
	},
	{
		/* Takes effect at once: read at every request. */
		.procname = "logging",
		.data = &khttpd_logging,
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_live_int,
		.extra1 = &khttpd_zero,
		.extra2 = &khttpd_one,
	},
	KHTTPD_STAT("stat_connections", KHTTPD_STAT_CONNECTIONS),
	KHTTPD_STAT("stat_requests", KHTTPD_STAT_REQUESTS),
	KHTTPD_STAT("stat_handovers", KHTTPD_STAT_HANDOVERS),
	KHTTPD_STAT("stat_refused_connections", KHTTPD_STAT_REFUSED_CONNS),
	KHTTPD_STAT("stat_handovers_refused", KHTTPD_STAT_REFUSED),
	KHTTPD_STAT("daemon_pid", KHTTPD_STAT_DAEMON_PID),
	{
		.procname = "mimetypes",
		.maxlen = KHTTPD_MIME_PATH_MAX,
		.mode = 0644,
		.proc_handler = khttpd_sysctl_mimetypes,
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

#if IS_ENABLED(CONFIG_KUNIT)
#include "sysctl_test.c"
#endif
