// SPDX-License-Identifier: GPL-2.0
// Parsing of an HTTP/1.x request head (request line + header fields).
#pragma once

#include "content_coding.h"
#include "str_view.h"

namespace khttpd {

enum class Method : kh_u8 { Get, Head, Other };

// What the server needs from a request head. Views point into the
// receive buffer and stay valid until the buffer is reused.
struct RequestHead {
	Method method = Method::Other;
	StrView method_name;
	StrView target;       // as sent: origin-form or absolute-form
	kh_u8 version_minor = 0; // HTTP/1.<minor>
	StrView host;
	bool has_host = false;
	// For the access log only: the last Referer and User-Agent lines.
	StrView referer;
	StrView user_agent;
	bool conn_close = false;      // "Connection: close"
	bool conn_keep_alive = false; // "Connection: keep-alive"
	bool has_body = false;        // Content-Length > 0 or Transfer-Encoding

	// Conditional and range fields (RFC 9110 sections 13.1 and 14.2),
	// OWS-trimmed, not yet interpreted. A second If-* line is a 400, as
	// nginx answers; a second Range line makes range_repeated true and the
	// Range is then ignored (Range is a singleton, and ignoring is allowed).
	StrView if_match;
	StrView if_none_match;
	StrView if_modified_since;
	StrView if_unmodified_since;
	StrView range;
	StrView if_range;
	bool has_if_match = false;
	bool has_if_none_match = false;
	bool has_if_modified_since = false;
	bool has_if_unmodified_since = false;
	bool has_range = false;
	bool range_repeated = false;
	bool has_if_range = false;

	// Accept-Encoding (RFC 9110 section 12.5.3), every line of it. Without
	// the field only identity is served, as nginx does.
	AcceptEncoding accept_encoding;
	bool has_accept_encoding = false;
};

enum class ParseStatus : kh_u8 {
	Incomplete, // need more bytes
	Done,       // a complete head was parsed
	Error,      // malformed: answer `error_status` and close
};

struct ParseResult {
	ParseStatus status;
	// Done: bytes of the head incl. the final empty line.
	// Incomplete: leading empty lines the caller may drop.
	kh_size head_len;
	kh_u16 error_status;  // HTTP status to answer (Error)
};

// Cheap test run on every receive: could the bytes from @new_from on
// complete a head (or be leading empty lines)? Only then is it worth calling
// parse_request_head, so a head sent one byte at a time costs linear time.
bool may_hold_head_end(StrView buf, kh_size new_from);

// Parses the request head at the start of @buf. Returns Incomplete until
// the terminating empty line has arrived, so a head may be fed split at any
// byte. Leading empty lines before the request line are skipped (RFC 9112
// section 2.2) and counted in head_len.
ParseResult parse_request_head(StrView buf, RequestHead &out);

} // namespace khttpd
