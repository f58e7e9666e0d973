// SPDX-License-Identifier: GPL-2.0
// The request policy: one row per cause (policy.h).
#include "policy.h"

#include "khttpd/handover_reason.h"

namespace khttpd {
namespace {

// What the kernel does with a cause while no daemon is registered.
enum class Alone : kh_u8 {
	Static,  // answers as a plain static server would (`status`)
	Proceed, // serves the file all the same (what it serves is safe)
	Refuse,  // fails closed: 503 with Retry-After, never the file
};

struct Rule {
	Cause cause;
	kh_u32 reason; // for the daemon
	Alone alone;
	kh_u16 status; // Static: the answer; 0 = the status the caller gives
	bool close;    // Static: close after the answer
};

constexpr Rule kRules[] = {
	{Cause::BadRequest, KHTTPD_HANDOVER_MALFORMED, Alone::Static, 0, true},
	{Cause::HeadTooLarge, KHTTPD_HANDOVER_OVERSIZE, Alone::Static, 0, true},
	{Cause::KnownMethod, KHTTPD_HANDOVER_METHOD, Alone::Static, 405, false},
	{Cause::UnknownMethod, KHTTPD_HANDOVER_METHOD, Alone::Static, 501, false},
	// The file is served; the connection closes, as the body is not read.
	{Cause::Body, KHTTPD_HANDOVER_BODY, Alone::Proceed, 0, false},
	// Fail closed: what userspace would run must never go out as source.
	{Cause::Dynamic, KHTTPD_HANDOVER_DYNAMIC, Alone::Refuse, 0, false},
	{Cause::Hidden, KHTTPD_HANDOVER_FORBIDDEN, Alone::Static, 404, false},
	{Cause::Missing, KHTTPD_HANDOVER_MISSING, Alone::Static, 404, false},
	{Cause::Denied, KHTTPD_HANDOVER_FORBIDDEN, Alone::Static, 403, false},
	{Cause::NotRegular, KHTTPD_HANDOVER_FORBIDDEN, Alone::Static, 404, false},
	{Cause::ModeMissing, KHTTPD_HANDOVER_FORBIDDEN, Alone::Static, 403, false},
	{Cause::ModeForbidden, KHTTPD_HANDOVER_FORBIDDEN, Alone::Refuse, 0, false},
	{Cause::UnknownType, KHTTPD_HANDOVER_MIME, Alone::Refuse, 0, false},
	// RFC 9110 allows answering a multi-range request with the whole file.
	{Cause::MultipleRanges, KHTTPD_HANDOVER_RANGE, Alone::Proceed, 0, false},
};

constexpr bool rules_in_order()
{
	if (sizeof(kRules) / sizeof(kRules[0]) != static_cast<kh_size>(Cause::Count))
		return false;
	for (kh_size i = 0; i < sizeof(kRules) / sizeof(kRules[0]); i++)
		if (static_cast<kh_size>(kRules[i].cause) != i)
			return false;
	return true;
}
static_assert(rules_in_order(), "one rule per cause, in enum order");

} // namespace

Decision decide(Cause cause, kh_u16 status, bool daemon, const PolicySettings &s)
{
	const Rule &r = kRules[static_cast<kh_size>(cause)];
	if (cause == Cause::UnknownType && s.sloppy_mime)
		return {Action::Proceed, 0, 0, false, false};
	if (daemon)
		return {Action::HandOver, r.reason, 0, false, false};
	if (s.nodaemon_503)
		return {Action::Answer, r.reason, 503, true, true};
	switch (r.alone) {
	case Alone::Proceed:
		return {Action::Proceed, r.reason, 0, false, false};
	case Alone::Refuse:
		return {Action::Answer, r.reason, 503, r.close, true};
	case Alone::Static:
		break;
	}
	return {Action::Answer, r.reason, r.status ? r.status : status, r.close, false};
}

} // namespace khttpd
