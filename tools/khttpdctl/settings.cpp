// SPDX-License-Identifier: GPL-2.0
#include "settings.h"

#include <charconv>

namespace khttpdctl {
namespace {

using K = SettingKind;
using R = StringRule;

constexpr Setting integer(std::string_view name, long min, long max)
{
	return {name, K::integer, min, max, 0, R::none};
}

constexpr Setting string(std::string_view name, std::size_t buffer, StringRule rule)
{
	// The kernel's buffer holds the NUL too (khttpd_string_fits()).
	return {name, K::string, 0, 0, buffer - 1, rule};
}

constexpr Setting module_wide(Setting s)
{
	s.module_wide = true;
	return s;
}

constexpr long kIntMax = 2147483647;

// KEEP IN STEP with khttpd_table[] in sysctl/sysctl.c (and its bounds in
// src/kernel/khttpd.h): names, order, bounds, buffer sizes and validators.
// test_settings.cpp checks the names against sysctl.c and the ranges
// against docs/sysctl.md's table.
constexpr Setting kSettings[] = {
	{"start", K::control},
	{"stop", K::control},
	{"reload", K::control},
	integer("serverport", 1, 65535),
	integer("tls_port", 0, 65535),
	integer("threads", 1, 256),
	integer("max_header_size", 1024, 65536),
	integer("keepalive_requests", 0, kIntMax),
	integer("keepalive_timeout", 1, 3600),
	integer("header_timeout", 1, 3600),
	integer("send_timeout", 1, 3600),
	integer("max_connections", 1, 1L << 24),
	integer("max_connections_per_ip", 0, 1L << 24),
	integer("perm_required", 0, 07777),
	integer("perm_forbid", 0, 07777),
	integer("crossmounts", 0, 1),
	integer("filecache_entries", 0, 1L << 20),
	string("documentroot", 1024, R::document_root),
	string("indexfile", 256, R::file_name),
	string("dynamic", 256, R::printable),
	integer("sloppymime", 0, 1),
	integer("vhosts", 0, 1),
	integer("nodaemon_503", 0, 1),
	integer("clientport", 1, 65535),
	integer("uid", 0, kIntMax),
	integer("gid", 0, kIntMax),
	integer("handover_queue", 1, 65536),
	{"stat_connections", K::read_only},
	{"stat_requests", K::read_only},
	{"stat_handovers", K::read_only},
	{"stat_refused_connections", K::read_only},
	{"stat_handovers_refused", K::read_only},
	{"daemon_pid", K::read_only},
	// The initial namespace's table ends with these (KHTTPD_NR_MODULE_WIDE).
	module_wide(integer("logging", 0, 1)),
	module_wide(string("mimetypes", 1024, R::abs_or_empty)),
};

// khttpd_valid_docroot(): the path's depth below / after . and .. must
// stay above zero, so "/", "//", "/." and "/tmp/.." are all the root.
bool below_root(std::string_view s)
{
	int depth = 0;
	std::size_t i = 0;
	while (i < s.size()) {
		while (i < s.size() && s[i] == '/')
			++i;
		std::size_t end = s.find('/', i);
		if (end == std::string_view::npos)
			end = s.size();
		std::string_view part = s.substr(i, end - i);
		if (part == "..")
			depth = depth ? depth - 1 : 0;
		else if (!part.empty() && part != ".")
			++depth;
		i = end;
	}
	return depth > 0;
}

std::string check_integer(const Setting& s, std::string_view v)
{
	std::string head = std::string(s.name) + ": ";
	std::string range = std::to_string(s.min) + "-" + std::to_string(s.max);
	if (v.empty())
		return head + "no value (a whole number, " + range + ")";
	std::string_view digits = v.substr(v[0] == '-' ? 1 : 0);
	long n = 0;
	auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
	if (digits.empty() || digits[0] < '0' || digits[0] > '9' || end != v.data() + v.size())
		return head + "'" + std::string(v) + "' is not a whole number (" + range + ")";
	// The kernel parses with base 0: "073" would be octal 59, "0x10" 16.
	if (digits.size() > 1 && digits[0] == '0')
		return head + "'" + std::string(v) +
		       "' starts with 0, which the kernel would read as octal: write it in decimal";
	if (ec == std::errc::result_out_of_range || n < s.min || n > s.max)
		return head + std::string(v) + " is out of range (" + range + ")";
	return {};
}

std::string check_string(const Setting& s, std::string_view v)
{
	std::string head = std::string(s.name) + ": ";
	if (v.size() > s.max_bytes)
		return head + "longer than " + std::to_string(s.max_bytes) + " bytes";
	switch (s.rule) {
	case R::document_root:
		if (v.empty() || v[0] != '/')
			return head + "'" + std::string(v) + "' is not an absolute path";
		if (!below_root(v))
			return head + "'" + std::string(v) +
			       "' is the root directory (serving the whole file system is refused)";
		break;
	case R::file_name:
		if (v.empty() || v.find('/') != std::string_view::npos || v == "." || v == "..")
			return head + "'" + std::string(v) +
			       "' is not one file name (not empty, no '/', not . or ..)";
		break;
	case R::printable:
		// Control characters are refused for every value (conf_file.cpp);
		// this is the rest: bytes above '~'.
		for (char c : v)
			if (static_cast<unsigned char>(c) > '~')
				return head + "only printable ASCII and spaces are allowed";
		break;
	case R::abs_or_empty:
		if (!v.empty() && v[0] != '/')
			return head + "'" + std::string(v) + "' is not an absolute path (or empty)";
		break;
	case R::none:
		break;
	}
	return {};
}

} // namespace

const Setting* find_setting(std::string_view name)
{
	for (const Setting& s : kSettings)
		if (s.name == name)
			return &s;
	return nullptr;
}

std::size_t setting_count()
{
	return std::size(kSettings);
}

const Setting& setting_at(std::size_t i)
{
	return kSettings[i];
}

std::string check_value(const Setting& s, std::string_view value)
{
	if (s.kind == K::integer)
		return check_integer(s, value);
	if (s.kind == K::string)
		return check_string(s, value);
	return std::string(s.name) + ": not a setting";
}

} // namespace khttpdctl
