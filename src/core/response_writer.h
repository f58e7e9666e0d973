// SPDX-License-Identifier: GPL-2.0
// Builds a response head into a fixed buffer, without allocating.
#pragma once

#include "str_view.h"

namespace khttpd {

// Reason phrase for a status code ("Not Found"); "Unknown" if not listed.
StrView reason_phrase(kh_u16 status);

class ResponseWriter {
public:
	ResponseWriter(char *buf, kh_size cap) : buf_(buf), cap_(cap) {}

	ResponseWriter &status_line(kh_u16 status);
	ResponseWriter &header(StrView name, StrView value);
	ResponseWriter &header(StrView name, kh_u64 value);
	ResponseWriter &date_header(StrView name, kh_s64 unix_seconds);
	ResponseWriter &end_head(); // the empty line
	ResponseWriter &raw(StrView s);
	ResponseWriter &number(kh_u64 v);
	// Counts @n bytes the caller wrote into the buffer behind the ones
	// written so far (room() of them at most).
	ResponseWriter &skip(kh_size n);
	kh_size room() const { return overflow_ ? 0 : cap_ - len_; }

	// False if anything did not fit; the response must not be sent then.
	bool ok() const { return !overflow_; }
	StrView view() const { return StrView(buf_, len_); }

private:
	char *buf_;
	kh_size cap_;
	kh_size len_ = 0;
	bool overflow_ = false;
};

} // namespace khttpd
