// SPDX-License-Identifier: GPL-2.0
// The request policy (src/core/policy.cpp), one row per case: what the
// kernel does with each reason not to serve a request, with and without a
// daemon, under each setting. The fail-closed rules are rows here.
#include <gtest/gtest.h>

#include "khttpd/handover_reason.h"
#include "policy.h"

namespace {

using khttpd::Action;
using khttpd::Cause;
using khttpd::decide;
using khttpd::Decision;
using khttpd::PolicySettings;

struct Row {
	Cause cause;
	bool daemon;
	bool sloppy_mime;
	bool nodaemon_503;
	kh_u16 given; // the parser's status, for BadRequest and HeadTooLarge
	Action action;
	kh_u32 reason;
	kh_u16 status;
	bool close;
	bool retry_after;
};

constexpr Action P = Action::Proceed, H = Action::HandOver, A = Action::Answer;

// clang-format off
constexpr Row kRows[] = {
	// cause                 daemon sloppy 503  given  action reason                       status close retry
	// With a daemon, everything the kernel does not serve is handed over.
	{Cause::BadRequest,     true,  false, false, 400, H, KHTTPD_HANDOVER_MALFORMED, 0, false, false},
	{Cause::HeadTooLarge,   true,  false, false, 431, H, KHTTPD_HANDOVER_OVERSIZE,  0, false, false},
	{Cause::KnownMethod,    true,  false, false, 0,   H, KHTTPD_HANDOVER_METHOD,    0, false, false},
	{Cause::UnknownMethod,  true,  false, false, 0,   H, KHTTPD_HANDOVER_METHOD,    0, false, false},
	{Cause::Body,           true,  false, false, 0,   H, KHTTPD_HANDOVER_BODY,      0, false, false},
	{Cause::Dynamic,        true,  false, false, 0,   H, KHTTPD_HANDOVER_DYNAMIC,   0, false, false},
	{Cause::Hidden,         true,  false, false, 0,   H, KHTTPD_HANDOVER_FORBIDDEN, 0, false, false},
	{Cause::Missing,        true,  false, false, 0,   H, KHTTPD_HANDOVER_MISSING,   0, false, false},
	{Cause::Denied,         true,  false, false, 0,   H, KHTTPD_HANDOVER_FORBIDDEN, 0, false, false},
	{Cause::NotRegular,     true,  false, false, 0,   H, KHTTPD_HANDOVER_FORBIDDEN, 0, false, false},
	{Cause::ModeMissing,    true,  false, false, 0,   H, KHTTPD_HANDOVER_FORBIDDEN, 0, false, false},
	{Cause::ModeForbidden,  true,  false, false, 0,   H, KHTTPD_HANDOVER_FORBIDDEN, 0, false, false},
	{Cause::UnknownType,    true,  false, false, 0,   H, KHTTPD_HANDOVER_MIME,      0, false, false},
	{Cause::MultipleRanges, true,  false, false, 0,   H, KHTTPD_HANDOVER_RANGE,     0, false, false},
	// sloppymime: unknown types are the kernel's, daemon or not.
	{Cause::UnknownType,    true,  true,  false, 0,   P, 0,                         0, false, false},
	{Cause::UnknownType,    false, true,  false, 0,   P, 0,                         0, false, false},
	{Cause::UnknownType,    false, true,  true,  0,   P, 0,                         0, false, false},
	// No daemon: the answer of a plain static server.
	{Cause::BadRequest,     false, false, false, 400, A, KHTTPD_HANDOVER_MALFORMED, 400, true, false},
	{Cause::BadRequest,     false, false, false, 505, A, KHTTPD_HANDOVER_MALFORMED, 505, true, false},
	{Cause::HeadTooLarge,   false, false, false, 414, A, KHTTPD_HANDOVER_OVERSIZE,  414, true, false},
	{Cause::HeadTooLarge,   false, false, false, 431, A, KHTTPD_HANDOVER_OVERSIZE,  431, true, false},
	{Cause::KnownMethod,    false, false, false, 0,   A, KHTTPD_HANDOVER_METHOD,    405, false, false},
	{Cause::UnknownMethod,  false, false, false, 0,   A, KHTTPD_HANDOVER_METHOD,    501, false, false},
	{Cause::Body,           false, false, false, 0,   P, KHTTPD_HANDOVER_BODY,      0,   false, false},
	// ... except what userspace would run: it fails closed, never sent.
	{Cause::Dynamic,        false, false, false, 0,   A, KHTTPD_HANDOVER_DYNAMIC,   503, false, true},
	{Cause::Hidden,         false, false, false, 0,   A, KHTTPD_HANDOVER_FORBIDDEN, 404, false, false},
	{Cause::Missing,        false, false, false, 0,   A, KHTTPD_HANDOVER_MISSING,   404, false, false},
	{Cause::Denied,         false, false, false, 0,   A, KHTTPD_HANDOVER_FORBIDDEN, 403, false, false},
	{Cause::NotRegular,     false, false, false, 0,   A, KHTTPD_HANDOVER_FORBIDDEN, 404, false, false},
	{Cause::ModeMissing,    false, false, false, 0,   A, KHTTPD_HANDOVER_FORBIDDEN, 403, false, false},
	{Cause::ModeForbidden,  false, false, false, 0,   A, KHTTPD_HANDOVER_FORBIDDEN, 503, false, true},
	{Cause::UnknownType,    false, false, false, 0,   A, KHTTPD_HANDOVER_MIME,      503, false, true},
	{Cause::MultipleRanges, false, false, false, 0,   P, KHTTPD_HANDOVER_RANGE,     0,   false, false},
	// nodaemon_503: without a daemon, every one of them is a 503.
	{Cause::BadRequest,     false, false, true,  400, A, KHTTPD_HANDOVER_MALFORMED, 503, true, true},
	{Cause::KnownMethod,    false, false, true,  0,   A, KHTTPD_HANDOVER_METHOD,    503, true, true},
	{Cause::Body,           false, false, true,  0,   A, KHTTPD_HANDOVER_BODY,      503, true, true},
	{Cause::Dynamic,        false, false, true,  0,   A, KHTTPD_HANDOVER_DYNAMIC,   503, true, true},
	{Cause::Missing,        false, false, true,  0,   A, KHTTPD_HANDOVER_MISSING,   503, true, true},
	{Cause::UnknownType,    false, false, true,  0,   A, KHTTPD_HANDOVER_MIME,      503, true, true},
	{Cause::MultipleRanges, false, false, true,  0,   A, KHTTPD_HANDOVER_RANGE,     503, true, true},
};
// clang-format on

TEST(Policy, EveryRow)
{
	for (const Row &row : kRows) {
		PolicySettings s{row.sloppy_mime, row.nodaemon_503};
		Decision d = decide(row.cause, row.given, row.daemon, s);
		std::string what = "cause " + std::to_string(static_cast<int>(row.cause)) +
				   (row.daemon ? " daemon" : " no daemon") +
				   (row.sloppy_mime ? " sloppy" : "") +
				   (row.nodaemon_503 ? " nodaemon_503" : "");
		EXPECT_EQ(d.action, row.action) << what;
		if (d.action == Action::Proceed)
			continue;
		EXPECT_EQ(d.reason, row.reason) << what;
		if (d.action != Action::Answer)
			continue;
		EXPECT_EQ(d.status, row.status) << what;
		EXPECT_EQ(d.close, row.close) << what;
		EXPECT_EQ(d.retry_after, row.retry_after) << what;
	}
}

// Every cause, in every setting, has a decision, and the kernel proceeds
// only where what it then serves is safe to serve: never for what
// userspace would run (Dynamic, UnknownType unless sloppymime,
// ModeForbidden).
TEST(Policy, ProceedsOnlyWhereSafe)
{
	for (int c = 0; c < static_cast<int>(Cause::Count); c++) {
		Cause cause = static_cast<Cause>(c);
		for (int bits = 0; bits < 8; bits++) {
			PolicySettings s{(bits & 1) != 0, (bits & 2) != 0};
			Decision d = decide(cause, 400, (bits & 4) != 0, s);
			if (d.action != Action::Proceed)
				continue;
			EXPECT_TRUE(cause == Cause::Body || cause == Cause::MultipleRanges ||
				    (cause == Cause::UnknownType && s.sloppy_mime))
				<< "cause " << c;
		}
	}
}

// A hand-over that was decided but failed (the daemon went away, or its
// queue is full): try again later, and close (a body may follow).
TEST(Policy, FailedHandOver)
{
	EXPECT_EQ(khttpd::kHandOverFailed.action, Action::Answer);
	EXPECT_EQ(khttpd::kHandOverFailed.status, 503);
	EXPECT_TRUE(khttpd::kHandOverFailed.close);
	EXPECT_TRUE(khttpd::kHandOverFailed.retry_after);
}

} // namespace
