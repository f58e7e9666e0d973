// SPDX-License-Identifier: GPL-2.0
// `status --json`: the summary's figures as one object (the shape is in
// khttpdctl.8). Unknown figures are null; rates only with a second sample.
#include "format.h"
#include "json_writer.h"

namespace khttpdctl {
namespace {

void rate(JsonWriter& j, std::string_view key, const std::optional<double>& r)
{
	j.key(key);
	if (r)
		j.number(*r, 2);
	else
		j.null();
}

} // namespace

std::string format_json(const Snapshot& s, const Rates* rates)
{
	const Status& st = s.status;
	JsonWriter j;
	j.begin_object();
	j.key("version").number(st.version);
	j.key("state");
	if (st.state.empty())
		j.null();
	else
		j.string(st.state);
	j.key("uptime_seconds").number(st.uptime_seconds);
	j.key("port").number(st.port);
	j.key("document_root");
	if (s.document_root)
		j.string(*s.document_root);
	else
		j.null();
	j.key("threads").number(st.threads);
	j.key("generation").number(st.generation);
	j.key("retiring_connections").number(st.retiring_connections);
	j.key("daemon_pid").number(st.daemon_pid);
	j.key("logging");
	if (s.logging)
		j.boolean(*s.logging);
	else
		j.null();

	j.key("connections").begin_object();
	j.key("active").number(st.connections_active);
	j.key("reading").number(st.connections_reading);
	j.key("writing").number(st.connections_writing);
	j.key("waiting").number(st.connections_waiting);
	j.key("lingering").number(st.connections_lingering);
	j.end_object();

	j.key("accepts").number(st.accepts);
	j.key("handled").number(st.handled);
	j.key("requests").number(st.requests);

	j.key("responses").begin_object();
	for (std::size_t i = 0; i < st.responses.size(); ++i)
		j.key(std::to_string(i + 1) + "xx").number(st.responses[i]);
	j.end_object();

	j.key("bytes_sent").number(st.bytes_sent);

	j.key("filecache").begin_object();
	j.key("hits").number(st.filecache_hits);
	j.key("misses").number(st.filecache_misses);
	j.key("entries").number(st.filecache_entries);
	j.key("hit_ratio");
	if (st.filecache_hits && st.filecache_misses &&
	    (*st.filecache_hits != 0 || *st.filecache_misses != 0)) {
		double h = static_cast<double>(*st.filecache_hits);
		j.number(h / (h + static_cast<double>(*st.filecache_misses)), 4);
	} else {
		j.null();
	}
	j.end_object();

	j.key("handovers").begin_object();
	j.key("total").number(st.handovers);
	j.key("refused").number(st.handovers_refused);
	j.key("by_reason").begin_object();
	for (const NamedCount& r : st.handover_reasons)
		j.key(r.name).number(r.value);
	j.end_object();
	j.end_object();

	j.key("refused").begin_object();
	j.key("max_connections").number(st.refused_max_connections);
	j.key("per_ip").number(st.refused_per_ip);
	j.key("nomem").number(st.refused_nomem);
	j.end_object();

	j.key("timeouts").begin_object();
	j.key("header").number(st.timeouts_header);
	j.key("send").number(st.timeouts_send);
	j.key("keepalive").number(st.timeouts_keepalive);
	j.end_object();

	j.key("log").begin_object();
	j.key("records").number(st.log_records);
	j.key("drops").number(st.log_drops);
	j.end_object();

	j.key("workers").begin_array();
	for (const Worker& w : st.workers) {
		j.begin_object();
		j.key("worker").number(w.id);
		j.key("cpu").number(w.cpu);
		j.key("connections").number(w.connections);
		j.key("requests").number(w.requests);
		j.end_object();
	}
	j.end_array();

	if (rates) {
		j.key("rates").begin_object();
		j.key("seconds").number(rates->seconds, 3);
		rate(j, "requests_per_second", rates->requests);
		rate(j, "bytes_per_second", rates->bytes);
		rate(j, "accepts_per_second", rates->accepts);
		rate(j, "handovers_per_second", rates->handovers);
		j.end_object();
	}
	j.end_object();
	return j.str();
}

} // namespace khttpdctl
