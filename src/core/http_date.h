// SPDX-License-Identifier: GPL-2.0
// IMF-fixdate, the HTTP date format (RFC 9110 section 5.6.7).
#pragma once

#include "str_view.h"

namespace khttpd {

constexpr kh_size kHttpDateLen = 29; // "Sun, 06 Nov 1994 08:49:37 GMT"

// Writes exactly kHttpDateLen bytes for @unix_seconds (clamped to years
// 1970..9999) into @out.
void format_http_date(kh_s64 unix_seconds, char *out);

} // namespace khttpd
