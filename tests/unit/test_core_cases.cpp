// SPDX-License-Identifier: GPL-2.0
// Runs the freestanding test cases of core_cases.cpp under GoogleTest
// (ASan/UBSan), with the two report functions they call.
#include <gtest/gtest.h>

#include <string>

#include "core_cases.h"

struct core_case {
	int failures = 0;
};

extern "C" void core_case_expect(struct core_case *test, bool ok, const char *expr,
				    const char *file, int line)
{
	if (ok)
		return;
	test->failures++;
	ADD_FAILURE_AT(file, line) << "expected " << expr;
}

extern "C" void core_case_expect_bytes(struct core_case *test, bool ok, const char *got,
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
	TEST(CoreCases, name)       \
	{                             \
		core_case t;              \
		name(&t);             \
		EXPECT_EQ(t.failures, 0); \
	}
CORE_CASES(KHTTPD_HOST_CASE)
