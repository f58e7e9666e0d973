// SPDX-License-Identifier: GPL-2.0
// Content codings (RFC 9110 section 8.4.1) and Accept-Encoding (section
// 12.5.3), for serving precompressed variants ("x.br", "x.zst", "x.gz")
// the way nginx's gzip_static does.
#pragma once

#include "str_view.h"

namespace khttpd {

// The codings a precompressed sibling may have, in the order preferred
// when the client weighs several equally (smallest output first), then
// identity and the "*" wildcard.
enum class Coding : kh_u8 { Br, Zstd, Gzip, Identity, Any };
constexpr kh_size kVariantCodings = 3; // Br, Zstd, Gzip
constexpr kh_size kCodingSlots = 5;    // all of the above

// Accept-Encoding as weights: q in thousandths (0..1000) for each coding
// the field named, first occurrence wins. Several field lines form one
// list (RFC 9110 section 5.3), so each line is added in turn.
struct AcceptEncoding {
	kh_u16 q[kCodingSlots] = {};
	kh_u8 listed = 0; // bit (1 << Coding) set when the coding was named
};

// Adds one Accept-Encoding field value: a comma list of
// `coding [ OWS ";" OWS "q=" qvalue ]`, codings case-insensitive,
// "x-gzip" taken as "gzip" (section 8.4.1.3). A malformed member (not a
// token, a bad qvalue, another parameter) is ignored, the rest still count.
// Codings other than those above are ignored.
void add_accept_encoding(StrView value, AcceptEncoding &ae);

// The weight the field gives @c: its own entry, else "*"'s, else 0 for a
// coding and 1000 for identity (acceptable unless excluded).
kh_u16 accept_weight(const AcceptEncoding &ae, Coding c);

// The codings worth looking for, best first: those with a weight above 0
// and at least identity's (an explicit "identity" or "*" weight; an
// unlisted identity ranks below every coding), by weight, ties in
// Coding order. Returns how many (0..kVariantCodings) were written to @out.
kh_size preferred_codings(const AcceptEncoding &ae, Coding out[kVariantCodings]);

// Does the field make any of Br, Zstd, Gzip acceptable (weight > 0)?
bool accepts_any_variant(const AcceptEncoding &ae);

// "br", "zstd", "gzip": the Content-Encoding value.
StrView coding_name(Coding c);
// ".br", ".zst", ".gz": the suffix of the precompressed sibling.
StrView coding_suffix(Coding c);
constexpr kh_size kCodingSuffixMax = 4;

// Does @name already end in one of the variant suffixes (case-insensitive)?
// Such files are served as they are, without looking for "x.gz.gz".
bool has_coding_suffix(StrView name);

} // namespace khttpd
