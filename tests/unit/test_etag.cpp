// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

#include "etag.h"
#include "test_util.h"

using namespace khttpd;

namespace {

std::string etag(kh_s64 mtime, kh_u64 size)
{
	char buf[kEtagMax + 8];
	for (char &c : buf)
		c = '#';
	kh_size n = format_etag(mtime, size, buf);
	EXPECT_LE(n, kEtagMax);
	for (kh_size i = n; i < sizeof(buf); i++)
		EXPECT_EQ(buf[i], '#') << "wrote past the tag at " << i;
	return std::string(buf, n);
}

bool weak(const std::string &field, const std::string &cur)
{
	return etag_list_matches(sv(field), sv(cur), EtagCompare::Weak);
}

bool strong(const std::string &field, const std::string &cur)
{
	return etag_list_matches(sv(field), sv(cur), EtagCompare::Strong);
}

} // namespace

TEST(Etag, FormatLikeNginx)
{
	EXPECT_EQ(etag(1000000000, 14), "\"3b9aca00-e\"");
	EXPECT_EQ(etag(0, 0), "\"0-0\"");
	EXPECT_EQ(etag(1700000000, 1048576), "\"6553f100-100000\"");
	EXPECT_EQ(etag(-1, 5), "\"-1-5\"");
	EXPECT_EQ(etag(-9223372036854775807LL - 1, ~0ULL),
		  "\"-8000000000000000-ffffffffffffffff\"");
	EXPECT_EQ(etag(9223372036854775807LL, ~0ULL), "\"7fffffffffffffff-ffffffffffffffff\"");
	EXPECT_EQ(etag(-9223372036854775807LL - 1, ~0ULL).size(), kEtagMax);
}

TEST(Etag, ParseEntityTag)
{
	EntityTag t;
	kh_size used = 0;
	EXPECT_TRUE(parse_entity_tag(sv("\"abc\""), t, used));
	EXPECT_FALSE(t.weak);
	EXPECT_EQ(str(t.opaque), "\"abc\"");
	EXPECT_EQ(used, 5u);
	EXPECT_TRUE(parse_entity_tag(sv("W/\"abc\", \"x\""), t, used));
	EXPECT_TRUE(t.weak);
	EXPECT_EQ(str(t.opaque), "\"abc\"");
	EXPECT_EQ(used, 7u);
	EXPECT_TRUE(parse_entity_tag(sv("\"\""), t, used)); // empty opaque-tag
	EXPECT_TRUE(parse_entity_tag(sv("\"\x80\xff!#~\""), t, used)); // obs-text, etagc
	for (const char *bad : {"", "\"", "abc", "\"abc", "w/\"abc\"", "W/abc", "W/", "W\"a\"",
				"\"a b\"", "\"a\tb\"", "\"a\x7f\"", "\"a\x01\""}) {
		EXPECT_FALSE(parse_entity_tag(sv(bad), t, used)) << bad;
	}
}

// RFC 9110 section 8.8.3.2's comparison table.
TEST(Etag, ComparisonTable)
{
	struct Row {
		const char *a, *b;
		bool strong, weak;
	} rows[] = {
		{"W/\"1\"", "W/\"1\"", false, true},
		{"W/\"1\"", "W/\"2\"", false, false},
		{"W/\"1\"", "\"1\"", false, true},
		{"\"1\"", "\"1\"", true, true},
	};
	for (const Row &r : rows) {
		EntityTag a, b;
		kh_size used;
		ASSERT_TRUE(parse_entity_tag(sv(r.a), a, used));
		ASSERT_TRUE(parse_entity_tag(sv(r.b), b, used));
		EXPECT_EQ(etag_equal(a, b, EtagCompare::Strong), r.strong) << r.a << " " << r.b;
		EXPECT_EQ(etag_equal(a, b, EtagCompare::Weak), r.weak) << r.a << " " << r.b;
		EXPECT_EQ(etag_equal(b, a, EtagCompare::Strong), r.strong);
		EXPECT_EQ(etag_equal(b, a, EtagCompare::Weak), r.weak);
		EXPECT_EQ(strong(r.a, r.b), r.strong);
		EXPECT_EQ(weak(r.a, r.b), r.weak);
	}
}

