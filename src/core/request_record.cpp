// SPDX-License-Identifier: GPL-2.0
#include "request_record.h"
#include "virtual_host.h"

namespace khttpd {

StrView raw_request_line(StrView buf)
{
	kh_size i = 0;
	while (i < buf.size() && (buf[i] == '\r' || buf[i] == '\n'))
		i++;
	StrView rest = buf.substr(i);
	kh_size lf = rest.find('\n');
	StrView line = lf == StrView::npos ? rest : rest.substr(0, lf);
	if (!line.empty() && line[line.size() - 1] == '\r')
		line = line.substr(0, line.size() - 1);
	return line;
}

void RequestRecord::fill(kh_request_log &log, StrView raw, const RequestHead *head) const
{
	StrView line = raw_request_line(raw);
	log = kh_request_log{};
	log.line = line.data();
	log.line_len = line.size();
	if (head) {
		log.referer = head->referer.data();
		log.referer_len = head->referer.size();
		log.agent = head->user_agent.data();
		log.agent_len = head->user_agent.size();
		StrView host = request_host(*head);
		log.host = host.data();
		log.host_len = host.size();
	}
}

void RequestRecord::answering(StrView raw, const RequestHead *head, kh_u16 status,
			      kh_u64 sent_before, kh_size head_bytes)
{
	fill(log_, raw, head);
	log_.status = status;
	sent_before_ = sent_before;
	head_bytes_ = head_bytes;
	pending_ = true;
}

void RequestRecord::done(kh_conn *conn, kh_u64 sent_now, bool aborted)
{
	if (!pending_)
		return;
	pending_ = false;
	log_.bytes = sent_now - sent_before_;
	log_.body_bytes = log_.bytes > head_bytes_ ? log_.bytes - head_bytes_ : 0;
	kh_u64 now = kh_clock_us();
	log_.usec = now > start_us_ ? now - start_us_ : 0;
	log_.aborted = aborted;
	kh_conn_request_done(conn, &log_);
}

void RequestRecord::handed_over(kh_request_log &log, StrView raw, const RequestHead *head,
				kh_u32 reason) const
{
	fill(log, raw, head);
	kh_u64 now = kh_clock_us();
	log.usec = now > start_us_ ? now - start_us_ : 0;
	log.status = 0;
	log.handover_reason = static_cast<kh_u8>(reason);
}

} // namespace khttpd
