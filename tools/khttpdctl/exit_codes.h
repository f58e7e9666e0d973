// SPDX-License-Identifier: GPL-2.0
// khttpdctl's exit codes (khttpdctl.8, EXIT STATUS): scripts tell apart
// "the module is not there", "the server is not running" and "you may not".
#pragma once

namespace khttpdctl {

enum ExitCode : int {
	kExitOk = 0,
	kExitError = 1,         // anything else; the message says what
	kExitUsage = 2,         // bad command line
	kExitNotLoaded = 3,     // no /proc/sys/net/khttpd: khttpd.ko is not loaded
	kExitNotRunning = 4,    // the command needs a running server (stop)
	kExitPermission = 5,    // EACCES/EPERM: needs root (CAP_NET_ADMIN)
};

} // namespace khttpdctl
