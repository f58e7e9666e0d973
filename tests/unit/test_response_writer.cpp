// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "response_writer.h"
#include "test_util.h"

using namespace khttpd;

TEST(ResponseWriter, ReasonPhrases)
{
	EXPECT_EQ(str(reason_phrase(200)), "OK");
	EXPECT_EQ(str(reason_phrase(404)), "Not Found");
	EXPECT_EQ(str(reason_phrase(431)), "Request Header Fields Too Large");
	EXPECT_EQ(str(reason_phrase(505)), "HTTP Version Not Supported");
	EXPECT_EQ(str(reason_phrase(299)), "Unknown");
}

TEST(ResponseWriter, BuildsHead)
{
	char buf[256];
	ResponseWriter w(buf, sizeof(buf));
	w.status_line(404)
		.header("Server", "khttpd")
		.header("Content-Length", kh_u64{18446744073709551615ULL})
		.date_header("Date", 0)
		.raw("X: ")
		.number(0)
		.raw("\r\n")
		.end_head();
	ASSERT_TRUE(w.ok());
	EXPECT_EQ(str(w.view()), "HTTP/1.1 404 Not Found\r\n"
				 "Server: khttpd\r\n"
				 "Content-Length: 18446744073709551615\r\n"
				 "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
				 "X: 0\r\n"
				 "\r\n");
}

TEST(ResponseWriter, ExactFit)
{
	char buf[8];
	ResponseWriter w(buf, sizeof(buf));
	w.raw("1234").number(5678);
	EXPECT_TRUE(w.ok());
	EXPECT_EQ(str(w.view()), "12345678");
}

TEST(ResponseWriter, OverflowIsSticky)
{
	char buf[16 + 4];
	for (char &c : buf)
		c = '#';
	ResponseWriter w(buf, 16);
	w.raw("0123456789");
	EXPECT_TRUE(w.ok());
	w.raw("abcdefgh"); // does not fit: nothing of it is written
	EXPECT_FALSE(w.ok());
	w.raw("x"); // would fit, but the response is already broken
	EXPECT_FALSE(w.ok());
	EXPECT_EQ(str(w.view()), "0123456789");
	for (int i = 16; i < 20; i++)
		EXPECT_EQ(buf[i], '#');
}

TEST(ResponseWriter, OverflowInEveryPart)
{
	std::string full;
	{
		char buf[512];
		ResponseWriter w(buf, sizeof(buf));
		w.status_line(200).header("A", "b").header("N", kh_u64{123}).date_header(
			"D", 784111777).end_head();
		ASSERT_TRUE(w.ok());
		full = str(w.view());
	}
	for (size_t cap = 0; cap < full.size(); cap++) {
		char buf[512];
		ResponseWriter w(buf, cap);
		w.status_line(200).header("A", "b").header("N", kh_u64{123}).date_header(
			"D", 784111777).end_head();
		EXPECT_FALSE(w.ok()) << cap;
		EXPECT_LE(w.view().size(), cap);
	}
}
