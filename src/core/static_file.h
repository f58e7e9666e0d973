// SPDX-License-Identifier: GPL-2.0
// The static-file handler: from a GET or HEAD to a verdict (request.h).
#pragma once

#include "request.h"
#include "response_writer.h"
#include "special_response.h"

namespace khttpd {

// Decides on a GET or HEAD whose head carries no body: looks the file up
// beneath the root (index name, precompressed variants), checks the policy
// (dynamic list, dotfiles, permissions, MIME type, ranges), evaluates the
// preconditions, and sets @v (a new Verdict). Keeps nothing open that is
// not served.
void find_static_file(Request &r, Verdict &v);

// The head of a 200 or 206 for @v (a Serve verdict) of @length bytes.
// False if it did not fit.
bool write_file_head(ResponseWriter &w, const Verdict &v, kh_u64 length,
		     const ReplyStyle &style);

} // namespace khttpd
