// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "http_date.h"

using namespace khttpd;

namespace {
std::string date(kh_s64 t)
{
	char buf[kHttpDateLen + 8];
	for (char &c : buf)
		c = '#';
	format_http_date(t, buf);
	// Exactly kHttpDateLen bytes are written.
	for (kh_size i = kHttpDateLen; i < sizeof(buf); i++)
		EXPECT_EQ(buf[i], '#') << "wrote past the end at " << i;
	return std::string(buf, kHttpDateLen);
}
} // namespace

TEST(HttpDate, Epoch)
{
	EXPECT_EQ(date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
	EXPECT_EQ(date(59), "Thu, 01 Jan 1970 00:00:59 GMT");
	EXPECT_EQ(date(86399), "Thu, 01 Jan 1970 23:59:59 GMT");
	EXPECT_EQ(date(86400), "Fri, 02 Jan 1970 00:00:00 GMT");
}

TEST(HttpDate, KnownDates)
{
	EXPECT_EQ(date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT"); // RFC 9110 example
	EXPECT_EQ(date(1000000000), "Sun, 09 Sep 2001 01:46:40 GMT");
	EXPECT_EQ(date(1700000000), "Tue, 14 Nov 2023 22:13:20 GMT");
	EXPECT_EQ(date(951782400), "Tue, 29 Feb 2000 00:00:00 GMT"); // leap day, /400 year
	EXPECT_EQ(date(951868800), "Wed, 01 Mar 2000 00:00:00 GMT");
	EXPECT_EQ(date(1709164800), "Thu, 29 Feb 2024 00:00:00 GMT");
	EXPECT_EQ(date(4107542400), "Mon, 01 Mar 2100 00:00:00 GMT"); // 2100 not leap
	EXPECT_EQ(date(4107456000), "Sun, 28 Feb 2100 00:00:00 GMT");
	EXPECT_EQ(date(946684799), "Fri, 31 Dec 1999 23:59:59 GMT");
}

TEST(HttpDate, Year2038AndLater)
{
	EXPECT_EQ(date(2147483647), "Tue, 19 Jan 2038 03:14:07 GMT");
	EXPECT_EQ(date(2147483648), "Tue, 19 Jan 2038 03:14:08 GMT");
	EXPECT_EQ(date(4102444800), "Fri, 01 Jan 2100 00:00:00 GMT");
	EXPECT_EQ(date(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST(HttpDate, Clamping)
{
	EXPECT_EQ(date(-1), "Thu, 01 Jan 1970 00:00:00 GMT");
	EXPECT_EQ(date(-9223372036854775807LL - 1), "Thu, 01 Jan 1970 00:00:00 GMT");
	EXPECT_EQ(date(253402300800), "Fri, 31 Dec 9999 23:59:59 GMT");
	EXPECT_EQ(date(9223372036854775807LL), "Fri, 31 Dec 9999 23:59:59 GMT");
}
