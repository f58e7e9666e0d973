// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "byte_range.h"
#include "test_util.h"

using namespace khttpd;

namespace {

constexpr kh_u64 kMax = ~0ULL;

ByteRange pr(const std::string &v, kh_u64 size)
{
	return parse_byte_range(sv(v), size);
}

::testing::AssertionResult single(const std::string &v, kh_u64 size, kh_u64 first,
				  kh_u64 last)
{
	ByteRange r = pr(v, size);
	if (r.kind != RangeKind::Single)
		return ::testing::AssertionFailure()
		       << v << " on " << size << ": kind " << int(r.kind) << ", not Single";
	if (r.first != first || r.last != last)
		return ::testing::AssertionFailure() << v << " on " << size << ": " << r.first
						     << "-" << r.last;
	if (r.length() != last - first + 1)
		return ::testing::AssertionFailure() << "length";
	return ::testing::AssertionSuccess();
}

RangeKind kind(const std::string &v, kh_u64 size)
{
	return pr(v, size).kind;
}

} // namespace

TEST(ByteRange, EveryForm)
{
	EXPECT_TRUE(single("bytes=0-0", 10, 0, 0));
	EXPECT_TRUE(single("bytes=0-9", 10, 0, 9));
	EXPECT_TRUE(single("bytes=2-5", 10, 2, 5));
	EXPECT_TRUE(single("bytes=9-9", 10, 9, 9));
	EXPECT_TRUE(single("bytes=3-", 10, 3, 9));
	EXPECT_TRUE(single("bytes=0-", 10, 0, 9));
	EXPECT_TRUE(single("bytes=-1", 10, 9, 9));
	EXPECT_TRUE(single("bytes=-4", 10, 6, 9));
	EXPECT_TRUE(single("bytes=-10", 10, 0, 9));
	EXPECT_TRUE(single("bytes=-11", 10, 0, 9));     // longer than the file: all
	EXPECT_TRUE(single("bytes=5-100", 10, 5, 9));   // last past the end: clipped
	EXPECT_TRUE(single("bytes=5-10", 10, 5, 9));
	EXPECT_TRUE(single("bytes=007-0008", 10, 7, 8)); // leading zeros
	EXPECT_TRUE(single("bytes=0-0", 1, 0, 0));
	EXPECT_TRUE(single("bytes=-1", 1, 0, 0));
}

TEST(ByteRange, UnitAndWhitespace)
{
	EXPECT_TRUE(single("BYTES=1-2", 10, 1, 2)); // units are case-insensitive
	EXPECT_TRUE(single("Bytes=1-2", 10, 1, 2));
	EXPECT_TRUE(single("  bytes=1-2\t", 10, 1, 2));
	EXPECT_TRUE(single("bytes= 1-2 ", 10, 1, 2));
	EXPECT_TRUE(single("bytes=1-2,", 10, 1, 2));       // empty list elements
	EXPECT_TRUE(single("bytes=, ,1-2 , ", 10, 1, 2));
	EXPECT_EQ(kind("bytes =1-2", 10), RangeKind::Invalid);
	EXPECT_EQ(kind("bytes= 1 -2", 10), RangeKind::Invalid);
	EXPECT_EQ(kind("bytes=1- 2", 10), RangeKind::Invalid);
	EXPECT_EQ(kind("bytes=- 2", 10), RangeKind::Invalid);
	EXPECT_EQ(kind("items=1-2", 10), RangeKind::Invalid);
	EXPECT_EQ(kind("byte=1-2", 10), RangeKind::Invalid);
	EXPECT_EQ(kind("bytes1-2", 10), RangeKind::Invalid);
	EXPECT_EQ(kind("=1-2", 10), RangeKind::Invalid);
}

TEST(ByteRange, Malformed)
{
	for (const char *v : {"", "bytes", "bytes=", "bytes=,", "bytes= , ,", "bytes=-",
			      "bytes=a-b", "bytes=1", "bytes=1-2-3", "bytes=--1", "bytes=-1-",
			      "bytes=1--2", "bytes=+1-2", "bytes=0x1-2", "bytes=1-2;", "bytes=1.0-2",
			      "bytes=\xff-1", "bytes=1-2,x", "bytes=x,1-2", "bytes=1-2 3-4"}) {
		EXPECT_EQ(kind(v, 10), RangeKind::Invalid) << v;
	}
	// RFC 9110 14.1.1: last-pos < first-pos is invalid, not unsatisfiable.
	EXPECT_EQ(kind("bytes=5-4", 10), RangeKind::Invalid);
	EXPECT_EQ(kind("bytes=50-40", 10), RangeKind::Invalid);
	EXPECT_EQ(kind("bytes=1-0", 10), RangeKind::Invalid);
}

TEST(ByteRange, Unsatisfiable)
{
	EXPECT_EQ(kind("bytes=10-", 10), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=10-20", 10), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=11-11", 10), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=-0", 10), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=-000", 10), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=1-", 1), RangeKind::Unsatisfiable);
}

