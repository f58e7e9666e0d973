// SPDX-License-Identifier: GPL-2.0
// The session end to end: what goes to userspace, and what the kernel answers without a daemon.
#include "session_fixture.h"

using namespace session_test;

class HandoverTest : public SessionTest {
protected:
	void SetUp() override
	{
		SessionTest::SetUp();
		handover_result_ = 0; // a daemon is registered
		params_.dynamic = ".. cgi-bin ?";
	}

	// Runs @in; expects it handed over with @data, after @served answers.
	void expect_handed(const std::string &in, kh_u32 reason, const std::string &data,
			   kh_u32 served = 0, const std::string &out = "")
	{
		EXPECT_EQ(run(in), out) << in;
		EXPECT_EQ(last_step_, KHTTPD_STEP_HANDOVER) << in;
		EXPECT_TRUE(conn_->handed_over) << in;
		EXPECT_EQ(conn_->handover_reason, reason) << in;
		EXPECT_EQ(conn_->handover_served, served) << in;
		EXPECT_EQ(handed_data(), data) << in;
	}
};

TEST_F(HandoverTest, OtherMethodsWithTheirBodies)
{
	std::string post = "POST /form HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nab";
	expect_handed(post, KHTTPD_HANDOVER_METHOD, post);
	std::string chunked = "PUT /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
			      "Expect: 100-continue\r\n\r\n";
	expect_handed(chunked, KHTTPD_HANDOVER_METHOD, chunked);
	expect_handed("BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n", KHTTPD_HANDOVER_METHOD,
		      "BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n");
}

TEST_F(HandoverTest, StaticThenDynamicKeepsTheRestOfTheStream)
{
	std::string dyn = "GET /cgi-bin/env.cgi HTTP/1.1\r\nHost: t\r\n\r\n";
	std::string in = kGetHello + dyn + kGetHello;
	expect_handed(in, KHTTPD_HANDOVER_DYNAMIC, dyn + kGetHello, 1,
		      ok("text/plain", kHello, true));
	// The same, a byte at a time: the hand-over comes at the same request.
	conn_ = nullptr;
	EXPECT_EQ(run(in, 1), ok("text/plain", kHello, true));
	EXPECT_EQ(handed_data().substr(0, dyn.size()), dyn);
	EXPECT_EQ(conn_->handover_served, 1u);
}

