// SPDX-License-Identifier: GPL-2.0
#include "test_support.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <cstring>
#include <filesystem>
#include <grp.h>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace khttpdctl::test {

namespace {

// Reads both pipes to their ends without one filling while the other waits.
void drain(int out_fd, int err_fd, std::string& out, std::string& err)
{
	pollfd p[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
	std::string* dest[2] = {&out, &err};
	int open = 2;
	while (open > 0) {
		if (::poll(p, 2, 30000) <= 0)
			break; // a hang: the test fails on the output
		for (int i = 0; i < 2; ++i) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			char buf[4096];
			ssize_t n = ::read(p[i].fd, buf, sizeof(buf));
			if (n > 0) {
				dest[i]->append(buf, static_cast<std::size_t>(n));
			} else if (n == 0 || errno != EINTR) {
				::close(p[i].fd);
				p[i].fd = -1;
				--open;
			}
		}
	}
	for (auto& q : p)
		if (q.fd >= 0)
			::close(q.fd);
}

} // namespace

CtlRun run_ctl(const std::vector<std::string>& args, RunOptions opts)
{
	CtlRun r;
	int out[2], err[2];
	if (::pipe2(out, O_CLOEXEC) < 0 || ::pipe2(err, O_CLOEXEC) < 0) {
		ADD_FAILURE() << "pipe: " << std::strerror(errno);
		return r;
	}
	std::vector<std::string> argv_s{KHTTPDCTL_BINARY};
	argv_s.insert(argv_s.end(), args.begin(), args.end());
	std::vector<char*> argv;
	for (auto& a : argv_s)
		argv.push_back(a.data());
	argv.push_back(nullptr);

	pid_t pid = ::fork();
	if (pid == 0) {
		int devnull = ::open("/dev/null", O_RDONLY);
		::dup2(devnull, 0);
		::dup2(out[1], 1);
		::dup2(err[1], 2);
		if (opts.as_nobody && ::geteuid() == 0 &&
		    (::setgroups(0, nullptr) < 0 || ::setgid(65534) < 0 || ::setuid(65534) < 0))
			::_exit(126);
		::execv(argv[0], argv.data());
		::_exit(127);
	}
	::close(out[1]);
	::close(err[1]);
	drain(out[0], err[0], r.out, r.err);
	int status = 0;
	::waitpid(pid, &status, 0);
	if (WIFEXITED(status))
		r.exit_code = WEXITSTATUS(status);
	return r;
}

std::string data_dir(const std::string& name)
{
	return std::string(KHTTPDCTL_DATA) + "/" + name;
}

TreeCopy::TreeCopy(const std::string& name)
{
	std::string tmpl = (fs::temp_directory_path() / "khttpdctl-test.XXXXXX").string();
	if (!::mkdtemp(tmpl.data())) {
		ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
		return;
	}
	dir_ = tmpl;
	fs::copy(data_dir(name) + "/proc", dir_ + "/proc", fs::copy_options::recursive);
	fs::permissions(dir_, fs::perms(0755));
	for (auto& e : fs::recursive_directory_iterator(dir_))
		fs::permissions(e.path(), e.is_directory() ? fs::perms(0755) : fs::perms(0644));
}

TreeCopy::~TreeCopy()
{
	std::error_code ec;
	if (!dir_.empty())
		fs::remove_all(dir_, ec);
}

std::string read_file(const std::string& path)
{
	std::ifstream in(path, std::ios::binary);
	std::ostringstream s;
	s << in.rdbuf();
	return s.str();
}

void write_file(const std::string& path, const std::string& text)
{
	std::ofstream o(path, std::ios::binary | std::ios::trunc);
	o << text;
}

void expect_golden(const std::string& sample, const std::string& file, const std::string& actual)
{
	std::string path = data_dir(sample) + "/expected/" + file;
	const char* update = std::getenv("KHTTPDCTL_UPDATE_GOLDEN");
	if (update && std::string(update) == "1") {
		fs::create_directories(data_dir(sample) + "/expected");
		write_file(path, actual);
		return;
	}
	ASSERT_TRUE(fs::exists(path)) << path << " missing (KHTTPDCTL_UPDATE_GOLDEN=1 makes it)";
	EXPECT_EQ(read_file(path), actual) << "differs from " << path;
}

} // namespace khttpdctl::test
