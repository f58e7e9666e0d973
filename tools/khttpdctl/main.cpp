// SPDX-License-Identifier: GPL-2.0
// khttpdctl(8): watch and control khttpd. All the work is in the library
// (khttpdctl_core), which the host tests link too.
#include "commands.h"
#include "exit_codes.h"
#include "options.h"

#include <cstdio>
#include <string_view>
#include <vector>

int main(int argc, char** argv)
{
	std::vector<std::string_view> args(argv + 1, argv + argc);
	khttpdctl::ParseResult p = khttpdctl::parse_options(args);
	if (!p.error.empty()) {
		std::fprintf(stderr, "khttpdctl: %s\nTry 'khttpdctl --help'.\n", p.error.c_str());
		return khttpdctl::kExitUsage;
	}
	return khttpdctl::run_command(p.options);
}
