// SPDX-License-Identifier: GPL-2.0
// `khttpdctl check FILE`, `apply FILE` and `reload [FILE]`: reads and
// checks the file (conf_file.h), then applies it (apply.h).
#pragma once

#include "options.h"

namespace khttpdctl {

// Returns the exit code; messages go to stdout and stderr.
int run_conf_command(const Options& o);

} // namespace khttpdctl
