// SPDX-License-Identifier: GPL-2.0
// `khttpdctl metrics`: the status file as Prometheus metrics. Counters end
// in _total and count since the module was loaded (a restart does not reset
// them; a reload does, which Prometheus' rate() takes as a counter reset).
#include "metrics.h"

#include "format.h"
#include "utf8.h"

namespace khttpdctl {

bool is_valid_metric_name(std::string_view n)
{
	if (n.empty())
		return false;
	for (std::size_t i = 0; i < n.size(); ++i) {
		char c = n[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

bool is_valid_label_name(std::string_view n)
{
	if (n.empty() || n.starts_with("__"))
		return false;
	for (std::size_t i = 0; i < n.size(); ++i) {
		char c = n[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

std::string escape_label_value(std::string_view v)
{
	std::string out;
	for (char c : utf8_sanitize(v)) {
		if (c == '\\')
			out += "\\\\";
		else if (c == '"')
			out += "\\\"";
		else if (c == '\n')
			out += "\\n";
		else
			out += c;
	}
	return out;
}

std::string escape_help(std::string_view v)
{
	std::string out;
	for (char c : utf8_sanitize(v)) {
		if (c == '\\')
			out += "\\\\";
		else if (c == '\n')
			out += "\\n";
		else
			out += c;
	}
	return out;
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help)
{
	name_ = name;
	type_ = type;
	help_ = help;
	header_written_ = false;
}

void Exposition::sample(const Labels& labels, std::uint64_t value)
{
	if (!header_written_) {
		out_ += "# HELP " + name_ + " " + escape_help(help_) + "\n";
		out_ += "# TYPE " + name_ + " " + type_ + "\n";
		header_written_ = true;
	}
	out_ += name_;
	if (!labels.empty()) {
		out_ += '{';
		bool first = true;
		for (const auto& [k, v] : labels) {
			if (!first)
				out_ += ',';
			first = false;
			out_ += k;
			out_ += "=\"" + escape_label_value(v) + "\"";
		}
		out_ += '}';
	}
	out_ += ' ' + std::to_string(value) + '\n';
}

namespace {

void one(Exposition& e, std::string_view name, std::string_view type, std::string_view help,
	 const Count& c)
{
	e.family(name, type, help);
	if (c)
		e.sample(*c);
}

// One family with a sample per (label value, count) pair.
void labelled(Exposition& e, std::string_view name, std::string_view type,
	      std::string_view help, std::string_view label,
	      std::initializer_list<std::pair<std::string_view, const Count*>> values)
{
	e.family(name, type, help);
	for (const auto& [value, count] : values)
		if (*count)
			e.sample({{label, std::string(value)}}, **count);
}

Labels worker_labels(const Worker& w)
{
	Labels l{{"worker", std::to_string(w.id)}};
	if (w.cpu)
		l.emplace_back("cpu", std::to_string(*w.cpu));
	return l;
}

} // namespace

std::string format_metrics(const Snapshot* s)
{
	Exposition e;
	e.family("khttpd_up", "gauge",
		 "1 if the khttpd server is running, 0 if it is stopped or khttpd.ko is not loaded.");
	e.sample(s && s->status.running() ? 1 : 0);
	if (!s)
		return e.str();
	const Status& st = s->status;

	e.family("khttpd_info", "gauge",
		 "Constant 1, labelled with the server's port, document root and status file version.");
	{
		Labels l;
		if (s->document_root)
			l.emplace_back("document_root", *s->document_root);
		if (st.port)
			l.emplace_back("port", std::to_string(*st.port));
		if (st.version)
			l.emplace_back("status_version", std::to_string(*st.version));
		e.sample(l, 1);
	}
	one(e, "khttpd_uptime_seconds", "gauge", "Seconds since the server was started; 0 while stopped.",
	    st.uptime_seconds);
	one(e, "khttpd_threads", "gauge", "Worker threads of the server.", st.threads);
	one(e, "khttpd_generation", "gauge",
	    "Server generations made since the module was loaded (a start or reload adds one).",
	    st.generation);
	one(e, "khttpd_retiring_connections", "gauge",
	    "Connections still open in generations a reload retired.", st.retiring_connections);
	e.family("khttpd_daemon_registered", "gauge",
		 "1 if khttpd-fallbackd is registered; 0: requests for userspace get 503.");
	if (st.daemon_pid)
		e.sample(*st.daemon_pid != 0 ? 1 : 0);
	if (s->logging) {
		e.family("khttpd_logging_enabled", "gauge", "1 if the access log is on (sysctl logging).");
		e.sample(*s->logging ? 1 : 0);
	}

	labelled(e, "khttpd_connections", "gauge", "Open connections by state.", "state",
		 {{"reading", &st.connections_reading},
		  {"writing", &st.connections_writing},
		  {"waiting", &st.connections_waiting},
		  {"lingering", &st.connections_lingering}});
	one(e, "khttpd_connections_accepted_total", "counter",
	    "Connections accepted, including those refused by a limit.", st.accepts);
	one(e, "khttpd_connections_handled_total", "counter",
	    "Connections accepted and admitted by the limits.", st.handled);
	labelled(e, "khttpd_connections_refused_total", "counter",
		 "Connections reset at accept, by the limit that refused them.", "reason",
		 {{"max_connections", &st.refused_max_connections},
		  {"per_ip", &st.refused_per_ip},
		  {"nomem", &st.refused_nomem}});
	one(e, "khttpd_requests_total", "counter",
	    "Requests answered by the kernel or handed over.", st.requests);
	labelled(e, "khttpd_responses_total", "counter",
		 "The kernel's own answers, by status class.", "code",
		 {{"1xx", &st.responses[0]},
		  {"2xx", &st.responses[1]},
		  {"3xx", &st.responses[2]},
		  {"4xx", &st.responses[3]},
		  {"5xx", &st.responses[4]}});
	one(e, "khttpd_sent_bytes_total", "counter",
	    "Bytes of the kernel's answers, heads included.", st.bytes_sent);
	one(e, "khttpd_filecache_hits_total", "counter", "Open-file cache hits.", st.filecache_hits);
	one(e, "khttpd_filecache_misses_total", "counter", "Open-file cache misses.",
	    st.filecache_misses);
	one(e, "khttpd_filecache_entries", "gauge", "Files held open by the open-file cache.",
	    st.filecache_entries);

	e.family("khttpd_handovers_total", "counter",
		 "Requests handed to the userspace daemon, by reason.");
	for (const NamedCount& r : st.handover_reasons)
		e.sample({{"reason", r.name}}, r.value);
	one(e, "khttpd_handovers_refused_total", "counter",
	    "Hand-overs the daemon could not take (answered 503).", st.handovers_refused);
	labelled(e, "khttpd_timeouts_total", "counter", "Connections ended by a timeout, by kind.",
		 "kind",
		 {{"header", &st.timeouts_header},
		  {"send", &st.timeouts_send},
		  {"keepalive", &st.timeouts_keepalive}});
	one(e, "khttpd_log_records_total", "counter", "Access-log records written to the rings.",
	    st.log_records);
	one(e, "khttpd_log_drops_total", "counter",
	    "Access-log records dropped (a ring was full).", st.log_drops);

	e.family("khttpd_worker_connections", "gauge", "Open connections per worker thread.");
	for (const Worker& w : st.workers)
		if (w.connections)
			e.sample(worker_labels(w), *w.connections);
	e.family("khttpd_worker_requests_total", "counter", "Requests answered per worker thread.");
	for (const Worker& w : st.workers)
		if (w.requests)
			e.sample(worker_labels(w), *w.requests);
	return e.str();
}

} // namespace khttpdctl
