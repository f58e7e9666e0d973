// SPDX-License-Identifier: GPL-2.0
// One request while it is being decided (a stack object of a session's
// step), and the verdict on it that the session then applies.
#pragma once

#include "khttpd/core.h"

#include "byte_range.h"
#include "content_coding.h"
#include "etag.h"
#include "http_request.h"
#include "open_file.h"
#include "policy.h"
#include "preconditions.h"
#include "request_path.h"
#include "special_response.h"
#include "str_view.h"

// A worker's scratch memory (core.h), shared by its connections within a
// step. It lives at the start of its block, the path buffer behind it.
struct khttpd_worker_scratch {
	khttpd::DateCache date;
	char *path; // the decoded path + index name + a variant's suffix + NUL
	kh_size path_size;
};

namespace khttpd {

using Scratch = khttpd_worker_scratch;

// Everything a handler needs to decide on one request. Lives only during
// the step that answers it.
struct Request {
	kh_conn *conn;
	const RequestHead &head;
	kh_root *root;
	const khttpd_session_params &params;
	const Scratch &scratch;
	bool head_only; // HEAD: the answer has no body
	StrView raw{};  // its bytes in the receive buffer (for the access log)
	bool vary = false; // the answer depends on Accept-Encoding
	char etag[kEtagCodedMax] = {}; // the representation's ETag, for Validators
	char type[KH_MIME_TYPE_MAX] = {}; // its Content-Type

	// The policy's decision on @cause for this request (policy.h).
	Decision decide(Cause cause, kh_u16 status = 0) const
	{
		PolicySettings s{params.sloppy_mime != 0, params.nodaemon_503 != 0};
		return khttpd::decide(cause, status, kh_conn_daemon_ready(conn), s);
	}
};

// What becomes of a request: served from the kernel, handed over, or
// answered by the kernel with a response of its own.
struct Verdict {
	enum class Kind : kh_u8 {
		Serve,       // a file (file, info, type, coding, range, validators)
		Decided,     // the policy's HandOver or Answer (decision)
		Redirect,    // 301 to the directory with its slash (path)
		NotModified, // 304 (validators)
		Status,      // another answer of the kernel's own (status)
	};
	Kind kind = Kind::Status;

	Decision decision{};   // Decided
	kh_u16 status = 500;   // Status: 412, 416, 503 ...
	bool has_complete_length = false; // Status 416: "Content-Range: bytes */N"

	OpenFile file;         // Serve
	kh_file_info info{};   // Serve (size also for 416)
	StrView type;          // Serve
	Coding coding = Coding::Identity;
	ByteRange range;       // Serve: Single, or none
	Validators validators{}; // Serve, NotModified
	RequestPath path;      // Redirect

	// Verdicts are set in place, never returned or copied: KASAN's
	// redzones around each copy would push a step past the kernel's
	// 1024-byte frame limit.
	Verdict() = default;
	Verdict(const Verdict &) = delete;
	Verdict &operator=(const Verdict &) = delete;

	// The policy's decision @d (HandOver or Answer).
	void decided(const Decision &d)
	{
		file.reset(nullptr);
		kind = Kind::Decided;
		decision = d;
	}
	// An answer @s of the kernel's own; info.size stays (for a 416).
	void answer(kh_u16 s)
	{
		file.reset(nullptr);
		kind = Kind::Status;
		status = s;
	}
};

} // namespace khttpd
