// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the khttpd C++ core: the core, compiled into this module
 * again (tests/kunit/core_*.cpp), runs against the fake kapi
 * (tests/fake/fake_kapi.cpp). The test bodies are C++ (kunit_tests.cpp);
 * this file holds the suite tables, the report shims and kh_alloc/kh_free.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "khttpd/kapi.h"
#include "khttpd_kunit.h"

void khttpd_kunit_expect(struct kunit *test, bool ok, const char *expr,
			 const char *file, int line)
{
	KUNIT_EXPECT_TRUE_MSG(test, ok, "%s:%d: expected %s", file, line, expr);
}

void khttpd_kunit_expect_bytes(struct kunit *test, bool ok, const char *got,
			       unsigned long got_len, const char *want,
			       unsigned long want_len, const char *expr,
			       const char *file, int line)
{
	KUNIT_EXPECT_TRUE_MSG(test, ok,
			      "%s:%d: expected %s\n got (%lu): %.*s\n want (%lu): %.*s",
			      file, line, expr, got_len, (int)min(got_len, 600UL), got,
			      want_len, (int)min(want_len, 600UL), want);
}

/* The core's allocator (the main module has its own in src/kernel/). */
void *kh_alloc(kh_size size)
{
	return kmalloc(size, GFP_KERNEL);
}

void kh_free(void *ptr)
{
	kfree(ptr);
}

#define KHTTPD_KUNIT_CASE(name) KUNIT_CASE(name),

static struct kunit_case khttpd_core_cases[] = {
	KHTTPD_KUNIT_CASES(KHTTPD_KUNIT_CASE)
	{}
};

static struct kunit_suite khttpd_core_suite = {
	.name = "khttpd_core",
	.test_cases = khttpd_core_cases,
};

kunit_test_suites(&khttpd_core_suite);

MODULE_DESCRIPTION("KUnit tests for the khttpd C++ core");
MODULE_LICENSE("GPL");
