// SPDX-License-Identifier: GPL-2.0
// The three renderings of a snapshot: the human summary (`status`, each
// frame of `top`), JSON (`status --json`) and Prometheus text (`metrics`).
#pragma once

#include "rates.h"
#include "snapshot.h"

#include <string>

namespace khttpdctl {

// rates may be null (--no-rates, the first frame of top).
std::string format_text(const Snapshot& s, const Rates* rates);
std::string format_json(const Snapshot& s, const Rates* rates);
// snapshot null: the module is not loaded (khttpd_up 0 and nothing else).
std::string format_metrics(const Snapshot* s);

} // namespace khttpdctl
