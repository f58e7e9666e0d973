// SPDX-License-Identifier: GPL-2.0
// Runs a parsed command line; returns the exit code (exit_codes.h).
#pragma once

#include "options.h"

namespace khttpdctl {

int run_command(const Options& o);

} // namespace khttpdctl
