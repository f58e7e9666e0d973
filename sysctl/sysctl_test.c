// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the /proc/sys/net/khttpd handlers and validators, called as the
 * sysctl core calls them (a kernel buffer, a length, a position). Included
 * at the end of sysctl.c when the kernel has KUnit (docs/testing.md).
 *
 * Every test saves the writable settings through the handlers themselves
 * and writes them back when it ends. A refused write must fail with
 * EINVAL and leave the value as it was. (An empty write(2) reaches the
 * handlers with a length of 0 and changes nothing: "echo > file" writes
 * "\n".)
 */
#include <kunit/test.h>
#include <linux/capability.h>
#include <linux/cred.h>

#define KHTTPD_SYSCTL_TEST_VAL_MAX (KHTTPD_DOCROOT_MAX + 16)

/* The initial namespace's table: its entries know their instance. */
#define KHTTPD_SYSCTL_TEST_TABLE (khttpd_net(&init_net)->table)

struct khttpd_sysctl_test {
	/* The saved value of each entry of khttpd_table (NULL: not saved). */
	char *saved[ARRAY_SIZE(khttpd_table)];
};

static KHTTPD_CTL_TABLE *khttpd_sysctl_test_entry(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(khttpd_table); i++)
		if (KHTTPD_SYSCTL_TEST_TABLE[i].procname && !strcmp(KHTTPD_SYSCTL_TEST_TABLE[i].procname, name))
			return &KHTTPD_SYSCTL_TEST_TABLE[i];
	return NULL;
}

/* Writes @len bytes of @val at @pos as write(2) on the file would. */
static int khttpd_sysctl_test_write_at(struct kunit *test, const char *name, const char *val,
				       size_t len, loff_t pos)
{
	KHTTPD_CTL_TABLE *e = khttpd_sysctl_test_entry(name);
	char *buf;

	KUNIT_ASSERT_NOT_NULL_MSG(test, e, "no sysctl %s", name);
	buf = kunit_kzalloc(test, len + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, val, len);
	return e->proc_handler(e, 1, buf, &len, &pos);
}

static int khttpd_sysctl_test_write(struct kunit *test, const char *name, const char *val)
{
	return khttpd_sysctl_test_write_at(test, name, val, strlen(val), 0);
}

/* The value as read(2) shows it, without the newline. */
static char *khttpd_sysctl_test_read(struct kunit *test, const char *name)
{
	KHTTPD_CTL_TABLE *e = khttpd_sysctl_test_entry(name);
	size_t len = KHTTPD_SYSCTL_TEST_VAL_MAX - 1;
	loff_t pos = 0;
	char *buf;

	KUNIT_ASSERT_NOT_NULL_MSG(test, e, "no sysctl %s", name);
	buf = kunit_kzalloc(test, KHTTPD_SYSCTL_TEST_VAL_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ_MSG(test, e->proc_handler(e, 0, buf, &len, &pos), 0, "reading %s", name);
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return buf;
}

/* Writing @val to @name is accepted and reads back as @shown. */
#define KHTTPD_SYSCTL_TEST_OK(test, name, val, shown)				\
	do {									\
		KUNIT_EXPECT_EQ_MSG(test, khttpd_sysctl_test_write(test, name, val), \
				    0, "%s = \"%s\"", name, val);		\
		KUNIT_EXPECT_STREQ(test, khttpd_sysctl_test_read(test, name), shown); \
	} while (0)

/* Writing @val to @name fails with EINVAL and changes nothing. */
static void khttpd_sysctl_test_refused(struct kunit *test, const char *name, const char *val)
{
	char *before = khttpd_sysctl_test_read(test, name);

	KUNIT_EXPECT_EQ_MSG(test, khttpd_sysctl_test_write(test, name, val), -EINVAL,
			    "%s = \"%.40s\"", name, val);
	KUNIT_EXPECT_STREQ_MSG(test, khttpd_sysctl_test_read(test, name), before,
			       "%s changed by a refused write", name);
}

/* Settings that are not plain values, or act when written. */
static bool khttpd_sysctl_test_saved(KHTTPD_CTL_TABLE *e)
{
	return e->procname && (e->mode & 0200) && strcmp(e->procname, "start") &&
	       strcmp(e->procname, "stop") && strcmp(e->procname, "mimetypes") &&
	       strcmp(e->procname, "reload");
}

static int khttpd_sysctl_test_init(struct kunit *test)
{
	struct khttpd_net *kn = khttpd_net(&init_net);
	struct khttpd_sysctl_test *t;
	bool running;
	size_t i;

	mutex_lock(&kn->lock);
	running = khttpd_server_running(kn);
	mutex_unlock(&kn->lock);
	if (running)
		kunit_skip(test, "the server is running");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < ARRAY_SIZE(khttpd_table); i++)
		if (khttpd_sysctl_test_saved(&KHTTPD_SYSCTL_TEST_TABLE[i]))
			t->saved[i] = khttpd_sysctl_test_read(test, KHTTPD_SYSCTL_TEST_TABLE[i].procname);
	test->priv = t;
	return 0;
}

