// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the open-file cache's validity rules, seen through kh_file_open()
 * as the server calls it, on a private tmpfs. Included at the end of
 * file_cache.c when the kernel has KUnit (tests/kunit, docs/testing.md).
 *
 * Lookups run as an unprivileged user (kh_root_init_cred()), as the
 * server's do; the files belong to root. A hit shows as the same struct file coming back (the cache hands out
 * references to the file it keeps); a miss opens a new one. Every file a
 * test compares stays open until the test ends, so no address is reused.
 * The tests check what an open finds, and that an unchanged file is
 * reused; not how the cache tells (its rules may be conservative: a hit
 * is expected only where nothing at all changed).
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/cred.h>

#include "../../tests/kunit/kunit_fs.h"
#include "kapi_kernel.h"

struct khttpd_fc_test {
	struct path tmp;
	struct kh_root root;
};

KUNIT_DEFINE_ACTION_WRAPPER(khttpd_fc_test_free, khttpd_fc_destroy,
			    struct khttpd_file_cache *);
KUNIT_DEFINE_ACTION_WRAPPER(khttpd_fc_test_close, kh_file_close, struct kh_file *);
KUNIT_DEFINE_ACTION_WRAPPER(khttpd_fc_test_put_cred, put_cred, const struct cred *);

/* Who the lookups run as: not the owner (root) of the test's files. */
#define KHTTPD_FC_TEST_UID 33
#define KHTTPD_FC_TEST_GID 33

/* A cache of @entries on root.cache, destroyed when the test ends. */
static struct khttpd_file_cache *khttpd_fc_test_cache(struct kunit *test,
						      unsigned int entries)
{
	struct khttpd_fc_test *t = test->priv;
	struct khttpd_file_cache *fc;
	int err;

	fc = khttpd_fc_create(entries, &err);
	KUNIT_ASSERT_NOT_NULL(test, fc);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, khttpd_fc_test_free, fc));
	t->root.cache = fc;
	return fc;
}

static int khttpd_fc_test_init(struct kunit *test)
{
	struct khttpd_fc_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	KUNIT_ASSERT_EQ(test, 0, khttpd_kunit_tmpfs(test, &t->tmp));
	t->root.path = t->tmp;
	t->root.lookup_flags = kh_root_lookup_flags(false);
	KUNIT_ASSERT_EQ(test, 0, kh_root_init_cred(&t->root, KHTTPD_FC_TEST_UID,
						   KHTTPD_FC_TEST_GID));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, khttpd_fc_test_put_cred,
							   (void *)t->root.cred));
	khttpd_fc_test_cache(test, 16);
	return 0;
}

/* kh_file_open() of @name: must succeed; the file stays open until the end. */
static struct file *khttpd_fc_test_open(struct kunit *test, const char *name,
					struct kh_file_info *info)
{
	struct khttpd_fc_test *t = test->priv;
	struct kh_file_info unused;
	struct kh_file *f = NULL;

	KUNIT_ASSERT_EQ_MSG(test, 0, kh_file_open(&t->root, name, &f, info ?: &unused),
			    "kh_file_open(%s)", name);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, khttpd_fc_test_close, f));
	return kh_to_file(f);
}

static int khttpd_fc_test_open_err(struct kunit *test, const char *name)
{
	struct khttpd_fc_test *t = test->priv;
	struct kh_file_info info;
	struct kh_file *f = NULL;
	int err;

	err = kh_file_open(&t->root, name, &f, &info);
	if (f)
		kh_file_close(f);
	return err;
}

static void khttpd_fc_test_write(struct kunit *test, const char *name, const char *data)
{
	struct khttpd_fc_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, 0, khttpd_kunit_write(&t->tmp, name, data, strlen(data)));
}

/* The first @len bytes of @file are @want. */
static void khttpd_fc_test_expect_data(struct kunit *test, struct file *file,
				       const char *want)
{
	char buf[32] = {};
	long n = kh_file_read(kh_from_file(file), 0, buf, sizeof(buf) - 1);

	KUNIT_EXPECT_EQ(test, n, (long)strlen(want));
	KUNIT_EXPECT_STREQ(test, buf, want);
}

