// SPDX-License-Identifier: GPL-2.0
// The session end to end: byte ranges and conditional requests.
#include "session_fixture.h"

using namespace session_test;


TEST_F(SessionTest, Range206ExactResponse)
{
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=2-5\r\n")),
		  partial("text/plain", 2, 5, 10, "2345"));
	EXPECT_EQ(send_files_, 1);
}

TEST_F(SessionTest, RangeForms)
{
	struct {
		const char *range;
		kh_u64 first, last;
	} cases[] = {
		{"bytes=0-0", 0, 0},
		{"bytes=0-9", 0, 9},
		{"bytes=9-9", 9, 9},
		{"bytes=7-", 7, 9},
		{"bytes=-3", 7, 9},
		{"bytes=-10", 0, 9},
		{"bytes=-1000", 0, 9},
		{"bytes=4-1000", 4, 9},
		{"BYTES=1-2", 1, 2},
		{"bytes=, 1-2 ,", 1, 2},
		{"bytes=0-18446744073709551615", 0, 9},
		{"bytes=1-99999999999999999999999", 1, 9},
		{"bytes=-99999999999999999999999", 0, 9},
	};
	for (const auto &c : cases) {
		std::string body(kDigits + c.first, c.last - c.first + 1);
		EXPECT_EQ(run(get("/digits.txt", std::string("Range: ") + c.range + "\r\n")),
			  partial("text/plain", c.first, c.last, 10, body))
			<< c.range;
	}
}

TEST_F(SessionTest, RangeUnsatisfiable416)
{
	for (const char *r : {"bytes=10-", "bytes=10-20", "bytes=-0",
			      "bytes=18446744073709551615-", "bytes=99999999999999999999999-"}) {
		EXPECT_EQ(run(get("/digits.txt", std::string("Range: ") + r + "\r\n") + kGetHello),
			  unsatisfiable(10) + ok("text/plain", kHello, true))
			<< r;
		EXPECT_EQ(send_files_, 1); // only hello.txt's
	}
}

TEST_F(SessionTest, RangeIgnoredServesWhole)
{
	std::string whole = ok("text/plain", kDigits, true);
	for (const char *r : {"bytes=5-4", "bytes=a-b", "items=0-1", "bytes 0-1", "bytes=0-1,3-4",
			      "bytes=0-1, -2", "bytes=-", ""}) {
		EXPECT_EQ(run(get("/digits.txt", std::string("Range: ") + r + "\r\n")), whole) << r;
	}
	// A repeated Range is ignored.
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=0-1\r\nRange: bytes=2-3\r\n")), whole);
}

TEST_F(SessionTest, RangeOnHeadIsIgnored)
{
	// RFC 9110 14.2: range handling is defined for GET only.
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=2-5\r\n", "HEAD")),
		  ok_head("text/plain", 10, true));
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=50-\r\n", "HEAD")),
		  ok_head("text/plain", 10, true));
	EXPECT_EQ(send_files_, 0);
}

TEST_F(SessionTest, RangeOnEmptyFileAsNginx)
{
	EXPECT_EQ(run(get("/empty.css", "Range: bytes=0-\r\n")), ok_head("text/css", 0, true));
	EXPECT_EQ(run(get("/empty.css", "Range: bytes=-5\r\n")), ok_head("text/css", 0, true));
	EXPECT_EQ(run(get("/empty.css", "Range: bytes=1-\r\n")), unsatisfiable(0));
	EXPECT_EQ(send_files_, 0);
}

TEST_F(SessionTest, IfRange)
{
	std::string whole = ok("text/plain", kDigits, true);
	std::string part = partial("text/plain", 1, 2, 10, "12");
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=1-2\r\nIf-Range: " + kDigitsTag + "\r\n")),
		  part);
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=1-2\r\nIf-Range: " + kMtimeText + "\r\n")),
		  part);
	EXPECT_EQ(run(get("/digits.txt", "If-Range: \"old\"\r\nRange: bytes=1-2\r\n")), whole);
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=1-2\r\nIf-Range: W/" + kDigitsTag + "\r\n")),
		  whole);
	EXPECT_EQ(run(get("/digits.txt",
			  "Range: bytes=1-2\r\nIf-Range: Sun, 09 Sep 2001 01:46:41 GMT\r\n")),
		  whole);
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=1-2\r\nIf-Range: junk\r\n")), whole);
	// A mismatching If-Range also cancels a 416.
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=50-\r\nIf-Range: \"old\"\r\n")), whole);
	// If-Range without Range: nothing happens.
	EXPECT_EQ(run(get("/digits.txt", "If-Range: \"old\"\r\n")), whole);
}

