// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "content_coding.h"
#include "http_request.h"
#include "test_util.h"

using namespace khttpd;

namespace {

AcceptEncoding ae(const std::string &value)
{
	AcceptEncoding a;
	add_accept_encoding(sv(value), a);
	return a;
}

// The preference order as names: "br,zstd,gzip".
std::string order(const AcceptEncoding &a)
{
	Coding out[kVariantCodings];
	kh_size n = preferred_codings(a, out);
	EXPECT_LE(n, kVariantCodings);
	std::string s;
	for (kh_size i = 0; i < n; i++)
		s += (i ? "," : "") + str(coding_name(out[i]));
	return s;
}

std::string order(const std::string &value)
{
	return order(ae(value));
}

kh_u16 weight(const std::string &value, Coding c)
{
	return accept_weight(ae(value), c);
}

} // namespace

TEST(ContentCoding, Names)
{
	EXPECT_EQ(str(coding_name(Coding::Br)), "br");
	EXPECT_EQ(str(coding_name(Coding::Zstd)), "zstd");
	EXPECT_EQ(str(coding_name(Coding::Gzip)), "gzip");
	EXPECT_EQ(str(coding_suffix(Coding::Br)), ".br");
	EXPECT_EQ(str(coding_suffix(Coding::Zstd)), ".zst");
	EXPECT_EQ(str(coding_suffix(Coding::Gzip)), ".gz");
	for (Coding c : {Coding::Br, Coding::Zstd, Coding::Gzip})
		EXPECT_LE(coding_suffix(c).size(), kCodingSuffixMax);
	EXPECT_TRUE(has_coding_suffix(sv("a.gz")));
	EXPECT_TRUE(has_coding_suffix(sv("a/b.tar.GZ")));
	EXPECT_TRUE(has_coding_suffix(sv("x.br")));
	EXPECT_TRUE(has_coding_suffix(sv("x.zst")));
	EXPECT_TRUE(has_coding_suffix(sv(".gz")));
	EXPECT_FALSE(has_coding_suffix(sv("gz")));
	EXPECT_FALSE(has_coding_suffix(sv("a.tgz")));
	EXPECT_FALSE(has_coding_suffix(sv("a.zstd")));
	EXPECT_FALSE(has_coding_suffix(sv("index.html")));
	EXPECT_FALSE(has_coding_suffix(sv("")));
}

TEST(ContentCoding, PlainListPrefersSmallest)
{
	EXPECT_EQ(order("gzip"), "gzip");
	EXPECT_EQ(order("gzip, deflate, br, zstd"), "br,zstd,gzip");
	EXPECT_EQ(order("gzip, deflate, br"), "br,gzip");
	EXPECT_EQ(order("zstd,gzip"), "zstd,gzip");
	EXPECT_EQ(order("deflate, compress"), "");
	EXPECT_EQ(order(""), "");
	EXPECT_EQ(order("identity"), "");
}

TEST(ContentCoding, CaseInsensitiveAndAliases)
{
	EXPECT_EQ(order("GZIP, Br, ZsTd"), "br,zstd,gzip");
	EXPECT_EQ(order("x-gzip"), "gzip");
	EXPECT_EQ(order("X-GZIP;Q=0.5"), "gzip");
	EXPECT_EQ(weight("x-gzip;q=0.5", Coding::Gzip), 500);
}

TEST(ContentCoding, QValues)
{
	EXPECT_EQ(weight("gzip", Coding::Gzip), 1000);
	EXPECT_EQ(weight("gzip;q=1", Coding::Gzip), 1000);
	EXPECT_EQ(weight("gzip;q=1.000", Coding::Gzip), 1000);
	EXPECT_EQ(weight("gzip;q=0.5", Coding::Gzip), 500);
	EXPECT_EQ(weight("gzip;q=0.05", Coding::Gzip), 50);
	EXPECT_EQ(weight("gzip;q=0.001", Coding::Gzip), 1);
	EXPECT_EQ(weight("gzip;q=0.", Coding::Gzip), 0);
	EXPECT_EQ(weight("gzip ; q=0.7", Coding::Gzip), 700);
	EXPECT_EQ(weight("gzip\t;\tQ=0.7", Coding::Gzip), 700);
	// Higher weight wins over the size order.
	EXPECT_EQ(order("br;q=0.5, zstd;q=0.8, gzip"), "gzip,zstd,br");
	EXPECT_EQ(order("br;q=0.9, gzip;q=0.9, zstd;q=0.1"), "br,gzip,zstd");
	EXPECT_EQ(order("gzip;q=0.2, br;q=0.3"), "br,gzip");
}

TEST(ContentCoding, QZeroMeansNotAcceptable)
{
	EXPECT_EQ(order("gzip;q=0"), "");
	EXPECT_EQ(order("gzip;q=0.000, br"), "br");
	EXPECT_EQ(order("br;q=0, zstd;q=0, gzip;q=0"), "");
	EXPECT_FALSE(accepts_any_variant(ae("gzip;q=0")));
	EXPECT_TRUE(accepts_any_variant(ae("gzip;q=0, br;q=0.001")));
}

