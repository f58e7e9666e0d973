// SPDX-License-Identifier: GPL-2.0
// One look at the server: the status file plus the settings it does not
// carry (the document root, whether logging is on), and when it was taken.
#pragma once

#include "proc_tree.h"
#include "status.h"

#include <chrono>
#include <optional>
#include <string>

namespace khttpdctl {

struct Snapshot {
	Status status;
	std::optional<std::string> document_root;
	std::optional<bool> logging; // the `logging` sysctl, if the module has it
	std::chrono::steady_clock::time_point taken;
};

struct LoadResult {
	std::optional<Snapshot> snapshot;
	int exit_code = 0;   // ExitCode when there is no snapshot
	std::string message; // why not, for stderr
};

// Reads the status file and settings under tree. Fails with kExitNotLoaded
// when the module is not loaded, kExitPermission or kExitError when the
// status file cannot be read.
LoadResult load_snapshot(const ProcTree& tree);

} // namespace khttpdctl
