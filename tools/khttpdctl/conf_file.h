// SPDX-License-Identifier: GPL-2.0
// /etc/khttpd/khttpd.conf: `key = value` lines named as the settings under
// /proc/sys/net/khttpd, `#` comment lines, blank lines. Parsing checks the
// whole file and reports every bad line, so that `check` and `apply` refuse
// a file before anything is written.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace khttpdctl {

struct ConfEntry {
	unsigned line = 0;
	std::string key, value; // value: after the first '=', blanks trimmed
};

struct ConfError {
	unsigned line = 0;
	std::string reason;
};

struct ConfFile {
	std::vector<ConfEntry> entries; // in file order, each key once
	std::vector<ConfError> errors;  // in line order; empty = the file is good
};

ConfFile parse_conf(std::string_view text);

// "FILE:LINE: reason\n" for each error.
std::string format_conf_errors(const std::string& file, const std::vector<ConfError>& errors);

} // namespace khttpdctl
