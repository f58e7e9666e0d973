// SPDX-License-Identifier: GPL-2.0
// Runs the KUnit test bodies (tests/kunit/kunit_tests.cpp) on the host too,
// under ASan/UBSan, with host versions of the C report shims.
#include <gtest/gtest.h>

#include <string>

#include "../kunit/khttpd_kunit.h"

struct kunit {
	int failures = 0;
};

extern "C" void khttpd_kunit_expect(struct kunit *test, bool ok, const char *expr,
				    const char *file, int line)
{
	if (ok)
		return;
	test->failures++;
	ADD_FAILURE_AT(file, line) << "expected " << expr;
}

extern "C" void khttpd_kunit_expect_bytes(struct kunit *test, bool ok, const char *got,
					  unsigned long got_len, const char *want,
					  unsigned long want_len, const char *expr,
					  const char *file, int line)
{
	if (ok)
		return;
	test->failures++;
	ADD_FAILURE_AT(file, line) << "expected " << expr << "\n got:  "
				   << std::string(got, got_len) << "\n want: "
				   << std::string(want, want_len);
}

#define KHTTPD_HOST_CASE(name)        \
	TEST(KunitBodies, name)       \
	{                             \
		kunit t;              \
		name(&t);             \
		EXPECT_EQ(t.failures, 0); \
	}
KHTTPD_KUNIT_CASES(KHTTPD_HOST_CASE)
