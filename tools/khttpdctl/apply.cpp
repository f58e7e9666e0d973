// SPDX-License-Identifier: GPL-2.0
#include "apply.h"

#include "exit_codes.h"
#include "messages.h"
#include "settings.h"

#include <cerrno>
#include <cstring>

namespace khttpdctl {
namespace {

struct Written {
	const ConfEntry* entry;
	std::string old_value;
};

bool is_permission(int err)
{
	return err == EACCES || err == EPERM;
}

std::string where(const std::string& file, const ConfEntry& e)
{
	return file + ":" + std::to_string(e.line) + ": ";
}

// Puts back the values written so far, last first, so that a setting
// written twice (it cannot be: check refuses repeats) or one whose
// validity depends on another ends as it began. Returns a line per value
// that could not be restored; empty when all were.
std::string roll_back(const Sysctls& sysctls, const std::string& file,
		      const std::vector<Written>& written)
{
	std::string failed;
	for (auto it = written.rbegin(); it != written.rend(); ++it) {
		const ConfEntry& e = *it->entry;
		if (WriteResult w = sysctls.write(e.key, it->old_value); w.error)
			failed += where(file, e) + "could not restore " + e.key + " to '" +
				  it->old_value + "': " + std::strerror(w.error) + "\n";
	}
	return failed;
}

std::string rolled_back_note(const std::string& failures)
{
	if (failures.empty())
		return "khttpdctl: nothing changed (the values written are back as they were)";
	return failures + "khttpdctl: SOME SETTINGS COULD NOT BE RESTORED (above): check them";
}

// Why the kernel refused a setting's write.
std::string refusal(int err)
{
	std::string why = std::strerror(err);
	if (is_permission(err))
		why += ": " + std::string(kNeedRoot);
	else if (err == EBUSY)
		why += " (this khttpd.ko cannot change settings while serving: "
		       "restart it, e.g. systemctl restart khttpd)";
	else if (err == EINVAL)
		why += " (see docs/sysctl.md; for mimetypes, dmesg says which line)";
	return why;
}

std::string generation_suffix(const Sysctls& sysctls)
{
	ReadResult st = sysctls.status();
	if (st.error)
		return {};
	std::string_view text = st.data;
	constexpr std::string_view kKey = "generation ";
	for (std::size_t pos = 0; pos < text.size();) {
		std::size_t eol = text.find('\n', pos);
		if (eol == std::string_view::npos)
			eol = text.size();
		std::string_view line = text.substr(pos, eol - pos);
		if (line.starts_with(kKey))
			return ", generation " + std::string(line.substr(kKey.size()));
		pos = eol + 1;
	}
	return {};
}

std::string count(std::size_t n)
{
	return std::to_string(n) + (n == 1 ? " setting" : " settings");
}

std::string value_of(const Sysctls& sysctls, std::string_view name)
{
	ReadResult r = sysctls.read(name);
	return r.error ? "?" : r.data;
}

// What the failed reload tried: read before the rollback puts it back.
WriteContext reload_context(const Sysctls& sysctls)
{
	WriteContext ctx;
	ctx.file = "/proc/sys/net/khttpd/reload";
	ctx.port = value_of(sysctls, "serverport");
	ctx.document_root = value_of(sysctls, "documentroot");
	ctx.uid = value_of(sysctls, "uid");
	ctx.gid = value_of(sysctls, "gid");
	return ctx;
}

// A failed write of 1 to reload, in words; ROLLED says whether the staged
// values are back as they were.
Outcome reload_failed(const WriteResult& w, const WriteContext& ctx, const std::string& rolled)
{
	if (w.error == ESRCH)
		return {kExitNotRunning,
			"khttpdctl: khttpd stopped before the reload (nothing to reload)\n" + rolled};
	if (w.at_open && w.error == ENOENT)
		return {kExitError, "khttpdctl: cannot reload khttpd: this khttpd.ko has no live "
				    "reload (no reload entry): restart it instead\n" +
					    rolled};
	Outcome o = explain_write_error(Action::reload, w.error, w.at_open, ctx);
	o.message = "khttpdctl: " + o.message + "\n" + rolled;
	return o;
}

} // namespace

Outcome apply_conf(const Sysctls& sysctls, const std::string& file,
		   const std::vector<ConfEntry>& entries, ApplyMode mode)
{
	ReadResult start = sysctls.read("start");
	if (start.error)
		return {is_permission(start.error) ? kExitPermission : kExitError,
			"khttpdctl: cannot read whether khttpd runs: " +
				std::string(std::strerror(start.error))};
	bool running = start.data == "1";
	if (mode == ApplyMode::reload && !running)
		return {kExitNotRunning, "khttpdctl: khttpd is not running (nothing to reload): "
					 "start it with `khttpdctl start` or `systemctl start khttpd`"};

	// Every old value first: a setting this module lacks, or one that
	// cannot be read, stops everything before the first write.
	std::vector<Written> plan;
	plan.reserve(entries.size());
	std::string left_out; // module-wide settings this namespace has not
	for (const ConfEntry& e : entries) {
		ReadResult old = sysctls.read(e.key);
		const Setting* s = find_setting(e.key);
		if (old.error == ENOENT && s && s->module_wide) {
			// Another network namespace's instance: these are the
			// initial namespace's alone, and one file serves both.
			left_out += "\n" + where(file, e) + e.key +
				    " left out: it is module-wide, set in the initial network "
				    "namespace only";
			continue;
		}
		if (old.error == ENOENT)
			return {kExitError, where(file, e) + "this khttpd.ko has no setting '" + e.key +
						    "' (a module older than khttpdctl?); nothing changed"};
		if (old.error)
			return {is_permission(old.error) ? kExitPermission : kExitError,
				where(file, e) + "cannot read the current " + e.key + ": " +
					std::strerror(old.error) + "; nothing changed"};
		plan.push_back({&e, std::move(old.data)});
	}

	std::vector<Written> written;
	written.reserve(plan.size());
	for (Written& p : plan) {
		const ConfEntry& e = *p.entry;
		if (WriteResult w = sysctls.write(e.key, e.value); w.error) {
			std::string rolled = rolled_back_note(roll_back(sysctls, file, written));
			return {is_permission(w.error) ? kExitPermission : kExitError,
				where(file, e) + "cannot set " + e.key + " to '" + e.value +
					"': " + refusal(w.error) + "\n" + rolled};
		}
		written.push_back(std::move(p));
	}

	if (!running)
		return {kExitOk, "khttpd: " + file + " applied (" + count(written.size()) +
					 "); the server is stopped: they take effect when it starts" +
					 left_out};
	WriteResult w = sysctls.write("reload", "1");
	if (w.error == ESRCH && mode == ApplyMode::apply)
		// Stopped since we looked: the values stay staged for the next
		// start, which is what apply promises for a stopped server.
		return {kExitOk, "khttpd: " + file + " applied (" + count(written.size()) +
					 "); the server stopped meanwhile: they take effect when it starts" +
					 left_out};
	if (w.error) {
		WriteContext ctx = reload_context(sysctls);
		return reload_failed(w, ctx, rolled_back_note(roll_back(sysctls, file, written)));
	}
	return {kExitOk, "khttpd reloaded: " + file + " in effect (" + count(written.size()) +
				 generation_suffix(sysctls) + ")" + left_out};
}

} // namespace khttpdctl
