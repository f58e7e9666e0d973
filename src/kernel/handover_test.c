// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the hand-over queue's slot accounting. Included at the end of
 * handover.c when the kernel has KUnit (docs/testing.md).
 *
 * A registered daemon is what the ioctl sets up (fb.registered); the tests
 * play that part and the courier's (khttpd_fallback_pop()) without a
 * process, and end as the ioctl does when the daemon leaves. They run
 * right after the module loaded, and skip if a real daemon is there.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/kthread.h>

/*
 * The tests' own hand-over, as a namespace's instance has (net.h): the
 * module's are left alone.
 */
static int khttpd_handover_test_queue = KHTTPD_HANDOVER_QUEUE_DEFAULT;
static struct khttpd_fallback fb = {
	.lock = __SPIN_LOCK_UNLOCKED(fb.lock),
	.queue = LIST_HEAD_INIT(fb.queue),
	.wait = __WAIT_QUEUE_HEAD_INITIALIZER(fb.wait),
	.queue_max = &khttpd_handover_test_queue,
};

struct khttpd_handover_test {
	int saved_queue;
	unsigned long saved_refused;
};

static unsigned int khttpd_handover_test_slots(void)
{
	unsigned int n;

	spin_lock_bh(&fb.lock);
	n = fb.slots;
	spin_unlock_bh(&fb.lock);
	return n;
}

/* The daemon registers (the ioctl's start) or leaves (its end). */
static void khttpd_handover_test_daemon(bool present)
{
	LIST_HEAD(dropped);

	spin_lock_bh(&fb.lock);
	fb.registered = present;
	while (!present && !list_empty(&fb.queue)) {
		list_move_tail(fb.queue.next, &dropped);
		fb.slots--;
	}
	spin_unlock_bh(&fb.lock);
	khttpd_items_free(&dropped);
}

static int khttpd_handover_test_init(struct kunit *test)
{
	struct khttpd_handover_test *t;
	unsigned int slots;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	spin_lock_bh(&fb.lock);
	if (fb.registered) {
		spin_unlock_bh(&fb.lock);
		kunit_skip(test, "a hand-over daemon is registered");
	}
	slots = fb.slots;
	fb.slots = 0; /* so that the next tests start clean */
	t->saved_refused = fb.refused;
	spin_unlock_bh(&fb.lock);
	/* No daemon, no item: nothing may hold a slot (an earlier test leaked). */
	KUNIT_ASSERT_EQ(test, slots, 0U);
	t->saved_queue = READ_ONCE(khttpd_handover_test_queue);
	test->priv = t;
	return 0;
}

static void khttpd_handover_test_exit(struct kunit *test)
{
	struct khttpd_handover_test *t = test->priv;

	if (!t)
		return;
	khttpd_handover_test_daemon(false);
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 0U);
	WRITE_ONCE(khttpd_handover_test_queue, t->saved_queue);
	spin_lock_bh(&fb.lock);
	fb.refused = t->saved_refused;
	spin_unlock_bh(&fb.lock);
}

static struct khttpd_handover_item *khttpd_handover_test_item(struct kunit *test)
{
	struct khttpd_handover_item *item;

	item = khttpd_fallback_item_alloc(NULL, 0, "GET / HTTP/1.1\r\n\r\n", 18, 1, 0, 42);
	KUNIT_ASSERT_NOT_NULL(test, item);
	return item;
}

static void khttpd_handover_test_no_daemon(struct kunit *test)
{
	unsigned long refused = khttpd_fallback_refused(&fb);

	KUNIT_EXPECT_EQ(test, khttpd_fallback_reserve(&fb), -ENOENT);
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 0U);
	KUNIT_EXPECT_EQ(test, khttpd_fallback_refused(&fb), refused);
	KUNIT_EXPECT_EQ(test, khttpd_fallback_daemon(&fb), 0);
}

/* handover_queue slots at most; a refusal counts; giving one back frees it. */
static void khttpd_handover_test_full(struct kunit *test)
{
	unsigned long refused = khttpd_fallback_refused(&fb);
	int i;

	WRITE_ONCE(khttpd_handover_test_queue, 3);
	khttpd_handover_test_daemon(true);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, khttpd_fallback_reserve(&fb), 0);
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 3U);
	KUNIT_EXPECT_EQ(test, khttpd_fallback_reserve(&fb), -EAGAIN);
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 3U);
	KUNIT_EXPECT_EQ(test, khttpd_fallback_refused(&fb), refused + 1);

	/* An item that could not be made: the slot is given back, refused. */
	khttpd_fallback_unreserve(&fb);
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 2U);
	KUNIT_EXPECT_EQ(test, khttpd_fallback_refused(&fb), refused + 2);
	KUNIT_EXPECT_EQ(test, khttpd_fallback_reserve(&fb), 0);

	/* A smaller limit applies at once, to new reservations only. */
	WRITE_ONCE(khttpd_handover_test_queue, 1);
	KUNIT_EXPECT_EQ(test, khttpd_fallback_reserve(&fb), -EAGAIN);
	for (i = 0; i < 3; i++)
		khttpd_fallback_unreserve(&fb);
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 0U);
	KUNIT_EXPECT_EQ(test, khttpd_fallback_reserve(&fb), 0);
	khttpd_fallback_unreserve(&fb);
}

