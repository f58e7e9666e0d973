// SPDX-License-Identifier: GPL-2.0
// The terminal for `top`: keys without Enter or echo, the cursor hidden,
// the alternate screen (so the shell's screen comes back afterwards), all
// restored when the session ends, however the loop ends (q, Ctrl-C, an
// error). SIGINT/SIGTERM/SIGHUP only set a flag: the loop sees it at once
// (the wait is a poll(2) that the signal interrupts) and returns normally.
#pragma once

#include <optional>
#include <string_view>
#include <termios.h>

namespace khttpdctl {

// Installs the flag-setting handlers (no SA_RESTART).
void install_quit_signals();
bool quit_requested();

class TerminalSession {
public:
	// in_fd: where keys come from (ignored unless a tty); out_fd: a tty.
	TerminalSession(int in_fd, int out_fd);
	~TerminalSession();
	TerminalSession(const TerminalSession&) = delete;
	TerminalSession& operator=(const TerminalSession&) = delete;

	// Waits up to ms milliseconds; returns false if the user asked to quit
	// (q, Q, Ctrl-C, a signal) meanwhile.
	bool wait(int ms);

private:
	int in_fd_, out_fd_;
	bool keys_ = false; // in_fd is a tty in non-canonical mode
	std::optional<termios> saved_;
};

// Writes all of s to fd; false on error (EPIPE: the reader went away).
bool write_all(int fd, std::string_view s);

// Waits ms milliseconds, or less if a quit signal arrives; false then.
bool sleep_unless_quit(int ms);

} // namespace khttpdctl
