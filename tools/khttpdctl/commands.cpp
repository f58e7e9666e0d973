// SPDX-License-Identifier: GPL-2.0
// The commands, on top of the parts: load snapshots, render, write.
#include "commands.h"

#include "conf_command.h"
#include "control.h"
#include "exit_codes.h"
#include "format.h"
#include "snapshot.h"
#include "terminal.h"
#include "textfile.h"
#include "top.h"

#include <cstdio>
#include <cstring>
#include <unistd.h>

#ifndef KHTTPDCTL_VERSION
#define KHTTPDCTL_VERSION "0"
#endif

namespace khttpdctl {
namespace {

int error(int code, const std::string& message)
{
	std::fprintf(stderr, "khttpdctl: %s\n", message.c_str());
	return code;
}

int out(const std::string& text)
{
	if (!write_all(STDOUT_FILENO, text))
		return error(kExitError, std::string("writing the output: ") + std::strerror(errno));
	return kExitOk;
}

int run_status(const ProcTree& tree, const Options& o)
{
	LoadResult first = load_snapshot(tree);
	if (!first.snapshot)
		return error(first.exit_code, first.message);
	Snapshot shown = std::move(*first.snapshot);
	std::optional<Rates> rates;
	if (o.rates) {
		install_quit_signals();
		if (!sleep_unless_quit(static_cast<int>(o.interval * 1000.0 + 0.5)))
			return error(kExitError, "interrupted");
		LoadResult second = load_snapshot(tree);
		if (!second.snapshot)
			return error(second.exit_code, second.message);
		double dt = std::chrono::duration<double>(second.snapshot->taken - shown.taken).count();
		rates = compute_rates(shown.status, second.snapshot->status, dt);
		shown = std::move(*second.snapshot); // the newer figures
	}
	const Rates* r = rates ? &*rates : nullptr;
	return out(o.json ? format_json(shown, r) : format_text(shown, r));
}

int run_metrics(const ProcTree& tree, const Options& o)
{
	LoadResult loaded = load_snapshot(tree);
	// Not loaded: still khttpd_up 0, so a textfile never keeps stale
	// figures of a module that is gone; the exit code says why.
	if (!loaded.snapshot && loaded.exit_code != kExitNotLoaded)
		return error(loaded.exit_code, loaded.message);
	std::string text = format_metrics(loaded.snapshot ? &*loaded.snapshot : nullptr);
	int rc = kExitOk;
	if (o.output.empty()) {
		rc = out(text);
	} else {
		std::string step;
		if (int err = write_file_atomically(o.output, text, &step))
			return error(err == EACCES || err == EPERM ? kExitPermission : kExitError,
				     "cannot " + step + ": " + std::strerror(err));
	}
	if (!loaded.snapshot)
		return error(loaded.exit_code, loaded.message);
	return rc;
}

int run_control_command(const ProcTree& tree, Action a)
{
	Outcome r = run_control(tree, a);
	if (r.exit_code != kExitOk)
		return error(r.exit_code, r.message);
	return out(r.message + "\n");
}

} // namespace

int run_command(const Options& o)
{
	ProcTree tree(o.proc);
	switch (o.command) {
	case Command::help:
		return out(usage_text());
	case Command::version:
		return out("khttpdctl " KHTTPDCTL_VERSION "\n");
	case Command::status:
		return run_status(tree, o);
	case Command::metrics:
		return run_metrics(tree, o);
	case Command::start:
		return run_control_command(tree, Action::start);
	case Command::stop:
		return run_control_command(tree, Action::stop);
	case Command::top:
		return run_top(tree, o, STDIN_FILENO, STDOUT_FILENO);
	case Command::check:
	case Command::apply:
	case Command::reload:
		return run_conf_command(o);
	case Command::none:
		break;
	}
	return error(kExitUsage, "no command given");
}

} // namespace khttpdctl
