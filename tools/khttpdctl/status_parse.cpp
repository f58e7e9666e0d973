// SPDX-License-Identifier: GPL-2.0
// The status file's reader. Lenient where the format may grow (unknown
// names, extra `worker` fields, new hand-over reasons), strict about
// numbers: a value that is not a plain decimal fitting 64 bits is dropped
// rather than guessed at.
#include "status.h"

#include <charconv>

namespace khttpdctl {
namespace {

struct Field {
	std::string_view name;
	Count Status::*member;
};

constexpr Field kFields[] = {
	{"version", &Status::version},
	{"uptime_seconds", &Status::uptime_seconds},
	{"port", &Status::port},
	{"threads", &Status::threads},
	{"generation", &Status::generation},
	{"retiring_connections", &Status::retiring_connections},
	{"daemon_pid", &Status::daemon_pid},
	{"connections_active", &Status::connections_active},
	{"connections_reading", &Status::connections_reading},
	{"connections_writing", &Status::connections_writing},
	{"connections_waiting", &Status::connections_waiting},
	{"connections_lingering", &Status::connections_lingering},
	{"accepts", &Status::accepts},
	{"handled", &Status::handled},
	{"requests", &Status::requests},
	{"bytes_sent", &Status::bytes_sent},
	{"filecache_hits", &Status::filecache_hits},
	{"filecache_misses", &Status::filecache_misses},
	{"filecache_entries", &Status::filecache_entries},
	{"handovers", &Status::handovers},
	{"handovers_refused", &Status::handovers_refused},
	{"refused_max_connections", &Status::refused_max_connections},
	{"refused_per_ip", &Status::refused_per_ip},
	{"refused_nomem", &Status::refused_nomem},
	{"timeouts_header", &Status::timeouts_header},
	{"timeouts_send", &Status::timeouts_send},
	{"timeouts_keepalive", &Status::timeouts_keepalive},
	{"log_records", &Status::log_records},
	{"log_drops", &Status::log_drops},
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits a line into whitespace-separated words (at most max).
template <std::size_t N>
std::size_t split_words(std::string_view line, std::array<std::string_view, N>& words)
{
	std::size_t n = 0, i = 0;
	while (i < line.size()) {
		while (i < line.size() && is_space(line[i]))
			++i;
		if (i == line.size())
			break;
		std::size_t start = i;
		while (i < line.size() && !is_space(line[i]))
			++i;
		if (n == N)
			return N + 1; // more words than the caller takes
		words[n++] = line.substr(start, i - start);
	}
	return n;
}

// A hand-over reason or a state as the module spells it: lowercase,
// digits, '_'.
bool is_reason_name(std::string_view s)
{
	if (s.empty())
		return false;
	for (char c : s)
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	return true;
}

bool set_count(Count& c, std::string_view value)
{
	auto v = parse_u64(value);
	if (!v)
		return false;
	c = *v;
	return true;
}

// "worker N cpu C connections X requests Y": key/value pairs after the
// worker's number, unknown keys ignored. Returns false if malformed.
bool parse_worker(std::string_view line, Status& st)
{
	std::array<std::string_view, 32> w;
	std::size_t n = split_words(line, w);
	if (n < 2 || n > w.size() || n % 2 != 0)
		return false;
	auto id = parse_u64(w[1]);
	if (!id)
		return false;
	Worker wk;
	wk.id = *id;
	for (std::size_t i = 2; i + 1 < n; i += 2) {
		Count* c = nullptr;
		if (w[i] == "cpu")
			c = &wk.cpu;
		else if (w[i] == "connections")
			c = &wk.connections;
		else if (w[i] == "requests")
			c = &wk.requests;
		if (c && !set_count(*c, w[i + 1]))
			return false;
	}
	for (Worker& old : st.workers) {
		if (old.id == wk.id) { // a repeated line: the last one counts
			old = wk;
			return true;
		}
	}
	st.workers.push_back(wk);
	return true;
}

bool parse_line(std::string_view line, Status& st)
{
	std::array<std::string_view, 2> w;
	std::size_t n = split_words(line, w);
	if (n == 0)
		return true; // blank
	if (w[0] == "worker")
		return parse_worker(line, st);
	if (n != 2)
		return false;
	std::string_view name = w[0], value = w[1];
	if (name == "state") {
		if (!is_reason_name(value)) // a word; nothing to upset a terminal
			return false;
		st.state = std::string(value);
		return true;
	}
	for (const Field& f : kFields)
		if (f.name == name)
			return set_count(st.*f.member, value);
	if (name.starts_with("responses_") && name.size() == 13 && name.ends_with("xx") &&
	    name[10] >= '1' && name[10] <= '5')
		return set_count(st.responses[name[10] - '1'], value);
	if (name.starts_with("handover_")) {
		std::string_view reason = name.substr(9);
		if (!is_reason_name(reason))
			return false;
		auto v = parse_u64(value);
		if (!v)
			return false;
		for (NamedCount& r : st.handover_reasons) {
			if (r.name == reason) {
				r.value = *v;
				return true;
			}
		}
		st.handover_reasons.push_back({std::string(reason), *v});
		return true;
	}
	return true; // a name from a newer module: ignored
}

} // namespace

std::optional<std::uint64_t> parse_u64(std::string_view text)
{
	if (text.empty() || text.size() > 20)
		return std::nullopt;
	for (char c : text)
		if (c < '0' || c > '9')
			return std::nullopt; // no sign, no spaces, no hex
	std::uint64_t v = 0;
	auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
	if (ec != std::errc() || end != text.data() + text.size())
		return std::nullopt; // out of range
	return v;
}

Status parse_status(std::string_view text)
{
	Status st;
	while (!text.empty()) {
		std::size_t nl = text.find('\n');
		std::string_view line = text.substr(0, nl);
		text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
		if (!parse_line(line, st))
			++st.malformed_lines;
	}
	return st;
}

} // namespace khttpdctl
