// SPDX-License-Identifier: GPL-2.0
// `khttpdctl top`: the status redrawn every interval, with the rates since
// the previous frame (the first frame has none yet). On a terminal: the
// alternate screen, redrawn in place, q or Ctrl-C quits. Otherwise (a pipe,
// a file, the tests): one plain frame per interval, a blank line between,
// no escape codes.
#pragma once

#include "options.h"
#include "proc_tree.h"

namespace khttpdctl {

// Returns the exit code.
int run_top(const ProcTree& tree, const Options& o, int in_fd, int out_fd);

} // namespace khttpdctl
