// SPDX-License-Identifier: GPL-2.0
// The human summary: one `label  value` line per topic, then the workers
// as a table. Unknown figures print as "-".
#include "format.h"
#include "format_units.h"
#include "utf8.h"

#include <algorithm>
#include <cstdio>

namespace khttpdctl {
namespace {

constexpr std::size_t kLabelWidth = 15;

void line(std::string& out, std::string_view label, std::string_view value)
{
	out += label;
	out.append(kLabelWidth > label.size() ? kLabelWidth - label.size() : 1, ' ');
	out += value;
	out += '\n';
}

// A path for a terminal: control bytes (C0, DEL, C1) and bytes that are
// not UTF-8 as \xNN, so a strange document root cannot move the cursor or
// change colours.
std::string printable(std::string_view s)
{
	std::string out;
	auto hex = [&](unsigned char c) {
		char buf[8];
		std::snprintf(buf, sizeof(buf), "\\x%02x", c);
		out += buf;
	};
	for (std::size_t i = 0; i < s.size();) {
		unsigned char c = static_cast<unsigned char>(s[i]);
		std::size_t len = utf8_sequence(s, i);
		bool c1 = len == 2 && c == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0;
		if (len == 0 || c < 0x20 || c == 0x7f || c1) {
			for (std::size_t k = 0; k < (len ? len : 1); ++k)
				hex(static_cast<unsigned char>(s[i + k]));
			i += len ? len : 1;
			continue;
		}
		out.append(s.substr(i, len));
		i += len;
	}
	return out;
}

std::string rate_text(const std::optional<double>& r, int decimals)
{
	return r ? format_fixed(*r, decimals) : std::string("-");
}

std::string state_line(const Status& st)
{
	if (st.state.empty())
		return "-";
	std::string v = st.state;
	if (st.running() && st.uptime_seconds)
		v += ", up " + format_duration(*st.uptime_seconds);
	return v;
}

std::string daemon_line(const Status& st)
{
	if (!st.daemon_pid)
		return "-";
	if (*st.daemon_pid == 0)
		return "none: requests for userspace get 503";
	return "pid " + std::to_string(*st.daemon_pid);
}

std::string connections_line(const Status& st)
{
	return format_count(st.connections_active) + " active: " +
	       format_count(st.connections_reading) + " reading, " +
	       format_count(st.connections_writing) + " writing, " +
	       format_count(st.connections_waiting) + " waiting, " +
	       format_count(st.connections_lingering) + " lingering";
}

std::string rates_line(const Rates& r)
{
	std::string v = rate_text(r.requests, 1) + " req/s, ";
	v += r.bytes ? format_bytes(*r.bytes) + "/s" : std::string("- B/s");
	v += " sent, " + rate_text(r.accepts, 1) + " accepts/s, " + rate_text(r.handovers, 1) +
	     " hand-overs/s (over " + format_fixed(r.seconds, 1) + " s)";
	return v;
}

std::string responses_line(const Status& st)
{
	std::string v;
	for (std::size_t i = 0; i < st.responses.size(); ++i) {
		if (i)
			v += ", ";
		v += std::to_string(i + 1) + "xx " + format_count(st.responses[i]);
	}
	return v;
}

std::string bytes_line(const Status& st)
{
	if (!st.bytes_sent)
		return "-";
	return std::to_string(*st.bytes_sent) + " (" +
	       format_bytes(static_cast<double>(*st.bytes_sent)) + ")";
}

std::string filecache_line(const Status& st)
{
	std::string v;
	if (st.filecache_hits && st.filecache_misses) {
		std::uint64_t h = *st.filecache_hits, m = *st.filecache_misses;
		// Sums as doubles: two counters near 2^64 must not wrap.
		double total = static_cast<double>(h) + static_cast<double>(m);
		if (total > 0)
			v = format_fixed(100.0 * static_cast<double>(h) / total, 1) + "% hit ratio: ";
		else
			v = "no lookups yet: ";
	}
	v += format_count(st.filecache_hits) + " hits, " + format_count(st.filecache_misses) +
	     " misses, " + format_count(st.filecache_entries) + " entries";
	return v;
}

std::string handovers_line(const Status& st)
{
	std::string v = format_count(st.handovers);
	std::string reasons;
	for (const NamedCount& r : st.handover_reasons) {
		if (r.value == 0)
			continue;
		if (!reasons.empty())
			reasons += ", ";
		reasons += r.name + " " + std::to_string(r.value);
	}
	if (!reasons.empty())
		v += " (" + reasons + ")";
	v += "; " + format_count(st.handovers_refused) + " refused (503)";
	return v;
}

std::string log_line(const Snapshot& s)
{
	std::string v;
	if (s.logging && !*s.logging)
		v = "off (logging=0); ";
	return v + format_count(s.status.log_records) + " records, " +
	       format_count(s.status.log_drops) + " dropped";
}

void workers_table(std::string& out, const Status& st)
{
	if (st.workers.empty())
		return;
	const char* head[] = {"worker", "cpu", "connections", "requests"};
	std::vector<std::array<std::string, 4>> rows;
	for (const Worker& w : st.workers)
		rows.push_back({std::to_string(w.id), format_count(w.cpu),
				format_count(w.connections), format_count(w.requests)});
	std::array<std::size_t, 4> width{};
	for (std::size_t c = 0; c < 4; ++c) {
		width[c] = std::string_view(head[c]).size();
		for (const auto& r : rows)
			width[c] = std::max(width[c], r[c].size());
	}
	auto emit = [&](auto cell) {
		std::string l;
		for (std::size_t c = 0; c < 4; ++c) {
			std::string_view text = cell(c);
			if (c)
				l += "  ";
			l.append(width[c] - text.size(), ' ');
			l += text;
		}
		out += l;
		out += '\n';
	};
	emit([&](std::size_t c) { return std::string_view(head[c]); });
	for (const auto& r : rows)
		emit([&](std::size_t c) { return std::string_view(r[c]); });
}

} // namespace

std::string format_text(const Snapshot& s, const Rates* rates)
{
	const Status& st = s.status;
	std::string out;
	line(out, "state", state_line(st));
	line(out, "port", format_count(st.port));
	line(out, "document root", s.document_root ? printable(*s.document_root) : "-");
	line(out, "threads", format_count(st.threads));
	if (st.generation) {
		std::string g = format_count(st.generation);
		if (st.retiring_connections && *st.retiring_connections)
			g += ", " + format_count(st.retiring_connections) +
			     " connections finishing in older ones";
		line(out, "generation", g);
	}
	line(out, "daemon", daemon_line(st));
	line(out, "connections", connections_line(st));
	line(out, "accepts", format_count(st.accepts) + ", handled " + format_count(st.handled));
	line(out, "requests", format_count(st.requests));
	if (rates)
		line(out, "rates", rates_line(*rates));
	line(out, "responses", responses_line(st));
	line(out, "bytes sent", bytes_line(st));
	line(out, "file cache", filecache_line(st));
	line(out, "hand-overs", handovers_line(st));
	line(out, "refused", "max_connections " + format_count(st.refused_max_connections) +
				     ", per_ip " + format_count(st.refused_per_ip) + ", nomem " +
				     format_count(st.refused_nomem));
	line(out, "timeouts", "header " + format_count(st.timeouts_header) + ", send " +
				      format_count(st.timeouts_send) + ", keepalive " +
				      format_count(st.timeouts_keepalive));
	line(out, "access log", log_line(s));
	workers_table(out, st);
	return out;
}

} // namespace khttpdctl
