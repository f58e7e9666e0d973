// SPDX-License-Identifier: GPL-2.0
#include "terminal.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <poll.h>
#include <unistd.h>

namespace khttpdctl {
namespace {

volatile std::sig_atomic_t g_quit = 0;

void on_quit_signal(int) { g_quit = 1; }

// ESC [ ?1049h: alternate screen; ?25l: hide the cursor.
constexpr std::string_view kEnter = "\x1b[?1049h\x1b[?25l";
constexpr std::string_view kLeave = "\x1b[?25h\x1b[?1049l";

// poll(2) on *fd (none if -1) until ms pass, a key, or a signal. The
// callback may set *fd to -1 (end of input) to go on with the timer only.
template <class OnReadable>
bool wait_loop(int ms, int* fd, OnReadable on_readable)
{
	using clock = std::chrono::steady_clock;
	auto deadline = clock::now() + std::chrono::milliseconds(ms);
	for (;;) {
		if (g_quit)
			return false;
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
										   clock::now());
		if (left.count() <= 0)
			return true;
		pollfd p{*fd, POLLIN, 0};
		int n = ::poll(&p, *fd >= 0 ? 1 : 0, static_cast<int>(left.count()));
		if (n < 0 && errno != EINTR)
			return true; // cannot wait for keys: at least do not spin
		if (n > 0 && !on_readable())
			return false;
	}
}

} // namespace

void install_quit_signals()
{
	struct sigaction sa {};
	sa.sa_handler = on_quit_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; // no SA_RESTART: poll(2) returns EINTR
	for (int sig : {SIGINT, SIGTERM, SIGHUP})
		sigaction(sig, &sa, nullptr);
}

bool quit_requested() { return g_quit != 0; }

bool write_all(int fd, std::string_view s)
{
	while (!s.empty()) {
		ssize_t n = ::write(fd, s.data(), s.size());
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		s.remove_prefix(static_cast<std::size_t>(n));
	}
	return true;
}

bool sleep_unless_quit(int ms)
{
	int none = -1;
	return wait_loop(ms, &none, [] { return true; });
}

TerminalSession::TerminalSession(int in_fd, int out_fd) : in_fd_(in_fd), out_fd_(out_fd)
{
	termios t;
	if (::isatty(in_fd_) && ::tcgetattr(in_fd_, &t) == 0) {
		saved_ = t;
		// Keys one at a time, unechoed; ISIG stays, so Ctrl-C is SIGINT.
		t.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		keys_ = ::tcsetattr(in_fd_, TCSANOW, &t) == 0;
	}
	write_all(out_fd_, kEnter);
}

TerminalSession::~TerminalSession()
{
	write_all(out_fd_, kLeave);
	if (saved_)
		::tcsetattr(in_fd_, TCSANOW, &*saved_);
}

bool TerminalSession::wait(int ms)
{
	if (!keys_)
		return sleep_unless_quit(ms);
	int fd = in_fd_;
	return wait_loop(ms, &fd, [this, &fd] {
		char buf[64];
		ssize_t n = ::read(in_fd_, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return true;
		if (n <= 0) {
			keys_ = false; // end of input: no more keys, keep the timer
			fd = -1;
			return true;
		}
		for (ssize_t i = 0; i < n; ++i)
			if (buf[i] == 'q' || buf[i] == 'Q' || buf[i] == 3 /* Ctrl-C */)
				return false;
		return true;
	});
}

} // namespace khttpdctl