static void khttpd_sysctl_test_exit(struct kunit *test)
{
	struct khttpd_sysctl_test *t = test->priv;
	size_t i;

	if (!t)
		return;
	for (i = 0; i < ARRAY_SIZE(khttpd_table); i++)
		if (t->saved[i])
			KUNIT_EXPECT_EQ_MSG(test, khttpd_sysctl_test_write(test,
					    KHTTPD_SYSCTL_TEST_TABLE[i].procname, t->saved[i]), 0,
					    "restoring %s", KHTTPD_SYSCTL_TEST_TABLE[i].procname);
}

static void khttpd_sysctl_test_docroot(struct kunit *test)
{
	char *val = kunit_kzalloc(test, KHTTPD_DOCROOT_MAX + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, val);
	KHTTPD_SYSCTL_TEST_OK(test, "documentroot", "/srv/kunit", "/srv/kunit");
	KHTTPD_SYSCTL_TEST_OK(test, "documentroot", "/srv/echo\n", "/srv/echo");
	khttpd_sysctl_test_refused(test, "documentroot", "srv/relative");
	khttpd_sysctl_test_refused(test, "documentroot", "\n");

	/* The longest that fits with its NUL, and one byte more. */
	memset(val, 'a', KHTTPD_DOCROOT_MAX - 1);
	val[0] = '/';
	KHTTPD_SYSCTL_TEST_OK(test, "documentroot", val, val);
	val[KHTTPD_DOCROOT_MAX - 1] = 'a';
	khttpd_sysctl_test_refused(test, "documentroot", val);

	/* Only whole writes: not the rest of one at an offset. */
	val = khttpd_sysctl_test_read(test, "documentroot");
	KUNIT_EXPECT_EQ(test, khttpd_sysctl_test_write_at(test, "documentroot", "/x", 2, 3),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, khttpd_sysctl_test_read(test, "documentroot"), val);
}

static void khttpd_sysctl_test_index(struct kunit *test)
{
	KHTTPD_SYSCTL_TEST_OK(test, "indexfile", "index.htm", "index.htm");
	KHTTPD_SYSCTL_TEST_OK(test, "indexfile", "...", "...");
	khttpd_sysctl_test_refused(test, "indexfile", "\n");
	khttpd_sysctl_test_refused(test, "indexfile", "a/b");
	khttpd_sysctl_test_refused(test, "indexfile", "/index.html");
	khttpd_sysctl_test_refused(test, "indexfile", ".");
	khttpd_sysctl_test_refused(test, "indexfile", "..");
}

static void khttpd_sysctl_test_dynamic(struct kunit *test)
{
	KHTTPD_SYSCTL_TEST_OK(test, "dynamic", "cgi-bin ? .php", "cgi-bin ? .php");
	KHTTPD_SYSCTL_TEST_OK(test, "dynamic", "\n", ""); /* echo > dynamic: none */
	khttpd_sysctl_test_refused(test, "dynamic", "a\tb");
	khttpd_sysctl_test_refused(test, "dynamic", "a\rb");
	khttpd_sysctl_test_refused(test, "dynamic", "\x01");
	khttpd_sysctl_test_refused(test, "dynamic", "caf\xc3\xa9");
	khttpd_sysctl_test_refused(test, "dynamic", "\x7f");
}

static void khttpd_sysctl_test_ints(struct kunit *test)
{
	static const struct {
		const char *name, *good, *bad[3];
	} cases[] = {
		{ "serverport", "8080", { "0", "65536", "http" } },
		{ "tls_port", "8443", { "-1", "65536", "https" } },
		{ "threads", "1", { "0", "-1", "257" } },
		{ "max_header_size", "1024", { "1023", "65537", "\n" } },
		{ "keepalive_requests", "0", { "-1", "1x", "2147483648" } },
		{ "keepalive_timeout", "3600", { "0", "3601", "-5" } },
		{ "header_timeout", "1", { "0", "3601", "soon" } },
		{ "send_timeout", "3600", { "0", "3601", "-1" } },
		{ "max_connections", "1", { "0", "16777217", "-1" } },
		{ "max_connections_per_ip", "0", { "-1", "16777217", "\n" } },
		{ "perm_required", "4095", { "4096", "-1", "0x" } },
		{ "perm_forbid", "0", { "4096", "-1", "9999999" } },
		{ "crossmounts", "1", { "2", "-1", "yes" } },
		{ "filecache_entries", "0", { "1048577", "-1", "many" } },
		{ "sloppymime", "1", { "2", "-1", "on" } },
		{ "nodaemon_503", "1", { "2", "-1", "on" } },
		{ "clientport", "65535", { "0", "65536", "-1" } },
		{ "handover_queue", "5", { "0", "65537", "-1" } },
	};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KHTTPD_SYSCTL_TEST_OK(test, cases[i].name, cases[i].good, cases[i].good);
		for (j = 0; j < ARRAY_SIZE(cases[i].bad); j++)
			khttpd_sysctl_test_refused(test, cases[i].name, cases[i].bad[j]);
	}
	/* uid and gid: any id of the initial user namespace. */
	for (i = 0; i < 2; i++) {
		const char *name = i ? "gid" : "uid";

		if (!khttpd_sysctl_test_entry(name))
			continue;
		KHTTPD_SYSCTL_TEST_OK(test, name, "33", "33");
		khttpd_sysctl_test_refused(test, name, "-1");
		khttpd_sysctl_test_refused(test, name, "4294967295");
		khttpd_sysctl_test_refused(test, name, "www-data");
	}
}

