// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "http_date.h"
#include "test_util.h"

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

// --- parsing -----------------------------------------------------------------

namespace {
constexpr kh_s64 kNow2025 = 1750000000; // Sun, 15 Jun 2025

// The parsed time, or -12345 for "no date".
kh_s64 parse(const std::string &s, kh_s64 now = kNow2025)
{
	kh_s64 t = -12345;
	bool ok = parse_http_date(StrView(s.data(), s.size()), now, t);
	EXPECT_EQ(ok, t != -12345) << s;
	return t;
}
} // namespace

TEST(HttpDateParse, ThreeFormatsOfTheRfcExample)
{
	EXPECT_EQ(parse("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
	EXPECT_EQ(parse("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
	EXPECT_EQ(parse("Sun Nov  6 08:49:37 1994"), 784111777);
	EXPECT_EQ(parse("Sun Nov 06 08:49:37 1994"), 784111777); // 2DIGIT also allowed
}

TEST(HttpDateParse, RoundTripsFormat)
{
	for (kh_s64 t : {0LL, 1LL, 59LL, 86399LL, 951782400LL, 951868800LL, 1000000000LL,
			 2147483647LL, 2147483648LL, 4107542400LL, 253402300799LL}) {
		EXPECT_EQ(parse(date(t)), t) << date(t);
	}
	for (kh_s64 t = 0; t < 20LL * 365 * 86400; t += 86400 * 7 + 3607)
		ASSERT_EQ(parse(date(t)), t) << date(t);
}

TEST(HttpDateParse, ImfFixdateEdges)
{
	EXPECT_EQ(parse("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
	EXPECT_EQ(parse("Wed, 31 Dec 1969 23:59:59 GMT"), -1); // before the epoch
	EXPECT_EQ(parse("Sat, 01 Jan 0000 00:00:00 GMT"), -62167219200LL);
	EXPECT_EQ(parse("Fri, 31 Dec 9999 23:59:59 GMT"), 253402300799LL);
	EXPECT_EQ(parse("Tue, 29 Feb 2000 00:00:00 GMT"), 951782400); // /400 leap
	EXPECT_EQ(parse("Thu, 29 Feb 2024 12:00:00 GMT"), 1709208000);
	EXPECT_EQ(parse("Sat, 31 Dec 2016 23:59:60 GMT"), 1483228800); // leap second
	// The day name is not checked against the date (as nginx).
	EXPECT_EQ(parse("Mon, 06 Nov 1994 08:49:37 GMT"), 784111777);
}

TEST(HttpDateParse, Rfc850TwoDigitYears)
{
	// RFC 9110 5.6.7: more than 50 years ahead is the previous century.
	// In 2025: "70" is 2070 (45 years ahead), "76" is 1976 (51 ahead).
	EXPECT_EQ(parse("Thursday, 01-Jan-70 00:00:00 GMT"), parse("Tue, 01 Jan 2070 00:00:00 GMT"));
	EXPECT_EQ(parse("Thursday, 01-Jan-70 00:00:00 GMT", 100000000), 0); // in 1973
	EXPECT_EQ(parse("Saturday, 01-Jan-00 00:00:00 GMT"), 946684800);
	EXPECT_EQ(parse("Monday, 01-Jan-74 00:00:00 GMT"), parse("Mon, 01 Jan 2074 00:00:00 GMT"));
	EXPECT_EQ(parse("Wednesday, 01-Jan-76 00:00:00 GMT"),
		  parse("Wed, 01 Jan 1976 00:00:00 GMT"));
	// Relative to another "now": in 1994, "94" is 1994 and "44" is 2044.
	EXPECT_EQ(parse("Sunday, 06-Nov-94 08:49:37 GMT", 784111777), 784111777);
	EXPECT_EQ(parse("Sunday, 06-Nov-44 08:49:37 GMT", 784111777),
		  parse("Sun, 06 Nov 2044 08:49:37 GMT"));
	EXPECT_EQ(parse("Sunday, 06-Nov-45 08:49:37 GMT", 784111777),
		  parse("Sun, 06 Nov 1945 08:49:37 GMT"));
	// A negative "now" is taken as 1970.
	EXPECT_EQ(parse("Thursday, 01-Jan-70 00:00:00 GMT", -5), 0);
	EXPECT_EQ(parse("Friday, 29-Feb-80 00:00:00 GMT"), 320630400); // 1980 is leap
}

TEST(HttpDateParse, Asctime)
{
	EXPECT_EQ(parse("Thu Jan  1 00:00:00 1970"), 0);
	EXPECT_EQ(parse("Sun Sep  9 01:46:40 2001"), 1000000000);
	EXPECT_EQ(parse("Tue Jan 19 03:14:08 2038"), 2147483648LL);
	EXPECT_EQ(parse("Thu Jan 1 00:00:00 1970"), -12345);    // day needs 2 chars
	EXPECT_EQ(parse("Thu Jan   1 00:00:00 1970"), -12345);
	EXPECT_EQ(parse("Thu Jan  1 00:00:00 1970 "), -12345);
	EXPECT_EQ(parse("Thu Jan  1 00:00:00 70"), -12345);
	EXPECT_EQ(parse("Thu Jan  0 00:00:00 1970"), -12345);
}

TEST(HttpDateParse, GarbageIsNoDate)
{
	const char *bad[] = {
		"",
		" ",
		"Sun",
		"Sun, 06 Nov 1994 08:49:37",          // no GMT
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 06 Nov 1994 08:49:37 gmt",      // case-sensitive
		"sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT ",     // trailing junk
		" Sun, 06 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMTX",
		"Sun,  06 Nov 1994 08:49:37 GMT",
		"Sun, 6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 94 08:49:37 GMT",
		"Sun, 06 Nov 01994 08:49:37 GMT",
		"Sun, 06 Nov 1994 8:49:37 GMT",
		"Sun, 06 Nov 1994 08:49 GMT",
		"Sun, 06 Nov 1994 08-49-37 GMT",
		"Sun, 00 Nov 1994 08:49:37 GMT",      // day 0
		"Sun, 31 Nov 1994 08:49:37 GMT",      // November has 30
		"Sun, 29 Feb 1900 08:49:37 GMT",      // 1900 not leap
		"Sun, 30 Feb 2000 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 23:60:00 GMT",
		"Sun, 06 Nov 1994 23:59:61 GMT",
		"Sun, 06 Xyz 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT", // a list
		"Sunday, 06-Nov-1994 08:49:37 GMT",
		"Sunday, 06 Nov 94 08:49:37 GMT",
		"Sun, 06-Nov-94 08:49:37 GMT",       // short name in RFC 850
		"Sunday, 06 Nov 1994 08:49:37 GMT",  // long name in IMF
		"Sundae, 06-Nov-94 08:49:37 GMT",
		"784111777",
		"-1",
		"Sun, +6 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 19x4 08:49:37 GMT",
	};
	for (const char *s : bad)
		EXPECT_EQ(parse(s), -12345) << '"' << s << '"';
	// Embedded NUL.
	std::string nul("Sun, 06 Nov 1994 08:49:37 GMT\0", 30);
	EXPECT_EQ(parse(nul), -12345);
	// Every prefix of a valid date is invalid.
	std::string full = "Sun, 06 Nov 1994 08:49:37 GMT";
	for (size_t n = 0; n < full.size(); n++)
		EXPECT_EQ(parse(full.substr(0, n)), -12345) << n;
}
