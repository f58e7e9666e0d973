// SPDX-License-Identifier: GPL-2.0
// `khttpdctl top`: plain frames when stdout is not a terminal (with rates
// from the second frame on), and on a pseudo-terminal the alternate screen,
// quitting on q or Ctrl-C with the terminal's modes restored.
#include "test_support.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace khttpdctl {
namespace {

using test::CtlRun;
using test::run_ctl;

std::size_t count(const std::string& s, std::string_view what)
{
	std::size_t n = 0;
	for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1))
		++n;
	return n;
}

TEST(Top, TwoPlainFramesWhenNotATerminal)
{
	CtlRun r = run_ctl({"--proc", test::data_dir("running-4-workers") + "/proc", "top", "--count",
			 "2", "--interval", "0.2"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << "escape codes in a pipe";
	EXPECT_EQ(count(r.out, "state          running"), 2u) << r.out;
	EXPECT_EQ(count(r.out, "\nrates "), 1u) << "the first frame has no rates yet";
	std::size_t second = r.out.find("\n\nstate ");
	ASSERT_NE(second, std::string::npos) << "frames are separated by a blank line";
	EXPECT_EQ(r.out.substr(0, second + 1).find("\nrates "), std::string::npos);
	EXPECT_NE(r.out.find("\nrates          0.0 req/s", second), std::string::npos);
}

TEST(Top, TheModuleGoingAwayEndsItWithExitThree)
{
	test::TreeCopy t("running-4-workers");
	// The status file as a FIFO: once top has read its first frame's
	// figures, the module "unloads" (its sysctl directory goes).
	std::string path = t.proc() + "/net/khttpd/status";
	std::string text = test::read_file(path);
	fs::remove(path);
	ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);
	std::thread unload([&] {
		int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC); // waits for top
		if (fd >= 0) {
			if (::write(fd, text.data(), text.size()) < 0)
				ADD_FAILURE() << "write to the FIFO";
			::close(fd);
		}
		fs::remove_all(t.proc() + "/sys/net/khttpd");
	});
	CtlRun r = run_ctl({"--proc", t.proc(), "top", "--interval", "0.5"});
	unload.join();
	EXPECT_EQ(r.exit_code, 3) << r.err;
	EXPECT_NE(r.err.find("not loaded"), std::string::npos) << r.err;
	EXPECT_EQ(count(r.out, "state "), 1u);
}

// khttpdctl top on a pseudo-terminal; returns what it wrote after `key`
// (sent once the first frame is drawn) made it exit, and its exit code.
struct PtyRun {
	std::string out;
	int exit_code = -1;
	bool echo_restored = false;
	bool canonical_restored = false;
};

PtyRun top_on_pty(char key)
{
	PtyRun res;
	int master = -1;
	std::string proc = test::data_dir("running-4-workers") + "/proc";
	pid_t pid = ::forkpty(&master, nullptr, nullptr, nullptr);
	if (pid < 0) {
		ADD_FAILURE() << "forkpty: " << std::strerror(errno);
		return res;
	}
	if (pid == 0) {
		::execl(KHTTPDCTL_BINARY, KHTTPDCTL_BINARY, "--proc", proc.c_str(), "top",
			"--interval", "30", static_cast<char*>(nullptr));
		::_exit(127);
	}
	auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
	bool sent = false;
	for (;;) {
		pollfd p{master, POLLIN, 0};
		if (::poll(&p, 1, 200) > 0) {
			char buf[4096];
			ssize_t n = ::read(master, buf, sizeof(buf));
			if (n <= 0)
				break; // the child is gone (EIO)
			res.out.append(buf, static_cast<std::size_t>(n));
		}
		if (!sent && res.out.find("worker  cpu") != std::string::npos) {
			// The frame is drawn, so the terminal is in its mode: send the key.
			if (::write(master, &key, 1) != 1)
				ADD_FAILURE() << "write to the pty";
			sent = true;
		}
		if (std::chrono::steady_clock::now() > deadline) {
			::kill(pid, SIGKILL);
			ADD_FAILURE() << "top did not quit on the key";
			break;
		}
	}
	int status = 0;
	::waitpid(pid, &status, 0);
	if (WIFEXITED(status))
		res.exit_code = WEXITSTATUS(status);
	termios t;
	if (::tcgetattr(master, &t) == 0) {
		res.echo_restored = t.c_lflag & ECHO;
		res.canonical_restored = t.c_lflag & ICANON;
	}
	::close(master);
	return res;
}

TEST(Top, QuitsOnQAndRestoresTheTerminal)
{
	PtyRun r = top_on_pty('q');
	EXPECT_EQ(r.exit_code, 0);
	EXPECT_TRUE(r.out.starts_with("\x1b[?1049h\x1b[?25l")) << "alternate screen first";
	EXPECT_TRUE(r.out.ends_with("\x1b[?25h\x1b[?1049l")) << "and left at the end";
	EXPECT_NE(r.out.find("khttpdctl top: every 30.0 s; q or Ctrl-C quits"), std::string::npos);
	EXPECT_TRUE(r.echo_restored);
	EXPECT_TRUE(r.canonical_restored);
}

TEST(Top, QuitsOnCtrlCAndRestoresTheTerminal)
{
	PtyRun r = top_on_pty('\x03'); // the line discipline makes it SIGINT
	EXPECT_EQ(r.exit_code, 0);
	EXPECT_TRUE(r.out.ends_with("\x1b[?25h\x1b[?1049l"));
	EXPECT_TRUE(r.echo_restored);
	EXPECT_TRUE(r.canonical_restored);
}

} // namespace
} // namespace khttpdctl
