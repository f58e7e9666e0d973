// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "http_request.h"
#include "test_util.h"

using namespace khttpd;

namespace {

struct Parsed {
	ParseResult r;
	RequestHead h;
};

// The views in a RequestHead point into the parsed bytes: keep every
// parsed string alive until the end of the test program.
Parsed parse(const std::string &s)
{
	static std::deque<std::string> keep;
	keep.push_back(s);
	Parsed p{};
	p.r = parse_request_head(sv(keep.back()), p.h);
	return p;
}

kh_u16 error_of(const std::string &s)
{
	Parsed p = parse(s);
	EXPECT_EQ(p.r.status, ParseStatus::Error) << s;
	return p.r.error_status;
}

} // namespace

TEST(HttpRequest, SimpleGet)
{
	std::string s = "GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
	Parsed p = parse(s);
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(p.r.head_len, s.size());
	EXPECT_EQ(p.h.method, Method::Get);
	EXPECT_EQ(str(p.h.method_name), "GET");
	EXPECT_EQ(str(p.h.target), "/index.html");
	EXPECT_EQ(p.h.version_minor, 1);
	EXPECT_TRUE(p.h.has_host);
	EXPECT_EQ(str(p.h.host), "example.com");
	EXPECT_FALSE(p.h.conn_close);
	EXPECT_FALSE(p.h.conn_keep_alive);
	EXPECT_FALSE(p.h.has_body);
}

