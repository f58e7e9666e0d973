// SPDX-License-Identifier: GPL-2.0
// Conditional requests (RFC 9110 section 13) for a static file.
#pragma once

#include "http_request.h"

namespace khttpd {

// What the server would send in a 200 for the file.
struct Validators {
	kh_s64 last_modified; // whole seconds: comparisons are at 1 s granularity
	StrView etag;         // strong entity-tag, quotes included
};

enum class Precondition : kh_u8 {
	Proceed,     // serve the file (200, or 206/416 from Range)
	NotModified, // 304
	Failed,      // 412
};

// Evaluates If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since in the order of RFC 9110 section 13.2.2:
//   1. If-Match false                                -> 412
//   2. else If-Unmodified-Since false                -> 412
//   3. If-None-Match false -> 304 for GET/HEAD, else 412
//   4. else If-Modified-Since false (GET/HEAD only)  -> 304
// A date that does not parse makes its condition ignored. @now resolves
// two-digit years. Call it only when the answer would otherwise be 200.
Precondition evaluate_preconditions(const RequestHead &head, const Validators &v, kh_s64 now);

// Step 5: may a Range be honoured? True without If-Range; with it, true
// only if it holds (RFC 9110 section 13.1.5): an entity-tag that matches
// strongly, or an HTTP-date equal to Last-Modified (as nginx: exact
// match). An If-Range that parses as neither is false (serve 200).
bool if_range_holds(const RequestHead &head, const Validators &v, kh_s64 now);

} // namespace khttpd
