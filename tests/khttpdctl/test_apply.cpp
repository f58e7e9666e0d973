// SPDX-License-Identifier: GPL-2.0
// apply and reload against a fake kernel that can refuse any write: the
// writes in file order, the reload after them while running, and the
// rollback (last written first) when a write or the reload is refused.
// A recorded tree of plain files cannot refuse a write the way a sysctl
// handler does; test_cli_conf.cpp runs the real files end to end.
#include "apply.h"
#include "exit_codes.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>

namespace khttpdctl {
namespace {

class FakeKernel final : public Sysctls {
public:
	FakeKernel(bool running)
	{
		values["start"] = running ? "1" : "0";
		values["serverport"] = "80";
		values["threads"] = "2";
		values["documentroot"] = "/var/www";
		values["dynamic"] = ".. cgi-bin";
		values["uid"] = "33";
		values["gid"] = "33";
		values["reload"] = "";
	}

	ReadResult read(std::string_view name) const override
	{
		auto it = values.find(std::string(name));
		if (it == values.end())
			return {"", ENOENT};
		if (name == "reload")
			return {"", EACCES}; // mode 0200
		return {it->second, 0};
	}

	WriteResult write(std::string_view name, std::string_view value) const override
	{
		std::string key(name), v(value);
		log.push_back(key + "=" + v);
		if (!values.count(key))
			return {ENOENT, true};
		if (auto it = refuse.find(key + "=" + v); it != refuse.end())
			return {it->second, false};
		if (auto it = refuse.find(key); it != refuse.end())
			return {it->second, false};
		if (key != "reload")
			values[key] = v;
		else
			++generation;
		return {};
	}

	ReadResult status() const override
	{
		return {"version 1\nstate running\ngeneration " + std::to_string(generation) + "\n",
			0};
	}

