// SPDX-License-Identifier: GPL-2.0
// The JSON emitter: structure, commas, escaping, and UTF-8 repair.
#include "json_writer.h"
#include "utf8.h"

#include <gtest/gtest.h>

#include <cmath>

namespace khttpdctl {
namespace {

TEST(JsonQuote, PlainAndSpecialCharacters)
{
	EXPECT_EQ(json_quote(""), "\"\"");
	EXPECT_EQ(json_quote("/var/www"), "\"/var/www\"");
	EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
	EXPECT_EQ(json_quote("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
	EXPECT_EQ(json_quote(std::string("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
	EXPECT_EQ(json_quote(std::string("a\0b", 3)), "\"a\\u0000b\"");
	EXPECT_EQ(json_quote("/"), "\"/\""); // '/' may stay as is
}

TEST(JsonQuote, ValidUtf8PassesThrough)
{
	EXPECT_EQ(json_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");           // 2 bytes
	EXPECT_EQ(json_quote("\xe2\x82\xac"), "\"\xe2\x82\xac\"");         // 3 bytes
	EXPECT_EQ(json_quote("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\""); // 4 bytes
}

TEST(JsonQuote, InvalidUtf8BecomesReplacementCharacter)
{
	EXPECT_EQ(json_quote("\xff"), "\"\\ufffd\"");
	EXPECT_EQ(json_quote("a\xc3"), "\"a\\ufffd\"");               // cut short
	EXPECT_EQ(json_quote("\xc0\xaf"), "\"\\ufffd\\ufffd\"");      // overlong '/'
	EXPECT_EQ(json_quote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); // a surrogate
	EXPECT_EQ(json_quote("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); // > U+10FFFF
	EXPECT_EQ(json_quote("\x80x"), "\"\\ufffdx\"");               // a lone continuation
}

TEST(Utf8, Sanitize)
{
	EXPECT_EQ(utf8_sanitize("ok"), "ok");
	EXPECT_EQ(utf8_sanitize("a\xff" "b"), "a\xef\xbf\xbd" "b");
}

TEST(JsonWriter, NestedStructure)
{
	JsonWriter j;
	j.begin_object();
	j.key("a").number(std::uint64_t{1});
	j.key("b").begin_array();
	j.number(std::uint64_t{2}).string("x").boolean(true).null();
	j.end_array();
	j.key("c").begin_object().end_object();
	j.key("d").begin_array().end_array();
	j.end_object();
	EXPECT_EQ(j.str(), "{\n"
			   "  \"a\": 1,\n"
			   "  \"b\": [\n"
			   "    2,\n"
			   "    \"x\",\n"
			   "    true,\n"
			   "    null\n"
			   "  ],\n"
			   "  \"c\": {},\n"
			   "  \"d\": []\n"
			   "}\n");
}

TEST(JsonWriter, Numbers)
{
	JsonWriter j;
	j.begin_array();
	j.number(UINT64_MAX);
	j.number(0.5, 2);
	j.number(std::nan(""), 2);
	j.number(INFINITY, 2);
	j.number(std::optional<std::uint64_t>());
	j.number(std::optional<std::uint64_t>(7));
	j.end_array();
	EXPECT_EQ(j.str(), "[\n  18446744073709551615,\n  0.50,\n  null,\n  null,\n  null,\n  7\n]\n");
}

TEST(JsonWriter, KeysAreEscapedToo)
{
	JsonWriter j;
	j.begin_object().key("a\"b").string("\n").end_object();
	EXPECT_EQ(j.str(), "{\n  \"a\\\"b\": \"\\n\"\n}\n");
}

} // namespace
} // namespace khttpdctl
