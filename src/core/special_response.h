// SPDX-License-Identifier: GPL-2.0
// The kernel's own answers besides a file (errors, redirects, 304), and the
// header fields every answer starts with (nginx's ngx_http_special_response).
#pragma once

#include "preconditions.h"
#include "request_path.h"
#include "response_writer.h"
#include "str_view.h"

namespace khttpd {

// The Date header changes once a second: it is formatted once a second, for
// all the connections of a worker (it lives in their shared scratch block).
class DateCache {
public:
	StrView now();

private:
	kh_s64 second_ = -1;
	char text_[29] = {}; // kHttpDateLen, checked in special_response.cpp
};

// How an answer goes out.
struct ReplyStyle {
	StrView date;       // the Date field's value
	bool keep_alive;    // Connection: keep-alive, else close
	bool head_only;     // HEAD: no body
	bool vary;          // Vary: Accept-Encoding (the answer depended on it)
};

// Status line, Server, Date, Connection.
void common_headers(ResponseWriter &w, kh_u16 status, const ReplyStyle &style);

// An error (4xx/5xx) with a small HTML body, as nginx sends. @complete_length:
// for a 416, the size in "Content-Range: bytes */N". @retry_after: seconds
// for a 503's Retry-After, 0 = none. False if it did not fit.
bool write_error(ResponseWriter &w, kh_u16 status, const ReplyStyle &style,
		 const kh_u64 *complete_length = nullptr, kh_u32 retry_after = 0);

// 301 to the directory @path names, with its trailing slash. Its Location
// is built from the normalised path, so it names this host whatever the
// request's path looked like ("//evil.example/..", "/\evil.example").
// False if it did not fit.
bool write_redirect(ResponseWriter &w, const RequestPath &path, const ReplyStyle &style);

// 304 with the validators a 200 would carry.
bool write_not_modified(ResponseWriter &w, const Validators &v, const ReplyStyle &style);

} // namespace khttpd