TEST(ContentCoding, Wildcard)
{
	EXPECT_EQ(order("*"), "br,zstd,gzip");
	EXPECT_EQ(order("*;q=0.5"), "br,zstd,gzip");
	// A listed coding takes its own weight, "*" covers the rest.
	EXPECT_EQ(order("gzip, *;q=0.5"), "gzip,br,zstd");
	EXPECT_EQ(order("*, br;q=0"), "zstd,gzip");
	EXPECT_EQ(order("*;q=0"), "");
	EXPECT_EQ(order("*;q=0, gzip"), "gzip");
	EXPECT_EQ(weight("*;q=0.3", Coding::Zstd), 300);
	EXPECT_EQ(weight("*;q=0", Coding::Identity), 0);
	EXPECT_EQ(weight("*;q=0, identity", Coding::Identity), 1000);
	EXPECT_FALSE(accepts_any_variant(ae("*;q=0")));
}

TEST(ContentCoding, Identity)
{
	// Unlisted identity is acceptable but ranks below every coding.
	EXPECT_EQ(weight("gzip", Coding::Identity), 1000);
	EXPECT_EQ(order("gzip;q=0.1"), "gzip");
	// Listed, it ranks by its weight; ties go to the coding.
	EXPECT_EQ(order("identity, gzip;q=0.5"), "");
	EXPECT_EQ(order("identity;q=0.5, gzip;q=0.5, br;q=0.4"), "gzip");
	EXPECT_EQ(order("identity, gzip"), "gzip");
	EXPECT_EQ(order("identity;q=0, gzip"), "gzip");
	// "*" weighs identity too when it is not listed.
	EXPECT_EQ(order("*;q=0.5, gzip;q=0.2"), "br,zstd");
	// Below identity, but still acceptable: Accept-Encoding matters.
	EXPECT_TRUE(accepts_any_variant(ae("identity, gzip;q=0.5")));
	EXPECT_FALSE(accepts_any_variant(ae("identity")));
}

TEST(ContentCoding, MalformedMembersAreIgnored)
{
	EXPECT_EQ(order("gzip;q=2, br"), "br");
	EXPECT_EQ(order("gzip;q=1.5"), "");
	EXPECT_EQ(order("gzip;q=1.001"), "");
	EXPECT_EQ(order("gzip;q=0.0001"), "");
	EXPECT_EQ(order("gzip;q=.5"), "");
	EXPECT_EQ(order("gzip;q="), "");
	EXPECT_EQ(order("gzip;q"), "");
	EXPECT_EQ(order("gzip;"), "");
	EXPECT_EQ(order("gzip;q =0.5"), "");
	EXPECT_EQ(order("gzip;level=9"), "");
	EXPECT_EQ(order("gzip;q=0.5;q=0.6"), "");
	EXPECT_EQ(order("gzip;q=-1"), "");
	EXPECT_EQ(order("gzip;q=0x1"), "");
	EXPECT_EQ(order("g zip, br"), "br");
	EXPECT_EQ(order("\"gzip\", zstd"), "zstd");
	EXPECT_EQ(order(";q=1, gzip"), "gzip");
	EXPECT_EQ(order(",,, gzip ,, "), "gzip");
	EXPECT_EQ(order("gzipp, brr, zst"), "");
	// A malformed "*" does not open everything up.
	EXPECT_EQ(order("*;q=x"), "");
}

TEST(ContentCoding, FirstOccurrenceWins)
{
	EXPECT_EQ(order("gzip;q=0, gzip"), "");
	EXPECT_EQ(order("gzip, gzip;q=0"), "gzip");
	EXPECT_EQ(order("x-gzip;q=0, gzip"), "");
	// A malformed first occurrence does not count.
	EXPECT_EQ(order("gzip;q=9, gzip;q=0.5"), "gzip");
}

// --- through the request parser ---------------------------------------------

namespace {

struct Parsed {
	ParseResult r;
	RequestHead h;
};

Parsed parse(const std::string &fields)
{
	static std::deque<std::string> keep;
	keep.push_back("GET /x HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n");
	Parsed p{};
	p.r = parse_request_head(sv(keep.back()), p.h);
	return p;
}

} // namespace

TEST(ContentCoding, ParserField)
{
	Parsed p = parse("");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_FALSE(p.h.has_accept_encoding);
	EXPECT_EQ(order(p.h.accept_encoding), "");

	p = parse("accept-ENCODING:  gzip, deflate, br, zstd  \r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.has_accept_encoding);
	EXPECT_EQ(order(p.h.accept_encoding), "br,zstd,gzip");

	// An empty field: only identity.
	p = parse("Accept-Encoding:\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_TRUE(p.h.has_accept_encoding);
	EXPECT_EQ(order(p.h.accept_encoding), "");

	// Several lines make one list; the first mention of a coding counts.
	p = parse("Accept-Encoding: gzip;q=0.5\r\nAccept-Encoding: br;q=0.4, gzip\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(order(p.h.accept_encoding), "gzip,br");
	EXPECT_EQ(accept_weight(p.h.accept_encoding, Coding::Gzip), 500);

	// A malformed value is no reason for a 400.
	p = parse("Accept-Encoding: ;;;,=,q=1;gzip;q=abc\r\n");
	ASSERT_EQ(p.r.status, ParseStatus::Done);
	EXPECT_EQ(order(p.h.accept_encoding), "");
	// A control character in it is, like in any field.
	p = parse(std::string("Accept-Encoding: gz\x01ip\r\n"));
	EXPECT_EQ(p.r.status, ParseStatus::Error);
}
