// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: loading and swapping the MIME table. Included at the end of
 * mime_table.c when the kernel has KUnit (docs/testing.md).
 *
 * The mime.types files are written to a scratch directory of the test
 * thread's own file system view (khttpd_kunit_scratch_dir()), since
 * khttpd_mime_load() takes a path name. The table in use before the suite
 * is put back after each test.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "../../tests/kunit/kunit_fs.h"

#define KHTTPD_MIME_TEST_A "text/x-kunit-a"
#define KHTTPD_MIME_TEST_B "text/x-kunit-b"

static const struct {
	const char *name;
	const char *text;
} khttpd_mime_test_files[] = {
	{ "khttpd-kunit-a.types", KHTTPD_MIME_TEST_A " kunit kunita\n" },
	{ "khttpd-kunit-b.types", "# b\n" KHTTPD_MIME_TEST_B "\tkunit kunitb\n" },
	{ "khttpd-kunit-bad.types", KHTTPD_MIME_TEST_B " kunit\nnot-a-type kunit\n" },
	{ "khttpd-kunit-empty.types", "" },
	{ "khttpd-kunit-big.types", NULL }, /* sparse, over KHTTPD_MIME_FILE_MAX */
};

enum { KHTTPD_MIME_A, KHTTPD_MIME_B, KHTTPD_MIME_BAD, KHTTPD_MIME_EMPTY, KHTTPD_MIME_BIG,
       KHTTPD_MIME_FILES };

struct khttpd_mime_test {
	struct path dir;
	char dirname[8];
	char path[KHTTPD_MIME_FILES][64];
	char saved[KHTTPD_MIME_PATH_MAX]; /* the table in use before */
};

static int khttpd_mime_test_init(struct kunit *test)
{
	struct khttpd_mime_test *t;
	size_t i;
	int err;

	BUILD_BUG_ON(ARRAY_SIZE(khttpd_mime_test_files) != KHTTPD_MIME_FILES);
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	err = khttpd_kunit_scratch_dir(&t->dir, t->dirname, sizeof(t->dirname));
	if (err)
		kunit_skip(test, "no in-memory scratch directory (error %d)", err);
	test->priv = t;
	khttpd_mime_path(t->saved, sizeof(t->saved));
	for (i = 0; i < KHTTPD_MIME_FILES; i++) {
		const char *text = khttpd_mime_test_files[i].text;

		snprintf(t->path[i], sizeof(t->path[i]), "%s/%s", t->dirname,
			 khttpd_mime_test_files[i].name);
		if (text)
			err = khttpd_kunit_write(&t->dir, khttpd_mime_test_files[i].name, text,
						 strlen(text));
		else
			err = khttpd_kunit_write(&t->dir, khttpd_mime_test_files[i].name, "",
						 0) ?:
			      khttpd_kunit_pwrite(&t->dir, khttpd_mime_test_files[i].name, "x",
						  1, KHTTPD_MIME_FILE_MAX);
		KUNIT_ASSERT_EQ_MSG(test, err, 0, "writing %s", t->path[i]);
	}
	return 0;
}

static void khttpd_mime_test_exit(struct kunit *test)
{
	struct khttpd_mime_test *t = test->priv;
	size_t i;

	if (!t)
		return;
	khttpd_mime_load(t->saved);
	for (i = 0; i < KHTTPD_MIME_FILES; i++)
		khttpd_kunit_remove(&t->dir, khttpd_mime_test_files[i].name);
	path_put(&t->dir);
}

/* The type kh_mime_type() gives @name is @want (NULL: none). */
static void khttpd_mime_test_expect(struct kunit *test, const char *name, const char *want)
{
	char buf[KHTTPD_MIME_TYPE_MAX + 1] = {};
	kh_size n = kh_mime_type(name, strlen(name), buf, KHTTPD_MIME_TYPE_MAX);

	if (!want) {
		KUNIT_EXPECT_EQ_MSG(test, n, 0UL, "type of %s: %s", name, buf);
		return;
	}
	KUNIT_EXPECT_EQ_MSG(test, n, strlen(want), "type of %s", name);
	KUNIT_EXPECT_STREQ_MSG(test, buf, want, "type of %s", name);
}

