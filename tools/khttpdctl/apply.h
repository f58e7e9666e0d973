// SPDX-License-Identifier: GPL-2.0
// `khttpdctl apply` and `reload`: writes a checked configuration file's
// settings, then (server running) commits them with /proc/sys/net/khttpd/
// reload. All or nothing: the first write the kernel refuses, or a failed
// reload, puts back the values read before anything was written.
#pragma once

#include "conf_file.h"
#include "control.h"
#include "proc_tree.h"

#include <string>
#include <string_view>
#include <vector>

namespace khttpdctl {

// The settings as apply sees them: the sysctl directory (ProcSysctls) or,
// in the tests, a fake kernel that can refuse any write.
class Sysctls {
public:
	virtual ~Sysctls() = default;
	virtual ReadResult read(std::string_view name) const = 0;
	virtual WriteResult write(std::string_view name, std::string_view value) const = 0;
	// /proc/net/khttpd/status, for the generation a reload produced.
	virtual ReadResult status() const = 0;
};

class ProcSysctls final : public Sysctls {
public:
	explicit ProcSysctls(const ProcTree& tree) : tree_(tree) {}
	ReadResult read(std::string_view name) const override { return tree_.sysctl(name); }
	WriteResult write(std::string_view name, std::string_view value) const override
	{
		return tree_.write_sysctl(name, value);
	}
	ReadResult status() const override { return tree_.read(kStatusFile); }

private:
	const ProcTree& tree_;
};

enum class ApplyMode {
	apply, // server stopped: stage for the next start; running: reload
	reload // the server must run, and the reload must succeed
};

// Applies ENTRIES (a file parse_conf() found no error in) from FILE. The
// message is for stdout on success, else for stderr: its lines are either
// `FILE:LINE: reason` or start with "khttpdctl: ".
Outcome apply_conf(const Sysctls& sysctls, const std::string& file,
		   const std::vector<ConfEntry>& entries, ApplyMode mode);

} // namespace khttpdctl