static void khttpd_sysctl_test_read_only(struct kunit *test)
{
	static const char *const stats[] = { "stat_connections", "stat_requests",
					     "stat_handovers", "daemon_pid" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stats); i++) {
		KUNIT_EXPECT_EQ_MSG(test, khttpd_sysctl_test_write(test, stats[i], "1"), -EPERM,
				    "writing %s", stats[i]);
		KUNIT_EXPECT_STREQ(test, khttpd_sysctl_test_read(test, stats[i]), "0");
	}
}

/*
 * Without CAP_NET_ADMIN every write fails with EPERM, even of the value a
 * setting already has, and changes nothing; with it the same write works.
 */
static void khttpd_sysctl_test_capability(struct kunit *test)
{
	const struct cred *old;
	struct cred *cred;
	char *before, *val;
	size_t i;
	int err;

	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_NET_ADMIN);
	for (i = 0; i < ARRAY_SIZE(khttpd_table); i++) {
		KHTTPD_CTL_TABLE *e = &KHTTPD_SYSCTL_TEST_TABLE[i];

		/* reload has no value to write back: khttpd_sysctl_test_reload. */
		if (!e->procname || !(e->mode & 0200) || !strcmp(e->procname, "reload"))
			continue;
		before = khttpd_sysctl_test_read(test, e->procname);
		val = before[0] ? before : "\n";
		old = override_creds(cred);
		err = khttpd_sysctl_test_write(test, e->procname, val);
		revert_creds(old);
		KUNIT_EXPECT_EQ_MSG(test, err, -EPERM, "%s without CAP_NET_ADMIN", e->procname);
		KUNIT_EXPECT_STREQ(test, khttpd_sysctl_test_read(test, e->procname), before);
		KUNIT_EXPECT_EQ_MSG(test, khttpd_sysctl_test_write(test, e->procname, val), 0,
				    "%s with CAP_NET_ADMIN", e->procname);
	}
	put_cred(cred);
}

/*
 * reload takes 1 only, needs CAP_NET_ADMIN, and with no server running
 * fails with ESRCH (the suite runs with the server stopped).
 */
static void khttpd_sysctl_test_reload(struct kunit *test)
{
	const struct cred *old;
	struct cred *cred;
	int err;

	KUNIT_EXPECT_EQ(test, khttpd_sysctl_test_write(test, "reload", "1"), -ESRCH);
	KUNIT_EXPECT_EQ(test, khttpd_sysctl_test_write(test, "reload", "1\n"), -ESRCH);
	KUNIT_EXPECT_EQ(test, khttpd_sysctl_test_write(test, "reload", "0"), -EINVAL);
	KUNIT_EXPECT_EQ(test, khttpd_sysctl_test_write(test, "reload", "2"), -EINVAL);
	KUNIT_EXPECT_EQ(test, khttpd_sysctl_test_write(test, "reload", "x"), -EINVAL);
	cred = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, cred);
	cap_lower(cred->cap_effective, CAP_NET_ADMIN);
	old = override_creds(cred);
	err = khttpd_sysctl_test_write(test, "reload", "1");
	revert_creds(old);
	put_cred(cred);
	KUNIT_EXPECT_EQ(test, err, -EPERM);
	KUNIT_EXPECT_EQ(test, (int)khttpd_sysctl_test_entry("reload")->mode, 0200);
}

static struct kunit_case khttpd_sysctl_test_cases[] = {
	KUNIT_CASE(khttpd_sysctl_test_docroot),
	KUNIT_CASE(khttpd_sysctl_test_index),
	KUNIT_CASE(khttpd_sysctl_test_dynamic),
	KUNIT_CASE(khttpd_sysctl_test_ints),
	KUNIT_CASE(khttpd_sysctl_test_read_only),
	KUNIT_CASE(khttpd_sysctl_test_capability),
	KUNIT_CASE(khttpd_sysctl_test_reload),
	{}
};

static struct kunit_suite khttpd_sysctl_test_suite = {
	.name = "khttpd_sysctl",
	.init = khttpd_sysctl_test_init,
	.exit = khttpd_sysctl_test_exit,
	.test_cases = khttpd_sysctl_test_cases,
};

kunit_test_suite(khttpd_sysctl_test_suite);
