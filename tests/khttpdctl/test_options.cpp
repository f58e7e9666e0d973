// SPDX-License-Identifier: GPL-2.0
// The command line parser.
#include "options.h"

#include <gtest/gtest.h>

namespace khttpdctl {
namespace {

ParseResult parse(std::vector<std::string_view> a) { return parse_options(a); }

TEST(Options, Defaults)
{
	ParseResult r = parse({"status"});
	EXPECT_EQ(r.error, "");
	EXPECT_EQ(r.options.command, Command::status);
	EXPECT_EQ(r.options.proc, "/proc");
	EXPECT_TRUE(r.options.rates);
	EXPECT_FALSE(r.options.json);
	EXPECT_DOUBLE_EQ(r.options.interval, 1.0);
}

TEST(Options, GlobalOptionsBeforeOrAfterAndEqualsForm)
{
	ParseResult a = parse({"--proc", "/x", "status", "--json", "--interval=0.5"});
	EXPECT_EQ(a.error, "");
	EXPECT_EQ(a.options.proc, "/x");
	EXPECT_TRUE(a.options.json);
	EXPECT_DOUBLE_EQ(a.options.interval, 0.5);
	ParseResult b = parse({"top", "--count", "3", "--proc=/y"});
	EXPECT_EQ(b.error, "");
	EXPECT_EQ(b.options.proc, "/y");
	EXPECT_EQ(b.options.count, 3u);
	ParseResult c = parse({"metrics", "-o", "/tmp/k.prom"});
	EXPECT_EQ(c.options.output, "/tmp/k.prom");
}

TEST(Options, HelpAndVersionWin)
{
	EXPECT_EQ(parse({"status", "--help"}).options.command, Command::help);
	EXPECT_EQ(parse({"-V"}).options.command, Command::version);
	EXPECT_EQ(parse({"help"}).options.command, Command::help);
}

TEST(Options, UsageErrors)
{
	for (std::vector<std::string_view> bad : std::vector<std::vector<std::string_view>>{
		     {},
		     {"frobnicate"},
		     {"status", "extra"},
		     {"status", "--bogus"},
		     {"status", "--interval"},
		     {"status", "--interval", "0"},
		     {"status", "--interval", "abc"},
		     {"status", "--interval", "nan"},
		     {"status", "--interval", "1e9"},
		     {"top", "--count", "0"},
		     {"top", "--count", "-1"},
		     {"top", "--count", "2x"},
		     {"metrics", "--json"},
		     {"start", "--no-rates"},
		     {"status", "--count", "2"},
		     {"status", "--output", "f"},
		     {"stop", "--interval", "1"},
		     {"status", "--json=yes"},
		     {"--proc"},
		     {"--proc", "", "status"},
	     }) {
		ParseResult r = parse(bad);
		EXPECT_NE(r.error, "") << (bad.empty() ? "(none)" : bad[0]) << " "
				       << (bad.size() > 1 ? bad[1] : "");
	}
}

} // namespace
} // namespace khttpdctl