TEST(ByteRange, ZeroLengthFileAsNginx)
{
	EXPECT_EQ(kind("bytes=0-", 0), RangeKind::Ignored);
	EXPECT_EQ(kind("bytes=0-0", 0), RangeKind::Ignored);
	EXPECT_EQ(kind("bytes=00-5", 0), RangeKind::Ignored);
	EXPECT_EQ(kind("bytes=-5", 0), RangeKind::Ignored);
	EXPECT_EQ(kind("bytes=-0", 0), RangeKind::Ignored);
	EXPECT_EQ(kind("bytes=1-", 0), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=1-5", 0), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=99999999999999999999999-", 0), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=3-1", 0), RangeKind::Invalid);
	EXPECT_EQ(kind("bytes=0-1,2-3", 0), RangeKind::Multiple);
}

TEST(ByteRange, Multiple)
{
	EXPECT_EQ(kind("bytes=0-1,2-3", 10), RangeKind::Multiple);
	EXPECT_EQ(kind("bytes=0-1, -2", 10), RangeKind::Multiple);
	EXPECT_EQ(kind("bytes=0-1,0-1", 10), RangeKind::Multiple);
	EXPECT_EQ(kind("bytes=20-,30-", 10), RangeKind::Multiple); // not checked further
	EXPECT_EQ(kind("bytes=0-1,,2-3,", 10), RangeKind::Multiple);
	EXPECT_EQ(kind("bytes=0-1,3-2", 10), RangeKind::Invalid); // any bad member
}

// MS15-034 (HTTP.sys) was a range end of 2^64 - 1 overflowing a length.
TEST(ByteRange, HugeNumbersNeverWrap)
{
	EXPECT_TRUE(single("bytes=0-18446744073709551615", 10, 0, 9));
	EXPECT_TRUE(single("bytes=0-18446744073709551616", 10, 0, 9));
	EXPECT_TRUE(single("bytes=3-99999999999999999999999", 10, 3, 9));
	EXPECT_TRUE(single("bytes=18-18446744073709551615", 20, 18, 19));
	EXPECT_TRUE(single("bytes=-18446744073709551615", 10, 0, 9));
	EXPECT_TRUE(single("bytes=-99999999999999999999999999999999999999", 10, 0, 9));
	EXPECT_TRUE(single("bytes=0-" + std::string(5000, '9'), 10, 0, 9));
	EXPECT_EQ(kind("bytes=18446744073709551615-", 10), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=18446744073709551616-", 10), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=99999999999999999999999-", 10), RangeKind::Unsatisfiable);
	EXPECT_EQ(kind("bytes=99999999999999999999999-99999999999999999999999", 10),
		  RangeKind::Unsatisfiable);
	// Both beyond 64 bits, last < first: compared exactly, still invalid.
	EXPECT_EQ(kind("bytes=99999999999999999999999-99999999999999999999998", 10),
		  RangeKind::Invalid);
	EXPECT_EQ(kind("bytes=100000000000000000000-99999999999999999999", 10),
		  RangeKind::Invalid);
	EXPECT_EQ(kind("bytes=18446744073709551616-18446744073709551615", kMax),
		  RangeKind::Invalid);
	// Files at the top of the 64-bit range.
	EXPECT_TRUE(single("bytes=0-", kMax, 0, kMax - 1));
	EXPECT_TRUE(single("bytes=-1", kMax, kMax - 1, kMax - 1));
	EXPECT_TRUE(single("bytes=-18446744073709551615", kMax, 0, kMax - 1));
	EXPECT_TRUE(single("bytes=18446744073709551614-", kMax, kMax - 1, kMax - 1));
	EXPECT_TRUE(single("bytes=0-18446744073709551614", kMax, 0, kMax - 1));
	EXPECT_EQ(kind("bytes=18446744073709551615-", kMax), RangeKind::Unsatisfiable);
	EXPECT_EQ(pr("bytes=0-", kMax).length(), kMax);
	EXPECT_EQ(pr("bytes=0-18446744073709551615", kMax).length(), kMax);
	EXPECT_EQ(pr("bytes=1-18446744073709551615", kMax).length(), kMax - 1);
}

// Every (first, last) pair and suffix on small sizes against a reference.
TEST(ByteRange, ExhaustiveSmall)
{
	for (kh_u64 size = 0; size < 6; size++) {
		for (kh_u64 a = 0; a < 8; a++) {
			for (kh_u64 b = 0; b < 8; b++) {
				std::string v = "bytes=" + std::to_string(a) + "-" + std::to_string(b);
				ByteRange r = pr(v, size);
				if (b < a)
					EXPECT_EQ(r.kind, RangeKind::Invalid) << v;
				else if (size == 0)
					EXPECT_EQ(r.kind, a == 0 ? RangeKind::Ignored
								 : RangeKind::Unsatisfiable) << v;
				else if (a >= size)
					EXPECT_EQ(r.kind, RangeKind::Unsatisfiable) << v;
				else
					EXPECT_TRUE(single(v, size, a, b < size ? b : size - 1));
			}
			std::string s = "bytes=-" + std::to_string(a);
			if (size == 0)
				EXPECT_EQ(kind(s, size), RangeKind::Ignored) << s;
			else if (a == 0)
				EXPECT_EQ(kind(s, size), RangeKind::Unsatisfiable) << s;
			else
				EXPECT_TRUE(single(s, size, a >= size ? 0 : size - a, size - 1));
		}
	}
}
