// SPDX-License-Identifier: GPL-2.0
// The files khttpdctl reads and writes, under a root that is /proc on a
// real system and a recorded copy in the tests (--proc DIR).
#pragma once

#include <string>
#include <string_view>

namespace khttpdctl {

inline constexpr std::string_view kStatusFile = "net/khttpd/status";
inline constexpr std::string_view kSysctlDir = "sys/net/khttpd";

struct ReadResult {
	std::string data;
	int error = 0; // errno; 0 = read whole
};

struct WriteResult {
	int error = 0;        // errno; 0 = written whole
	bool at_open = false; // the error came from open(2), not write(2)
};

class ProcTree {
public:
	explicit ProcTree(std::string root) : root_(std::move(root)) {}

	std::string path(std::string_view rel) const;
	bool is_dir(std::string_view rel) const;
	ReadResult read(std::string_view rel) const;
	// One write(2) of data, as `echo 1 > file` does: a sysctl handler sees
	// the whole value at once and its error comes back from that write.
	WriteResult write(std::string_view rel, std::string_view data) const;

	// A sysctl under sys/net/khttpd, trailing newline removed.
	ReadResult sysctl(std::string_view name) const;
	WriteResult write_sysctl(std::string_view name, std::string_view value) const;

	// Whether khttpd.ko is loaded: its sysctl directory exists.
	bool module_loaded() const { return is_dir(kSysctlDir); }

private:
	std::string root_;
};

} // namespace khttpdctl