TEST(Etag, Lists)
{
	const std::string cur = "\"3b9aca00-e\"";
	EXPECT_TRUE(weak("*", cur));
	EXPECT_TRUE(strong("*", cur));
	EXPECT_TRUE(strong(" * ", cur));
	EXPECT_TRUE(weak("\"3b9aca00-e\"", cur));
	EXPECT_TRUE(weak("W/\"3b9aca00-e\"", cur));
	EXPECT_FALSE(strong("W/\"3b9aca00-e\"", cur));
	EXPECT_TRUE(weak("\"a\", \"b\", \"3b9aca00-e\"", cur));
	EXPECT_TRUE(weak("\"a\",W/\"3b9aca00-e\"", cur));
	EXPECT_TRUE(strong("\"a\" ,\t\"3b9aca00-e\"", cur));
	EXPECT_TRUE(weak(", ,\"3b9aca00-e\",,", cur)); // empty elements
	EXPECT_FALSE(weak("\"a\", \"b\"", cur));
	EXPECT_FALSE(weak("", cur));
	EXPECT_FALSE(weak(" , ", cur));
	EXPECT_FALSE(weak("\"3B9ACA00-E\"", cur));          // case-sensitive
	EXPECT_FALSE(weak("3b9aca00-e", cur));              // unquoted
	EXPECT_FALSE(weak("\"3b9aca00-e", cur));
	EXPECT_FALSE(weak("\"3b9aca00-e\"x", cur));         // junk after the tag
	EXPECT_FALSE(weak("*, \"3b9aca00-e\"", cur));       // "*" must stand alone
	EXPECT_FALSE(weak("\"a\" \"3b9aca00-e\"", cur));    // no comma
	// Malformed: members before the error still count (as nginx).
	EXPECT_TRUE(weak("\"3b9aca00-e\", junk", cur));
	EXPECT_FALSE(weak("junk, \"3b9aca00-e\"", cur));
	// An invalid current tag never matches.
	EXPECT_FALSE(weak("\"x\"", "x"));
	EXPECT_TRUE(weak("*", "\"x\""));
}

namespace {

std::string coded_etag(kh_s64 mtime, kh_u64 size, const char *coding)
{
	char buf[kEtagCodedMax + 8];
	for (char &c : buf)
		c = '#';
	kh_size n = format_etag(mtime, size, buf, StrView::from_cstr(coding, 8));
	EXPECT_LE(n, kEtagCodedMax);
	for (kh_size i = n; i < sizeof(buf); i++)
		EXPECT_EQ(buf[i], '#') << "wrote past the tag at " << i;
	return std::string(buf, n);
}

} // namespace

TEST(Etag, CodedVariants)
{
	EXPECT_EQ(coded_etag(1000000000, 14, "gzip"), "\"3b9aca00-e-gzip\"");
	EXPECT_EQ(coded_etag(1000000000, 14, "br"), "\"3b9aca00-e-br\"");
	EXPECT_EQ(coded_etag(-1, 5, "zstd"), "\"-1-5-zstd\"");
	EXPECT_EQ(coded_etag(1000000000, 14, ""), etag(1000000000, 14));
	EXPECT_EQ(coded_etag(-9223372036854775807LL - 1, ~0ULL, "zstd").size(), kEtagCodedMax);
	// A coded tag is a valid tag, and never equals an identity tag.
	std::string t = coded_etag(1000000000, 14, "br");
	EXPECT_TRUE(strong(t, t));
	EXPECT_FALSE(weak(etag(1000000000, 14), t));
}
