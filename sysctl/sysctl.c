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
 *
 * Every network namespace has its own table (net.h), a copy of the
 * template below whose .data point into the namespace's config and whose
 * .extra2 is the namespace's instance: a handler finds its instance there,
 * never from the writer (which may have opened the file in another
 * namespace). Writes need CAP_NET_ADMIN in the initial user namespace in
 * every namespace: a container's root (capable only in its own user
 * namespace) reads its namespace's settings but cannot change them. The
 * module-wide settings (logging, mimetypes) are in the initial
 * namespace's table only.
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

#include <net/net_namespace.h>

#include "../src/kernel/access_log.h"
#include "../src/kernel/khttpd.h"
#include "../src/kernel/net.h"

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define KHTTPD_CTL_TABLE const struct ctl_table
#else
#define KHTTPD_CTL_TABLE struct ctl_table
#endif

/*
 * An int setting's bounds: its entry's .extra1 (.extra2 is the
 * namespace's instance, so it cannot hold the maximum as usual).
 */
struct khttpd_range {
	int min, max;
};

static struct khttpd_range khttpd_bool = { 0, 1 };
static struct khttpd_range khttpd_one_only = { 1, 1 };
static struct khttpd_range khttpd_port_range = { 1, 65535 };
static struct khttpd_range khttpd_tls_port_range = { 0, 65535 }; /* 0: off */
static struct khttpd_range khttpd_threads_range = { 1, KHTTPD_THREADS_MAX };
static struct khttpd_range khttpd_header_range = { 1024, 65536 };
static struct khttpd_range khttpd_nonneg = { 0, INT_MAX };
static struct khttpd_range khttpd_timeout_range = { 1, KHTTPD_TIMEOUT_MAX };
static struct khttpd_range khttpd_conns_range = { 1, KHTTPD_MAX_CONNECTIONS_MAX };
static struct khttpd_range khttpd_conns_ip_range = { 0, KHTTPD_MAX_CONNECTIONS_MAX };
static struct khttpd_range khttpd_mode_range = { 0, 07777 };
static struct khttpd_range khttpd_filecache_range = { 0, 1 << 20 };
static struct khttpd_range khttpd_handover_queue_range = { 1, KHTTPD_HANDOVER_QUEUE_MAX };

/* The namespace's instance whose table @table is an entry of. */
static struct khttpd_net *khttpd_sysctl_net(KHTTPD_CTL_TABLE *table)
{
	return table->extra2;
}

/*
 * Whether the writer may change settings: CAP_NET_ADMIN in the initial
 * user namespace (capable() checks there), as for the hand-over's control
 * file. Every handler asks first, so a refused write changes nothing.
 */
static int khttpd_may_write(int write)
{
	return write && !capable(CAP_NET_ADMIN) ? -EPERM : 0;
}

/* Parses an int in @table's range (.extra1) through a copy of @table into @val. */
static int khttpd_parse_int(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			    size_t *lenp, loff_t *ppos, int *val)
{
	struct khttpd_range *range = table->extra1;
	struct ctl_table tmp = *table;

	tmp.data = val;
	tmp.maxlen = sizeof(int);
	tmp.extra1 = &range->min;
	tmp.extra2 = &range->max;
	return proc_dointvec_minmax(&tmp, write, buffer, lenp, ppos);
}

/* start: 1 starts, 0 stops. */
static int khttpd_sysctl_start(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			       size_t *lenp, loff_t *ppos)
{
	struct khttpd_net *kn = khttpd_sysctl_net(table);
	int val, err = khttpd_may_write(write);

	if (err)
		return err;
	mutex_lock(&kn->lock);
	val = khttpd_server_running(kn);
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write) {
		if (val)
			err = khttpd_server_start(kn);
		else
			khttpd_server_stop(kn);
	}
	mutex_unlock(&kn->lock);
	return err;
}

/* stop: 1 stops, 0 does nothing. */
static int khttpd_sysctl_stop(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			      size_t *lenp, loff_t *ppos)
{
	struct khttpd_net *kn = khttpd_sysctl_net(table);
	int val, err = khttpd_may_write(write);

	if (err)
		return err;
	mutex_lock(&kn->lock);
	val = !khttpd_server_running(kn);
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write && val)
		khttpd_server_stop(kn);
	mutex_unlock(&kn->lock);
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
	struct khttpd_net *kn = khttpd_sysctl_net(table);
	int val = 0, err = khttpd_may_write(write);

	if (err)
		return err;
	/* A read (the file mode lets none through /proc) shows 0. */
	mutex_lock(&kn->lock);
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write)
		err = khttpd_server_running(kn) ? khttpd_server_reload(kn) : -ESRCH;
	mutex_unlock(&kn->lock);
	return err;
}

