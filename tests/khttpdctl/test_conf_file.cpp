// SPDX-License-Identifier: GPL-2.0
// `khttpdctl check`'s judgement of a configuration file: every kind of
// error with its exact text, all errors of a file at once, and the
// shipped tools/khttpd.conf (with each commented-out example enabled)
// checking clean.
#include "conf_file.h"
#include "settings.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <regex>

namespace khttpdctl {
namespace {

// The one error a single line gives, as check prints it.
std::string error_of(const std::string& line)
{
	ConfFile f = parse_conf(line + "\n");
	EXPECT_EQ(f.errors.size(), 1u) << line;
	EXPECT_TRUE(f.entries.empty()) << line;
	return format_conf_errors("k.conf", f.errors);
}

TEST(ConfFile, GoodLines)
{
	ConfFile f = parse_conf("# a comment\n"
				"\n"
				"   # indented comment\n"
				"serverport = 8080\n"
				"\tdocumentroot=/srv/www  \n"
				"dynamic =\n"
				"indexfile = index.htm\n"
				"mimetypes = \n"
				"perm_forbid = 0\n"
				"vhosts = 1\n"
				"keepalive_requests = 2147483647\n"
				"# another comment\n"
				"threads = 256"); // no newline at the end
	ASSERT_TRUE(f.errors.empty()) << format_conf_errors("k.conf", f.errors);
	ASSERT_EQ(f.entries.size(), 9u);
	EXPECT_EQ(f.entries[0].line, 4u);
	EXPECT_EQ(f.entries[0].key, "serverport");
	EXPECT_EQ(f.entries[0].value, "8080");
	EXPECT_EQ(f.entries[1].value, "/srv/www");
	EXPECT_EQ(f.entries[2].key, "dynamic");
	EXPECT_EQ(f.entries[2].value, "");
	EXPECT_EQ(f.entries[4].value, "");
	EXPECT_EQ(f.entries[8].key, "threads");
	EXPECT_EQ(f.entries[8].line, 13u);
}

TEST(ConfFile, ValueIsTheRestOfTheLine)
{
	// After the first '=': a list with spaces, and another '='.
	ConfFile f = parse_conf("dynamic = .. cgi-bin a=b\n");
	ASSERT_TRUE(f.errors.empty());
	EXPECT_EQ(f.entries[0].value, ".. cgi-bin a=b");
}

TEST(ConfFile, EachKindOfError)
{
	struct {
		std::string line;
		const char* error;
	} cases[] = {
		{"threads 4", "k.conf:1: not a 'key = value' line\n"},
		{"= 4", "k.conf:1: no setting name before '='\n"},
		{"thread = 4", "k.conf:1: unknown setting 'thread' (see docs/sysctl.md)\n"},
		{"start = 1", "k.conf:1: 'start' is a command, not a setting (khttpd.service and "
			      "`khttpdctl start|stop|reload` run it)\n"},
		{"stop = 0", "k.conf:1: 'stop' is a command, not a setting (khttpd.service and "
			     "`khttpdctl start|stop|reload` run it)\n"},
		{"reload = 1", "k.conf:1: 'reload' is a command, not a setting (khttpd.service and "
			       "`khttpdctl start|stop|reload` run it)\n"},
		{"stat_requests = 0", "k.conf:1: 'stat_requests' is read-only\n"},
		{"daemon_pid = 1", "k.conf:1: 'daemon_pid' is read-only\n"},
		{"threads = 0", "k.conf:1: threads: 0 is out of range (1-256)\n"},
		{"threads = 257", "k.conf:1: threads: 257 is out of range (1-256)\n"},
		{"uid = -1", "k.conf:1: uid: -1 is out of range (0-2147483647)\n"},
		{"uid = 2147483648", "k.conf:1: uid: 2147483648 is out of range (0-2147483647)\n"},
		{"uid = 99999999999999999999999",
		 "k.conf:1: uid: 99999999999999999999999 is out of range (0-2147483647)\n"},
		{"serverport =", "k.conf:1: serverport: no value (a whole number, 1-65535)\n"},
		{"serverport = 80 # web",
		 "k.conf:1: serverport: '80 # web' is not a whole number (1-65535)\n"},
		{"serverport = +80", "k.conf:1: serverport: '+80' is not a whole number (1-65535)\n"},
		{"serverport = 0x50", "k.conf:1: serverport: '0x50' is not a whole number (1-65535)\n"},
		{"perm_forbid = 0111", "k.conf:1: perm_forbid: '0111' starts with 0, which the "
				       "kernel would read as octal: write it in decimal\n"},
		{"sloppymime = 2", "k.conf:1: sloppymime: 2 is out of range (0-1)\n"},
		{"vhosts = yes", "k.conf:1: vhosts: 'yes' is not a whole number (0-1)\n"},
		{"documentroot = www", "k.conf:1: documentroot: 'www' is not an absolute path\n"},
		{"documentroot =", "k.conf:1: documentroot: '' is not an absolute path\n"},
		{"documentroot = //", "k.conf:1: documentroot: '//' is the root directory (serving "
				      "the whole file system is refused)\n"},
		{"documentroot = /srv/..", "k.conf:1: documentroot: '/srv/..' is the root directory "
					   "(serving the whole file system is refused)\n"},
		{"documentroot = /" + std::string(1023, 'a'), "k.conf:1: documentroot: longer than "
							      "1023 bytes\n"},
		{"indexfile = ..", "k.conf:1: indexfile: '..' is not one file name (not empty, "
				   "no '/', not . or ..)\n"},
		{"indexfile =", "k.conf:1: indexfile: '' is not one file name (not empty, no '/', "
				"not . or ..)\n"},
		{"indexfile = a/index.html", "k.conf:1: indexfile: 'a/index.html' is not one file "
					     "name (not empty, no '/', not . or ..)\n"},
		{"dynamic = caf\xc3\xa9", "k.conf:1: dynamic: only printable ASCII and spaces are "
					  "allowed\n"},
		{"dynamic = " + std::string(256, 'x'), "k.conf:1: dynamic: longer than 255 bytes\n"},
		{"mimetypes = mime.types", "k.conf:1: mimetypes: 'mime.types' is not an absolute "
					   "path (or empty)\n"},
		{"threads = 4\r", "k.conf:1: threads: the value holds a control character (a DOS "
				  "line end?)\n"},
		{"dynamic = a\tb", "k.conf:1: dynamic: the value holds a control character (a DOS "
				   "line end?)\n"},
	};
	for (const auto& c : cases)
		EXPECT_EQ(error_of(c.line), c.error) << c.line;
}

TEST(ConfFile, LongestValuesFit)
{
	ConfFile f = parse_conf("documentroot = /" + std::string(1022, 'a') + "\ndynamic = " +
				std::string(255, 'x') + "\n");
	EXPECT_TRUE(f.errors.empty()) << format_conf_errors("k.conf", f.errors);
}

TEST(ConfFile, EveryErrorIsReported)
{
	ConfFile f = parse_conf("threads = 4\n"
				"# fine\n"
				"serverport = 99999\n"
				"threads = 2\n"
				"bogus\n"
				"serverport = 81\n" // a repeat even though line 3 was bad
				"logging = 1\n");
	EXPECT_EQ(format_conf_errors("/etc/khttpd/khttpd.conf", f.errors),
		  "/etc/khttpd/khttpd.conf:3: serverport: 99999 is out of range (1-65535)\n"
		  "/etc/khttpd/khttpd.conf:4: 'threads' already set on line 1\n"
		  "/etc/khttpd/khttpd.conf:5: not a 'key = value' line\n"
		  "/etc/khttpd/khttpd.conf:6: 'serverport' already set on line 3\n");
	ASSERT_EQ(f.entries.size(), 2u);
	EXPECT_EQ(f.entries[1].key, "logging");
}

TEST(ConfFile, TheShippedFileChecksClean)
{
	std::string text = test::read_file(std::string(KHTTPD_SOURCE_ROOT) + "/tools/khttpd.conf");
	ASSERT_FALSE(text.empty());
	ConfFile f = parse_conf(text);
	EXPECT_TRUE(f.errors.empty()) << format_conf_errors("tools/khttpd.conf", f.errors);
	EXPECT_GE(f.entries.size(), 2u);

	// Its commented-out examples (`# key = value`) are valid settings too,
	// so uncommenting one never breaks the service.
	std::regex example(R"(\n# ([a-z0-9_]+ = [^\n]*))");
	std::string enabled;
	int n = 0;
	for (std::sregex_iterator it(text.begin(), text.end(), example), end; it != end; ++it) {
		enabled += (*it)[1].str() + "\n";
		++n;
	}
	EXPECT_GE(n, 20);
	ConfFile all = parse_conf(enabled);
	EXPECT_TRUE(all.errors.empty()) << format_conf_errors("examples", all.errors);

	// And it names every setting, so the file is the list to edit.
	for (std::size_t i = 0; i < setting_count(); ++i) {
		const Setting& s = setting_at(i);
		if (s.kind != SettingKind::integer && s.kind != SettingKind::string)
			continue;
		bool named = std::regex_search(
			text, std::regex("\n(# )?" + std::string(s.name) + " = "));
		EXPECT_TRUE(named) << s.name << " is not in tools/khttpd.conf";
	}
}

} // namespace
} // namespace khttpdctl
