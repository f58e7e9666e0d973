// SPDX-License-Identifier: GPL-2.0
// /proc/net/khttpd/status as data (the format: docs/observability.md).
// Every figure is optional: a line the module does not (yet, or any more)
// write is shown as unknown rather than as a made-up 0.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace khttpdctl {

using Count = std::optional<std::uint64_t>;

struct Worker {
	std::uint64_t id = 0;
	Count cpu;
	Count connections; // gauge
	Count requests;
};

// A `handover_<reason>` line: the reasons are the module's enum, so they
// are kept by name, in the file's order, and new ones need no change here.
struct NamedCount {
	std::string name;
	std::uint64_t value = 0;
};

struct Status {
	Count version;
	std::string state; // "running", "stopped", "" if missing
	Count uptime_seconds;
	Count port;
	Count threads;
	Count generation;           // server generations made since the load (start, reload)
	Count retiring_connections; // still open in generations a reload retired
	Count daemon_pid;
	Count connections_active;
	Count connections_reading;
	Count connections_writing;
	Count connections_waiting;
	Count connections_lingering;
	Count accepts;
	Count handled;
	Count requests;
	std::array<Count, 5> responses; // [0] = 1xx ... [4] = 5xx
	Count bytes_sent;
	Count filecache_hits;
	Count filecache_misses;
	Count filecache_entries;
	Count handovers;
	std::vector<NamedCount> handover_reasons;
	Count handovers_refused;
	Count refused_max_connections;
	Count refused_per_ip;
	Count refused_nomem;
	Count timeouts_header;
	Count timeouts_send;
	Count timeouts_keepalive;
	Count log_records;
	Count log_drops;
	std::vector<Worker> workers;

	// Lines that could not be read (no value, a value that is not a
	// number or does not fit 64 bits): skipped, counted for --debug-ish
	// diagnostics and the tests. Unknown names are not malformed.
	unsigned malformed_lines = 0;

	bool running() const { return state == "running"; }
};

// Parses the text of the status file. Never fails: what it cannot read
// stays unknown.
Status parse_status(std::string_view text);

// Parses a decimal unsigned 64-bit number, the whole of text.
std::optional<std::uint64_t> parse_u64(std::string_view text);

} // namespace khttpdctl