/* An int setting read at start and reload (staged while running). */
static int khttpd_sysctl_int(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			     size_t *lenp, loff_t *ppos)
{
	struct khttpd_net *kn = khttpd_sysctl_net(table);
	int val, err = khttpd_may_write(write);

	if (err)
		return err;
	mutex_lock(&kn->lock);
	val = *(int *)table->data;
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write)
		*(int *)table->data = val;
	mutex_unlock(&kn->lock);
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
	struct khttpd_net *kn = khttpd_sysctl_net(table);
	bool gid = table->extra1;
	struct ctl_table tmp = *table;
	int val, err = khttpd_may_write(write);

	if (err)
		return err;
	tmp.extra1 = &khttpd_nonneg;
	mutex_lock(&kn->lock);
	val = *(int *)table->data;
	err = khttpd_parse_int(&tmp, write, buffer, lenp, ppos, &val);
	if (!err && write) {
		bool mapped = gid ? gid_valid(make_kgid(&init_user_ns, val)) :
				    uid_valid(make_kuid(&init_user_ns, val));

		if (!mapped)
			err = -EINVAL;
		else
			*(int *)table->data = val;
	}
	mutex_unlock(&kn->lock);
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
	struct khttpd_net *kn = khttpd_sysctl_net(table);
	bool (*valid)(const char *) = table->extra1;
	struct ctl_table tmp = *table;
	char *val;
	int err = khttpd_may_write(write);

	if (err)
		return err;
	if (write && !khttpd_string_fits(table, buffer, *lenp, *ppos))
		return -EINVAL;
	/* Its own buffer: handlers of other namespaces run at the same time. */
	val = kmalloc(table->maxlen, GFP_KERNEL);
	if (!val)
		return -ENOMEM;

	mutex_lock(&kn->lock);
	strscpy(val, table->data, table->maxlen);
	tmp.data = val;
	err = proc_dostring(&tmp, write, buffer, lenp, ppos);
	if (!err && write) {
		if (strchr(val, '\n') || !valid(val))
			err = -EINVAL;
		else
			strscpy(table->data, val, table->maxlen);
	}
	mutex_unlock(&kn->lock);
	kfree(val);
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
	int val, err = khttpd_may_write(write);

	if (err)
		return err;
	val = READ_ONCE(*(int *)table->data);
	err = khttpd_parse_int(table, write, buffer, lenp, ppos, &val);
	if (!err && write)
		WRITE_ONCE(*(int *)table->data, val);
	return err;
}

