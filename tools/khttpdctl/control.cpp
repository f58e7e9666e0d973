// SPDX-License-Identifier: GPL-2.0
#include "control.h"

#include "exit_codes.h"
#include "messages.h"

#include <cerrno>
#include <cstring>

namespace khttpdctl {
namespace {

std::string value_or(const ProcTree& tree, std::string_view name, std::string_view dflt)
{
	ReadResult r = tree.sysctl(name);
	return r.error ? std::string(dflt) : r.data;
}

// The `start` sysctl reads 1 while the server runs.
bool is_running(const ProcTree& tree)
{
	return value_or(tree, "start", "0") == "1";
}

std::string started_message(const ProcTree& tree, std::string_view verb)
{
	return "khttpd " + std::string(verb) + ": port " + value_or(tree, "serverport", "?") +
	       ", " + value_or(tree, "threads", "?") + " threads, document root " +
	       value_or(tree, "documentroot", "?");
}

const char* verb_of(Action action)
{
	switch (action) {
	case Action::start:
		return "start";
	case Action::stop:
		return "stop";
	case Action::reload:
		return "reload";
	}
	return "?";
}

} // namespace

Outcome explain_write_error(Action action, int err, bool at_open, const WriteContext& ctx)
{
	const char* verb = verb_of(action);
	std::string head = std::string("cannot ") + verb + " khttpd: ";
	if (at_open || err == EPERM) {
		// open(2): the file's mode (root only). write(2) with EPERM: the
		// handler's CAP_NET_ADMIN check (root without it, a container).
		if (err == EACCES || err == EPERM)
			return {kExitPermission, head + "permission denied writing " + ctx.file + ": " +
							 kNeedRoot};
		return {kExitError, head + "cannot open " + ctx.file + ": " + std::strerror(err)};
	}
	std::string why;
	switch (err) {
	case ENOENT:
		why = "the document root " + ctx.document_root +
		      " does not exist (set /proc/sys/net/khttpd/documentroot)";
		break;
	case EACCES:
		// From the write, not the open: the document root is out of reach
		// of the user the server looks files up as.
		why = "the document root " + ctx.document_root + " is out of reach of uid " +
		      ctx.uid + " / gid " + ctx.gid + " (check its permissions, or the uid/gid sysctls)";
		break;
	case EADDRINUSE:
		why = "port " + ctx.port + " is already in use (see `ss -ltnp`)";
		break;
	case EINVAL:
		why = "invalid configuration (e.g. a document root that resolves to /); see dmesg";
		break;
	case EBUSY:
		why = "the server is busy (a start or stop is in progress?); see dmesg";
		break;
	case ENOMEM:
		why = "out of memory; see dmesg";
		break;
	default:
		why = std::string(std::strerror(err)) + "; see dmesg";
		break;
	}
	return {kExitError, head + why};
}

Outcome run_control(const ProcTree& tree, Action action)
{
	if (!tree.module_loaded())
		return {kExitNotLoaded, not_loaded_message(tree)};
	bool running = is_running(tree);
	if (action == Action::stop && !running)
		return {kExitNotRunning, "khttpd is not running (nothing to stop)"};
	if (action == Action::start && running)
		return {kExitOk, started_message(tree, "is already running")};

	const char* file = verb_of(action);
	WriteResult w = tree.write_sysctl(file, "1");
	if (w.error) {
		WriteContext ctx;
		ctx.file = tree.path(std::string(kSysctlDir) + "/" + file);
		ctx.port = value_or(tree, "serverport", "?");
		ctx.document_root = value_or(tree, "documentroot", "?");
		ctx.uid = value_or(tree, "uid", "?");
		ctx.gid = value_or(tree, "gid", "?");
		return explain_write_error(action, w.error, w.at_open, ctx);
	}
	if (action == Action::stop)
		return {kExitOk, "khttpd stopped"};
	return {kExitOk, started_message(tree, "started")};
}

} // namespace khttpdctl