/* A committed item holds its slot until the courier takes it. */
static void khttpd_handover_test_commit(struct kunit *test)
{
	struct khttpd_handover_item *item, *got;

	WRITE_ONCE(khttpd_handover_test_queue, 2);
	khttpd_handover_test_daemon(true);
	KUNIT_ASSERT_EQ(test, khttpd_fallback_reserve(&fb), 0);
	item = khttpd_handover_test_item(test);
	KUNIT_EXPECT_EQ(test, item->hdr.magic, (u32)KHTTPD_HANDOVER_MAGIC);
	KUNIT_EXPECT_EQ(test, item->hdr.data_len, 18U);
	KUNIT_EXPECT_EQ(test, item->hdr.conn_id, 42ULL);
	khttpd_fallback_commit(&fb, item);
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 1U);

	got = khttpd_fallback_pop(&fb);
	KUNIT_EXPECT_PTR_EQ(test, got, item);
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 0U);
	KUNIT_EXPECT_NULL(test, khttpd_fallback_pop(&fb));
	if (got)
		khttpd_item_free(got);

	KUNIT_EXPECT_NULL(test, khttpd_fallback_item_alloc(NULL, 0, "", KHTTPD_HANDOVER_DATA_MAX + 1,
							   1, 0, 1));
}

/* The daemon leaves between a reservation and its commit, or with items
 * queued: every slot comes back. */
static void khttpd_handover_test_daemon_leaves(struct kunit *test)
{
	struct khttpd_handover_item *item;

	WRITE_ONCE(khttpd_handover_test_queue, 4);
	khttpd_handover_test_daemon(true);
	KUNIT_ASSERT_EQ(test, khttpd_fallback_reserve(&fb), 0);
	KUNIT_ASSERT_EQ(test, khttpd_fallback_reserve(&fb), 0);
	khttpd_fallback_commit(&fb, khttpd_handover_test_item(test));
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 2U);
	item = khttpd_handover_test_item(test);

	khttpd_handover_test_daemon(false); /* drops the queued item */
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 1U);
	khttpd_fallback_commit(&fb, item); /* frees it, gives the slot back */
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 0U);
	KUNIT_EXPECT_EQ(test, khttpd_fallback_reserve(&fb), -ENOENT);
}

struct khttpd_handover_test_load {
	atomic_t max_slots;
	atomic_t reserved;
	atomic_t refused;
	atomic_t done;
};

/* A worker: reserve, then commit or give back, many times over. */
static int khttpd_handover_test_worker(void *data)
{
	struct khttpd_handover_test_load *l = data;
	unsigned int slots;
	int i;

	for (i = 0; i < 2000; i++) {
		if (khttpd_fallback_reserve(&fb)) {
			atomic_inc(&l->refused);
			continue;
		}
		atomic_inc(&l->reserved);
		slots = khttpd_handover_test_slots();
		if (slots > atomic_read(&l->max_slots))
			atomic_set(&l->max_slots, slots); /* racy max: only grows here */
		if (i % 2) {
			khttpd_fallback_unreserve(&fb);
		} else {
			struct khttpd_handover_item *item;

			item = khttpd_fallback_item_alloc(NULL, 0, "x", 1, 1, 0, i);
			if (item)
				khttpd_fallback_commit(&fb, item);
			else
				khttpd_fallback_unreserve(&fb);
		}
		cond_resched();
	}
	atomic_inc(&l->done);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/* Workers on every CPU against a courier: the count never passes the
 * limit and ends at zero. */
static void khttpd_handover_test_load(struct kunit *test)
{
	struct khttpd_handover_test_load *l;
	struct khttpd_handover_item *item;
	struct task_struct *task[2];
	int i, popped = 0;

	l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l);
	WRITE_ONCE(khttpd_handover_test_queue, 8);
	khttpd_handover_test_daemon(true);
	for (i = 0; i < 2; i++) {
		task[i] = kthread_run(khttpd_handover_test_worker, l, "khttpd-kunit-w%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task[i]));
	}
	while (atomic_read(&l->done) < 2) {
		item = khttpd_fallback_pop(&fb);
		if (item) {
			khttpd_item_free(item);
			popped++;
		} else {
			cond_resched();
		}
	}
	for (i = 0; i < 2; i++)
		kthread_stop(task[i]);
	while ((item = khttpd_fallback_pop(&fb))) {
		khttpd_item_free(item);
		popped++;
	}
	KUNIT_EXPECT_LE(test, atomic_read(&l->max_slots), 8);
	KUNIT_EXPECT_GT(test, atomic_read(&l->reserved), 0);
	KUNIT_EXPECT_GT(test, popped, 0);
	KUNIT_EXPECT_EQ(test, khttpd_handover_test_slots(), 0U);
}

static struct kunit_case khttpd_handover_test_cases[] = {
	KUNIT_CASE(khttpd_handover_test_no_daemon),
	KUNIT_CASE(khttpd_handover_test_full),
	KUNIT_CASE(khttpd_handover_test_commit),
	KUNIT_CASE(khttpd_handover_test_daemon_leaves),
	KUNIT_CASE(khttpd_handover_test_load),
	{}
};

static struct kunit_suite khttpd_handover_test_suite = {
	.name = "khttpd_handover",
	.init = khttpd_handover_test_init,
	.exit = khttpd_handover_test_exit,
	.test_cases = khttpd_handover_test_cases,
};

kunit_test_suite(khttpd_handover_test_suite);
