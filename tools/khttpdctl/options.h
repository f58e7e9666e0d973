// SPDX-License-Identifier: GPL-2.0
// The command line: `khttpdctl [--proc DIR] COMMAND [OPTIONS]`. Options may
// come before or after the command; each is checked against the command it
// belongs to, so a typo is a usage error (exit 2), not silently ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace khttpdctl {

enum class Command { none, status, metrics, start, stop, top, check, apply, reload, help, version };

// The file `reload` applies when given none (the one khttpd.service uses).
inline constexpr const char* kDefaultConfFile = "/etc/khttpd/khttpd.conf";

struct Options {
	Command command = Command::none;
	std::string proc = "/proc";
	bool json = false;     // status
	bool rates = true;     // status (--no-rates)
	double interval = 1.0; // status, top: seconds between samples
	std::optional<unsigned long> count; // top: frames before exiting
	std::string output;    // metrics: write atomically to this file
	std::string file;      // check, apply, reload: the configuration file
};

struct ParseResult {
	Options options;
	std::string error; // non-empty: a usage error, for stderr
};

ParseResult parse_options(const std::vector<std::string_view>& args);

// The --help text.
std::string usage_text();

} // namespace khttpdctl