static void khttpd_mime_test_expect_path(struct kunit *test, const char *want)
{
	char *buf = kunit_kzalloc(test, KHTTPD_MIME_PATH_MAX, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	khttpd_mime_path(buf, KHTTPD_MIME_PATH_MAX);
	KUNIT_EXPECT_STREQ(test, buf, want);
}

static void khttpd_mime_test_load(struct kunit *test)
{
	struct khttpd_mime_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, khttpd_mime_load(t->path[KHTTPD_MIME_A]), 0);
	khttpd_mime_test_expect_path(test, t->path[KHTTPD_MIME_A]);
	khttpd_mime_test_expect(test, "x.kunit", KHTTPD_MIME_TEST_A);
	khttpd_mime_test_expect(test, "dir/x.KunitA", KHTTPD_MIME_TEST_A);
	khttpd_mime_test_expect(test, "x.html", NULL); /* not in this table */

	KUNIT_ASSERT_EQ(test, khttpd_mime_load(t->path[KHTTPD_MIME_B]), 0);
	khttpd_mime_test_expect(test, "x.kunit", KHTTPD_MIME_TEST_B);
	khttpd_mime_test_expect(test, "x.kunita", NULL);
	khttpd_mime_test_expect(test, "x.kunitb", KHTTPD_MIME_TEST_B);

	KUNIT_ASSERT_EQ(test, khttpd_mime_load(t->path[KHTTPD_MIME_EMPTY]), 0);
	khttpd_mime_test_expect(test, "x.kunit", NULL);
	khttpd_mime_test_expect_path(test, t->path[KHTTPD_MIME_EMPTY]);

	KUNIT_ASSERT_EQ(test, khttpd_mime_load(""), 0);
	khttpd_mime_test_expect_path(test, "");
	khttpd_mime_test_expect(test, "x.html", "text/html");
	khttpd_mime_test_expect(test, "x.kunit", NULL);
}

/* A load that fails leaves the table in use, and its path, as they were. */
static void khttpd_mime_test_refused(struct kunit *test)
{
	struct khttpd_mime_test *t = test->priv;
	char *missing, *overlong;
	const char *dir = t->dirname[0] ? t->dirname : "/";
	struct {
		const char *path;
		int err;
	} cases[] = {
		{ t->path[KHTTPD_MIME_BAD], -EINVAL },
		{ t->path[KHTTPD_MIME_BIG], -EFBIG },
		{ NULL, -ENOENT },  /* missing */
		{ dir, -EISDIR },
		{ "khttpd-kunit-a.types", -EINVAL }, /* relative */
		{ NULL, -EINVAL },  /* overlong */
	};
	size_t i;

	missing = kunit_kzalloc(test, 64, GFP_KERNEL);
	overlong = kunit_kzalloc(test, KHTTPD_MIME_PATH_MAX + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, missing);
	KUNIT_ASSERT_NOT_NULL(test, overlong);
	snprintf(missing, 64, "%s/khttpd-kunit-missing.types", t->dirname);
	memset(overlong, 'a', KHTTPD_MIME_PATH_MAX);
	overlong[0] = '/';
	cases[2].path = missing;
	cases[5].path = overlong;

	KUNIT_ASSERT_EQ(test, khttpd_mime_load(t->path[KHTTPD_MIME_A]), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_EXPECT_EQ_MSG(test, khttpd_mime_load(cases[i].path), cases[i].err,
				    "loading %.60s", cases[i].path);
		khttpd_mime_test_expect_path(test, t->path[KHTTPD_MIME_A]);
		khttpd_mime_test_expect(test, "x.kunit", KHTTPD_MIME_TEST_A);
	}
}

/* A reader's or the swapper's data. */
struct khttpd_mime_test_thread {
	struct {
		const char *path; /* the table to load */
		int err;
		struct completion done;
	} sw;
	unsigned long seen_a, seen_b, other; /* what a reader saw */
};

/* The swapper, its work done, waits for kthread_stop(). */
static void khttpd_mime_test_wait_stop(void)
{
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
}

static int khttpd_mime_test_reader(void *data)
{
	struct khttpd_mime_test_thread *r = data;
	char buf[KHTTPD_MIME_TYPE_MAX];
	kh_size n;

	while (!kthread_should_stop()) {
		n = kh_mime_type("f.kunit", 7, buf, sizeof(buf));
		if (n == strlen(KHTTPD_MIME_TEST_A) && !memcmp(buf, KHTTPD_MIME_TEST_A, n))
			r->seen_a++;
		else if (n == strlen(KHTTPD_MIME_TEST_B) && !memcmp(buf, KHTTPD_MIME_TEST_B, n))
			r->seen_b++;
		else
			r->other++;
		cond_resched();
	}
	return 0;
}