TEST_F(HandoverTest, DynamicListSeesRawAndDecodedTargets)
{
	for (const char *target : {"/hello.txt?x=1", "/cgi-bin/a", "/cgi%2Dbin/a",
				   "/sub/../hello.txt", "/a/./cgi-bin/"}) {
		std::string in = std::string("GET ") + target + " HTTP/1.1\r\nHost: t\r\n\r\n";
		expect_handed(in, KHTTPD_HANDOVER_DYNAMIC, in);
	}
	params_.dynamic = "";
	EXPECT_EQ(run("GET /hello.txt?x=1 HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok("text/plain", kHello, true));
}

TEST_F(HandoverTest, WhatAStaticServerWouldRefuse)
{
	auto get = [](const std::string &target, const std::string &more = "") {
		return "GET " + target + " HTTP/1.1\r\nHost: t\r\n" + more + "\r\n";
	};
	expect_handed(get("/nope.html"), KHTTPD_HANDOVER_MISSING, get("/nope.html"));
	expect_handed(get("/secret.txt"), KHTTPD_HANDOVER_FORBIDDEN, get("/secret.txt"));
	expect_handed(get("/denied.txt"), KHTTPD_HANDOVER_FORBIDDEN, get("/denied.txt"));
	expect_handed(get("/.git/config"), KHTTPD_HANDOVER_FORBIDDEN, get("/.git/config"));
	expect_handed(get("/fifo"), KHTTPD_HANDOVER_FORBIDDEN, get("/fifo"));
	expect_handed(get("/digits.txt", "Range: bytes=0-1,4-5\r\n"), KHTTPD_HANDOVER_RANGE,
		      get("/digits.txt", "Range: bytes=0-1,4-5\r\n"));
	expect_handed(get("/hello.txt", "Content-Length: 2\r\n") + "xy",
		      KHTTPD_HANDOVER_BODY, get("/hello.txt", "Content-Length: 2\r\n") + "xy");
	expect_handed("garbage\r\n\r\n", KHTTPD_HANDOVER_MALFORMED, "garbage\r\n\r\n");
	expect_handed(get("/a%00"), KHTTPD_HANDOVER_MALFORMED, get("/a%00"));
}

TEST_F(HandoverTest, OversizeHeadGoesWithTheBufferedBytes)
{
	std::string in = "GET /hello.txt HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(2000, 'a') +
			 "\r\n\r\n";
	EXPECT_EQ(run(in, 0, 1024), "");
	EXPECT_EQ(conn_->handover_reason, (kh_u32)KHTTPD_HANDOVER_OVERSIZE);
	EXPECT_EQ(handed_data(), in.substr(0, 1024));
}

TEST_F(HandoverTest, StaticAnswersStayInTheKernel)
{
	// Served files, redirects, 304, 412 and 416 are the kernel's own.
	std::string in = kGetHello + "GET /sub HTTP/1.1\r\nHost: t\r\n\r\n" +
			 "GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: " + etag(14) +
			 "\r\n\r\n" + "GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Match: \"x\"\r\n\r\n" +
			 "GET /digits.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=50-\r\n"
			 "Connection: close\r\n\r\n";
	std::string out = run(in);
	EXPECT_EQ(conn_->handover_calls, 0);
	EXPECT_EQ(last_step_, KHTTPD_STEP_CLOSE);
	EXPECT_NE(out.find("HTTP/1.1 304 "), std::string::npos);
	EXPECT_NE(out.find("HTTP/1.1 412 "), std::string::npos);
	EXPECT_NE(out.find("HTTP/1.1 416 "), std::string::npos);
}

TEST_F(HandoverTest, NoDaemonAnswersAsAStaticServer)
{
	handover_result_ = -KH_ENOENT;
	EXPECT_EQ(run("GET /nope.html HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
	// The policy knew there was no daemon: no hand-over was tried.
	EXPECT_EQ(conn_->handover_calls, 0);
	EXPECT_EQ(run("DELETE /x HTTP/1.1\r\nHost: t\r\n\r\n"), error(405, true));
	// ... or 503, if so configured; files are still served.
	params_.nodaemon_503 = 1;
	EXPECT_EQ(run("GET /nope.html HTTP/1.1\r\nHost: t\r\n\r\n"), unavailable(false));
	EXPECT_EQ(run("GET /cgi-bin/x HTTP/1.1\r\nHost: t\r\n\r\n"), unavailable(false));
	EXPECT_EQ(run(kGetHello), ok("text/plain", kHello, true));
}

// What userspace would run is never sent as it is while no daemon is
// there to run it (every boot until the daemon is up, every restart).
TEST_F(HandoverTest, NoDaemonFailsClosed)
{
	handover_result_ = -KH_ENOENT;
	kh_root *r = root_.get();
	ASSERT_TRUE(fake::root_add_text(r, "wp-config.php", "<?php $pw = 'x';", KH_S_IFREG | 0644,
					kMtime));
	ASSERT_TRUE(fake::root_add_text(r, "run.cgi", "#!/bin/sh\necho hi\n", KH_S_IFREG | 0755,
					kMtime));
	ASSERT_TRUE(fake::root_add_text(r, "cgi-bin/env", "#!/bin/sh\nenv\n", KH_S_IFREG | 0644,
					kMtime));
	ASSERT_TRUE(fake::root_add_text(r, "style.css", "b{}", KH_S_IFREG | 0644, kMtime));
	params_.perm_forbid = 0111;
	for (const char *target : {"/wp-config.php", "/wp-config.php?x=1", "/run.cgi",
				   "/cgi-bin/env", "/sub/../wp-config.php", "/hello.txt?x=1"}) {
		std::string in = std::string("GET ") + target + " HTTP/1.1\r\nHost: t\r\n\r\n";
		EXPECT_EQ(run(in), unavailable(true)) << target;
		EXPECT_EQ(send_files_, 0) << target;
		EXPECT_EQ(run(std::string("HEAD ") + target + " HTTP/1.1\r\nHost: t\r\n\r\n"),
			  unavailable(true, true))
			<< target;
	}
	// A query string on a plain static file is no reason to refuse it.
	params_.dynamic = ".. cgi-bin";
	EXPECT_EQ(run("GET /style.css?v=3 HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok("text/css", "b{}", true));
	EXPECT_EQ(run("GET /hello.txt?x=1 HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok("text/plain", kHello, true));
	// With a daemon, the same requests are handed over, never served.
	handover_result_ = 0;
	expect_handed("GET /run.cgi HTTP/1.1\r\nHost: t\r\n\r\n", KHTTPD_HANDOVER_FORBIDDEN,
		      "GET /run.cgi HTTP/1.1\r\nHost: t\r\n\r\n");
	expect_handed("GET /wp-config.php HTTP/1.1\r\nHost: t\r\n\r\n", KHTTPD_HANDOVER_MIME,
		      "GET /wp-config.php HTTP/1.1\r\nHost: t\r\n\r\n");
}

// A type a web server runs (Apache's handler names, as older mime.types
// files list php) is never sent, even when the MIME table knows it.
TEST_F(HandoverTest, ScriptTypesAreNeverSent)
{
	ASSERT_TRUE(fake::root_add_text(root_.get(), "index.php", "<?php secret();",
					KH_S_IFREG | 0644, kMtime));
	// As Debian's mime.types once had it.
	const std::string text = "application/x-httpd-php phtml pht php\n";
	kh_size size = khttpd_mime_table_size(text.data(), text.size(), nullptr);
	ASSERT_GT(size, 0u);
	std::vector<uint64_t> mem((size + 7) / 8);
	const khttpd_mime_table *t =
		khttpd_mime_table_build(text.data(), text.size(), mem.data(), size);
	ASSERT_NE(t, nullptr);
	fake::set_mime_table(t);
	std::string in = "GET /index.php HTTP/1.1\r\nHost: t\r\n\r\n";
	expect_handed(in, KHTTPD_HANDOVER_DYNAMIC, in);
	handover_result_ = -KH_ENOENT;
	params_.sloppy_mime = 1;
	EXPECT_EQ(run(in), unavailable(true));
	fake::set_mime_table(nullptr);
}

TEST_F(HandoverTest, BusyDaemonGets503)
{
	handover_result_ = -KH_EAGAIN;
	EXPECT_EQ(run("POST /f HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\nx" + kGetHello),
		  unavailable(false));
	EXPECT_EQ(last_step_, KHTTPD_STEP_CLOSE);
	EXPECT_EQ(run("HEAD /nope HTTP/1.1\r\nHost: t\r\n\r\n"), unavailable(false, true));
}

TEST_F(HandoverTest, UnknownTypesFollowSloppyMime)
{
	ASSERT_TRUE(fake::root_add_text(root_.get(), "data.qqq", "q", KH_S_IFREG | 0644, kMtime));
	std::string in = "GET /data.qqq HTTP/1.1\r\nHost: t\r\n\r\n";
	expect_handed(in, KHTTPD_HANDOVER_MIME, in);
	params_.sloppy_mime = 1;
	EXPECT_EQ(run(in), ok("application/octet-stream", "q", true));
	EXPECT_EQ(conn_->handover_calls, 0);
	params_.sloppy_mime = 0;
	handover_result_ = -KH_ENOENT; // no daemon: refused, never sent
	EXPECT_EQ(run(in), unavailable(true));
	// Known types never go to userspace.
	handover_result_ = 0;
	EXPECT_EQ(run(kGetHello), ok("text/plain", kHello, true));
}
