// SPDX-License-Identifier: GPL-2.0
#include "options.h"

#include <charconv>
#include <cmath>

namespace khttpdctl {
namespace {

struct CommandName {
	std::string_view name;
	Command command;
};

constexpr CommandName kCommands[] = {
	{"status", Command::status}, {"metrics", Command::metrics},
	{"start", Command::start},   {"stop", Command::stop},
	{"top", Command::top},       {"check", Command::check},
	{"apply", Command::apply},   {"reload", Command::reload},
	{"help", Command::help},
};

bool takes_file(Command c)
{
	return c == Command::check || c == Command::apply || c == Command::reload;
}

bool parse_seconds(std::string_view s, double& out)
{
	double v = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v < 0.01 ||
	    v > 86400)
		return false;
	out = v;
	return true;
}

bool parse_count(std::string_view s, unsigned long& out)
{
	unsigned long v = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc() || end != s.data() + s.size() || v == 0)
		return false;
	out = v;
	return true;
}

} // namespace

ParseResult parse_options(const std::vector<std::string_view>& args)
{
	ParseResult r;
	Options& o = r.options;
	// Which command each option was given for, checked once the command
	// is known (options may precede it).
	bool seen_json = false, seen_no_rates = false, seen_interval = false, seen_count = false,
	     seen_output = false;
	for (std::size_t i = 0; i < args.size(); ++i) {
		std::string_view a = args[i], value;
		bool has_inline = false;
		if (a.starts_with("--")) {
			if (auto eq = a.find('='); eq != std::string_view::npos) {
				value = a.substr(eq + 1);
				a = a.substr(0, eq);
				has_inline = true;
			}
		}
		auto take_value = [&](std::string_view& v) {
			if (has_inline) {
				v = value;
				return true;
			}
			if (i + 1 >= args.size())
				return false;
			v = args[++i];
			return true;
		};
		auto flag = [&](bool& seen) {
			if (has_inline) {
				r.error = std::string(a) + " takes no value";
				return false;
			}
			seen = true;
			return true;
		};
		std::string_view v;
		if (a == "--help" || a == "-h") {
			o.command = Command::help;
			return r;
		} else if (a == "--version" || a == "-V") {
			o.command = Command::version;
			return r;
		} else if (a == "--proc") {
			if (!take_value(v) || v.empty()) {
				r.error = "--proc needs a directory";
				return r;
			}
			o.proc = std::string(v);
		} else if (a == "--json") {
			if (!flag(seen_json))
				return r;
			o.json = true;
		} else if (a == "--no-rates") {
			if (!flag(seen_no_rates))
				return r;
			o.rates = false;
		} else if (a == "--interval" || a == "-n") {
			if (!take_value(v) || !parse_seconds(v, o.interval)) {
				r.error = "--interval needs seconds between 0.01 and 86400, e.g. 1 or 0.5";
				return r;
			}
			seen_interval = true;
		} else if (a == "--count") {
			unsigned long c = 0;
			if (!take_value(v) || !parse_count(v, c)) {
				r.error = "--count needs a positive whole number of frames";
				return r;
			}
			o.count = c;
			seen_count = true;
		} else if (a == "--output" || a == "-o") {
			if (!take_value(v) || v.empty()) {
				r.error = "--output needs a file name";
				return r;
			}
			o.output = std::string(v);
			seen_output = true;
		} else if (a.starts_with("-") && a.size() > 1) {
			r.error = "unknown option " + std::string(a);
			return r;
		} else {
			if (takes_file(o.command) && o.file.empty() && !a.empty()) {
				o.file = std::string(a);
				continue;
			}
			if (o.command != Command::none) {
				r.error = "unexpected argument '" + std::string(a) + "'";
				return r;
			}
			for (const CommandName& c : kCommands)
				if (c.name == a)
					o.command = c.command;
			if (o.command == Command::none) {
				r.error = "unknown command '" + std::string(a) + "'";
				return r;
			}
		}
	}
	if (o.command == Command::help)
		return r;
	if (o.command == Command::none) {
		r.error = "no command given";
		return r;
	}
	if (o.file.empty() && o.command == Command::reload)
		o.file = kDefaultConfFile;
	if (o.file.empty() && takes_file(o.command)) {
		r.error = std::string(o.command == Command::check ? "check" : "apply") +
			  " needs a configuration file, e.g. " + kDefaultConfFile;
		return r;
	}
	auto only = [&](bool seen, const char* opt, const char* commands, bool allowed) {
		if (seen && !allowed && r.error.empty())
			r.error = std::string(opt) + " applies only to " + commands;
	};
	bool status = o.command == Command::status, top = o.command == Command::top;
	only(seen_json, "--json", "status", status);
	only(seen_no_rates, "--no-rates", "status", status);
	only(seen_interval, "--interval", "status and top", status || top);
	only(seen_count, "--count", "top", top);
	only(seen_output, "--output", "metrics", o.command == Command::metrics);
	return r;
}

std::string usage_text()
{
	return "Usage: khttpdctl [--proc DIR] COMMAND [OPTIONS]\n"
	       "Watch and control khttpd, the in-kernel static web server.\n"
	       "\n"
	       "Commands:\n"
	       "  status [--json] [--no-rates] [--interval SECONDS]\n"
	       "                  state, settings and counters; rates from two samples\n"
	       "                  SECONDS apart (default 1)\n"
	       "  metrics [--output FILE]\n"
	       "                  Prometheus text format; --output replaces FILE atomically\n"
	       "                  (for node_exporter's textfile collector)\n"
	       "  start           start serving (writes 1 to /proc/sys/net/khttpd/start)\n"
	       "  stop            stop serving (writes 1 to /proc/sys/net/khttpd/stop)\n"
	       "  top [--interval SECONDS] [--count N]\n"
	       "                  the status, redrawn every SECONDS; q or Ctrl-C quits\n"
	       "  check FILE      check a configuration file (`key = value` lines named as\n"
	       "                  the sysctls); each error as FILE:LINE: reason\n"
	       "  apply FILE      check FILE, then set its settings: staged for the next\n"
	       "                  start when stopped, reloaded at once when running\n"
	       "  reload [FILE]   as apply, for a running server only (default FILE\n"
	       "                  /etc/khttpd/khttpd.conf; systemctl reload khttpd)\n"
	       "\n"
	       "Options:\n"
	       "  --proc DIR      read DIR instead of /proc (recorded trees, tests)\n"
	       "  -h, --help      this text\n"
	       "  -V, --version   the version\n"
	       "\n"
	       "Exit status: 0 ok, 1 error (a bad file, a refused setting), 2 usage,\n"
	       "3 khttpd.ko not loaded,\n"
	       "4 server not running, 5 permission denied. See khttpdctl(8).\n";
}

} // namespace khttpdctl