static int khttpd_mime_test_swapper(void *data)
{
	struct khttpd_mime_test_thread *s = data;

	s->sw.err = khttpd_mime_load(s->sw.path);
	complete(&s->sw.done);
	khttpd_mime_test_wait_stop();
	return 0;
}

/* Readers during swaps see the old table or the new one, nothing else. */
static void khttpd_mime_test_readers(struct kunit *test)
{
	struct khttpd_mime_test *t = test->priv;
	struct khttpd_mime_test_thread r[2] = {};
	struct task_struct *task[2];
	unsigned long total = 0;
	int i;

	KUNIT_ASSERT_EQ(test, khttpd_mime_load(t->path[KHTTPD_MIME_A]), 0);
	for (i = 0; i < 2; i++) {
		task[i] = kthread_run(khttpd_mime_test_reader, &r[i], "khttpd-kunit-r%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task[i]));
	}
	for (i = 0; i < 40; i++)
		KUNIT_EXPECT_EQ(test, khttpd_mime_load(t->path[i % 2 ? KHTTPD_MIME_A :
								KHTTPD_MIME_B]), 0);
	for (i = 0; i < 2; i++) {
		kthread_stop(task[i]);
		KUNIT_EXPECT_EQ(test, r[i].other, 0UL);
		total += r[i].seen_a + r[i].seen_b;
	}
	KUNIT_EXPECT_GT(test, total, 0UL);
	khttpd_mime_test_expect(test, "f.kunit", KHTTPD_MIME_TEST_A);
}

/*
 * The replaced table is freed only after every reader that could see it
 * left: the test thread holds rcu_read_lock() on one CPU while a thread on
 * another loads a new table; the load publishes it, then must wait, and
 * the old table must stay intact, until the read side ends.
 */
static void khttpd_mime_test_grace(struct kunit *test)
{
	struct khttpd_mime_test *t = test->priv;
	struct khttpd_mime_test_thread *s;
	const struct khttpd_mime *old;
	struct task_struct *task;
	unsigned long deadline;
	bool published, waited;
	unsigned int cpu0, cpu1;
	const char *type = NULL;
	kh_size n;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	cpu0 = cpumask_first(cpu_online_mask);
	cpu1 = cpumask_next(cpu0, cpu_online_mask);
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	init_completion(&s->sw.done);
	s->sw.path = t->path[KHTTPD_MIME_B];

	KUNIT_ASSERT_EQ(test, khttpd_mime_load(t->path[KHTTPD_MIME_A]), 0);
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu0)), 0);
	task = kthread_create(khttpd_mime_test_swapper, s, "khttpd-kunit-swap");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	kthread_bind(task, cpu1);

	rcu_read_lock();
	old = rcu_dereference(khttpd_mime_cur);
	wake_up_process(task);
	deadline = jiffies + 10 * HZ;
	while (rcu_access_pointer(khttpd_mime_cur) == old && time_before(jiffies, deadline))
		cpu_relax();
	published = rcu_access_pointer(khttpd_mime_cur) != old;
	mdelay(20);
	waited = !completion_done(&s->sw.done);
	n = old ? khttpd_mime_table_lookup(old->table, "f.kunit", 7, &type) : 0;
	KUNIT_EXPECT_TRUE(test, n == strlen(KHTTPD_MIME_TEST_A) &&
				!memcmp(type, KHTTPD_MIME_TEST_A, n));
	rcu_read_unlock();

	KUNIT_EXPECT_TRUE_MSG(test, published, "the new table was not published in 10 s");
	KUNIT_EXPECT_TRUE_MSG(test, waited, "the load returned while a reader was inside");
	KUNIT_EXPECT_GT(test, wait_for_completion_timeout(&s->sw.done, 30 * HZ), 0UL);
	kthread_stop(task);
	KUNIT_EXPECT_EQ(test, s->sw.err, 0);
	khttpd_mime_test_expect(test, "f.kunit", KHTTPD_MIME_TEST_B);
}

static struct kunit_case khttpd_mime_test_cases[] = {
	KUNIT_CASE(khttpd_mime_test_load),
	KUNIT_CASE(khttpd_mime_test_refused),
	KUNIT_CASE(khttpd_mime_test_readers),
	KUNIT_CASE(khttpd_mime_test_grace),
	{}
};

static struct kunit_suite khttpd_mime_test_suite = {
	.name = "khttpd_mime_table",
	.init = khttpd_mime_test_init,
	.exit = khttpd_mime_test_exit,
	.test_cases = khttpd_mime_test_cases,
};

kunit_test_suite(khttpd_mime_test_suite);
