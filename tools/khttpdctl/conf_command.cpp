// SPDX-License-Identifier: GPL-2.0
#include "conf_command.h"

#include "apply.h"
#include "conf_file.h"
#include "exit_codes.h"
#include "messages.h"
#include "terminal.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace khttpdctl {
namespace {

// A configuration file is a few KiB; the bound keeps a wrong path such as
// /dev/zero from reading forever.
constexpr std::size_t kMaxConfBytes = 1 << 20;

// Returns 0 or an errno (EFBIG beyond the bound).
int read_conf(const std::string& path, std::string& out)
{
	int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	char buf[4096];
	int err = 0;
	for (;;) {
		ssize_t n = ::read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		out.append(buf, static_cast<std::size_t>(n));
		if (out.size() > kMaxConfBytes) {
			err = EFBIG;
			break;
		}
	}
	::close(fd);
	return err;
}

// TEXT is whole lines, `FILE:LINE: reason` (as compilers write them, so
// editors jump there) or "khttpdctl: ...".
int fail(int code, std::string text)
{
	if (text.empty() || text.back() != '\n')
		text += '\n';
	write_all(STDERR_FILENO, text);
	return code;
}

} // namespace

int run_conf_command(const Options& o)
{
	std::string text;
	if (int err = read_conf(o.file, text))
		return fail(err == EACCES ? kExitPermission : kExitError,
			    "khttpdctl: cannot read " + o.file + ": " +
				    (err == EFBIG ? std::string("larger than 1 MiB, not a "
								"configuration file")
						  : std::string(std::strerror(err))));
	ConfFile conf = parse_conf(text);
	if (!conf.errors.empty()) {
		std::string errors = format_conf_errors(o.file, conf.errors);
		if (o.command != Command::check)
			errors += "khttpdctl: " + o.file + " has errors: nothing changed\n";
		return fail(kExitError, errors);
	}
	if (o.command == Command::check) {
		write_all(STDOUT_FILENO, o.file + ": ok (" + std::to_string(conf.entries.size()) +
						 (conf.entries.size() == 1 ? " setting)\n" : " settings)\n"));
		return kExitOk;
	}

	ProcTree tree(o.proc);
	if (!tree.module_loaded())
		return fail(kExitNotLoaded, "khttpdctl: " + not_loaded_message(tree));
	ProcSysctls sysctls(tree);
	Outcome r = apply_conf(sysctls, o.file, conf.entries,
			       o.command == Command::reload ? ApplyMode::reload : ApplyMode::apply);
	if (r.exit_code != kExitOk)
		return fail(r.exit_code, r.message);
	if (!write_all(STDOUT_FILENO, r.message + "\n"))
		return fail(kExitError, std::string("khttpdctl: writing the output: ") +
						std::strerror(errno));
	return kExitOk;
}

} // namespace khttpdctl
