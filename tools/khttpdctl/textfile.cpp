// SPDX-License-Identifier: GPL-2.0
#include "textfile.h"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace khttpdctl {

int write_file_atomically(const std::string& path, std::string_view text,
			  std::string* what_failed)
{
	// FILE.tmp.XXXXXX: beside FILE (rename does not cross file systems).
	std::string tmp = path + ".tmp.XXXXXX";
	int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		*what_failed = "create " + tmp;
		return err;
	}
	auto fail = [&](std::string step) {
		int err = errno;
		::close(fd);
		::unlink(tmp.c_str());
		*what_failed = std::move(step);
		return err;
	};
	// mkstemp makes it 0600; the collector may run as another user.
	if (::fchmod(fd, 0644) < 0)
		return fail("chmod " + tmp);
	std::size_t done = 0;
	while (done < text.size()) {
		ssize_t n = ::write(fd, text.data() + done, text.size() - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("write " + tmp);
		done += static_cast<std::size_t>(n);
	}
	if (::fsync(fd) < 0)
		return fail("fsync " + tmp);
	if (::close(fd) < 0) {
		int err = errno;
		::unlink(tmp.c_str());
		*what_failed = "close " + tmp;
		return err;
	}
	if (::rename(tmp.c_str(), path.c_str()) < 0) {
		int err = errno;
		::unlink(tmp.c_str());
		*what_failed = "rename " + tmp + " to " + path;
		return err;
	}
	return 0;
}

} // namespace khttpdctl
