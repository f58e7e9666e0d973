// SPDX-License-Identifier: GPL-2.0
// What the counters and the access log learn of one request (kapi.h's
// kh_request_log), gathered while the session answers it and told to the
// kernel once its fate is known: answer sent (or cut short), or handed over.
#pragma once

#include "khttpd/kapi.h"

#include "http_request.h"
#include "str_view.h"

namespace khttpd {

// The request line as received at the start of @buf (a request head, maybe
// malformed or incomplete): leading empty lines skipped, up to its LF, a
// trailing CR dropped. The whole rest of @buf if no LF came.
StrView raw_request_line(StrView buf);

class RequestRecord {
public:
	// A request's first byte arrived at @start_us (kh_clock_us()).
	void started(kh_u64 start_us) { start_us_ = start_us; }
	kh_u64 start_us() const { return start_us_; }

	// Its answer was decided: the fields come from @raw (its bytes in the
	// receive buffer, which must stay there until done()/handed_over())
	// and @head (as far as it was parsed; nullptr: not at all).
	void answering(StrView raw, const RequestHead *head, kh_u16 status,
		       kh_u64 sent_before, kh_size head_bytes);
	bool pending() const { return pending_; }

	// Its answer left (all of it, or @aborted: cut short); @sent_now is
	// the connection's bytes sent by then. Tells the kernel, once.
	void done(kh_conn *conn, kh_u64 sent_now, bool aborted);

	// Fills @log for a hand-over of the request in @raw (kh_conn_hand_over
	// counts and logs it if it takes the connection).
	void handed_over(kh_request_log &log, StrView raw, const RequestHead *head,
			 kh_u32 reason) const;

private:
	void fill(kh_request_log &log, StrView raw, const RequestHead *head) const;

	kh_u64 start_us_ = 0;
	// The answer being sent: pending_ from answering() to done(); its
	// record, completed by done().
	bool pending_ = false;
	kh_request_log log_{};
	kh_size head_bytes_ = 0; // of the answer, the head's (not the body's)
	kh_u64 sent_before_ = 0;
};

} // namespace khttpd
