// SPDX-License-Identifier: GPL-2.0
// Helpers for the khttpdctl tests: the binary as a child process (its exit
// code, stdout and stderr; optionally as `nobody`), copies of the recorded
// trees that a test may change, and golden files.
#pragma once

#include <string>
#include <vector>

namespace khttpdctl::test {

struct CtlRun {
	int exit_code = -1; // -1: killed by a signal or not run
	std::string out, err;
};

struct RunOptions {
	// Drop to nobody (uid/gid 65534) before exec when run as root, so
	// that file permissions apply (root bypasses them).
	bool as_nobody = false;
};

// Runs build/.../khttpdctl ARGS with stdin from /dev/null, stdout and
// stderr captured through pipes (so never a tty).
CtlRun run_ctl(const std::vector<std::string>& args, RunOptions opts = {});

// data/NAME, the recorded tree NAME (its proc/ is what --proc takes).
std::string data_dir(const std::string& name);

// A temporary copy of data/NAME (mode 0755 all the way down for nobody),
// removed when the object goes.
class TreeCopy {
public:
	explicit TreeCopy(const std::string& name);
	~TreeCopy();
	TreeCopy(const TreeCopy&) = delete;
	TreeCopy& operator=(const TreeCopy&) = delete;
	const std::string& dir() const { return dir_; }
	std::string proc() const { return dir_ + "/proc"; }

private:
	std::string dir_;
};

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

// Compares actual with data/SAMPLE/expected/FILE. With
// KHTTPDCTL_UPDATE_GOLDEN=1 in the environment, rewrites it instead (then
// review the diff with git before committing).
void expect_golden(const std::string& sample, const std::string& file, const std::string& actual);

} // namespace khttpdctl::test
