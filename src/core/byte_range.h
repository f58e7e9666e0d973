// SPDX-License-Identifier: GPL-2.0
// The Range request header (RFC 9110 section 14.2), byte ranges only.
#pragma once

#include "str_view.h"

namespace khttpd {

enum class RangeKind : kh_u8 {
	Invalid,       // malformed, or a unit other than "bytes": ignore (200)
	Ignored,       // valid, but served whole: a zero-length file (as nginx)
	Single,        // one satisfiable range: 206 with [first, last]
	Unsatisfiable, // 416 with "Content-Range: bytes */<size>"
	Multiple,      // more than one range: served whole (200) for now; a
		       // multipart/byteranges answer can be routed from here
};

struct ByteRange {
	RangeKind kind = RangeKind::Invalid;
	kh_u64 first = 0; // Single: first byte
	kh_u64 last = 0;  // Single: last byte, inclusive; first <= last < size
	kh_u64 length() const { return last - first + 1; } // Single only
};

// Classifies the Range field value @value for a representation of @size
// bytes. Accepts "bytes=" (unit case-insensitive) followed by a list of
// "a-b", "a-" or "-n" specs, with OWS and empty elements around commas.
// Numbers of any length are handled exactly (larger than 64 bits means
// "past any end"), so no arithmetic can overflow.
ByteRange parse_byte_range(StrView value, kh_u64 size);

} // namespace khttpd
