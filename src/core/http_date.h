// SPDX-License-Identifier: GPL-2.0
// HTTP-date (RFC 9110 section 5.6.7): formatting IMF-fixdate, and parsing
// all three formats a recipient must accept.
#pragma once

#include "str_view.h"

namespace khttpd {

constexpr kh_size kHttpDateLen = 29; // "Sun, 06 Nov 1994 08:49:37 GMT"

// Writes exactly kHttpDateLen bytes for @unix_seconds (clamped to years
// 1970..9999) into @out.
void format_http_date(kh_s64 unix_seconds, char *out);

// Parses @s as an HTTP-date in any of the formats RFC 9110 section 5.6.7
// requires recipients to accept:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT" (obsolete)
//   asctime      "Sun Nov  6 08:49:37 1994"       (obsolete)
// Exactly: case-sensitive names, single spaces, nothing before or after
// (the caller strips the field's OWS), a real calendar date, hour <= 23,
// minute <= 59, second <= 60 (a leap second counts as the next second).
// The day name is not checked against the date. RFC 850's two-digit year
// is resolved against @now: the year with those digits in
// (now - 50 years, now + 50 years]. On success stores Unix
// seconds (negative before 1970) in @out and returns true; anything else
// is "no date" (false, @out untouched), which makes a condition ignored.
bool parse_http_date(StrView s, kh_s64 now, kh_s64 &out);

} // namespace khttpd
