// SPDX-License-Identifier: GPL-2.0
#include "top.h"

#include "exit_codes.h"
#include "format.h"
#include "format_units.h"
#include "snapshot.h"
#include "terminal.h"

#include <cstdio>
#include <optional>
#include <unistd.h>

namespace khttpdctl {
namespace {

// Home, the frame with each line's rest cleared, then the rest of the
// screen cleared: redrawn in place, without the flash of a full clear.
std::string tty_frame(const std::string& header, const std::string& body)
{
	std::string out = "\x1b[H";
	auto add_line = [&](std::string_view l) {
		out += l;
		out += "\x1b[K\n";
	};
	add_line(header);
	add_line("");
	std::string_view b = body;
	while (!b.empty()) {
		std::size_t nl = b.find('\n');
		add_line(b.substr(0, nl));
		b = nl == std::string_view::npos ? std::string_view() : b.substr(nl + 1);
	}
	out += "\x1b[J";
	return out;
}

int interval_ms(const Options& o)
{
	return static_cast<int>(o.interval * 1000.0 + 0.5);
}

int fail(const LoadResult& r)
{
	std::fprintf(stderr, "khttpdctl: %s\n", r.message.c_str());
	return r.exit_code;
}

} // namespace

int run_top(const ProcTree& tree, const Options& o, int in_fd, int out_fd)
{
	install_quit_signals();
	LoadResult first = load_snapshot(tree);
	if (!first.snapshot)
		return fail(first);

	const bool tty = ::isatty(out_fd);
	std::optional<TerminalSession> term;
	if (tty)
		term.emplace(in_fd, out_fd);
	const std::string header = "khttpdctl top: every " + format_fixed(o.interval, 1) +
				   " s; q or Ctrl-C quits";

	Snapshot prev = std::move(*first.snapshot);
	std::optional<Rates> rates;
	for (unsigned long frame = 1;; ++frame) {
		std::string body = format_text(prev, rates ? &*rates : nullptr);
		std::string text = tty ? tty_frame(header, body) : (frame > 1 ? "\n" : "") + body;
		if (!write_all(out_fd, text))
			return kExitError; // the reader went away
		if (o.count && frame >= *o.count)
			return kExitOk;
		bool go_on = term ? term->wait(interval_ms(o)) : sleep_unless_quit(interval_ms(o));
		if (!go_on)
			return kExitOk;
		LoadResult next = load_snapshot(tree);
		if (!next.snapshot) {
			term.reset(); // the message must land on the normal screen
			return fail(next);
		}
		double dt = std::chrono::duration<double>(next.snapshot->taken - prev.taken).count();
		rates = compute_rates(prev.status, next.snapshot->status, dt);
		prev = std::move(*next.snapshot);
	}
}

} // namespace khttpdctl
