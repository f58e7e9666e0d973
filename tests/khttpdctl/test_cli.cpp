// SPDX-License-Identifier: GPL-2.0
// The binary end to end on recorded trees: exit codes and messages (not
// loaded, not running, permission denied, usage), start/stop writing the
// sysctls, metrics --output, and rates from two samples.
#include "test_support.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace khttpdctl {
namespace {

using test::run_ctl;
using test::CtlRun;
using test::TreeCopy;

bool has(const std::string& s, std::string_view what)
{
	return s.find(what) != std::string::npos;
}

std::string sysctl(const TreeCopy& t, const std::string& name)
{
	return test::read_file(t.proc() + "/sys/net/khttpd/" + name);
}

// The status text of a tree with requests and bytes_sent raised.
std::string with_traffic(const std::string& status, int requests, int bytes)
{
	std::string s = status;
	auto bump = [&](const std::string& name, int by) {
		std::size_t at = s.find("\n" + name + " ");
		if (at == std::string::npos)
			return;
		std::size_t v = at + name.size() + 2, end = s.find('\n', v);
		s.replace(v, end - v, std::to_string(std::stoull(s.substr(v, end - v)) + by));
	};
	bump("requests", requests);
	bump("bytes_sent", bytes);
	return s;
}

// Hands each text to one open of the FIFO at path, in turn: the reader's
// first read gets the first, its second the second. After a text, waits
// `gap` so that the reader has closed its end (else the next text would
// join the same read) and not yet opened it again (it waits the whole
// interval in between). Gives up (false) if no reader comes within 20 s.
bool serve_fifo(const std::string& path, const std::vector<std::string>& texts,
		std::chrono::milliseconds gap)
{
	for (const std::string& text : texts) {
		int fd = -1;
		auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
		while ((fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
			if (errno != ENXIO || std::chrono::steady_clock::now() > deadline)
				return false; // ENXIO: no reader yet
			std::this_thread::sleep_for(std::chrono::milliseconds(5));
		}
		::fcntl(fd, F_SETFL, 0); // blocking writes: the text is small anyway
		bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
		::close(fd);
		if (!ok)
			return false;
		std::this_thread::sleep_for(gap);
	}
	return true;
}

TEST(Cli, NotLoaded)
{
	TreeCopy empty("stopped");
	fs::remove_all(empty.proc() + "/sys/net/khttpd");
	for (const char* cmd : {"status", "start", "stop", "top"}) {
		CtlRun s = run_ctl({"--proc", empty.proc(), cmd});
		EXPECT_EQ(s.exit_code, 3) << cmd;
		EXPECT_TRUE(has(s.err, "khttpd is not loaded")) << cmd << ": " << s.err;
		EXPECT_TRUE(has(s.err, "modprobe khttpd")) << s.err;
		EXPECT_EQ(s.out, "") << cmd;
	}
	// metrics says so on stdout too, for the textfile collector.
	CtlRun m = run_ctl({"--proc", empty.proc(), "metrics"});
	EXPECT_EQ(m.exit_code, 3);
	EXPECT_TRUE(has(m.out, "\nkhttpd_up 0\n")) << m.out;
	EXPECT_TRUE(has(m.err, "not loaded"));
}

TEST(Cli, ModuleWithoutStatusFile)
{
	TreeCopy t("running-4-workers");
	fs::remove(t.proc() + "/net/khttpd/status");
	CtlRun r = run_ctl({"--proc", t.proc(), "status", "--no-rates"});
	EXPECT_EQ(r.exit_code, 1);
	EXPECT_TRUE(has(r.err, "cannot read " + t.proc() + "/net/khttpd/status")) << r.err;
}

TEST(Cli, StatusOfAStoppedServerIsNotAnError)
{
	CtlRun r = run_ctl({"--proc", test::data_dir("stopped") + "/proc", "status", "--no-rates"});
	EXPECT_EQ(r.exit_code, 0);
	EXPECT_TRUE(has(r.out, "state          stopped\n")) << r.out;
}

TEST(Cli, StopWhenStoppedIsNotRunning)
{
	TreeCopy t("stopped");
	CtlRun r = run_ctl({"--proc", t.proc(), "stop"});
	EXPECT_EQ(r.exit_code, 4);
	EXPECT_EQ(r.err, "khttpdctl: khttpd is not running (nothing to stop)\n");
	EXPECT_EQ(sysctl(t, "stop"), "1\n"); // untouched
}

TEST(Cli, StartWritesOneToStart)
{
	TreeCopy t("stopped");
	CtlRun r = run_ctl({"--proc", t.proc(), "start"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(sysctl(t, "start"), "1\n");
	EXPECT_EQ(r.out, "khttpd started: port 80, 2 threads, document root /var/www\n");
}

TEST(Cli, StartWhenRunningChangesNothing)
{
	TreeCopy t("running-4-workers");
	fs::permissions(t.proc() + "/sys/net/khttpd/start", fs::perms(0444));
	CtlRun r = run_ctl({"--proc", t.proc(), "start"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_TRUE(has(r.out, "khttpd is already running: port 80, 4 threads")) << r.out;
}

TEST(Cli, StopWritesOneToStop)
{
	TreeCopy t("running-4-workers");
	CtlRun r = run_ctl({"--proc", t.proc(), "stop"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(sysctl(t, "stop"), "1\n");
	EXPECT_EQ(r.out, "khttpd stopped\n");
}

// Root ignores file modes, so the child drops to nobody: the files are
// root's, 0644, as in /proc/sys.
TEST(Cli, PermissionDenied)
{
	TreeCopy stopped("stopped"), running("running-4-workers");
	CtlRun a = run_ctl({"--proc", stopped.proc(), "start"}, {.as_nobody = true});
	EXPECT_EQ(a.exit_code, 5) << a.err;
	EXPECT_TRUE(has(a.err, "cannot start khttpd: permission denied writing " +
				       stopped.proc() + "/sys/net/khttpd/start")) << a.err;
	EXPECT_TRUE(has(a.err, "run as root (needs CAP_NET_ADMIN)")) << a.err;
	EXPECT_EQ(sysctl(stopped, "start"), "0\n");

	CtlRun b = run_ctl({"--proc", running.proc(), "stop"}, {.as_nobody = true});
	EXPECT_EQ(b.exit_code, 5) << b.err;

	// Reading is for everyone; a status file one may not read is 5 too.
	CtlRun c = run_ctl({"--proc", running.proc(), "status", "--no-rates"}, {.as_nobody = true});
	EXPECT_EQ(c.exit_code, 0) << c.err;
	fs::permissions(running.proc() + "/net/khttpd/status", fs::perms(0600));
	CtlRun d = run_ctl({"--proc", running.proc(), "status", "--no-rates"}, {.as_nobody = true});
	EXPECT_EQ(d.exit_code, 5) << d.err;
	EXPECT_TRUE(has(d.err, "Permission denied")) << d.err;
}

TEST(Cli, UsageErrorsExitTwo)
{
	for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
		     {}, {"frob"}, {"status", "--count", "2"}, {"top", "--interval", "x"}}) {
		CtlRun r = run_ctl(args);
		EXPECT_EQ(r.exit_code, 2);
		EXPECT_TRUE(has(r.err, "Try 'khttpdctl --help'.")) << r.err;
		EXPECT_EQ(r.out, "");
	}
}

TEST(Cli, HelpAndVersion)
{
	CtlRun h = run_ctl({"--help"});
	EXPECT_EQ(h.exit_code, 0);
	EXPECT_TRUE(has(h.out, "Usage: khttpdctl [--proc DIR] COMMAND [OPTIONS]"));
	EXPECT_TRUE(has(h.out, "3 khttpd.ko not loaded"));
	CtlRun v = run_ctl({"--version"});
	EXPECT_EQ(v.exit_code, 0);
	EXPECT_TRUE(v.out.starts_with("khttpdctl ")) << v.out;
}

TEST(Cli, MetricsOutputReplacesTheFileAtomically)
{
	TreeCopy t("running-4-workers");
	std::string dir = t.dir() + "/textfile", file = dir + "/khttpd.prom";
	fs::create_directory(dir);
	test::write_file(file, "old\n");
	CtlRun r = run_ctl({"--proc", t.proc(), "metrics", "--output", file});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out, "");
	CtlRun s = run_ctl({"--proc", t.proc(), "metrics"});
	EXPECT_EQ(test::read_file(file), s.out);
	struct stat st;
	ASSERT_EQ(::stat(file.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 0777, 0644u);
	std::vector<std::string> names;
	for (auto& e : fs::directory_iterator(dir))
		names.push_back(e.path().filename().string());
	EXPECT_EQ(names, std::vector<std::string>{"khttpd.prom"}); // no temporary left
}

TEST(Cli, MetricsOutputIntoAnUnwritableDirectory)
{
	TreeCopy t("running-4-workers");
	std::string file = t.dir() + "/khttpd.prom";
	test::write_file(file, "old\n");
	if (::geteuid() != 0)
		GTEST_SKIP() << "needs root to test as nobody";
	CtlRun r = run_ctl({"--proc", t.proc(), "metrics", "--output", file}, {.as_nobody = true});
	EXPECT_EQ(r.exit_code, 5) << r.err;
	EXPECT_TRUE(has(r.err, "cannot create " + file + ".tmp.")) << r.err;
	EXPECT_EQ(test::read_file(file), "old\n");
}

TEST(Cli, RatesFromTwoSamples)
{
	TreeCopy t("running-4-workers");
	// The status file becomes a FIFO: the first sample reads the recorded
	// figures, the second 150 more requests and 3 MiB more.
	std::string path = t.proc() + "/net/khttpd/status";
	std::string before = test::read_file(path);
	fs::remove(path);
	ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);
	bool served = false;
	std::thread kernel([&] {
		served = serve_fifo(path, {before, with_traffic(before, 150, 3 << 20)},
				    std::chrono::milliseconds(500));
	});
	CtlRun r = run_ctl({"--proc", t.proc(), "status", "--json", "--interval", "1"});
	kernel.join();
	EXPECT_TRUE(served);
	EXPECT_EQ(r.exit_code, 0) << r.err;
	auto number_after = [&](const std::string& key) {
		std::size_t at = r.out.find("\"" + key + "\": ");
		EXPECT_NE(at, std::string::npos) << key;
		return at == std::string::npos ? -1.0 : std::stod(r.out.substr(at + key.size() + 4));
	};
	double secs = number_after("seconds");
	EXPECT_GE(secs, 1.0);
	EXPECT_LT(secs, 5.0);
	// "seconds" is printed to the millisecond: 0.5% of slack.
	EXPECT_NEAR(number_after("requests_per_second"), 150 / secs, 150 / secs * 0.005);
	EXPECT_NEAR(number_after("bytes_per_second"), (3 << 20) / secs, (3 << 20) / secs * 0.005);
	EXPECT_DOUBLE_EQ(number_after("accepts_per_second"), 0.0);
	// The figures shown are the second sample's.
	EXPECT_TRUE(has(r.out, "\"requests\": 5828,")) << r.out;
}

TEST(Cli, StatusTextHasARatesLine)
{
	CtlRun r = run_ctl({"--proc", test::data_dir("running-4-workers") + "/proc", "status",
			 "--interval", "0.1"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_TRUE(has(r.out, "\nrates          0.0 req/s, 0 B/s sent, 0.0 accepts/s, 0.0 "
			       "hand-overs/s (over 0."))
		<< r.out;
}

} // namespace
} // namespace khttpdctl
