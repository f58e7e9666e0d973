// SPDX-License-Identifier: GPL-2.0
// The entries of /proc/sys/net/khttpd as a configuration file may name
// them, with the type and bounds the kernel checks, so that `khttpdctl
// check` refuses what a write would refuse, before anything is written.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace khttpdctl {

enum class SettingKind {
	integer,  // an int in [min, max]
	string,   // a string of at most max_bytes, checked by its rule
	control,  // start, stop, reload: commands, not settings
	read_only // stat_*, daemon_pid
};

// What a string setting must be, as sysctl/sysctl.c's validators say.
enum class StringRule {
	none,
	document_root, // absolute, not the root directory however spelt
	file_name,     // one file name: not empty, no '/', not . or ..
	printable,     // printable ASCII and spaces
	abs_or_empty,  // an absolute path, or empty (mimetypes)
};

struct Setting {
	std::string_view name;
	SettingKind kind;
	long min = 0, max = 0;     // integer
	std::size_t max_bytes = 0; // string: longest value, without its NUL
	StringRule rule = StringRule::none;
	// One value for the whole module, in the initial network namespace's
	// /proc/sys/net/khttpd only (logging, mimetypes).
	bool module_wide = false;
};

// Every entry, in sysctl/sysctl.c's order (tests compare the two).
const Setting* find_setting(std::string_view name);
std::size_t setting_count();
const Setting& setting_at(std::size_t i);

// Why VALUE is not acceptable for the writable setting S, prefixed with
// its name ("threads: 300 is out of range (1-256)"); empty if it is.
std::string check_value(const Setting& s, std::string_view value);

} // namespace khttpdctl
