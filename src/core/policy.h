// SPDX-License-Identifier: GPL-2.0
// Who answers a request the kernel does not serve as it is: the userspace
// daemon (hand-over), or the kernel itself with a status of its own.
//
// One pure function over a constexpr table (policy.cpp), so every rule,
// and every fail-closed rule in particular, is one line that a
// table-driven unit test checks (tests/unit/test_policy.cpp).
#pragma once

#include "khttpd/types.h"

namespace khttpd {

// Why the kernel does not serve a request as a plain static file.
enum class Cause : kh_u8 {
	BadRequest,     // the parser or the target refused it (status given)
	HeadTooLarge,   // 414 / 431 (status given)
	KnownMethod,    // POST, PUT, DELETE, OPTIONS, PATCH, CONNECT, TRACE
	UnknownMethod,  // any other method but GET and HEAD
	Body,           // GET or HEAD with a request body
	Dynamic,        // the target matches the `dynamic` list, or the file's
	                // type is one a web server runs (application/x-httpd-*)
	Hidden,         // a path segment starts with '.'
	Missing,        // no such file (or the path does not fit)
	Denied,         // the lookup was refused (permissions along the path)
	NotRegular,     // a FIFO, device, socket ... (never opened)
	ModeMissing,    // lacks the perm_required bits
	ModeForbidden,  // has perm_forbid bits (by default: an execute bit, as
	                // CGI scripts have)
	UnknownType,    // no Content-Type for its extension
	MultipleRanges, // several byte ranges (multipart/byteranges)
	Count
};

// The settings a decision depends on.
struct PolicySettings {
	bool sloppy_mime;  // unknown types are served as application/octet-stream
	bool nodaemon_503; // without a daemon, 503 instead of a static answer
};

enum class Action : kh_u8 {
	Proceed,  // serve it in the kernel after all
	HandOver, // give the connection to the daemon
	Answer,   // answer `status` from the kernel
};

struct Decision {
	Action action;
	kh_u32 reason;    // HandOver: enum khttpd_handover_reason
	kh_u16 status;    // Answer
	bool close;       // Answer: close the connection after it
	bool retry_after; // Answer: a 503 that says when to try again
};

// @status: for BadRequest and HeadTooLarge, the parser's status.
// @daemon: a daemon is registered to take hand-overs.
Decision decide(Cause cause, kh_u16 status, bool daemon, const PolicySettings &s);

// The answer when a hand-over was decided but failed (the daemon went
// away, or is too far behind): 503, try again later, and close, since a
// request body may follow that nobody reads.
constexpr Decision kHandOverFailed{Action::Answer, 0, 503, true, true};

// Seconds a 503 asks a client to wait (Retry-After).
constexpr kh_u32 kRetryAfterSeconds = 5;

} // namespace khttpd
