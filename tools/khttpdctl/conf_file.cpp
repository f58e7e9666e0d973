// SPDX-License-Identifier: GPL-2.0
#include "conf_file.h"

#include "settings.h"

namespace khttpdctl {
namespace {

std::string_view trim(std::string_view s)
{
	while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
		s.remove_prefix(1);
	while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
		s.remove_suffix(1);
	return s;
}

// No setting takes a control character (the kernel refuses a newline in
// every string, and the others are not printable); a CR is most likely a
// DOS line end, which would otherwise give a puzzling "not a number".
bool has_control(std::string_view s)
{
	for (char c : s)
		if (static_cast<unsigned char>(c) < ' ' || c == 0x7f)
			return true;
	return false;
}

std::string quoted(std::string_view s)
{
	return "'" + std::string(s) + "'";
}

// Why KEY cannot be set from a file; empty if it can.
std::string key_error(std::string_view key, const Setting* s)
{
	if (!s)
		return "unknown setting " + quoted(key) + " (see docs/sysctl.md)";
	switch (s->kind) {
	case SettingKind::control:
		return quoted(key) + " is a command, not a setting (khttpd.service and " +
		       "`khttpdctl start|stop|reload` run it)";
	case SettingKind::read_only:
		return quoted(key) + " is read-only";
	default:
		return {};
	}
}

} // namespace

ConfFile parse_conf(std::string_view text)
{
	ConfFile f;
	std::vector<ConfEntry> seen; // every good key, its value unchecked
	unsigned n = 0;
	while (!text.empty()) {
		std::size_t eol = text.find('\n');
		std::string_view raw = text.substr(0, eol);
		text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
		++n;
		std::string_view body = trim(raw);
		if (body.empty() || body[0] == '#')
			continue;
		auto fail = [&](std::string reason) { f.errors.push_back({n, std::move(reason)}); };
		std::size_t eq = body.find('=');
		if (eq == std::string_view::npos) {
			fail("not a 'key = value' line");
			continue;
		}
		std::string_view key = trim(body.substr(0, eq)), value = trim(body.substr(eq + 1));
		if (key.empty()) {
			fail("no setting name before '='");
			continue;
		}
		const Setting* s = find_setting(key);
		if (std::string why = key_error(key, s); !why.empty()) {
			fail(std::move(why));
			continue;
		}
		// A repeat is an error even when the first value was bad too.
		bool repeated = false;
		for (const ConfEntry& e : seen)
			if (e.key == key) {
				fail(quoted(key) + " already set on line " + std::to_string(e.line));
				repeated = true;
				break;
			}
		if (repeated)
			continue;
		seen.push_back({n, std::string(key), {}});
		if (has_control(value)) {
			fail(std::string(key) +
			     ": the value holds a control character (a DOS line end?)");
			continue;
		}
		if (std::string why = check_value(*s, value); !why.empty()) {
			fail(std::move(why));
			continue;
		}
		f.entries.push_back({n, std::string(key), std::string(value)});
	}
	return f;
}

std::string format_conf_errors(const std::string& file, const std::vector<ConfError>& errors)
{
	std::string out;
	for (const ConfError& e : errors)
		out += file + ":" + std::to_string(e.line) + ": " + e.reason + "\n";
	return out;
}

} // namespace khttpdctl
