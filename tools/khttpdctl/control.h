// SPDX-License-Identifier: GPL-2.0
// `khttpdctl start` and `stop`: one write of 1 to /proc/sys/net/khttpd/start
// or stop, and the kernel's answer in words (docs/sysctl.md lists what a
// start can fail with).
#pragma once

#include "proc_tree.h"

#include <string>

namespace khttpdctl {

// reload: only its errors are explained here (apply.cpp writes it).
enum class Action { start, stop, reload };

struct Outcome {
	int exit_code = 0;
	std::string message; // stdout if exit_code is 0, else stderr
};

Outcome run_control(const ProcTree& tree, Action action);

// What a failed write of `start`/`stop` means, and its exit code. at_open:
// open(2) failed (file permissions), else write(2) did (the kernel's
// handler). The context fills in the message (port, document root, ids).
struct WriteContext {
	std::string file;          // the path written
	std::string port;          // serverport, as read ("" if unknown)
	std::string document_root; // documentroot
	std::string uid, gid;
};
Outcome explain_write_error(Action action, int err, bool at_open, const WriteContext& ctx);

} // namespace khttpdctl
