// SPDX-License-Identifier: GPL-2.0
#include "snapshot.h"

#include "exit_codes.h"
#include "messages.h"

#include <cerrno>
#include <cstring>

namespace khttpdctl {

LoadResult load_snapshot(const ProcTree& tree)
{
	LoadResult r;
	if (!tree.module_loaded()) {
		r.exit_code = kExitNotLoaded;
		r.message = not_loaded_message(tree);
		return r;
	}
	ReadResult file = tree.read(kStatusFile);
	if (file.error) {
		r.exit_code = file.error == EACCES || file.error == EPERM ? kExitPermission
									  : kExitError;
		r.message = "cannot read " + tree.path(kStatusFile) + ": " +
			    std::strerror(file.error);
		if (file.error == ENOENT)
			r.message += " (a khttpd.ko older than the status file?)";
		return r;
	}
	Snapshot s;
	s.taken = std::chrono::steady_clock::now();
	s.status = parse_status(file.data);
	if (ReadResult root = tree.sysctl("documentroot"); !root.error)
		s.document_root = root.data;
	if (ReadResult log = tree.sysctl("logging"); !log.error) {
		if (auto v = parse_u64(log.data))
			s.logging = *v != 0;
	}
	r.snapshot = std::move(s);
	return r;
}

} // namespace khttpdctl
