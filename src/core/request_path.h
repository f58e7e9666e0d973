// SPDX-License-Identifier: GPL-2.0
// Turning a request-target into a path relative to the document root.
#pragma once

#include "str_view.h"

namespace khttpd {

struct RequestPath {
	// Percent-decoded, dot segments resolved, "//" merged, no leading '/'.
	// Empty for the root itself.
	StrView rel;
	bool trailing_slash = false; // the target named a directory ("/a/")
	StrView raw_path;            // the target's path as sent (never echoed: see write_redirect)
	StrView query;               // after '?', without it; empty if none
	bool has_query = false;
};

// Decodes @target (origin-form "/a/b?q" or absolute-form
// "http://host/a/b?q") into @out, writing the decoded path into @scratch,
// which must hold at least target.size() bytes. Returns 0, or the HTTP
// status to answer: 400 for a malformed target, an encoded NUL, or a path
// that climbs above the root.
kh_u16 resolve_request_path(StrView target, char *scratch, kh_size scratch_size,
			    RequestPath &out);

// The authority of an absolute-form http(s) target ("http://a.example:80/x"
// -> "a.example:80"); empty for origin-form and anything
// resolve_request_path refuses for its scheme.
StrView target_authority(StrView target);

// True if any segment of a resolved path starts with '.' (".git",
// ".htaccess"): such files are never served.
bool has_hidden_segment(StrView rel);

} // namespace khttpd
