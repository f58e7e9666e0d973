// SPDX-License-Identifier: GPL-2.0
// Entity tags (RFC 9110 section 8.8.3): the server's own validator, and
// matching If-Match / If-None-Match / If-Range values against it.
#pragma once

#include "str_view.h"

namespace khttpd {

// Longest tag format_etag writes: '"' '-'? 16 hex '-' 16 hex '"'.
constexpr kh_size kEtagMax = 36;

// Longest tag with a coding: kEtagMax + '-' + up to 4 letters ("gzip").
constexpr kh_size kEtagCodedMax = kEtagMax + 5;

// Writes the strong entity-tag of a file, built from its metadata as nginx
// does: "\"<hex mtime>-<hex size>\"" (lower-case hex, a negative mtime
// as '-' and its magnitude, as nginx's %xT). Returns the length (<= kEtagMax).
// A precompressed variant is another representation and needs another tag:
// with @coding ("gzip", at most 4 characters) it is
// "\"<hex mtime>-<hex size>-<coding>\"", of the variant's own metadata.
// No identity tag can equal it: those have two fields, all hex digits,
// and every coding name holds a letter past 'f' (Apache tags its gzip
// output "-gzip" the same way). Length <= kEtagCodedMax.
kh_size format_etag(kh_s64 mtime_sec, kh_u64 size, char *out, StrView coding = StrView());

enum class EtagCompare : kh_u8 {
	Strong, // both strong and opaque-tags equal (If-Match, If-Range)
	Weak,   // opaque-tags equal, W/ ignored (If-None-Match)
};

// Splits one entity-tag ([ "W/" ] DQUOTE *etagc DQUOTE) off the front of
// @s. Returns false if @s does not start with one.
struct EntityTag {
	bool weak = false;
	StrView opaque; // with its quotes
};
bool parse_entity_tag(StrView s, EntityTag &tag, kh_size &used);

// Compares two entity-tags (RFC 9110 section 8.8.3.2).
bool etag_equal(const EntityTag &a, const EntityTag &b, EtagCompare how);

// Does the If-Match / If-None-Match value @field ("*" or a comma list of
// entity-tags, OWS and empty elements allowed) match the current
// representation, whose tag is @current? "*" matches (the representation
// exists). A malformed list matches only by the members before the error,
// as nginx. @current must be a valid entity-tag.
bool etag_list_matches(StrView field, StrView current, EtagCompare how);

} // namespace khttpd