static void khttpd_fc_test_hit(struct kunit *test)
{
	struct kh_file_info info = {};
	struct file *a, *b;

	khttpd_fc_test_write(test, "a.txt", "hello");
	khttpd_fc_test_write(test, "b.txt", "bye");
	a = khttpd_fc_test_open(test, "a.txt", &info);
	KUNIT_EXPECT_EQ(test, info.size, 5ULL);
	KUNIT_EXPECT_PTR_EQ(test, khttpd_fc_test_open(test, "a.txt", &info), a);
	KUNIT_EXPECT_EQ(test, info.size, 5ULL);
	KUNIT_EXPECT_TRUE(test, S_ISREG(info.mode));
	b = khttpd_fc_test_open(test, "b.txt", NULL);
	KUNIT_EXPECT_PTR_NE(test, b, a);
	KUNIT_EXPECT_PTR_EQ(test, khttpd_fc_test_open(test, "b.txt", NULL), b);
	khttpd_fc_test_expect_data(test, a, "hello");
	khttpd_fc_test_expect_data(test, b, "bye");
}

/* A write or a chmod changes the file: the next open sees it as it is now,
 * and no longer serves it once its permissions forbid reading. */
static void khttpd_fc_test_ctime(struct kunit *test)
{
	struct khttpd_fc_test *t = test->priv;
	struct kh_file_info info = {};
	struct file *f1, *f2, *f3;

	khttpd_fc_test_write(test, "a.txt", "hello");
	f1 = khttpd_fc_test_open(test, "a.txt", NULL);
	khttpd_kunit_next_tick();
	/* Same size, same inode: only the ctime tells. */
	KUNIT_ASSERT_EQ(test, 0, khttpd_kunit_pwrite(&t->tmp, "a.txt", "j", 1, 0));
	f2 = khttpd_fc_test_open(test, "a.txt", &info);
	KUNIT_EXPECT_PTR_NE(test, f2, f1);
	KUNIT_EXPECT_EQ(test, info.size, 5ULL);
	khttpd_fc_test_expect_data(test, f2, "jello");
	KUNIT_EXPECT_PTR_EQ(test, khttpd_fc_test_open(test, "a.txt", NULL), f2);

	khttpd_kunit_next_tick();
	KUNIT_ASSERT_EQ(test, 0, khttpd_kunit_chmod(&t->tmp, "a.txt", 0604));
	f3 = khttpd_fc_test_open(test, "a.txt", &info);
	KUNIT_EXPECT_PTR_NE(test, f3, f2);
	KUNIT_EXPECT_EQ(test, info.mode & 07777, 0604U);
	KUNIT_EXPECT_PTR_EQ(test, khttpd_fc_test_open(test, "a.txt", NULL), f3);

	khttpd_kunit_next_tick();
	KUNIT_ASSERT_EQ(test, 0, khttpd_kunit_chmod(&t->tmp, "a.txt", 0600));
	KUNIT_EXPECT_EQ(test, khttpd_fc_test_open_err(test, "a.txt"), -EACCES);
}

/* A deleted file is not served from the cache, nor is the old one after
 * a new file takes its name. */
static void khttpd_fc_test_deleted(struct kunit *test)
{
	struct khttpd_fc_test *t = test->priv;
	struct kh_file_info info = {};
	struct file *f1, *f2;

	khttpd_fc_test_write(test, "a.txt", "hello");
	f1 = khttpd_fc_test_open(test, "a.txt", NULL);
	KUNIT_ASSERT_EQ(test, 0, khttpd_kunit_remove(&t->tmp, "a.txt"));
	KUNIT_EXPECT_EQ(test, khttpd_fc_test_open_err(test, "a.txt"), -ENOENT);

	khttpd_fc_test_write(test, "a.txt", "new!");
	f2 = khttpd_fc_test_open(test, "a.txt", &info);
	KUNIT_EXPECT_PTR_NE(test, f2, f1);
	KUNIT_EXPECT_EQ(test, info.size, 4ULL);
	khttpd_fc_test_expect_data(test, f2, "new!");
}

/* Renames: a directory on the path moved, a file renamed over the cached
 * one, an unrelated rename: each open finds what a fresh lookup finds. */
