// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "request_path.h"
#include "test_util.h"

using namespace khttpd;

namespace {

struct Resolved {
	kh_u16 status;
	std::string rel;
	bool trailing_slash;
	std::string raw_path;
	std::string query;
	bool has_query;
};

Resolved resolve(const std::string &target)
{
	char scratch[512];
	RequestPath p;
	kh_u16 st = resolve_request_path(sv(target), scratch, sizeof(scratch), p);
	if (st)
		return Resolved{st, "", false, "", "", false};
	return Resolved{0, str(p.rel), p.trailing_slash, str(p.raw_path), str(p.query),
			p.has_query};
}

std::string rel_of(const std::string &target)
{
	Resolved r = resolve(target);
	EXPECT_EQ(r.status, 0) << target;
	return r.rel;
}

kh_u16 status_of(const std::string &target)
{
	return resolve(target).status;
}

} // namespace

TEST(RequestPath, Root)
{
	Resolved r = resolve("/");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(r.rel, "");
	EXPECT_TRUE(r.trailing_slash);
	EXPECT_EQ(r.raw_path, "/");
	EXPECT_FALSE(r.has_query);
}

TEST(RequestPath, PlainAndTrailingSlash)
{
	Resolved r = resolve("/a/b.html");
	EXPECT_EQ(r.rel, "a/b.html");
	EXPECT_FALSE(r.trailing_slash);
	r = resolve("/a/b/");
	EXPECT_EQ(r.rel, "a/b");
	EXPECT_TRUE(r.trailing_slash);
	r = resolve("/dir");
	EXPECT_EQ(r.rel, "dir");
	EXPECT_FALSE(r.trailing_slash);
}

TEST(RequestPath, PercentDecoding)
{
	EXPECT_EQ(rel_of("/a%20b.txt"), "a b.txt");
	EXPECT_EQ(rel_of("/%41%62c"), "Abc");
	EXPECT_EQ(rel_of("/%c3%A9"), "\xc3\xa9");
	EXPECT_EQ(rel_of("/100%25"), "100%");
	EXPECT_EQ(status_of("/%"), 400);
	EXPECT_EQ(status_of("/%4"), 400);
	EXPECT_EQ(status_of("/a%zz"), 400);
	EXPECT_EQ(status_of("/a%g0"), 400);
	EXPECT_EQ(status_of("/a%00b"), 400);
	EXPECT_EQ(status_of("/a%00"), 400);
}

TEST(RequestPath, EncodedDotsAndSlashes)
{
	EXPECT_EQ(status_of("/%2e%2e/etc/passwd"), 400);
	EXPECT_EQ(status_of("/%2E%2E%2Fetc"), 400);
	EXPECT_EQ(status_of("/a/%2e%2e/%2e%2e/x"), 400);
	EXPECT_EQ(status_of("/a%2f..%2f..%2fb"), 400);
	EXPECT_EQ(rel_of("/a%2fb"), "a/b");
	EXPECT_EQ(rel_of("/a/%2e%2e/b"), "b");
	EXPECT_EQ(rel_of("/a/%2e/b"), "a/b");
	EXPECT_EQ(rel_of("/a%2f%2e%2e%2fb"), "b");
}

TEST(RequestPath, TraversalRejected)
{
	EXPECT_EQ(status_of("/.."), 400);
	EXPECT_EQ(status_of("/../"), 400);
	EXPECT_EQ(status_of("/../etc/passwd"), 400);
	EXPECT_EQ(status_of("/a/../../etc/passwd"), 400);
	EXPECT_EQ(status_of("/a/./../.."), 400);
	EXPECT_EQ(status_of("//../x"), 400);
	EXPECT_EQ(status_of("/a/b/../../../c"), 400);
}

TEST(RequestPath, DotSegments)
{
	EXPECT_EQ(rel_of("/a/./b"), "a/b");
	EXPECT_EQ(rel_of("/./a"), "a");
	EXPECT_EQ(rel_of("/a/b/../c"), "a/c");
	EXPECT_EQ(rel_of("/a/b/../../c"), "c");
	EXPECT_EQ(rel_of("/abc/de/../f"), "abc/f");
	EXPECT_EQ(rel_of("/a/.."), "");
	EXPECT_EQ(rel_of("/a..b/c."), "a..b/c.");
	EXPECT_EQ(rel_of("/...") , "...");

	Resolved r = resolve("/a/..");
	EXPECT_TRUE(r.trailing_slash); // "/a/.." names the root directory
	r = resolve("/a/b/.");
	EXPECT_EQ(r.rel, "a/b");
	EXPECT_TRUE(r.trailing_slash);
	r = resolve("/a/b/..");
	EXPECT_EQ(r.rel, "a");
	EXPECT_TRUE(r.trailing_slash);
}

