// SPDX-License-Identifier: GPL-2.0
#include "rates.h"

namespace khttpdctl {
namespace {

std::optional<double> rate(const Count& a, const Count& b, double seconds)
{
	if (!a || !b || *b < *a || seconds <= 0)
		return std::nullopt;
	return static_cast<double>(*b - *a) / seconds;
}

} // namespace

Rates compute_rates(const Status& before, const Status& after, double seconds)
{
	Rates r;
	r.seconds = seconds;
	r.requests = rate(before.requests, after.requests, seconds);
	r.bytes = rate(before.bytes_sent, after.bytes_sent, seconds);
	r.accepts = rate(before.accepts, after.accepts, seconds);
	r.handovers = rate(before.handovers, after.handovers, seconds);
	return r;
}

} // namespace khttpdctl
