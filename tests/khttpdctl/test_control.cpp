// SPDX-License-Identifier: GPL-2.0
// What a failed start/stop says, for each error the kernel's handler (or
// the file's permissions) can give. A recorded tree cannot make a regular
// file's write fail with EBUSY or EADDRINUSE, so the mapping is tested
// directly; test_cli.cpp runs the file-permission case end to end.
#include "control.h"
#include "exit_codes.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace khttpdctl {
namespace {

WriteContext ctx()
{
	WriteContext c;
	c.file = "/proc/sys/net/khttpd/start";
	c.port = "80";
	c.document_root = "/var/www";
	c.uid = "33";
	c.gid = "33";
	return c;
}

bool says(const Outcome& o, std::string_view what)
{
	return o.message.find(what) != std::string::npos;
}

TEST(ControlErrors, OpenDeniedIsPermission)
{
	Outcome o = explain_write_error(Action::start, EACCES, true, ctx());
	EXPECT_EQ(o.exit_code, kExitPermission);
	EXPECT_TRUE(says(o, "permission denied")) << o.message;
	EXPECT_TRUE(says(o, "run as root (needs CAP_NET_ADMIN)")) << o.message;
}

TEST(ControlErrors, KernelEpermIsPermission)
{
	// Root without CAP_NET_ADMIN: the open succeeds, the handler refuses.
	Outcome o = explain_write_error(Action::stop, EPERM, false, ctx());
	EXPECT_EQ(o.exit_code, kExitPermission);
	EXPECT_TRUE(says(o, "cannot stop khttpd")) << o.message;
	EXPECT_TRUE(says(o, "CAP_NET_ADMIN")) << o.message;
}

TEST(ControlErrors, WriteEaccesIsTheDocumentRootNotUs)
{
	Outcome o = explain_write_error(Action::start, EACCES, false, ctx());
	EXPECT_EQ(o.exit_code, kExitError);
	EXPECT_TRUE(says(o, "/var/www is out of reach of uid 33 / gid 33")) << o.message;
}

TEST(ControlErrors, EachStartFailureSaysWhy)
{
	struct {
		int err;
		const char* what;
	} cases[] = {
		{ENOENT, "document root /var/www does not exist"},
		{EADDRINUSE, "port 80 is already in use"},
		{EINVAL, "see dmesg"},
		{EBUSY, "busy"},
		{ENOMEM, "out of memory"},
		{EIO, "Input/output error; see dmesg"},
	};
	for (const auto& c : cases) {
		Outcome o = explain_write_error(Action::start, c.err, false, ctx());
		EXPECT_EQ(o.exit_code, kExitError) << c.err;
		EXPECT_TRUE(says(o, "cannot start khttpd: ")) << o.message;
		EXPECT_TRUE(says(o, c.what)) << o.message;
	}
}

TEST(ControlErrors, OtherOpenErrors)
{
	Outcome o = explain_write_error(Action::start, ENOENT, true, ctx());
	EXPECT_EQ(o.exit_code, kExitError);
	EXPECT_TRUE(says(o, "cannot open /proc/sys/net/khttpd/start")) << o.message;
}

} // namespace
} // namespace khttpdctl
