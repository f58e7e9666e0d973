// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "preconditions.h"
#include "test_util.h"

using namespace khttpd;

namespace {

constexpr kh_s64 kNow = 1750000000;
constexpr kh_s64 kMtime = 1000000000; // Sun, 09 Sep 2001 01:46:40 GMT
const std::string kTag = "\"3b9aca00-e\"";
const std::string kAt = "Sun, 09 Sep 2001 01:46:40 GMT";     // == mtime
const std::string kBefore = "Sun, 09 Sep 2001 01:46:39 GMT"; // mtime - 1
const std::string kAfter = "Sun, 09 Sep 2001 01:46:41 GMT";  // mtime + 1

// One request's conditional fields; absent when not set.
struct Req {
	Method method = Method::Get;
	const char *im = nullptr;   // If-Match
	const char *ius = nullptr;  // If-Unmodified-Since
	const char *inm = nullptr;  // If-None-Match
	const char *ims = nullptr;  // If-Modified-Since
	const char *ir = nullptr;   // If-Range
};

RequestHead head_of(const Req &r)
{
	RequestHead h;
	h.method = r.method;
	auto set = [](const char *v, StrView &dst, bool &has) {
		if (v) {
			dst = StrView::from_cstr(v, 1000);
			has = true;
		}
	};
	set(r.im, h.if_match, h.has_if_match);
	set(r.ius, h.if_unmodified_since, h.has_if_unmodified_since);
	set(r.inm, h.if_none_match, h.has_if_none_match);
	set(r.ims, h.if_modified_since, h.has_if_modified_since);
	set(r.ir, h.if_range, h.has_if_range);
	return h;
}

Precondition eval(const Req &r, kh_s64 mtime = kMtime)
{
	Validators v{mtime, sv(kTag)};
	return evaluate_preconditions(head_of(r), v, kNow);
}

bool range_ok(const char *if_range, kh_s64 mtime = kMtime)
{
	Req r;
	r.ir = if_range;
	Validators v{mtime, sv(kTag)};
	return if_range_holds(head_of(r), v, kNow);
}

constexpr auto P = Precondition::Proceed;
constexpr auto NM = Precondition::NotModified;
constexpr auto F = Precondition::Failed;

} // namespace

TEST(Preconditions, NoConditions)
{
	EXPECT_EQ(eval({}), P);
}

TEST(Preconditions, IfMatch)
{
	EXPECT_EQ(eval({.im = "*"}), P);
	EXPECT_EQ(eval({.im = kTag.c_str()}), P);
	EXPECT_EQ(eval({.im = "\"x\", \"3b9aca00-e\""}), P);
	EXPECT_EQ(eval({.im = "\"x\""}), F);
	EXPECT_EQ(eval({.im = "W/\"3b9aca00-e\""}), F); // strong comparison
	EXPECT_EQ(eval({.im = ""}), F);
	EXPECT_EQ(eval({.im = "garbage"}), F);
}

TEST(Preconditions, IfUnmodifiedSince)
{
	EXPECT_EQ(eval({.ius = kAt.c_str()}), P);
	EXPECT_EQ(eval({.ius = kAfter.c_str()}), P);
	EXPECT_EQ(eval({.ius = kBefore.c_str()}), F);
	EXPECT_EQ(eval({.ius = "Sunday, 09-Sep-01 01:46:39 GMT"}), F);
	EXPECT_EQ(eval({.ius = "Sun Sep  9 01:46:39 2001"}), F);
	EXPECT_EQ(eval({.ius = "garbage"}), P); // invalid date: ignored
	EXPECT_EQ(eval({.ius = "Sun, 09 Sep 2001 01:46:39 GMT, x"}), P);
}

TEST(Preconditions, IfNoneMatch)
{
	EXPECT_EQ(eval({.inm = "*"}), NM);
	EXPECT_EQ(eval({.inm = kTag.c_str()}), NM);
	EXPECT_EQ(eval({.inm = "W/\"3b9aca00-e\""}), NM); // weak comparison
	EXPECT_EQ(eval({.inm = "\"a\", W/\"3b9aca00-e\""}), NM);
	EXPECT_EQ(eval({.inm = "\"x\""}), P);
	EXPECT_EQ(eval({.inm = ""}), P);
	EXPECT_EQ(eval({.method = Method::Head, .inm = kTag.c_str()}), NM);
	// Other methods get 412 (RFC 9110 13.2.2 step 3).
	EXPECT_EQ(eval({.method = Method::Other, .inm = kTag.c_str()}), F);
}