/* A read-only counter: @table->extra1 is its enum khttpd_stat. */
static int khttpd_sysctl_stat(KHTTPD_CTL_TABLE *table, int write, void *buffer,
			      size_t *lenp, loff_t *ppos)
{
	struct khttpd_net *kn = khttpd_sysctl_net(table);
	struct ctl_table tmp = *table;
	unsigned long val;
	int err;

	if (write)
		return -EPERM;
	mutex_lock(&kn->lock);
	val = khttpd_server_stat(kn, (enum khttpd_stat)(long)table->extra1);
	tmp.data = &val;
	tmp.maxlen = sizeof(val);
	tmp.extra1 = NULL;
	tmp.extra2 = NULL;
	err = proc_doulongvec_minmax(&tmp, write, buffer, lenp, ppos);
	mutex_unlock(&kn->lock);
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

/*
 * The template's .data point into khttpd_default_config: each namespace's
 * copy points at the same field of its own config (khttpd_sysctl_rebase).
 */
#define KHTTPD_INT(name, field, range)					\
	{								\
		.procname = name,					\
		.data = &khttpd_default_config.field,			\
		.maxlen = sizeof(int),					\
		.mode = 0644,						\
		.proc_handler = khttpd_sysctl_int,			\
		.extra1 = range,					\
	}

#define KHTTPD_STRING(name, field, validator)				\
	{								\
		.procname = name,					\
		.data = khttpd_default_config.field,			\
		.maxlen = sizeof(khttpd_default_config.field),		\
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
		.extra1 = &khttpd_bool,
	},
	{
		.procname = "stop",
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_stop,
		.extra1 = &khttpd_bool,
	},
	{
		.procname = "reload",
		.maxlen = sizeof(int),
		.mode = 0200,
		.proc_handler = khttpd_sysctl_reload,
		.extra1 = &khttpd_one_only,
	},
	KHTTPD_INT("serverport", port, &khttpd_port_range),
	KHTTPD_INT("tls_port", tls_port, &khttpd_tls_port_range),
	KHTTPD_INT("threads", threads, &khttpd_threads_range),
	KHTTPD_INT("max_header_size", max_header_size, &khttpd_header_range),
	KHTTPD_INT("keepalive_requests", keepalive_requests, &khttpd_nonneg),
	KHTTPD_INT("keepalive_timeout", keepalive_timeout, &khttpd_timeout_range),
	KHTTPD_INT("header_timeout", header_timeout, &khttpd_timeout_range),
	KHTTPD_INT("send_timeout", send_timeout, &khttpd_timeout_range),
	KHTTPD_INT("max_connections", max_connections, &khttpd_conns_range),
	KHTTPD_INT("max_connections_per_ip", max_connections_per_ip, &khttpd_conns_ip_range),
	KHTTPD_INT("perm_required", perm_required, &khttpd_mode_range),
	KHTTPD_INT("perm_forbid", perm_forbid, &khttpd_mode_range),
	KHTTPD_INT("crossmounts", crossmounts, &khttpd_bool),
	KHTTPD_INT("filecache_entries", filecache_entries, &khttpd_filecache_range),
	KHTTPD_STRING("documentroot", docroot, khttpd_valid_docroot),
	KHTTPD_STRING("indexfile", index, khttpd_valid_index),
	KHTTPD_STRING("dynamic", dynamic, khttpd_valid_dynamic),
	KHTTPD_INT("sloppymime", sloppymime, &khttpd_bool),
	KHTTPD_INT("vhosts", vhosts, &khttpd_bool),
	KHTTPD_INT("nodaemon_503", nodaemon_503, &khttpd_bool),
	KHTTPD_INT("clientport", clientport, &khttpd_port_range),
	{
		.procname = "uid",
		.data = &khttpd_default_config.uid,
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_id,
	},
	{
		.procname = "gid",
		.data = &khttpd_default_config.gid,
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_id,
		.extra1 = &khttpd_bool, /* non-NULL: a gid */
	},
	{
		/* Takes effect at once: read at every hand-over. */
		.procname = "handover_queue",
		.data = &khttpd_default_config.handover_queue,
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_live_int,
		.extra1 = &khttpd_handover_queue_range,
	},
	KHTTPD_STAT("stat_connections", KHTTPD_STAT_CONNECTIONS),
	KHTTPD_STAT("stat_requests", KHTTPD_STAT_REQUESTS),
	KHTTPD_STAT("stat_handovers", KHTTPD_STAT_HANDOVERS),
	KHTTPD_STAT("stat_refused_connections", KHTTPD_STAT_REFUSED_CONNS),
	KHTTPD_STAT("stat_handovers_refused", KHTTPD_STAT_REFUSED),
	KHTTPD_STAT("daemon_pid", KHTTPD_STAT_DAEMON_PID),
	/* From here on: module-wide, in the initial namespace's table only. */
#define KHTTPD_NR_MODULE_WIDE 2
	{
		/* Takes effect at once: read at every request. */
		.procname = "logging",
		.data = &khttpd_logging,
		.maxlen = sizeof(int),
		.mode = 0644,
		.proc_handler = khttpd_sysctl_live_int,
		.extra1 = &khttpd_bool,
	},
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

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
#define KHTTPD_NR_ENTRIES (ARRAY_SIZE(khttpd_table) - 1)
#else
#define KHTTPD_NR_ENTRIES ARRAY_SIZE(khttpd_table)
#endif

/* Makes @e, an entry of @kn's copy of the template, @kn's own. */
static void khttpd_sysctl_rebase(struct ctl_table *e, struct khttpd_net *kn)
{
	char *data = e->data, *defaults = (char *)&khttpd_default_config;

	if (data >= defaults && data < defaults + sizeof(khttpd_default_config))
		e->data = (char *)&kn->config + (data - defaults);
	e->extra2 = kn;
}

int khttpd_sysctl_register(struct khttpd_net *kn)
{
	size_t n = KHTTPD_NR_ENTRIES, i;
	struct ctl_table *table;

	if (!net_eq(kn->net, &init_net))
		n -= KHTTPD_NR_MODULE_WIDE;
	table = kmemdup(khttpd_table, sizeof(khttpd_table), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		khttpd_sysctl_rebase(&table[i], kn);
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
	memset(&table[n], 0, sizeof(table[n])); /* the sentinel: the table ends here */
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	kn->sysctl = register_net_sysctl_sz(kn->net, "net/khttpd", table, n);
#else
	kn->sysctl = register_net_sysctl(kn->net, "net/khttpd", table);
#endif
	if (!kn->sysctl) {
		pr_err("cannot register /proc/sys/net/khttpd\n");
		kfree(table);
		return -ENOMEM;
	}
	kn->table = table;
	return 0;
}

void khttpd_sysctl_unregister(struct khttpd_net *kn)
{
	/* Waits for the handlers running: none can use the table after. */
	unregister_net_sysctl_table(kn->sysctl);
	kfree(kn->table);
	kn->table = NULL;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "sysctl_test.c"
#endif
