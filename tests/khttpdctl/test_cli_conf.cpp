// SPDX-License-Identifier: GPL-2.0
// check, apply and reload end to end: the binary on a copy of a recorded
// tree, whose sysctl files it writes. A plain file cannot refuse a value,
// so a refusal is an entry that cannot be opened for writing (a
// directory); test_apply.cpp has the kernel's errnos.
#include "test_support.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;

namespace khttpdctl {
namespace {

using test::CtlRun;
using test::run_ctl;
using test::TreeCopy;

bool has(const std::string& s, std::string_view what)
{
	return s.find(what) != std::string::npos;
}

std::string entry(const TreeCopy& t, const std::string& name)
{
	return t.proc() + "/sys/net/khttpd/" + name;
}

// The value a sysctl read would give: writes do not truncate (neither
// does the kernel need it), so a shorter value leaves old bytes after its
// newline.
std::string value(const TreeCopy& t, const std::string& name)
{
	std::string v = test::read_file(entry(t, name));
	return v.substr(0, v.find('\n'));
}

std::string conf_file(const TreeCopy& t, const std::string& text)
{
	std::string path = t.dir() + "/khttpd.conf";
	test::write_file(path, text);
	return path;
}

TEST(CliConf, CheckCleanAndBad)
{
	CtlRun ok = run_ctl({"check", std::string(KHTTPD_SOURCE_ROOT) + "/tools/khttpd.conf"});
	EXPECT_EQ(ok.exit_code, 0) << ok.err;
	EXPECT_TRUE(has(ok.out, "khttpd.conf: ok (")) << ok.out;
	EXPECT_EQ(ok.err, "");

	TreeCopy t("stopped");
	std::string f = conf_file(t, "threads = 0\n# ok\nport = 80\nthreads = 3\n");
	CtlRun bad = run_ctl({"check", f});
	EXPECT_EQ(bad.exit_code, 1);
	EXPECT_EQ(bad.out, "");
	EXPECT_EQ(bad.err, f + ":1: threads: 0 is out of range (1-256)\n" + f +
				   ":3: unknown setting 'port' (see docs/sysctl.md)\n" + f +
				   ":4: 'threads' already set on line 1\n");

	CtlRun missing = run_ctl({"check", t.dir() + "/nope.conf"});
	EXPECT_EQ(missing.exit_code, 1);
	EXPECT_EQ(missing.err, "khttpdctl: cannot read " + t.dir() +
				       "/nope.conf: No such file or directory\n");
}

TEST(CliConf, UsageErrors)
{
	for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
		     {"check"}, {"apply"}, {"check", "a", "b"}, {"reload", "a", "b"},
		     {"apply", "f", "--json"}}) {
		CtlRun r = run_ctl(args);
		EXPECT_EQ(r.exit_code, 2) << args[0];
		EXPECT_TRUE(has(r.err, "Try 'khttpdctl --help'.")) << r.err;
	}
	CtlRun r = run_ctl({"check"});
	EXPECT_TRUE(has(r.err, "check needs a configuration file")) << r.err;
}

TEST(CliConf, ReloadReadsTheInstalledFileByDefault)
{
	TreeCopy t("running-4-workers");
	CtlRun r = run_ctl({"--proc", t.proc(), "reload"});
	if (fs::exists("/etc/khttpd/khttpd.conf"))
		GTEST_SKIP() << "khttpd is installed on this host";
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_EQ(r.err, "khttpdctl: cannot read /etc/khttpd/khttpd.conf: No such file or "
			 "directory\n");
}

TEST(CliConf, ApplyToAStoppedServerWritesInOrder)
{
	TreeCopy t("stopped");
	std::string f = conf_file(t, "serverport = 8080\n"
				     "documentroot = /srv/site\n"
				     "threads = 16\n");
	CtlRun r = run_ctl({"--proc", t.proc(), "apply", f});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "khttpd: " + f + " applied (3 settings); the server is stopped: they "
					  "take effect when it starts\n");
	EXPECT_EQ(value(t, "serverport"), "8080");
	EXPECT_EQ(value(t, "documentroot"), "/srv/site");
	EXPECT_EQ(value(t, "threads"), "16");
	EXPECT_EQ(value(t, "start"), "0");
	EXPECT_FALSE(fs::exists(entry(t, "reload")));
}

