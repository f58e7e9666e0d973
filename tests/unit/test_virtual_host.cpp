// SPDX-License-Identifier: GPL-2.0
// Name-based virtual hosts: the host a request names (virtual_host), and
// whole sessions with vhosts=1 choosing <root>/<host>/ or <root>/_default/.
#include <gtest/gtest.h>

#include <string>

#include "http_request.h"
#include "session_fixture.h"
#include "virtual_host.h"

using namespace khttpd;
using namespace session_test;

namespace {

// The host virtual_host() makes of @target and @host ("" host: no Host
// field when @has_host is false); "400" for a refusal, "" for none.
std::string host_of(const std::string &target, const std::string &host, bool has_host = true)
{
	RequestHead head;
	head.target = StrView(target.data(), target.size());
	head.host = StrView(host.data(), host.size());
	head.has_host = has_host;
	char out[kHostMax];
	kh_size len = 99;
	kh_u16 st = virtual_host(head, out, len);
	if (st)
		return std::to_string(st);
	return std::string(out, len);
}

TEST(VirtualHost, LowercasedWithoutPort)
{
	EXPECT_EQ(host_of("/", "WWW.Example.COM"), "www.example.com");
	EXPECT_EQ(host_of("/", "a.example:8080"), "a.example");
	EXPECT_EQ(host_of("/", "a.example:"), "a.example"); // empty port: allowed
	EXPECT_EQ(host_of("/", "a.example."), "a.example"); // the root label's dot
	EXPECT_EQ(host_of("/", "[::1]:80"), "[::1]");
	EXPECT_EQ(host_of("/", "[2001:DB8::1]"), "[2001:db8::1]");
	EXPECT_EQ(host_of("/", "192.0.2.7:80"), "192.0.2.7");
	EXPECT_EQ(host_of("/", "under_score.example"), "under_score.example");
}

TEST(VirtualHost, NoHostIsTheDefault)
{
	EXPECT_EQ(host_of("/", "", false), ""); // HTTP/1.0 without Host
	EXPECT_EQ(host_of("/", ""), "");        // "Host:" with no value
}

TEST(VirtualHost, AbsoluteFormOverridesHost)
{
	EXPECT_EQ(host_of("http://B.example:81/x", "a.example"), "b.example");
	EXPECT_EQ(host_of("http://b.example?q", "a.example"), "b.example");
	EXPECT_EQ(host_of("https://b.example", "", false), "b.example");
	EXPECT_EQ(host_of("http://user@b.example/", "a.example"), "400");
	EXPECT_EQ(host_of("http:///x", "a.example"), "a.example"); // no authority: Host
}

TEST(VirtualHost, HostileHostsAreRefused)
{
	for (const char *bad : {"..", ".", "...", ".hidden", "a..b", "a/b", "a\\b", "../etc",
				"a%2fb", "a b", "a\tb", "a\x01", "a\x7f", "a:b:c", "a:8o",
				"[::1", "[::1]x", "[::1]:x", "[a/b]", "[]", "a@b", "*", "a;b",
				"é.example", "\xff"}) {
		SCOPED_TRACE(bad);
		EXPECT_EQ(host_of("/", bad), "400");
	}
	EXPECT_EQ(host_of("/", std::string(kHostMax, 'a')), std::string(kHostMax, 'a'));
	EXPECT_EQ(host_of("/", std::string(kHostMax + 1, 'a')), "400");
}

class VhostSessionTest : public SessionTest {
protected:
	void SetUp() override
	{
		SessionTest::SetUp();
		kh_root *r = root_.get();
		ASSERT_TRUE(fake::root_add(r, "a.example", nullptr, 4096, KH_S_IFDIR | 0755, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "a.example/hello.txt", "A\n", KH_S_IFREG | 0644,
						kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "a.example/index.html", "<a/>\n",
						KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add(r, "a.example/sub", nullptr, 4096, KH_S_IFDIR | 0755,
					   kMtime));
		ASSERT_TRUE(fake::root_add(r, "b.example", nullptr, 4096, KH_S_IFDIR | 0755, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "b.example/hello.txt", "B\n", KH_S_IFREG | 0644,
						kMtime));
		ASSERT_TRUE(fake::root_add(r, "_default", nullptr, 4096, KH_S_IFDIR | 0755, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "_default/hello.txt", "D\n", KH_S_IFREG | 0644,
						kMtime));
		// A regular file named like a host is no host directory.
		ASSERT_TRUE(fake::root_add_text(r, "file.example", "F\n", KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add(r, "locked.example", nullptr, 4096, KH_S_IFDIR | 0700,
					   kMtime, -KH_EACCES));
		params_.vhosts = 1;
	}

	std::string get(const std::string &target, const std::string &host_line,
			const std::string &version = "1.1")
	{
		return run("GET " + target + " HTTP/" + version + "\r\n" + host_line +
			   "Connection: close\r\n\r\n");
	}
};

TEST_F(VhostSessionTest, TwoHostsSamePathDifferentBytes)
{
	EXPECT_EQ(get("/hello.txt", "Host: a.example\r\n"), ok("text/plain", "A\n", false));
	EXPECT_EQ(std::string(root_->last_path), "a.example/hello.txt");
	EXPECT_EQ(get("/hello.txt", "Host: B.EXAMPLE:80\r\n"), ok("text/plain", "B\n", false));
	EXPECT_EQ(std::string(root_->last_path), "b.example/hello.txt");
}

TEST_F(VhostSessionTest, UnknownHostAndNoHostGetTheDefault)
{
	EXPECT_EQ(get("/hello.txt", "Host: nowhere.example\r\n"), ok("text/plain", "D\n", false));
	EXPECT_EQ(get("/hello.txt", "Host: file.example\r\n"), ok("text/plain", "D\n", false));
	EXPECT_EQ(get("/hello.txt", "", "1.0"), ok("text/plain", "D\n", false));
	EXPECT_EQ(std::string(root_->last_path), "_default/hello.txt");
}

TEST_F(VhostSessionTest, AbsoluteFormOverridesHost)
{
	EXPECT_EQ(get("http://b.example/hello.txt", "Host: a.example\r\n"),
		  ok("text/plain", "B\n", false));
}

TEST_F(VhostSessionTest, HostileHostGets400AndNoLookup)
{
	int lookups = root_->lookups;
	EXPECT_EQ(get("/hello.txt", "Host: ..\r\n"), error(400, false));
	EXPECT_EQ(get("/hello.txt", "Host: a.example/..\r\n"), error(400, false));
	EXPECT_EQ(get("/hello.txt", "Host: .git\r\n"), error(400, false));
	EXPECT_EQ(root_->lookups, lookups);
}

TEST_F(VhostSessionTest, UnreadableHostDirectoryIsNotAnothersContent)
{
	EXPECT_EQ(get("/hello.txt", "Host: locked.example\r\n"), error(403, false));
}

TEST_F(VhostSessionTest, IndexAndRedirectStayWithinTheHost)
{
	EXPECT_EQ(get("/", "Host: a.example\r\n"), ok("text/html", "<a/>\n", false));
	EXPECT_EQ(std::string(root_->last_path), "a.example/index.html");
	// The Location names the path of this host, never its directory.
	EXPECT_EQ(get("/sub?x=1", "Host: a.example\r\n"), redirect("/sub/?x=1", false));
}

TEST_F(VhostSessionTest, NoClimbingOutOfTheHost)
{
	EXPECT_EQ(get("/../b.example/hello.txt", "Host: a.example\r\n"), error(400, false));
	EXPECT_EQ(get("/%2e%2e/b.example/hello.txt", "Host: a.example\r\n"), error(400, false));
}

TEST_F(VhostSessionTest, OffServesTheRootItself)
{
	params_.vhosts = 0;
	EXPECT_EQ(get("/hello.txt", "Host: a.example\r\n"), ok("text/plain", kHello, false));
	EXPECT_EQ(get("/a.example/hello.txt", "Host: b.example\r\n"), ok("text/plain", "A\n", false));
}

TEST_F(VhostSessionTest, LongestTargetStillFits)
{
	// A head at the limit with the longest host: the composed path
	// (host + '/' + rel + '/' + index) must fit the path buffer.
	std::string host(kHostMax, 'h');
	std::string target = "/" + std::string(600, 'x') + "/";
	EXPECT_EQ(run("GET " + target + " HTTP/1.1\r\nHost: " + host +
		      "\r\nConnection: close\r\n\r\n"),
		  error(404, false));
}

} // namespace
