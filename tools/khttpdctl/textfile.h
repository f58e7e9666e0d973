// SPDX-License-Identifier: GPL-2.0
// `metrics --output FILE`: node_exporter's textfile collector may read the
// file at any moment, so it must never see half of it. The text goes to a
// temporary file in the same directory (a name not ending in .prom, which
// the collector skips), is flushed to disk, and is renamed over FILE.
#pragma once

#include <string>
#include <string_view>

namespace khttpdctl {

// Returns 0 or an errno; on failure FILE is untouched and no temporary
// file is left behind. what_failed names the step for the message.
int write_file_atomically(const std::string& path, std::string_view text,
			  std::string* what_failed);

} // namespace khttpdctl
