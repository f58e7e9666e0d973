// SPDX-License-Identifier: GPL-2.0
#include "proc_tree.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace khttpdctl {

std::string ProcTree::path(std::string_view rel) const
{
	std::string p = root_;
	if (p.empty() || p.back() != '/')
		p += '/';
	p += rel;
	return p;
}

bool ProcTree::is_dir(std::string_view rel) const
{
	struct stat st;
	return ::stat(path(rel).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

ReadResult ProcTree::read(std::string_view rel) const
{
	ReadResult r;
	int fd = ::open(path(rel).c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r.error = errno;
		return r;
	}
	// A seq_file hands out a page or so per read: read to the end.
	char buf[4096];
	for (;;) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r.error = errno;
			break;
		}
		if (n == 0)
			break;
		r.data.append(buf, static_cast<std::size_t>(n));
	}
	::close(fd);
	return r;
}

WriteResult ProcTree::write(std::string_view rel, std::string_view data) const
{
	WriteResult w;
	// No O_TRUNC: a sysctl ignores it, and a recorded tree in the tests
	// is written over the same way (the values are one line).
	int fd = ::open(path(rel).c_str(), O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		w.error = errno;
		w.at_open = true;
		return w;
	}
	ssize_t n;
	do
		n = ::write(fd, data.data(), data.size());
	while (n < 0 && errno == EINTR);
	if (n < 0)
		w.error = errno;
	else if (static_cast<std::size_t>(n) != data.size())
		w.error = EIO; // a sysctl takes a short value whole or not at all
	if (::close(fd) < 0 && w.error == 0)
		w.error = errno;
	return w;
}

ReadResult ProcTree::sysctl(std::string_view name) const
{
	std::string rel(kSysctlDir);
	rel += '/';
	rel += name;
	ReadResult r = read(rel);
	while (!r.data.empty() && (r.data.back() == '\n' || r.data.back() == '\0'))
		r.data.pop_back();
	return r;
}

WriteResult ProcTree::write_sysctl(std::string_view name, std::string_view value) const
{
	std::string rel(kSysctlDir);
	rel += '/';
	rel += name;
	std::string line(value);
	line += '\n';
	return write(rel, line);
}

} // namespace khttpdctl