	mutable std::map<std::string, std::string> values;
	mutable std::vector<std::string> log; // every write, "key=value"
	std::map<std::string, int> refuse;    // "key" or "key=value" -> errno
	mutable int generation = 1;
};

std::vector<ConfEntry> conf()
{
	return {{3, "serverport", "8080"}, {4, "documentroot", "/srv/www"}, {7, "threads", "4"}};
}

using Log = std::vector<std::string>;

TEST(Apply, StoppedWritesInFileOrderAndStages)
{
	FakeKernel k(false);
	Outcome o = apply_conf(k, "k.conf", conf(), ApplyMode::apply);
	EXPECT_EQ(o.exit_code, kExitOk) << o.message;
	EXPECT_EQ(k.log, (Log{"serverport=8080", "documentroot=/srv/www", "threads=4"}));
	EXPECT_EQ(o.message, "khttpd: k.conf applied (3 settings); the server is stopped: they "
			     "take effect when it starts");
}

TEST(Apply, RunningWritesThenReloads)
{
	FakeKernel k(true);
	Outcome o = apply_conf(k, "k.conf", conf(), ApplyMode::apply);
	EXPECT_EQ(o.exit_code, kExitOk) << o.message;
	EXPECT_EQ(k.log, (Log{"serverport=8080", "documentroot=/srv/www", "threads=4", "reload=1"}));
	EXPECT_EQ(o.message, "khttpd reloaded: k.conf in effect (3 settings, generation 2)");
}

TEST(Apply, ReloadOfAnEmptyFileCommitsWhatIsStaged)
{
	FakeKernel k(true);
	Outcome o = apply_conf(k, "k.conf", {}, ApplyMode::reload);
	EXPECT_EQ(o.exit_code, kExitOk) << o.message;
	EXPECT_EQ(k.log, (Log{"reload=1"}));
	EXPECT_EQ(o.message, "khttpd reloaded: k.conf in effect (0 settings, generation 2)");
}

TEST(Apply, ReloadNeedsARunningServer)
{
	FakeKernel k(false);
	Outcome o = apply_conf(k, "k.conf", conf(), ApplyMode::reload);
	EXPECT_EQ(o.exit_code, kExitNotRunning);
	EXPECT_EQ(o.message, "khttpdctl: khttpd is not running (nothing to reload): start it with "
			     "`khttpdctl start` or `systemctl start khttpd`");
	EXPECT_TRUE(k.log.empty());
}

TEST(Apply, RefusedWriteRollsBackLastFirst)
{
	for (ApplyMode mode : {ApplyMode::apply, ApplyMode::reload}) {
		FakeKernel k(true);
		auto before = k.values;
		k.refuse["threads"] = EINVAL;
		Outcome o = apply_conf(k, "k.conf", conf(), mode);
		EXPECT_EQ(o.exit_code, kExitError);
		EXPECT_EQ(k.log, (Log{"serverport=8080", "documentroot=/srv/www", "threads=4",
				      "documentroot=/var/www", "serverport=80"}));
		EXPECT_EQ(k.values, before); // a bad file changes nothing
		EXPECT_EQ(o.message, "k.conf:7: cannot set threads to '4': Invalid argument (see "
				     "docs/sysctl.md; for mimetypes, dmesg says which line)\n"
				     "khttpdctl: nothing changed (the values written are back as "
				     "they were)");
	}
}

TEST(Apply, FirstWriteRefusedWritesNothingBack)
{
	FakeKernel k(false);
	k.refuse["serverport"] = EPERM;
	Outcome o = apply_conf(k, "k.conf", conf(), ApplyMode::apply);
	EXPECT_EQ(o.exit_code, kExitPermission);
	EXPECT_EQ(k.log, (Log{"serverport=8080"}));
	EXPECT_EQ(o.message.substr(0, o.message.find('\n')),
		  "k.conf:3: cannot set serverport to '8080': Operation not permitted: run as root "
		  "(needs CAP_NET_ADMIN)");
}

TEST(Apply, BusyMeansAModuleWithoutReload)
{
	FakeKernel k(true);
	k.refuse["documentroot"] = EBUSY;
	Outcome o = apply_conf(k, "k.conf", conf(), ApplyMode::apply);
	EXPECT_EQ(o.exit_code, kExitError);
	EXPECT_NE(o.message.find("k.conf:4: cannot set documentroot to '/srv/www': Device or "
				 "resource busy (this khttpd.ko cannot change settings while "
				 "serving: restart it"),
		  std::string::npos)
		<< o.message;
	EXPECT_EQ(k.values["serverport"], "80");
}

TEST(Apply, FailedReloadRollsBack)
{
	struct {
		int err;
		const char* says;
	} cases[] = {
		{ENOENT, "khttpdctl: cannot reload khttpd: the document root /srv/www does not exist"},
		{EADDRINUSE, "khttpdctl: cannot reload khttpd: port 8080 is already in use"},
		{EACCES, "khttpdctl: cannot reload khttpd: the document root /srv/www is out of "
			 "reach of uid 33 / gid 33"},
		{ENOMEM, "khttpdctl: cannot reload khttpd: out of memory"},
	};
	for (ApplyMode mode : {ApplyMode::apply, ApplyMode::reload})
		for (const auto& c : cases) {
			FakeKernel k(true);
			auto before = k.values;
			k.refuse["reload"] = c.err;
			Outcome o = apply_conf(k, "k.conf", conf(), mode);
			EXPECT_EQ(o.exit_code, kExitError) << c.err;
			// The message names the values the reload tried.
			EXPECT_EQ(o.message.find(c.says), 0u) << o.message;
			EXPECT_NE(o.message.find("\nkhttpdctl: nothing changed"), std::string::npos)
				<< o.message;
			EXPECT_EQ(k.log, (Log{"serverport=8080", "documentroot=/srv/www", "threads=4",
					      "reload=1", "threads=2", "documentroot=/var/www",
					      "serverport=80"}));
			EXPECT_EQ(k.values, before);
			EXPECT_EQ(k.generation, 1);
		}
}

TEST(Apply, ServerStoppedBeforeTheReload)
{
	// apply: the values stay staged for the next start, as for a stopped
	// server. reload: it promised a reload, so it fails and rolls back.
	FakeKernel a(true);
	a.refuse["reload"] = ESRCH;
	Outcome o = apply_conf(a, "k.conf", conf(), ApplyMode::apply);
	EXPECT_EQ(o.exit_code, kExitOk) << o.message;
	EXPECT_EQ(a.values["threads"], "4");
	EXPECT_EQ(o.message, "khttpd: k.conf applied (3 settings); the server stopped meanwhile: "
			     "they take effect when it starts");

	FakeKernel r(true);
	r.refuse["reload"] = ESRCH;
	o = apply_conf(r, "k.conf", conf(), ApplyMode::reload);
	EXPECT_EQ(o.exit_code, kExitNotRunning);
	EXPECT_EQ(r.values["threads"], "2");
	EXPECT_EQ(o.message.find("khttpdctl: khttpd stopped before the reload"), 0u) << o.message;
}

TEST(Apply, ModuleWithoutReloadEntry)
{
	FakeKernel k(true);
	k.values.erase("reload");
	Outcome o = apply_conf(k, "k.conf", conf(), ApplyMode::reload);
	EXPECT_EQ(o.exit_code, kExitError);
	EXPECT_EQ(o.message.find("khttpdctl: cannot reload khttpd: this khttpd.ko has no live "
				 "reload"),
		  0u)
		<< o.message;
	EXPECT_EQ(k.values["serverport"], "80");
}

TEST(Apply, SettingTheModuleLacksChangesNothing)
{
	FakeKernel k(false);
	std::vector<ConfEntry> c = conf();
	c.push_back({9, "vhosts", "1"});
	Outcome o = apply_conf(k, "k.conf", c, ApplyMode::apply);
	EXPECT_EQ(o.exit_code, kExitError);
	EXPECT_EQ(o.message, "k.conf:9: this khttpd.ko has no setting 'vhosts' (a module older "
			     "than khttpdctl?); nothing changed");
	EXPECT_TRUE(k.log.empty());
}

// In a network namespace other than the initial one the module-wide
// settings have no file: the rest of the file applies, and they are named.
TEST(Apply, ModuleWideSettingsAreLeftOutWhereTheyDoNotExist)
{
	FakeKernel k(true);
	std::vector<ConfEntry> c = conf();
	c.insert(c.begin() + 1, {5, "logging", "1"});
	c.push_back({9, "mimetypes", "/etc/mime.types"});
	Outcome o = apply_conf(k, "k.conf", c, ApplyMode::apply);
	EXPECT_EQ(o.exit_code, kExitOk) << o.message;
	EXPECT_EQ(k.log, (Log{"serverport=8080", "documentroot=/srv/www", "threads=4", "reload=1"}));
	EXPECT_EQ(o.message,
		  "khttpd reloaded: k.conf in effect (3 settings, generation 2)\n"
		  "k.conf:5: logging left out: it is module-wide, set in the initial network "
		  "namespace only\n"
		  "k.conf:9: mimetypes left out: it is module-wide, set in the initial network "
		  "namespace only");
}

// Where they exist (the initial namespace) they are written like the rest.
TEST(Apply, ModuleWideSettingsAreWrittenWhereTheyExist)
{
	FakeKernel k(false);
	k.values["logging"] = "0";
	std::vector<ConfEntry> c = conf();
	c.push_back({9, "logging", "1"});
	Outcome o = apply_conf(k, "k.conf", c, ApplyMode::apply);
	EXPECT_EQ(o.exit_code, kExitOk) << o.message;
	EXPECT_EQ(k.values["logging"], "1");
	EXPECT_EQ(o.message, "khttpd: k.conf applied (4 settings); the server is stopped: they "
			     "take effect when it starts");
}

TEST(Apply, ARestoreThatFailsIsReported)
{
	FakeKernel k(true);
	k.refuse["threads"] = EINVAL;
	k.refuse["serverport=80"] = EIO;
	Outcome o = apply_conf(k, "k.conf", conf(), ApplyMode::apply);
	EXPECT_EQ(o.exit_code, kExitError);
	EXPECT_NE(o.message.find("\nk.conf:3: could not restore serverport to '80': Input/output "
				 "error\nkhttpdctl: SOME SETTINGS COULD NOT BE RESTORED"),
		  std::string::npos)
		<< o.message;
	EXPECT_EQ(k.values["documentroot"], "/var/www"); // the others still are
}

} // namespace
} // namespace khttpdctl