TEST(Preconditions, IfModifiedSince)
{
	EXPECT_EQ(eval({.ims = kAt.c_str()}), NM);
	EXPECT_EQ(eval({.ims = kAfter.c_str()}), NM);
	EXPECT_EQ(eval({.ims = kBefore.c_str()}), P);
	EXPECT_EQ(eval({.ims = "Sunday, 09-Sep-01 01:46:40 GMT"}), NM);
	EXPECT_EQ(eval({.ims = "Sun Sep  9 01:46:40 2001"}), NM);
	EXPECT_EQ(eval({.ims = "garbage"}), P);
	EXPECT_EQ(eval({.ims = ""}), P);
	EXPECT_EQ(eval({.method = Method::Head, .ims = kAt.c_str()}), NM);
	EXPECT_EQ(eval({.method = Method::Other, .ims = kAt.c_str()}), P); // GET/HEAD only
}

// RFC 9110 section 13.2.2: the order of evaluation.
TEST(Preconditions, PrecedenceMatrix)
{
	// If-Match decides over If-Unmodified-Since (which is then ignored).
	EXPECT_EQ(eval({.im = kTag.c_str(), .ius = kBefore.c_str()}), P);
	EXPECT_EQ(eval({.im = "\"x\"", .ius = kAfter.c_str()}), F);
	// 412 from step 1/2 wins over 304 from step 3/4.
	EXPECT_EQ(eval({.im = "\"x\"", .inm = kTag.c_str()}), F);
	EXPECT_EQ(eval({.ius = kBefore.c_str(), .inm = kTag.c_str()}), F);
	EXPECT_EQ(eval({.ius = kBefore.c_str(), .ims = kAt.c_str()}), F);
	EXPECT_EQ(eval({.im = "\"x\"", .ims = kAt.c_str()}), F);
	// Passing step 1/2 moves on to 3/4.
	EXPECT_EQ(eval({.im = "*", .inm = kTag.c_str()}), NM);
	EXPECT_EQ(eval({.ius = kAt.c_str(), .ims = kAt.c_str()}), NM);
	EXPECT_EQ(eval({.im = kTag.c_str(), .ius = kBefore.c_str(), .ims = kAt.c_str()}), NM);
	// If-None-Match decides over If-Modified-Since (ignored then).
	EXPECT_EQ(eval({.inm = "\"x\"", .ims = kAt.c_str()}), P);
	EXPECT_EQ(eval({.inm = kTag.c_str(), .ims = kBefore.c_str()}), NM);
	// Invalid values.
	EXPECT_EQ(eval({.ius = "junk", .ims = "junk"}), P);
	EXPECT_EQ(eval({.im = "*", .ius = "junk", .inm = "\"x\"", .ims = "junk"}), P);
	// Everything true.
	EXPECT_EQ(eval({.im = kTag.c_str(), .ius = kAt.c_str(), .inm = "\"x\"",
			.ims = kBefore.c_str()}),
		  P);
}

TEST(Preconditions, IfRange)
{
	Req none;
	Validators v{kMtime, sv(kTag)};
	EXPECT_TRUE(if_range_holds(head_of(none), v, kNow));
	EXPECT_TRUE(range_ok(kTag.c_str()));
	EXPECT_FALSE(range_ok("\"x\""));
	EXPECT_FALSE(range_ok("W/\"3b9aca00-e\"")); // strong comparison only
	EXPECT_FALSE(range_ok("\"3b9aca00-e\" "));  // exactly one tag
	EXPECT_FALSE(range_ok("\"3b9aca00-e\", \"x\""));
	EXPECT_FALSE(range_ok("*"));
	EXPECT_TRUE(range_ok(kAt.c_str()));
	EXPECT_TRUE(range_ok("Sunday, 09-Sep-01 01:46:40 GMT"));
	EXPECT_TRUE(range_ok("Sun Sep  9 01:46:40 2001"));
	EXPECT_FALSE(range_ok(kBefore.c_str())); // an exact match only
	EXPECT_FALSE(range_ok(kAfter.c_str()));
	EXPECT_FALSE(range_ok("garbage"));
	EXPECT_FALSE(range_ok(""));
	EXPECT_FALSE(range_ok("\"unterminated"));
}