TEST_F(SessionTest, NotModified304)
{
	std::string nm = not_modified(kDigitsTag);
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\n")), nm);
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: \"x\", W/" + kDigitsTag + "\r\n")), nm);
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: *\r\n")), nm);
	EXPECT_EQ(run(get("/digits.txt", "If-Modified-Since: " + kMtimeText + "\r\n")), nm);
	EXPECT_EQ(run(get("/digits.txt", "If-Modified-Since: Sunday, 09-Sep-01 01:46:40 GMT\r\n")),
		  nm);
	EXPECT_EQ(run(get("/digits.txt", "If-Modified-Since: Sun Sep  9 01:46:40 2001\r\n")), nm);
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\n", "HEAD")), nm);
	EXPECT_EQ(send_files_, 0);
	// A 304 keeps the connection and the next request is served.
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\n") + kGetHello),
		  nm + ok("text/plain", kHello, true));
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\nConnection: close\r\n") +
		      kGetHello),
		  not_modified(kDigitsTag, false));
	// Not matching / modified since: 200.
	std::string whole = ok("text/plain", kDigits, true);
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: \"3b9aca00-b\"\r\n")), whole);
	EXPECT_EQ(run(get("/digits.txt", "If-Modified-Since: Sun, 09 Sep 2001 01:46:39 GMT\r\n")),
		  whole);
	EXPECT_EQ(run(get("/digits.txt", "If-Modified-Since: yesterday\r\n")), whole);
	// If-None-Match decides; If-Modified-Since is then ignored.
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: \"x\"\r\nIf-Modified-Since: " +
					 kMtimeText + "\r\n")),
		  whole);
}

TEST_F(SessionTest, PreconditionFailed412)
{
	EXPECT_EQ(run(get("/digits.txt", "If-Match: \"x\"\r\n") + kGetHello),
		  error(412, true) + ok("text/plain", kHello, true));
	EXPECT_EQ(run(get("/digits.txt", "If-Match: W/" + kDigitsTag + "\r\n")), error(412, true));
	EXPECT_EQ(run(get("/digits.txt", "If-Unmodified-Since: Sun, 09 Sep 2001 01:46:39 GMT\r\n")),
		  error(412, true));
	EXPECT_EQ(run(get("/digits.txt", "If-Match: \"x\"\r\n", "HEAD")), error(412, true, true));
	EXPECT_EQ(send_files_, 0);
	std::string whole = ok("text/plain", kDigits, true);
	EXPECT_EQ(run(get("/digits.txt", "If-Match: " + kDigitsTag + "\r\n")), whole);
	EXPECT_EQ(run(get("/digits.txt", "If-Match: *\r\n")), whole);
	EXPECT_EQ(run(get("/digits.txt", "If-Unmodified-Since: " + kMtimeText + "\r\n")), whole);
	EXPECT_EQ(run(get("/digits.txt", "If-Unmodified-Since: junk\r\n")), whole);
}

TEST_F(SessionTest, PreconditionsBeforeRange)
{
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=0-1\r\nIf-None-Match: " + kDigitsTag + "\r\n")),
		  not_modified(kDigitsTag));
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=50-\r\nIf-Match: \"x\"\r\n")), error(412, true));
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=3-4\r\nIf-Match: " + kDigitsTag + "\r\n")),
		  partial("text/plain", 3, 4, 10, "34"));
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=3-4\r\nIf-Modified-Since: "
					 "Sun, 09 Sep 2001 01:46:39 GMT\r\n")),
		  partial("text/plain", 3, 4, 10, "34"));
}

TEST_F(SessionTest, PreconditionsOnlyFor2xx)
{
	// RFC 9110 13.2.1: errors and redirects stay what they are.
	EXPECT_EQ(run(get("/nope.txt", "If-None-Match: *\r\n")), error(404, true));
	EXPECT_EQ(run(get("/nope.txt", "If-Match: \"x\"\r\n")), error(404, true));
	EXPECT_EQ(run(get("/secret.txt", "If-Match: \"x\"\r\n")), error(403, true));
	EXPECT_EQ(run(get("/sub", "If-None-Match: *\r\nRange: bytes=0-0\r\n")),
		  redirect("/sub/", true));
}

TEST_F(SessionTest, DuplicateConditional400)
{
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n") +
		      kGetHello),
		  error(400, false));
}

TEST_F(SessionTest, ConditionalSplitAtEveryByte)
{
	std::string in = get("/digits.txt", "Range: bytes=-3\r\n") +
			 get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\n") +
			 get("/digits.txt", "If-Match: \"x\"\r\n") +
			 get("/digits.txt", "Range: bytes=10-\r\n") +
			 get("/digits.txt", "Range: bytes=0-0\r\nConnection: close\r\n");
	std::string want = partial("text/plain", 7, 9, 10, "789") + not_modified(kDigitsTag) +
			   error(412, true) + unsatisfiable(10) +
			   partial("text/plain", 0, 0, 10, "0", false);
	ASSERT_EQ(run(in), want);
	for (kh_size chunk = 1; chunk <= 40; chunk++)
		EXPECT_EQ(run(in, chunk), want) << "chunk " << chunk;
}

// --- precompressed variants ---------------------------------------------------