TEST(CliConf, ABadFileChangesNothing)
{
	TreeCopy t("stopped");
	std::string before = test::read_file(entry(t, "serverport"));
	std::string f = conf_file(t, "serverport = 8080\nthreads = many\n");
	CtlRun r = run_ctl({"--proc", t.proc(), "apply", f});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_EQ(r.err, f + ":2: threads: 'many' is not a whole number (1-256)\nkhttpdctl: " + f +
				 " has errors: nothing changed\n");
	EXPECT_EQ(test::read_file(entry(t, "serverport")), before);
}

TEST(CliConf, ARefusedWriteRollsBack)
{
	TreeCopy t("stopped");
	// A directory: open(O_WRONLY) fails with EISDIR, reading it too, so
	// the read of the old values must come first and fail first.
	std::string f = conf_file(t, "serverport = 8080\ndocumentroot = /srv/site\nthreads = 16\n");
	fs::remove(entry(t, "threads"));
	fs::create_directory(entry(t, "threads"));
	CtlRun r = run_ctl({"--proc", t.proc(), "apply", f});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_EQ(r.err, f + ":3: cannot read the current threads: Is a directory; nothing "
				 "changed\n");
	EXPECT_EQ(value(t, "serverport"), "80");
}

TEST(CliConf, ReloadOfAStoppedServerIsNotRunning)
{
	TreeCopy t("stopped");
	std::string f = conf_file(t, "serverport = 8080\n");
	CtlRun r = run_ctl({"--proc", t.proc(), "reload", f});
	EXPECT_EQ(r.exit_code, 4);
	EXPECT_TRUE(has(r.err, "khttpd is not running (nothing to reload)")) << r.err;
	EXPECT_EQ(value(t, "serverport"), "80");
}

TEST(CliConf, NotLoaded)
{
	TreeCopy t("stopped");
	std::string f = conf_file(t, "serverport = 8080\n");
	fs::remove_all(t.proc() + "/sys/net/khttpd");
	for (const char* cmd : {"apply", "reload"}) {
		CtlRun r = run_ctl({"--proc", t.proc(), cmd, f});
		EXPECT_EQ(r.exit_code, 3) << cmd;
		EXPECT_TRUE(has(r.err, "khttpd is not loaded")) << r.err;
	}
	// check needs no module.
	EXPECT_EQ(run_ctl({"--proc", t.proc(), "check", f}).exit_code, 0);
}

TEST(CliConf, ReloadWritesThenCommits)
{
	TreeCopy t("running-4-workers");
	test::write_file(entry(t, "reload"), "");
	std::string f = conf_file(t, "serverport = 8080\nthreads = 16\n");
	for (const char* cmd : {"apply", "reload"}) {
		CtlRun r = run_ctl({"--proc", t.proc(), cmd, f});
		EXPECT_EQ(r.exit_code, 0) << r.err;
		EXPECT_EQ(r.out, "khttpd reloaded: " + f + " in effect (2 settings, generation 3)\n");
		EXPECT_EQ(value(t, "serverport"), "8080");
		EXPECT_EQ(value(t, "threads"), "16");
		EXPECT_EQ(value(t, "reload"), "1");
		test::write_file(entry(t, "reload"), "");
	}
}

TEST(CliConf, AFailedReloadRollsBack)
{
	TreeCopy t("running-4-workers");
	fs::create_directory(entry(t, "reload")); // EISDIR at open
	std::string f = conf_file(t, "serverport = 8080\nthreads = 16\n");
	CtlRun r = run_ctl({"--proc", t.proc(), "reload", f});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_EQ(r.out, "");
	EXPECT_EQ(r.err, "khttpdctl: cannot reload khttpd: cannot open /proc/sys/net/khttpd/reload: "
			 "Is a directory\n"
			 "khttpdctl: nothing changed (the values written are back as they were)\n");
	EXPECT_EQ(value(t, "serverport"), "80");
	EXPECT_EQ(value(t, "threads"), "4");
}

TEST(CliConf, ReloadWithoutPermission)
{
	if (::geteuid() != 0)
		GTEST_SKIP() << "needs root to test as nobody";
	TreeCopy t("running-4-workers");
	test::write_file(entry(t, "reload"), "");
	std::string f = conf_file(t, "serverport = 8080\n");
	fs::permissions(t.dir() + "/khttpd.conf", fs::perms(0644));
	CtlRun r = run_ctl({"--proc", t.proc(), "reload", f}, {.as_nobody = true});
	EXPECT_EQ(r.exit_code, 5) << r.err;
	EXPECT_TRUE(has(r.err, "Permission denied: run as root (needs CAP_NET_ADMIN)")) << r.err;
	EXPECT_EQ(value(t, "serverport"), "80");
}

} // namespace
} // namespace khttpdctl
