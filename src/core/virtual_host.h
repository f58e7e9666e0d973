// SPDX-License-Identifier: GPL-2.0
// Name-based virtual hosts (sysctl vhosts=1): which directory under the
// document root a request's host selects, as TUX's virtual server did.
#pragma once

#include "http_request.h"
#include "str_view.h"

namespace khttpd {

// The longest host name kept (RFC 1035: 253 characters for a name; an IPv6
// literal in brackets is shorter). A longer one is a 400.
constexpr kh_size kHostMax = 253;

// The directory of requests without a usable host (HTTP/1.0 without Host,
// an empty Host) and of hosts that have no directory of their own.
constexpr StrView kDefaultHost = "_default";

// The request's host: the authority of an absolute-form target, which
// overrides Host (RFC 9112 section 3.2.2), else the Host field. Writes it
// into @out (at least kHostMax bytes) lowercased, without the port and
// without one trailing dot, and sets @len (0: none, use kDefaultHost).
// Returns 0, or 400 for a host that could name something other than one
// directory: '/', '\', control bytes, "..", a leading '.', userinfo, a
// bad port or bracket, anything outside letters, digits, '-', '.', '_'
// (and ':' inside an IPv6 literal's brackets), or over kHostMax.
kh_u16 virtual_host(const RequestHead &head, char *out, kh_size &len);

// The host the request names, as sent: an absolute-form target's authority
// (port included), else the Host field; empty if neither. What the access
// log records, so that it names the site virtual_host() chose.
StrView request_host(const RequestHead &head);

} // namespace khttpd
