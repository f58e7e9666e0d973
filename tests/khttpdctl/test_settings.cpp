// SPDX-License-Identifier: GPL-2.0
// settings.cpp's table against its two references, so that neither can
// move without the other: the entries of sysctl/sysctl.c (names, order,
// kinds) and the ranges in docs/sysctl.md's table.
#include "settings.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace khttpdctl {
namespace {

std::string source(const std::string& rel)
{
	std::string text = test::read_file(std::string(KHTTPD_SOURCE_ROOT) + "/" + rel);
	EXPECT_FALSE(text.empty()) << rel;
	return text;
}

struct Entry {
	std::string name, how; // how: INT, STRING, STAT or procname
};

// khttpd_table[]'s entries in order: the KHTTPD_INT/STRING/STAT macros and
// the open-coded `.procname = "..."` ones.
std::vector<Entry> sysctl_c_entries()
{
	std::string text = source("sysctl/sysctl.c");
	std::size_t table = text.find("khttpd_table[] = {");
	EXPECT_NE(table, std::string::npos);
	text = text.substr(table);
	std::regex re(
		R"re((KHTTPD_INT|KHTTPD_STRING|KHTTPD_STAT)\("([a-z0-9_]+)"|\.procname = "([a-z0-9_]+)")re");
	std::vector<Entry> out;
	for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
		const std::smatch& m = *it;
		if (m[1].matched)
			out.push_back({m[2].str(), m[1].str().substr(7)});
		else
			out.push_back({m[3].str(), "procname"});
	}
	return out;
}

TEST(Settings, SameEntriesAsSysctlC)
{
	std::vector<Entry> kernel = sysctl_c_entries();
	ASSERT_GT(kernel.size(), 20u);
	// The table lists them in sysctl.c's order.
	std::size_t i = 0;
	for (const Entry& k : kernel) {
		ASSERT_LT(i, setting_count()) << k.name << " is not in settings.cpp";
		const Setting& s = setting_at(i);
		EXPECT_EQ(s.name, k.name) << "order or name differs at entry " << i;
		if (k.how == "INT") {
			EXPECT_EQ(s.kind, SettingKind::integer) << k.name;
		} else if (k.how == "STRING") {
			EXPECT_EQ(s.kind, SettingKind::string) << k.name;
		} else if (k.how == "STAT") {
			EXPECT_EQ(s.kind, SettingKind::read_only) << k.name;
		}
		++i;
	}
	for (; i < setting_count(); ++i)
		ADD_FAILURE() << setting_at(i).name << " is not in sysctl.c";
	// The module-wide ones close the table; other namespaces' tables stop
	// before them. apply leaves them out where they are missing.
	std::smatch m;
	std::string c = source("sysctl/sysctl.c");
	ASSERT_TRUE(std::regex_search(c, m, std::regex(R"(#define KHTTPD_NR_MODULE_WIDE (\d+))")));
	std::size_t wide = std::stoul(m[1]);
	ASSERT_EQ(wide, 2u);
	for (i = 0; i < setting_count(); ++i)
		EXPECT_EQ(setting_at(i).module_wide, i >= setting_count() - wide)
			<< setting_at(i).name;
	// The open-coded ones, by what they are.
	for (std::string_view n : {"uid", "gid", "handover_queue", "logging"})
		EXPECT_EQ(find_setting(n)->kind, SettingKind::integer) << n;
	EXPECT_EQ(find_setting("mimetypes")->kind, SettingKind::string);
	for (std::string_view n : {"start", "stop", "reload"})
		EXPECT_EQ(find_setting(n)->kind, SettingKind::control) << n;
}

TEST(Settings, RangesAsDocumented)
{
	std::string doc = source("docs/sysctl.md");
	// | `name` | type | range | default | meaning |
	std::regex row(R"(\n\| `([a-z0-9_]+)` \| (int|string) \| ([^|]*) \|)");
	std::set<std::string> documented;
	for (std::sregex_iterator it(doc.begin(), doc.end(), row), end; it != end; ++it) {
		std::string name = (*it)[1], type = (*it)[2], range = (*it)[3];
		documented.insert(name);
		const Setting* s = find_setting(name);
		ASSERT_NE(s, nullptr) << name << " is documented but not in settings.cpp";
		if (s->kind == SettingKind::control)
			continue;
		std::smatch m;
		if (type == "int") {
			EXPECT_EQ(s->kind, SettingKind::integer) << name;
			ASSERT_TRUE(std::regex_match(range, m, std::regex(R"((\d+)-(\d+))")))
				<< name << ": " << range;
			EXPECT_EQ(s->min, std::stol(m[1])) << name;
			EXPECT_EQ(s->max, std::stol(m[2])) << name;
		} else {
			EXPECT_EQ(s->kind, SettingKind::string) << name;
			if (std::regex_search(range, m, std::regex(R"(< (\d+) bytes)"))) {
				EXPECT_EQ(s->max_bytes + 1, std::stoul(m[1])) << name;
			}
		}
	}
	for (std::size_t i = 0; i < setting_count(); ++i) {
		const Setting& s = setting_at(i);
		bool writable = s.kind == SettingKind::integer || s.kind == SettingKind::string;
		if (writable) {
			EXPECT_TRUE(documented.count(std::string(s.name)))
				<< s.name << " is not in docs/sysctl.md's table";
		}
	}
}

} // namespace
} // namespace khttpdctl
