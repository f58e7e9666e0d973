// SPDX-License-Identifier: GPL-2.0
// kHTTPd's `dynamic` list: substrings that send a request to userspace.
#pragma once

#include "str_view.h"

namespace khttpd {

// @list: entries separated by spaces (or tabs). True if the request target
// as the client sent it (@target: "?" and ".." are seen here) or the decoded,
// normalised path (@path: "cgi-bin" is seen here however it was encoded)
// contains one of them.
bool matches_dynamic(StrView list, StrView target, StrView path);

} // namespace khttpd
