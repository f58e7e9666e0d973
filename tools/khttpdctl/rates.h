// SPDX-License-Identifier: GPL-2.0
// Rates from two snapshots: the difference of the counters over the time
// between them. A counter that went down (the module was reloaded between
// the samples) or is missing from either gives no rate.
#pragma once

#include "status.h"

#include <optional>

namespace khttpdctl {

struct Rates {
	double seconds = 0;          // measured time between the samples
	std::optional<double> requests;  // per second
	std::optional<double> bytes;     // bytes sent per second
	std::optional<double> accepts;   // connections accepted per second
	std::optional<double> handovers; // per second
};

Rates compute_rates(const Status& before, const Status& after, double seconds);

} // namespace khttpdctl