TEST(RequestPath, SlashMerging)
{
	EXPECT_EQ(rel_of("//a///b"), "a/b");
	Resolved r = resolve("/a//");
	EXPECT_EQ(r.rel, "a");
	EXPECT_TRUE(r.trailing_slash);
	r = resolve("///");
	EXPECT_EQ(r.rel, "");
	EXPECT_TRUE(r.trailing_slash);
}

TEST(RequestPath, Query)
{
	Resolved r = resolve("/dir?x=1&y=%2F");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(r.rel, "dir");
	EXPECT_EQ(r.raw_path, "/dir");
	EXPECT_TRUE(r.has_query);
	EXPECT_EQ(r.query, "x=1&y=%2F"); // not decoded
	r = resolve("/a?");
	EXPECT_TRUE(r.has_query);
	EXPECT_EQ(r.query, "");
	r = resolve("/a%3fb"); // an encoded '?' is part of the name
	EXPECT_EQ(r.rel, "a?b");
	EXPECT_FALSE(r.has_query);
	r = resolve("/a?b?c");
	EXPECT_EQ(r.rel, "a");
	EXPECT_EQ(r.query, "b?c");
}

TEST(RequestPath, RawPathKeepsEncoding)
{
	Resolved r = resolve("/a%20b//c/");
	EXPECT_EQ(r.raw_path, "/a%20b//c/");
	EXPECT_EQ(r.rel, "a b/c");
}

TEST(RequestPath, AbsoluteForm)
{
	Resolved r = resolve("http://example.com/x/y?q=1");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(r.rel, "x/y");
	EXPECT_EQ(r.raw_path, "/x/y");
	EXPECT_EQ(r.query, "q=1");
	EXPECT_EQ(rel_of("HTTP://example.com:8080/x"), "x");
	EXPECT_EQ(rel_of("https://h/a/../b"), "b");
	r = resolve("http://example.com");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(r.rel, "");
	EXPECT_TRUE(r.trailing_slash);
	EXPECT_EQ(status_of("http://h/../x"), 400);
	EXPECT_EQ(status_of("ftp://h/x"), 400);
	EXPECT_EQ(status_of("http:/x"), 400);
	EXPECT_EQ(status_of("x/y"), 400);
	EXPECT_EQ(status_of("*"), 400);
	EXPECT_EQ(status_of(""), 400);
}

TEST(RequestPath, AbsoluteFormQueryWithoutPath)
{
	Resolved r = resolve("http://h?a=1");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(r.rel, "");
	EXPECT_TRUE(r.trailing_slash);
	EXPECT_TRUE(r.has_query);
	EXPECT_EQ(r.query, "a=1");
	r = resolve("http://h?a=/x/../..");
	EXPECT_EQ(r.status, 0);
	EXPECT_EQ(r.rel, "");
	EXPECT_EQ(r.raw_path, "/");
	EXPECT_EQ(r.query, "a=/x/../..");
}

TEST(RequestPath, Fragment)
{
	EXPECT_EQ(status_of("/a#b"), 400);
	EXPECT_EQ(status_of("/#"), 400);
	EXPECT_EQ(status_of("/a?b#c"), 400);
	EXPECT_EQ(rel_of("/a%23b"), "a#b"); // encoded '#' is a name byte
}

TEST(RequestPath, ScratchTooSmall)
{
	char scratch[4];
	RequestPath p;
	EXPECT_EQ(resolve_request_path(sv("/abcdef"), scratch, sizeof(scratch), p), 414);
	EXPECT_EQ(resolve_request_path(sv("/abc"), scratch, sizeof(scratch), p), 0);
	EXPECT_EQ(str(p.rel), "abc");
}

TEST(RequestPath, HiddenSegment)
{
	EXPECT_TRUE(has_hidden_segment(sv(".git")));
	EXPECT_TRUE(has_hidden_segment(sv(".git/config")));
	EXPECT_TRUE(has_hidden_segment(sv("a/.htaccess")));
	EXPECT_TRUE(has_hidden_segment(sv("a/b/.x/c")));
	EXPECT_FALSE(has_hidden_segment(sv("")));
	EXPECT_FALSE(has_hidden_segment(sv("a.b/c.d")));
	EXPECT_FALSE(has_hidden_segment(sv("a/b.")));
	EXPECT_TRUE(has_hidden_segment(sv(rel_of("/a/%2egit/x"))));
}