TEST(HttpRequest, MethodsAndBareLf)
{
	Parsed p = parse("HEAD / HTTP/1.0\n\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(p.r.head_len, 17u);
	EXPECT_EQ(p.h.method, Method::Head);
	EXPECT_EQ(p.h.version_minor, 0);
	EXPECT_FALSE(p.h.has_host); // fine for 1.0

	p = parse("PUT /x HTTP/1.0\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(p.h.method, Method::Other);
	EXPECT_EQ(str(p.h.method_name), "PUT");

	// Methods are case-sensitive: "get" is not GET.
	p = parse("get / HTTP/1.0\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(p.h.method, Method::Other);
}

TEST(HttpRequest, AbsoluteFormTargetKept)
{
	Parsed p = parse("GET http://h/a?b HTTP/1.1\r\nHost: h\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(str(p.h.target), "http://h/a?b");
}

TEST(HttpRequest, TrailingBytesNotPartOfHead)
{
	std::string head = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
	Parsed p = parse(head + "GET /b HTTP/1.1\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(p.r.head_len, head.size());
	EXPECT_EQ(str(p.h.target), "/a");
}

TEST(HttpRequest, Versions)
{
	EXPECT_EQ(error_of("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505);
	EXPECT_EQ(error_of("GET / HTTP/0.9\r\n\r\n"), 505);
	EXPECT_EQ(error_of("GET / HTTP/1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.10\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / http/1.1\r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.x\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET /\r\n\r\n"), 400); // HTTP/0.9 simple request
	Parsed p = parse("GET / HTTP/1.0\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(p.h.version_minor, 0);
}

TEST(HttpRequest, Host)
{
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: a\r\nhOsT: a\r\n\r\n"), 400);
	Parsed p = parse("GET / HTTP/1.1\r\nhost:   h:8080 \t\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(str(p.h.host), "h:8080");
	p = parse("GET / HTTP/1.1\r\nHost:\r\n\r\n"); // empty Host is allowed
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.has_host);
	EXPECT_TRUE(p.h.host.empty());
}

TEST(HttpRequest, MalformedLines)
{
	// obs-fold
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n  2\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: h\r\n\tX: 1\r\n\r\n"), 400);
	// bare CR in the request line and in a field
	EXPECT_EQ(error_of("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n"), 400);
	// bad tokens
	EXPECT_EQ(error_of("G(T / HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of(" GET / HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET  / HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1 \r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nBad Name: x\r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\n: x\r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nNoColon\r\nHost: h\r\n\r\n"), 400);
	EXPECT_EQ(error_of(std::string("GET / HTTP/1.1\r\nHost: h\r\nX: a\x01z\r\n\r\n")), 400);
	EXPECT_EQ(error_of(std::string("\x16\x03\x01\x02\x00\r\n\r\n", 9)), 400); // TLS-ish garbage
	// obs-text in a value is fine
	Parsed p = parse("GET / HTTP/1.1\r\nHost: h\r\nX: caf\xc3\xa9\r\n\r\n");
	EXPECT_EQ(p.r.status, ParseStatus::Done);
}

TEST(HttpRequest, Connection)
{
	Parsed p = parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.conn_close);
	EXPECT_FALSE(p.h.conn_keep_alive);

	p = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_FALSE(p.h.conn_close);
	EXPECT_TRUE(p.h.conn_keep_alive);

	p = parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade ,  CLOSE\t,x\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.conn_close);

	p = parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.conn_close);
	EXPECT_TRUE(p.h.conn_keep_alive);

	p = parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed, keep-alives\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_FALSE(p.h.conn_close);
	EXPECT_FALSE(p.h.conn_keep_alive);
}

TEST(HttpRequest, BodyIndicators)
{
	Parsed p = parse("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_FALSE(p.h.has_body);
	p = parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 000\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_FALSE(p.h.has_body);
	p = parse("POST / HTTP/1.1\r\nHost: h\r\ncontent-length: 10\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.has_body);
	p = parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.has_body);

	EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"), 400);
	EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1 2\r\n\r\n"), 400);
	EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n"), 400);
	EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n"), 400);
	EXPECT_EQ(error_of("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
			   "Content-Length: 5\r\n\r\n"), 400);
}

TEST(HttpRequest, LeadingEmptyLinesSkipped)
{
	std::string s = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
	Parsed p = parse(s);
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(p.r.head_len, s.size()); // includes the skipped lines
	EXPECT_EQ(str(p.h.target), "/");

	p = parse("\r\n\r\nGET / HT");
	EXPECT_EQ(p.r.status, ParseStatus::Incomplete);
	EXPECT_EQ(p.r.head_len, 4u); // the caller may drop them

	p = parse("\r\n\r");
	EXPECT_EQ(p.r.status, ParseStatus::Incomplete);
	EXPECT_EQ(p.r.head_len, 2u);
}

TEST(HttpRequest, IncompleteAtEveryPrefix)
{
	const std::string heads[] = {
		"GET /a/b.html?x=1 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n"
		"User-Agent: t\r\n\r\n",
		"\r\nHEAD / HTTP/1.0\n\n",
	};
	for (const std::string &s : heads) {
		for (size_t n = 0; n < s.size(); n++) {
			std::string prefix = s.substr(0, n);
			Parsed p = parse(prefix);
			EXPECT_EQ(p.r.status, ParseStatus::Incomplete) << "prefix " << n;
			EXPECT_LE(p.r.head_len, n);
		}
		Parsed p = parse(s);
		EXPECT_EQ(p.r.status, ParseStatus::Done);
		EXPECT_EQ(p.r.head_len, s.size());
	}
}

TEST(HttpRequest, ErrorsWaitForTheWholeHead)
{
	// A malformed line is only judged once the head has ended.
	EXPECT_EQ(parse("GARBAGE\r\n").r.status, ParseStatus::Incomplete);
	EXPECT_EQ(error_of("GARBAGE\r\n\r\n"), 400);
}

TEST(HttpRequest, MayHoldHeadEnd)
{
	auto may = [](const std::string &s, size_t from) {
		return may_hold_head_end(sv(s), from);
	};
	EXPECT_FALSE(may("GET / HTTP/1.1\r\nHost: h\r\n", 0));
	EXPECT_TRUE(may("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0));
	EXPECT_TRUE(may("GET / HTTP/1.0\n\n", 0));
	EXPECT_TRUE(may("\r\n", 0));
	EXPECT_TRUE(may("\n", 0));
	EXPECT_FALSE(may("\r", 0));
	EXPECT_FALSE(may("", 0));

	// The end split across two receives, at each point.
	std::string s = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	for (size_t from = 0; from < s.size(); from++)
		EXPECT_TRUE(may(s, from)) << from;
	// Nothing new that could end a head: no.
	std::string partial = "GET / HTTP/1.1\r\nHost: h\r\nX: y";
	EXPECT_FALSE(may(partial, partial.size() - 1));
	EXPECT_FALSE(may(partial, 20));

	// Fed one byte at a time, it says yes exactly when the head ended.
	std::string acc;
	for (size_t i = 0; i < s.size(); i++) {
		acc += s[i];
		bool expect = i == s.size() - 1;
		EXPECT_EQ(may(acc, i), expect) << i;
	}
}

TEST(HttpRequest, ConditionalAndRangeFields)
{
	Parsed p = parse("GET / HTTP/1.1\r\nHost: h\r\n"
			 "if-modified-since:  Sun, 06 Nov 1994 08:49:37 GMT \r\n"
			 "If-Unmodified-Since:Sun Nov  6 08:49:37 1994\r\n"
			 "IF-NONE-MATCH: \"a\", W/\"b\"\r\n"
			 "If-Match: *\r\n"
			 "Range: bytes=0-5\r\n"
			 "If-Range: \"a\"\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.has_if_modified_since);
	EXPECT_EQ(str(p.h.if_modified_since), "Sun, 06 Nov 1994 08:49:37 GMT");
	EXPECT_TRUE(p.h.has_if_unmodified_since);
	EXPECT_EQ(str(p.h.if_unmodified_since), "Sun Nov  6 08:49:37 1994");
	EXPECT_TRUE(p.h.has_if_none_match);
	EXPECT_EQ(str(p.h.if_none_match), "\"a\", W/\"b\"");
	EXPECT_TRUE(p.h.has_if_match);
	EXPECT_EQ(str(p.h.if_match), "*");
	EXPECT_TRUE(p.h.has_range);
	EXPECT_FALSE(p.h.range_repeated);
	EXPECT_EQ(str(p.h.range), "bytes=0-5");
	EXPECT_TRUE(p.h.has_if_range);
	EXPECT_EQ(str(p.h.if_range), "\"a\"");

	p = parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_FALSE(p.h.has_if_modified_since || p.h.has_if_unmodified_since ||
		     p.h.has_if_none_match || p.h.has_if_match || p.h.has_range ||
		     p.h.has_if_range || p.h.range_repeated);

	// Present but empty is still present.
	p = parse("GET / HTTP/1.1\r\nHost: h\r\nIf-None-Match:\r\nRange: \r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.has_if_none_match);
	EXPECT_EQ(str(p.h.if_none_match), "");
	EXPECT_TRUE(p.h.has_range);
}

TEST(HttpRequest, DuplicateConditionalFields)
{
	// A second line of a singleton If-* field is a 400, as nginx.
	for (const char *name : {"If-Modified-Since", "If-Unmodified-Since", "If-None-Match",
				 "If-Match", "If-Range"}) {
		std::string s = std::string("GET / HTTP/1.1\r\nHost: h\r\n") + name + ": a\r\n" +
				name + ": a\r\n\r\n";
		EXPECT_EQ(error_of(s), 400) << name;
	}
	EXPECT_EQ(error_of("GET / HTTP/1.1\r\nHost: h\r\nIf-Match: *\r\nif-match: *\r\n\r\n"),
		  400);
	// A second Range is kept apart: the session ignores the Range then.
	Parsed p = parse("GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\n"
			 "Range: bytes=2-3\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.has_range);
	EXPECT_TRUE(p.h.range_repeated);
	EXPECT_EQ(str(p.h.range), "bytes=0-1");
	// Similar names are not confused.
	p = parse("GET / HTTP/1.1\r\nHost: h\r\nRanges: x\r\nIf-Match-X: y\r\n\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_FALSE(p.h.has_range);
	EXPECT_FALSE(p.h.has_if_match);
}