static void khttpd_fc_test_rename(struct kunit *test)
{
	struct khttpd_fc_test *t = test->priv;
	struct kh_file_info info = {};
	struct file *f2, *a;

	KUNIT_ASSERT_EQ(test, 0, khttpd_kunit_mkdir(&t->tmp, "d"));
	khttpd_fc_test_write(test, "d/f.txt", "in d");
	khttpd_fc_test_write(test, "u", "unrelated");
	khttpd_fc_test_open(test, "d/f.txt", NULL);
	KUNIT_ASSERT_EQ(test, 0, khttpd_kunit_rename(&t->tmp, "u", "v"));
	khttpd_fc_test_expect_data(test, khttpd_fc_test_open(test, "d/f.txt", NULL), "in d");

	KUNIT_ASSERT_EQ(test, 0, khttpd_kunit_rename(&t->tmp, "d", "e"));
	KUNIT_EXPECT_EQ(test, khttpd_fc_test_open_err(test, "d/f.txt"), -ENOENT);
	khttpd_fc_test_expect_data(test, khttpd_fc_test_open(test, "e/f.txt", NULL), "in d");

	khttpd_fc_test_write(test, "a.txt", "aaaa");
	khttpd_fc_test_write(test, "b.txt", "bb");
	a = khttpd_fc_test_open(test, "a.txt", NULL);
	KUNIT_ASSERT_EQ(test, 0, khttpd_kunit_rename(&t->tmp, "b.txt", "a.txt"));
	f2 = khttpd_fc_test_open(test, "a.txt", &info);
	KUNIT_EXPECT_PTR_NE(test, f2, a);
	KUNIT_EXPECT_EQ(test, info.size, 2ULL);
	khttpd_fc_test_expect_data(test, f2, "bb");
}

/* At most max_entries files stay open, the least recently used go first. */
static void khttpd_fc_test_lru(struct kunit *test)
{
	struct file *a, *b, *c;

	khttpd_fc_test_cache(test, 2);
	khttpd_fc_test_write(test, "a", "1");
	khttpd_fc_test_write(test, "b", "2");
	khttpd_fc_test_write(test, "c", "3");
	a = khttpd_fc_test_open(test, "a", NULL);
	b = khttpd_fc_test_open(test, "b", NULL);
	KUNIT_EXPECT_PTR_EQ(test, khttpd_fc_test_open(test, "a", NULL), a); /* a newest */
	c = khttpd_fc_test_open(test, "c", NULL);                          /* b out */
	/* Each open gave the test a reference; the cache holds one more. */
	KUNIT_EXPECT_EQ(test, file_count(b), 1L);
	KUNIT_EXPECT_EQ(test, file_count(c), 2L);
	KUNIT_EXPECT_PTR_EQ(test, khttpd_fc_test_open(test, "a", NULL), a);
	KUNIT_EXPECT_PTR_NE(test, khttpd_fc_test_open(test, "b", NULL), b);
}

/* Destroying the cache drops its reference to every file; no cache (0
 * entries) means a fresh open every time. */
static void khttpd_fc_test_destroy(struct kunit *test)
{
	struct khttpd_fc_test *t = test->priv;
	struct khttpd_file_cache *fc = t->root.cache;
	static const char *const names[] = { "a", "b", "c" };
	struct file *files[ARRAY_SIZE(names)];
	struct file *f;
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		khttpd_fc_test_write(test, names[i], names[i]);
		files[i] = khttpd_fc_test_open(test, names[i], NULL);
		KUNIT_EXPECT_EQ(test, file_count(files[i]), 2L);
	}
	kunit_release_action(test, khttpd_fc_test_free, fc);
	t->root.cache = NULL;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		KUNIT_EXPECT_EQ(test, file_count(files[i]), 1L);

	KUNIT_EXPECT_NULL(test, khttpd_fc_create(0, &err));
	KUNIT_EXPECT_EQ(test, err, 0);
	f = khttpd_fc_test_open(test, "a", NULL);
	KUNIT_EXPECT_PTR_NE(test, f, files[0]);
	KUNIT_EXPECT_PTR_NE(test, khttpd_fc_test_open(test, "a", NULL), f);
	KUNIT_EXPECT_EQ(test, file_count(f), 1L);
}

static struct kunit_case khttpd_fc_test_cases[] = {
	KUNIT_CASE(khttpd_fc_test_hit),
	KUNIT_CASE(khttpd_fc_test_ctime),
	KUNIT_CASE(khttpd_fc_test_deleted),
	KUNIT_CASE(khttpd_fc_test_rename),
	KUNIT_CASE(khttpd_fc_test_lru),
	KUNIT_CASE(khttpd_fc_test_destroy),
	{}
};

static struct kunit_suite khttpd_fc_test_suite = {
	.name = "khttpd_file_cache",
	.init = khttpd_fc_test_init,
	.test_cases = khttpd_fc_test_cases,
};

kunit_test_suite(khttpd_fc_test_suite);
