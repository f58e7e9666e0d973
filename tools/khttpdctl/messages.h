// SPDX-License-Identifier: GPL-2.0
// The messages shared by several commands, worded once.
#pragma once

#include "proc_tree.h"

#include <string>

namespace khttpdctl {

inline std::string not_loaded_message(const ProcTree& tree)
{
	return "khttpd is not loaded (no " + tree.path(kSysctlDir) +
	       "): load it with `modprobe khttpd` or `insmod khttpd.ko`";
}

inline constexpr const char* kNeedRoot = "run as root (needs CAP_NET_ADMIN)";

} // namespace khttpdctl
