// SPDX-License-Identifier: GPL-2.0
// The session end to end (khttpd_session_step driven by fake::serve), through the fake kapi.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "fake_kapi.h"
#include "http_date.h"
#include "khttpd/core.h"
#include "khttpd/handover_reason.h"
#include "khttpd/mime_table.h"

namespace {

constexpr kh_s64 kNow = 784111777;
const std::string kNowText = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr kh_s64 kMtime = 1000000000;
const std::string kMtimeText = "Sun, 09 Sep 2001 01:46:40 GMT";

const char kHello[] = "Hello, world!\n";
const char kIndex[] = "<h1>home</h1>\n";
const char kSubIndex[] = "<h1>sub</h1>\n";
const char kDigits[] = "0123456789";

std::string hex(uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(v));
	return buf;
}

// nginx-style strong ETag of a file with mtime kMtime and @size bytes.
std::string etag(uint64_t size, kh_s64 mtime = kMtime)
{
	return "\"" + hex(static_cast<uint64_t>(mtime)) + "-" + hex(size) + "\"";
}

std::string ok_head(const std::string &type, size_t len, bool keep,
		    const std::string &mtime = kMtimeText)
{
	return "HTTP/1.1 200 OK\r\n"
	       "Server: khttpd\r\n"
	       "Date: " + kNowText + "\r\n"
	       "Connection: " + (keep ? "keep-alive" : "close") + "\r\n"
	       "Content-Type: " + type + "\r\n"
	       "Content-Length: " + std::to_string(len) + "\r\n"
	       "Last-Modified: " + mtime + "\r\n"
	       "ETag: " + etag(len) + "\r\n"
	       "Accept-Ranges: bytes\r\n"
	       "\r\n";
}

std::string ok(const std::string &type, const std::string &body, bool keep)
{
	return ok_head(type, body.size(), keep) + body;
}

std::string reason(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 412: return "Precondition Failed";
	case 416: return "Range Not Satisfiable";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "?";
}

// @content_range: for a 416, the value of its Content-Range field.
// @retry_after: a 503's Retry-After value, "" = none.
std::string error(int status, bool keep, bool head_only = false,
		  const std::string &content_range = "", const std::string &retry_after = "")
{
	std::string title = std::to_string(status) + " " + reason(status);
	std::string body = "<html>\r\n<head><title>" + title +
			   "</title></head>\r\n<body>\r\n<center><h1>" + title +
			   "</h1></center>\r\n<hr><center>khttpd</center>\r\n</body>\r\n"
			   "</html>\r\n";
	std::string head = "HTTP/1.1 " + title + "\r\n"
			   "Server: khttpd\r\n"
			   "Date: " + kNowText + "\r\n"
			   "Connection: " + (keep ? "keep-alive" : "close") + "\r\n";
	if (status == 405)
		head += "Allow: GET, HEAD\r\n";
	if (!retry_after.empty())
		head += "Retry-After: " + retry_after + "\r\n";
	if (!content_range.empty())
		head += "Content-Range: " + content_range + "\r\n";
	head += "Content-Type: text/html\r\n"
		"Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
	return head_only ? head : head + body;
}

// 503, try again in 5 s: what fails closed, and a busy or missing daemon.
std::string unavailable(bool keep, bool head_only = false)
{
	return error(503, keep, head_only, "", "5");
}

std::string redirect(const std::string &location, bool keep)
{
	return "HTTP/1.1 301 Moved Permanently\r\n"
	       "Server: khttpd\r\n"
	       "Date: " + kNowText + "\r\n"
	       "Connection: " + std::string(keep ? "keep-alive" : "close") + "\r\n"
	       "Location: " + location + "\r\n"
	       "Content-Length: 0\r\n\r\n";
}

class SessionTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		fake::set_now(kNow);
		root_ = std::make_unique<kh_root>();
		fake::root_init(root_.get());
		kh_root *r = root_.get();
		ASSERT_TRUE(fake::root_add(r, "", nullptr, 4096, KH_S_IFDIR | 0755, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "index.html", kIndex, KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "hello.txt", kHello, KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "secret.txt", "s3cr3t", KH_S_IFREG | 0600, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "run.sh", "#!/bin/sh\n", KH_S_IFREG | 0755, kMtime));
		ASSERT_TRUE(fake::root_add(r, "sub", nullptr, 4096, KH_S_IFDIR | 0755, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "sub/index.html", kSubIndex, KH_S_IFREG | 0644,
						kMtime));
		ASSERT_TRUE(fake::root_add(r, "empty.css", "", 0, KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add(r, "denied.txt", nullptr, 0, KH_S_IFREG | 0644, kMtime,
					   -KH_EACCES));
		ASSERT_TRUE(fake::root_add(r, "nomem.txt", nullptr, 0, KH_S_IFREG | 0644, kMtime,
					   -KH_ENOMEM));
		ASSERT_TRUE(fake::root_add(r, "fifo", nullptr, 0, 0010644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, ".git/config", "x", KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "digits.txt", kDigits, KH_S_IFREG | 0644, kMtime));
		params_.index_name = "index.html";
		params_.max_requests = 0;
		params_.perm_required = 0004;
		params_.perm_forbid = 0;
	}

	void TearDown() override
	{
		EXPECT_EQ(fake::open_files(root_.get()), 0) << "a file was left open";
	}

	// Runs a whole session on @in, delivered @chunk bytes per recv (0: all
	// at once); returns everything the server sent. The fake socket's
	// send_cap_/eagain_every_/handover_result_ apply; conn_ keeps the
	// connection for inspection afterwards.
	std::string run(const std::string &in, kh_size chunk = 0, kh_size max_head = 1024,
			kh_size first_chunk = 0)
	{
		conn_ = std::make_unique<kh_conn>();
		kh_conn *c = conn_.get();
		fake::conn_init(c, in.data(), in.size(), chunk);
		c->first_chunk = first_chunk;
		c->send_cap = send_cap_;
		c->send_eagain_every = eagain_every_;
		c->handover_result = handover_result_;
		c->send_err = send_err_;
		kh_size size = khttpd_conn_buffers_size(max_head);
		std::unique_ptr<char[]> block(new char[size]), spare(new char[size]);
		std::unique_ptr<char[]> scratch(new char[khttpd_scratch_buffer_size(max_head)]);
		last_step_ = fake::serve(c, root_.get(), &params_, max_head, block.get(),
					 spare.get(), scratch.get());
		EXPECT_FALSE(c->overflow);
		last_in_pos_ = c->in_pos;
		send_files_ = c->send_file_calls;
		return std::string(c->out, c->out_len);
	}

	std::string handed_data() const
	{
		return std::string(conn_->handover_data, conn_->handover_len);
	}

	std::unique_ptr<kh_root> root_;
	khttpd_session_params params_{};
	kh_size send_cap_ = 0;
	int eagain_every_ = 0;
	int handover_result_ = -KH_ENOENT;
	int send_err_ = 0;
	std::unique_ptr<kh_conn> conn_;
	int last_step_ = 0;
	kh_size last_in_pos_ = 0;
	int send_files_ = 0;
};

const std::string kGetHello = "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n";

} // namespace

TEST_F(SessionTest, Get200ExactResponse)
{
	EXPECT_EQ(run(kGetHello), ok("text/plain", kHello, true));
	EXPECT_EQ(std::string(root_->last_path), "hello.txt");
	EXPECT_EQ(send_files_, 1);
	EXPECT_EQ(root_->opens, 1);
}

TEST_F(SessionTest, DateHeaderFollowsClock)
{
	fake::set_now(0);
	std::string out = run(kGetHello);
	EXPECT_NE(out.find("\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"), std::string::npos) << out;
}

TEST_F(SessionTest, HeadHasNoBody)
{
	EXPECT_EQ(run("HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok_head("text/plain", sizeof(kHello) - 1, true));
	EXPECT_EQ(send_files_, 0);
}

TEST_F(SessionTest, EmptyFile)
{
	EXPECT_EQ(run("GET /empty.css HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok_head("text/css", 0, true));
	EXPECT_EQ(send_files_, 0);
}

TEST_F(SessionTest, NotFound)
{
	EXPECT_EQ(run("GET /nope.html HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
	EXPECT_EQ(run("HEAD /nope.html HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true, true));
	// Not a regular file nor a directory.
	EXPECT_EQ(run("GET /fifo HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
	// A directory without an index.
	root_->files[6].open_err = -KH_ENOENT; // sub/index.html
	EXPECT_EQ(run("GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
}

TEST_F(SessionTest, HiddenFilesAreNotServed)
{
	int lookups = root_->lookups;
	EXPECT_EQ(run("GET /.git/config HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
	EXPECT_EQ(run("GET /%2egit/config HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
	EXPECT_EQ(root_->lookups, lookups);
}

TEST_F(SessionTest, ForbiddenByMode)
{
	EXPECT_EQ(run("GET /secret.txt HTTP/1.1\r\nHost: t\r\n\r\n"), error(403, true));
	EXPECT_EQ(send_files_, 0);
	params_.perm_forbid = 0111; // no executables: userspace may run them
	EXPECT_EQ(run("GET /run.sh HTTP/1.1\r\nHost: t\r\n\r\n"), unavailable(true));
	EXPECT_EQ(send_files_, 0);
	params_.perm_forbid = 0;
	params_.perm_required = 0;
	EXPECT_EQ(run("GET /secret.txt HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok("text/plain", "s3cr3t", true));
}

TEST_F(SessionTest, OpenErrors)
{
	EXPECT_EQ(run("GET /denied.txt HTTP/1.1\r\nHost: t\r\n\r\n"), error(403, true));
	EXPECT_EQ(run("GET /nomem.txt HTTP/1.1\r\nHost: t\r\n\r\n"), error(503, true));
}

TEST_F(SessionTest, DirectoryRedirect)
{
	EXPECT_EQ(run("GET /sub HTTP/1.1\r\nHost: t\r\n\r\n"), redirect("/sub/", true));
	EXPECT_EQ(run("GET /sub?a=1&b HTTP/1.1\r\nHost: t\r\n\r\n"),
		  redirect("/sub/?a=1&b", true));
	EXPECT_EQ(run("HEAD /sub HTTP/1.0\r\n\r\n"), redirect("/sub/", false));
	// Location is built from the normalised path, not the path as sent.
	EXPECT_EQ(run("GET /./s%75b HTTP/1.1\r\nHost: t\r\n\r\n"), redirect("/sub/", true));
}

// Many small pipelined requests through a small buffer, received in
// pieces that end mid-request: answered requests only advance an offset,
// and the rest moves to the front once the buffer's end is reached. Every
// request is answered, in order, and nothing is lost at a wrap.
TEST_F(SessionTest, PipelinedRequestsThroughASmallBuffer)
{
	std::string in, want;
	for (int i = 0; i < 60; i++) { // ~2.5 KiB of requests through 1 KiB
		std::string target = i % 3 ? "/hello.txt" : "/digits.txt";
		in += "HEAD " + target + " HTTP/1.1\r\nHost: t\r\nX-N: " + std::to_string(i) +
		      "\r\n\r\n";
		want += i % 3 ? ok_head("text/plain", 14, true) : ok_head("text/plain", 10, true);
	}
	for (kh_size chunk : {kh_size{0}, kh_size{1}, kh_size{97}, kh_size{700}, kh_size{1024}})
		EXPECT_EQ(run(in, chunk, 1024), want) << "chunk " << chunk;
}

// An open redirect: "//host/..." or "/\host/..." as a Location is read by
// browsers as another host. The path as sent is never echoed.
TEST_F(SessionTest, RedirectNeverNamesAnotherHost)
{
	ASSERT_TRUE(fake::root_add(root_.get(), "a\\b", nullptr, 4096, KH_S_IFDIR | 0755, kMtime));
	ASSERT_TRUE(fake::root_add(root_.get(), "sub/d e", nullptr, 4096, KH_S_IFDIR | 0755,
				   kMtime));
	const std::pair<const char *, const char *> cases[] = {
		{"//evil.example/%2e%2e/sub", "/sub/"},
		{"//evil.example/../sub", "/sub/"},
		{"/\\evil.example/%2e%2e/sub", "/sub/"},
		{"/%5Cevil.example/%2e%2e/sub", "/sub/"},
		{"///sub", "/sub/"},
		{"//sub", "/sub/"},
		{"/a%5Cb", "/a%5Cb/"},
		{"/a\\b", "/a%5Cb/"},
		{"/sub/d%20e?x=%2F%2F", "/sub/d%20e/?x=%2F%2F"},
		{"http://evil.example//sub", "/sub/"},
	};
	for (const auto &[target, location] : cases) {
		std::string out = run(std::string("GET ") + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
		EXPECT_EQ(out, redirect(location, true)) << target;
		EXPECT_EQ(out.find("Location: //"), std::string::npos) << target;
		EXPECT_EQ(out.find("Location: /\\"), std::string::npos) << target;
	}
}

TEST_F(SessionTest, IndexFile)
{
	EXPECT_EQ(run("GET / HTTP/1.1\r\nHost: t\r\n\r\n"), ok("text/html", kIndex, true));
	EXPECT_EQ(std::string(root_->last_path), "index.html");
	EXPECT_EQ(run("GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n"), ok("text/html", kSubIndex, true));
	EXPECT_EQ(std::string(root_->last_path), "sub/index.html");
	EXPECT_EQ(run("GET /sub/?x HTTP/1.1\r\nHost: t\r\n\r\n"), ok("text/html", kSubIndex, true));
	EXPECT_EQ(run("GET http://t/sub/ HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok("text/html", kSubIndex, true));
}

TEST_F(SessionTest, KeepAliveTwoRequests)
{
	std::string in = kGetHello + "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
	EXPECT_EQ(run(in), ok("text/plain", kHello, true) + ok("text/html", kIndex, true));
	// The same, arriving in separate receives.
	EXPECT_EQ(run(in, kGetHello.size()),
		  ok("text/plain", kHello, true) + ok("text/html", kIndex, true));
}

TEST_F(SessionTest, Http10ClosesByDefault)
{
	std::string in = "GET /hello.txt HTTP/1.0\r\n\r\n" + kGetHello;
	EXPECT_EQ(run(in), ok("text/plain", kHello, false));
	in = "GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + kGetHello;
	EXPECT_EQ(run(in), ok("text/plain", kHello, true) + ok("text/plain", kHello, true));
}

TEST_F(SessionTest, ConnectionClose)
{
	std::string in = "GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" +
			 kGetHello;
	EXPECT_EQ(run(in), ok("text/plain", kHello, false));
}

TEST_F(SessionTest, MaxRequests)
{
	params_.max_requests = 2;
	EXPECT_EQ(run(kGetHello + kGetHello + kGetHello),
		  ok("text/plain", kHello, true) + ok("text/plain", kHello, false));
}

TEST_F(SessionTest, PipelinedInOrder)
{
	std::string in = kGetHello + "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" +
			 "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n" +
			 "\r\nGET /sub HTTP/1.1\r\nHost: t\r\n\r\n" +
			 "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" + kGetHello;
	std::string want = ok("text/plain", kHello, true) +
			   ok_head("text/html", sizeof(kIndex) - 1, true) + error(404, true) +
			   redirect("/sub/", true) + ok("text/html", kIndex, false);
	EXPECT_EQ(run(in), want);
}

TEST_F(SessionTest, SplitAtEveryByte)
{
	std::string in = "\r\nGET /hello.txt HTTP/1.1\r\nHost: t\r\nUser-Agent: x\r\n\r\n"
			 "HEAD /sub HTTP/1.1\nHost: t\n\n"
			 "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	std::string want = run(in);
	ASSERT_EQ(want, ok("text/plain", kHello, true) + redirect("/sub/", true) +
				ok("text/html", kIndex, false));
	for (kh_size chunk = 1; chunk <= in.size(); chunk++)
		EXPECT_EQ(run(in, chunk), want) << "chunk " << chunk;
	// Split once at every position: [0, cut) then all the rest.
	for (size_t cut = 1; cut < in.size(); cut++)
		EXPECT_EQ(run(in, 0, 1024, cut), want) << "cut " << cut;
}

TEST_F(SessionTest, OversizeHead431)
{
	std::string in = "GET /hello.txt HTTP/1.1\r\nHost: t\r\nX-Big: " +
			 std::string(2000, 'a') + "\r\n\r\n";
	EXPECT_EQ(run(in, 0, 1024), error(431, false));
	EXPECT_EQ(run(in, 7, 1024), error(431, false));
}

TEST_F(SessionTest, OversizeRequestLine414)
{
	std::string in = "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n";
	EXPECT_EQ(run(in, 0, 1024), error(414, false));
	EXPECT_EQ(run(in, 100, 1024), error(414, false));
}

TEST_F(SessionTest, HeadExactlyFillsBuffer)
{
	std::string start = "GET /hello.txt HTTP/1.1\r\nHost: t\r\nX: ";
	std::string in = start + std::string(256 - start.size() - 4, 'a') + "\r\n\r\n";
	ASSERT_EQ(in.size(), 256u);
	EXPECT_EQ(run(in, 0, 256), ok("text/plain", kHello, true));
	EXPECT_EQ(run(in, 1, 256), ok("text/plain", kHello, true));
	EXPECT_EQ(run(in + "G", 0, 257), ok("text/plain", kHello, true));
}

TEST_F(SessionTest, PostIs405WithAllow)
{
	EXPECT_EQ(run("POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"),
		  error(405, false));
	EXPECT_EQ(run("DELETE /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n" + kGetHello),
		  error(405, true) + ok("text/plain", kHello, true));
	EXPECT_EQ(run("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n"), error(405, true));
}

TEST_F(SessionTest, UnknownMethod501)
{
	EXPECT_EQ(run("BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n"), error(501, true));
	EXPECT_EQ(run("get /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"), error(501, true));
}

TEST_F(SessionTest, BadRequests400)
{
	EXPECT_EQ(run("garbage\r\n\r\n" + kGetHello), error(400, false));
	EXPECT_EQ(run("GET /hello.txt HTTP/1.1\r\n\r\n"), error(400, false)); // no Host
	EXPECT_EQ(run("GET /../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n" + kGetHello),
		  error(400, false));
	EXPECT_EQ(run("GET /a%00 HTTP/1.1\r\nHost: t\r\n\r\n"), error(400, false));
	EXPECT_EQ(run("GET / HTTP/2.0\r\nHost: t\r\n\r\n"), error(505, false));
}

TEST_F(SessionTest, IncompleteHeadThenCloseSendsNothing)
{
	EXPECT_EQ(run("GET /hello.txt HTTP/1.1\r\nHost: t\r\n"), "");
	EXPECT_EQ(run(""), "");
	EXPECT_EQ(run("\r\n\r\n"), "");
}

TEST_F(SessionTest, SendFailureStops)
{
	send_err_ = -KH_EPIPE;
	EXPECT_EQ(run(kGetHello + kGetHello), "");
	EXPECT_EQ(conn_->send_calls, 1);
	EXPECT_EQ(conn_->send_file_calls, 0);
	EXPECT_EQ(last_step_, KHTTPD_STEP_CLOSE);
}

TEST_F(SessionTest, FakeRecordsOverflow)
{
	auto conn = std::make_unique<kh_conn>();
	fake::conn_init(conn.get(), "", 0, 0);
	std::string big(fake::kOutCap + 1, 'x');
	EXPECT_EQ(kh_conn_send(conn.get(), big.data(), big.size(), 0),
		  static_cast<long>(big.size()));
	EXPECT_TRUE(conn->overflow);
	EXPECT_EQ(conn->out_len, fake::kOutCap);
}

// --- ranges and conditional requests -------------------------------------------

namespace {

const std::string kDigitsTag = "\"3b9aca00-a\"";

std::string get(const std::string &path, const std::string &fields,
		const std::string &method = "GET")
{
	return method + " " + path + " HTTP/1.1\r\nHost: t\r\n" + fields + "\r\n";
}

std::string partial(const std::string &type, kh_u64 first, kh_u64 last, kh_u64 size,
		    const std::string &body, bool keep = true)
{
	return "HTTP/1.1 206 Partial Content\r\n"
	       "Server: khttpd\r\n"
	       "Date: " + kNowText + "\r\n"
	       "Connection: " + (keep ? "keep-alive" : "close") + "\r\n"
	       "Content-Type: " + type + "\r\n"
	       "Content-Length: " + std::to_string(last - first + 1) + "\r\n"
	       "Last-Modified: " + kMtimeText + "\r\n"
	       "ETag: " + etag(size) + "\r\n"
	       "Accept-Ranges: bytes\r\n"
	       "Content-Range: bytes " + std::to_string(first) + "-" + std::to_string(last) +
	       "/" + std::to_string(size) + "\r\n"
	       "\r\n" + body;
}

std::string not_modified(const std::string &tag, bool keep = true)
{
	return "HTTP/1.1 304 Not Modified\r\n"
	       "Server: khttpd\r\n"
	       "Date: " + kNowText + "\r\n"
	       "Connection: " + (keep ? "keep-alive" : "close") + "\r\n"
	       "Last-Modified: " + kMtimeText + "\r\n"
	       "ETag: " + tag + "\r\n"
	       "\r\n";
}

std::string unsatisfiable(kh_u64 size, bool keep = true, bool head_only = false)
{
	return error(416, keep, head_only, "bytes */" + std::to_string(size));
}

} // namespace

TEST_F(SessionTest, Range206ExactResponse)
{
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=2-5\r\n")),
		  partial("text/plain", 2, 5, 10, "2345"));
	EXPECT_EQ(send_files_, 1);
}

TEST_F(SessionTest, RangeForms)
{
	struct {
		const char *range;
		kh_u64 first, last;
	} cases[] = {
		{"bytes=0-0", 0, 0},
		{"bytes=0-9", 0, 9},
		{"bytes=9-9", 9, 9},
		{"bytes=7-", 7, 9},
		{"bytes=-3", 7, 9},
		{"bytes=-10", 0, 9},
		{"bytes=-1000", 0, 9},
		{"bytes=4-1000", 4, 9},
		{"BYTES=1-2", 1, 2},
		{"bytes=, 1-2 ,", 1, 2},
		{"bytes=0-18446744073709551615", 0, 9},
		{"bytes=1-99999999999999999999999", 1, 9},
		{"bytes=-99999999999999999999999", 0, 9},
	};
	for (const auto &c : cases) {
		std::string body(kDigits + c.first, c.last - c.first + 1);
		EXPECT_EQ(run(get("/digits.txt", std::string("Range: ") + c.range + "\r\n")),
			  partial("text/plain", c.first, c.last, 10, body))
			<< c.range;
	}
}

TEST_F(SessionTest, RangeUnsatisfiable416)
{
	for (const char *r : {"bytes=10-", "bytes=10-20", "bytes=-0",
			      "bytes=18446744073709551615-", "bytes=99999999999999999999999-"}) {
		EXPECT_EQ(run(get("/digits.txt", std::string("Range: ") + r + "\r\n") + kGetHello),
			  unsatisfiable(10) + ok("text/plain", kHello, true))
			<< r;
		EXPECT_EQ(send_files_, 1); // only hello.txt's
	}
}

TEST_F(SessionTest, RangeIgnoredServesWhole)
{
	std::string whole = ok("text/plain", kDigits, true);
	for (const char *r : {"bytes=5-4", "bytes=a-b", "items=0-1", "bytes 0-1", "bytes=0-1,3-4",
			      "bytes=0-1, -2", "bytes=-", ""}) {
		EXPECT_EQ(run(get("/digits.txt", std::string("Range: ") + r + "\r\n")), whole) << r;
	}
	// A repeated Range is ignored.
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=0-1\r\nRange: bytes=2-3\r\n")), whole);
}

TEST_F(SessionTest, RangeOnHeadIsIgnored)
{
	// RFC 9110 14.2: range handling is defined for GET only.
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=2-5\r\n", "HEAD")),
		  ok_head("text/plain", 10, true));
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=50-\r\n", "HEAD")),
		  ok_head("text/plain", 10, true));
	EXPECT_EQ(send_files_, 0);
}

TEST_F(SessionTest, RangeOnEmptyFileAsNginx)
{
	EXPECT_EQ(run(get("/empty.css", "Range: bytes=0-\r\n")), ok_head("text/css", 0, true));
	EXPECT_EQ(run(get("/empty.css", "Range: bytes=-5\r\n")), ok_head("text/css", 0, true));
	EXPECT_EQ(run(get("/empty.css", "Range: bytes=1-\r\n")), unsatisfiable(0));
	EXPECT_EQ(send_files_, 0);
}

TEST_F(SessionTest, IfRange)
{
	std::string whole = ok("text/plain", kDigits, true);
	std::string part = partial("text/plain", 1, 2, 10, "12");
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=1-2\r\nIf-Range: " + kDigitsTag + "\r\n")),
		  part);
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=1-2\r\nIf-Range: " + kMtimeText + "\r\n")),
		  part);
	EXPECT_EQ(run(get("/digits.txt", "If-Range: \"old\"\r\nRange: bytes=1-2\r\n")), whole);
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=1-2\r\nIf-Range: W/" + kDigitsTag + "\r\n")),
		  whole);
	EXPECT_EQ(run(get("/digits.txt",
			  "Range: bytes=1-2\r\nIf-Range: Sun, 09 Sep 2001 01:46:41 GMT\r\n")),
		  whole);
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=1-2\r\nIf-Range: junk\r\n")), whole);
	// A mismatching If-Range also cancels a 416.
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=50-\r\nIf-Range: \"old\"\r\n")), whole);
	// If-Range without Range: nothing happens.
	EXPECT_EQ(run(get("/digits.txt", "If-Range: \"old\"\r\n")), whole);
}

TEST_F(SessionTest, NotModified304)
{
	std::string nm = not_modified(kDigitsTag);
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\n")), nm);
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: \"x\", W/" + kDigitsTag + "\r\n")), nm);
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: *\r\n")), nm);
	EXPECT_EQ(run(get("/digits.txt", "If-Modified-Since: " + kMtimeText + "\r\n")), nm);
	EXPECT_EQ(run(get("/digits.txt", "If-Modified-Since: Sunday, 09-Sep-01 01:46:40 GMT\r\n")),
		  nm);
	EXPECT_EQ(run(get("/digits.txt", "If-Modified-Since: Sun Sep  9 01:46:40 2001\r\n")), nm);
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\n", "HEAD")), nm);
	EXPECT_EQ(send_files_, 0);
	// A 304 keeps the connection and the next request is served.
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\n") + kGetHello),
		  nm + ok("text/plain", kHello, true));
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\nConnection: close\r\n") +
		      kGetHello),
		  not_modified(kDigitsTag, false));
	// Not matching / modified since: 200.
	std::string whole = ok("text/plain", kDigits, true);
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: \"3b9aca00-b\"\r\n")), whole);
	EXPECT_EQ(run(get("/digits.txt", "If-Modified-Since: Sun, 09 Sep 2001 01:46:39 GMT\r\n")),
		  whole);
	EXPECT_EQ(run(get("/digits.txt", "If-Modified-Since: yesterday\r\n")), whole);
	// If-None-Match decides; If-Modified-Since is then ignored.
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: \"x\"\r\nIf-Modified-Since: " +
					 kMtimeText + "\r\n")),
		  whole);
}

TEST_F(SessionTest, PreconditionFailed412)
{
	EXPECT_EQ(run(get("/digits.txt", "If-Match: \"x\"\r\n") + kGetHello),
		  error(412, true) + ok("text/plain", kHello, true));
	EXPECT_EQ(run(get("/digits.txt", "If-Match: W/" + kDigitsTag + "\r\n")), error(412, true));
	EXPECT_EQ(run(get("/digits.txt", "If-Unmodified-Since: Sun, 09 Sep 2001 01:46:39 GMT\r\n")),
		  error(412, true));
	EXPECT_EQ(run(get("/digits.txt", "If-Match: \"x\"\r\n", "HEAD")), error(412, true, true));
	EXPECT_EQ(send_files_, 0);
	std::string whole = ok("text/plain", kDigits, true);
	EXPECT_EQ(run(get("/digits.txt", "If-Match: " + kDigitsTag + "\r\n")), whole);
	EXPECT_EQ(run(get("/digits.txt", "If-Match: *\r\n")), whole);
	EXPECT_EQ(run(get("/digits.txt", "If-Unmodified-Since: " + kMtimeText + "\r\n")), whole);
	EXPECT_EQ(run(get("/digits.txt", "If-Unmodified-Since: junk\r\n")), whole);
}

TEST_F(SessionTest, PreconditionsBeforeRange)
{
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=0-1\r\nIf-None-Match: " + kDigitsTag + "\r\n")),
		  not_modified(kDigitsTag));
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=50-\r\nIf-Match: \"x\"\r\n")), error(412, true));
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=3-4\r\nIf-Match: " + kDigitsTag + "\r\n")),
		  partial("text/plain", 3, 4, 10, "34"));
	EXPECT_EQ(run(get("/digits.txt", "Range: bytes=3-4\r\nIf-Modified-Since: "
					 "Sun, 09 Sep 2001 01:46:39 GMT\r\n")),
		  partial("text/plain", 3, 4, 10, "34"));
}

TEST_F(SessionTest, PreconditionsOnlyFor2xx)
{
	// RFC 9110 13.2.1: errors and redirects stay what they are.
	EXPECT_EQ(run(get("/nope.txt", "If-None-Match: *\r\n")), error(404, true));
	EXPECT_EQ(run(get("/nope.txt", "If-Match: \"x\"\r\n")), error(404, true));
	EXPECT_EQ(run(get("/secret.txt", "If-Match: \"x\"\r\n")), error(403, true));
	EXPECT_EQ(run(get("/sub", "If-None-Match: *\r\nRange: bytes=0-0\r\n")),
		  redirect("/sub/", true));
}

TEST_F(SessionTest, DuplicateConditional400)
{
	EXPECT_EQ(run(get("/digits.txt", "If-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n") +
		      kGetHello),
		  error(400, false));
}

TEST_F(SessionTest, ConditionalSplitAtEveryByte)
{
	std::string in = get("/digits.txt", "Range: bytes=-3\r\n") +
			 get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\n") +
			 get("/digits.txt", "If-Match: \"x\"\r\n") +
			 get("/digits.txt", "Range: bytes=10-\r\n") +
			 get("/digits.txt", "Range: bytes=0-0\r\nConnection: close\r\n");
	std::string want = partial("text/plain", 7, 9, 10, "789") + not_modified(kDigitsTag) +
			   error(412, true) + unsatisfiable(10) +
			   partial("text/plain", 0, 0, 10, "0", false);
	ASSERT_EQ(run(in), want);
	for (kh_size chunk = 1; chunk <= 40; chunk++)
		EXPECT_EQ(run(in, chunk), want) << "chunk " << chunk;
}

// --- precompressed variants ---------------------------------------------------

namespace {

const char kPage[] = "<p>page, uncompressed</p>\n"; // 26 bytes
const char kPageGz[] = "GZ:page";
const char kPageBr[] = "BR:page!";
const char kPageZst[] = "ZSTD:page";
const std::string kAeAll = "Accept-Encoding: gzip, deflate, br, zstd\r\n";

std::string date_text(kh_s64 t)
{
	char buf[khttpd::kHttpDateLen];
	khttpd::format_http_date(t, buf);
	return std::string(buf, sizeof(buf));
}

std::string coded_tag(kh_u64 size, kh_s64 mtime, const std::string &coding)
{
	std::string t = etag(size, mtime);
	return coding.empty() ? t : t.substr(0, t.size() - 1) + "-" + coding + "\"";
}

struct Rep {
	std::string type;
	std::string coding; // "" for identity
	std::string body;
	kh_s64 mtime;
	bool vary;
};

// A 200 (or, with @range, a 206) for @r, head only when @head_only.
std::string served(const Rep &r, bool head_only = false, bool keep = true,
		   const std::string &range = "", kh_u64 first = 0, kh_u64 last = 0)
{
	bool part = !range.empty();
	std::string out = std::string(part ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n") +
			  "Server: khttpd\r\n"
			  "Date: " + kNowText + "\r\n"
			  "Connection: " + (keep ? "keep-alive" : "close") + "\r\n"
			  "Content-Type: " + r.type + "\r\n";
	if (!r.coding.empty())
		out += "Content-Encoding: " + r.coding + "\r\n";
	kh_u64 len = part ? last - first + 1 : r.body.size();
	out += "Content-Length: " + std::to_string(len) + "\r\n"
	       "Last-Modified: " + date_text(r.mtime) + "\r\n"
	       "ETag: " + coded_tag(r.body.size(), r.mtime, r.coding) + "\r\n"
	       "Accept-Ranges: bytes\r\n";
	if (r.vary)
		out += "Vary: Accept-Encoding\r\n";
	if (part)
		out += "Content-Range: " + range + "\r\n";
	out += "\r\n";
	if (!head_only)
		out += part ? r.body.substr(first, len) : r.body;
	return out;
}

std::string not_modified_rep(const Rep &r)
{
	std::string out = "HTTP/1.1 304 Not Modified\r\n"
			  "Server: khttpd\r\n"
			  "Date: " + kNowText + "\r\n"
			  "Connection: keep-alive\r\n"
			  "Last-Modified: " + date_text(r.mtime) + "\r\n"
			  "ETag: " + coded_tag(r.body.size(), r.mtime, r.coding) + "\r\n";
	if (r.vary)
		out += "Vary: Accept-Encoding\r\n";
	return out + "\r\n";
}

// error() with "Vary: Accept-Encoding" where a 412/416 for a file carries it.
std::string error_vary(int status, const std::string &content_range = "")
{
	std::string e = error(status, true, false, content_range);
	size_t at = e.find("Content-Type: text/html\r\n");
	return e.insert(at, "Vary: Accept-Encoding\r\n");
}

class VariantTest : public SessionTest {
protected:
	void SetUp() override
	{
		SessionTest::SetUp();
		kh_root *r = root_.get();
		ASSERT_TRUE(fake::root_add_text(r, "page.html", kPage, KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "page.html.gz", kPageGz, KH_S_IFREG | 0644,
						kMtime + 10));
		ASSERT_TRUE(fake::root_add_text(r, "page.html.br", kPageBr, KH_S_IFREG | 0644,
						kMtime + 20));
		br_ = r->nfiles - 1;
		ASSERT_TRUE(fake::root_add_text(r, "page.html.zst", kPageZst, KH_S_IFREG | 0644,
						kMtime)); // same second: not stale
		zst_ = r->nfiles - 1;
		// A .gz older than its original: stale.
		ASSERT_TRUE(fake::root_add_text(r, "style.css", "b{}", KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "style.css.gz", "old", KH_S_IFREG | 0644,
						kMtime - 1));
		// Variants that are unreadable, not regular, or fail to open.
		ASSERT_TRUE(fake::root_add_text(r, "app.js", "js()", KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "app.js.gz", "x", KH_S_IFREG | 0600, kMtime));
		ASSERT_TRUE(fake::root_add(r, "app.js.br", nullptr, 4096, KH_S_IFDIR | 0755, kMtime));
		ASSERT_TRUE(fake::root_add(r, "app.js.zst", nullptr, 0, KH_S_IFREG | 0644, kMtime,
					   -KH_EACCES));
		// A directory's index has variants too.
		ASSERT_TRUE(fake::root_add_text(r, "sub/index.html.gz", "GZ:sub", KH_S_IFREG | 0644,
						kMtime));
		// A compressed file asked for by name: never "x.gz.gz".
		ASSERT_TRUE(fake::root_add_text(r, "data.gz", "\x1f\x8b", KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "data.gz.gz", "no", KH_S_IFREG | 0644, kMtime));
	}

	Rep page() const { return {"text/html", "", kPage, kMtime, false}; }
	Rep gz() const { return {"text/html", "gzip", kPageGz, kMtime + 10, true}; }
	Rep br() const { return {"text/html", "br", kPageBr, kMtime + 20, true}; }
	Rep zst() const { return {"text/html", "zstd", kPageZst, kMtime, true}; }

	int br_ = 0, zst_ = 0;
};

} // namespace

TEST_F(VariantTest, NoAcceptEncodingServesIdentity)
{
	EXPECT_EQ(run(get("/page.html", "")), served(page()));
	EXPECT_EQ(root_->lookups, 1);
	EXPECT_EQ(std::string(root_->last_path), "page.html");
}

TEST_F(VariantTest, GzipChosen)
{
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: gzip\r\n")), served(gz()));
	EXPECT_EQ(root_->lookups, 2);
	EXPECT_EQ(std::string(root_->last_path), "page.html.gz");
	EXPECT_EQ(send_files_, 1);
	EXPECT_EQ(root_->opens, 2); // the original, then the variant
}

TEST_F(VariantTest, PreferenceOrder)
{
	EXPECT_EQ(run(get("/page.html", kAeAll)), served(br()));
	EXPECT_EQ(root_->lookups, 2); // found at the first try
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: gzip, zstd\r\n")), served(zst()));
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: *\r\n")), served(br()));
	// Weights beat the size order.
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: br;q=0.5, gzip\r\n")), served(gz()));
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: br;q=0, *;q=0.1\r\n")), served(zst()));
	// Identity weighed above every coding.
	Rep plain = page();
	plain.vary = true;
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: identity, gzip;q=0.5\r\n")),
		  served(plain));
}

TEST_F(VariantTest, MissingVariantFallsToNext)
{
	root_->files[br_].open_err = -KH_ENOENT;
	int before = root_->lookups;
	EXPECT_EQ(run(get("/page.html", kAeAll)), served(zst()));
	EXPECT_EQ(root_->lookups - before, 3);
	root_->files[zst_].open_err = -KH_ENOMEM;
	EXPECT_EQ(run(get("/page.html", kAeAll)), served(gz()));
}

TEST_F(VariantTest, StaleVariantIgnored)
{
	Rep css{"text/css", "", "b{}", kMtime, true};
	EXPECT_EQ(run(get("/style.css", "Accept-Encoding: gzip\r\n")), served(css));
	// Older by nanoseconds within the same second is stale too.
	root_->files[zst_].mtime_nsec = 0;
	root_->files[br_].open_err = -KH_ENOENT;
	root_->files[zst_ - 3].mtime_nsec = 1; // page.html itself
	EXPECT_EQ(std::string(root_->files[zst_ - 3].path), "page.html");
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: br, zstd\r\n")),
		  served({"text/html", "", kPage, kMtime, true}));
	// A newer one is fine again.
	root_->files[zst_].mtime_nsec = 1;
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: br, zstd\r\n")), served(zst()));
}

TEST_F(VariantTest, UnusableVariantsIgnored)
{
	// .gz not world-readable, .br a directory, .zst EACCES: identity,
	// after one lookup per accepted coding and no more.
	int before = root_->lookups;
	Rep js{"application/javascript", "", "js()", kMtime, true};
	EXPECT_EQ(run(get("/app.js", kAeAll)), served(js));
	EXPECT_EQ(root_->lookups - before, 4);
	EXPECT_EQ(root_->opens, root_->closes);
	// With the permission check off, the .gz is served.
	params_.perm_required = 0;
	EXPECT_EQ(run(get("/app.js", kAeAll)),
		  served({"application/javascript", "gzip", "x", kMtime, true}));
	// perm_forbid applies to a variant as to the original.
	params_.perm_required = 0004;
	root_->files[br_].mode = KH_S_IFREG | 0755;
	params_.perm_forbid = 0111;
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: br, gzip\r\n")), served(gz()));
}

TEST_F(VariantTest, Head)
{
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: gzip\r\n", "HEAD")),
		  served(gz(), true));
	EXPECT_EQ(send_files_, 0);
}

TEST_F(VariantTest, ConditionalsUseVariantValidators)
{
	std::string gz_tag = coded_tag(sizeof(kPageGz) - 1, kMtime + 10, "gzip");
	std::string id_tag = etag(sizeof(kPage) - 1);
	std::string ae = "Accept-Encoding: gzip\r\n";
	EXPECT_NE(gz_tag, id_tag);
	EXPECT_EQ(run(get("/page.html", ae + "If-None-Match: " + gz_tag + "\r\n")),
		  not_modified_rep(gz()));
	EXPECT_EQ(run(get("/page.html", ae + "If-None-Match: " + gz_tag + "\r\n", "HEAD")),
		  not_modified_rep(gz()));
	EXPECT_EQ(send_files_, 0);
	// The identity tag does not match the variant, nor the reverse.
	EXPECT_EQ(run(get("/page.html", ae + "If-None-Match: " + id_tag + "\r\n")), served(gz()));
	EXPECT_EQ(run(get("/page.html", "If-None-Match: " + gz_tag + "\r\n")), served(page()));
	EXPECT_EQ(run(get("/page.html", "If-None-Match: " + id_tag + "\r\n")),
		  not_modified_rep(page()));
	// Last-Modified is the variant's.
	EXPECT_EQ(run(get("/page.html", ae + "If-Modified-Since: " + date_text(kMtime + 10) + "\r\n")),
		  not_modified_rep(gz()));
	EXPECT_EQ(run(get("/page.html", ae + "If-Modified-Since: " + date_text(kMtime + 9) + "\r\n")),
		  served(gz()));
	// If-Match against the variant's tag: 412 carries Vary.
	EXPECT_EQ(run(get("/page.html", ae + "If-Match: " + id_tag + "\r\n")), error_vary(412));
	EXPECT_EQ(run(get("/page.html", ae + "If-Match: " + gz_tag + "\r\n")), served(gz()));
}

TEST_F(VariantTest, RangeOnVariant)
{
	std::string ae = "Accept-Encoding: gzip\r\n";
	EXPECT_EQ(run(get("/page.html", ae + "Range: bytes=3-6\r\n")),
		  served(gz(), false, true, "bytes 3-6/7", 3, 6));
	EXPECT_EQ(run(get("/page.html", ae + "Range: bytes=-2\r\n")),
		  served(gz(), false, true, "bytes 5-6/7", 5, 6));
	// Satisfiable for the original's 26 bytes, not for the variant's 7.
	EXPECT_EQ(run(get("/page.html", ae + "Range: bytes=10-\r\n")),
		  error_vary(416, "bytes */7"));
	// If-Range with the identity tag: the variant is served whole.
	EXPECT_EQ(run(get("/page.html", ae + "Range: bytes=3-6\r\nIf-Range: " +
				   etag(sizeof(kPage) - 1) + "\r\n")),
		  served(gz()));
	std::string gz_tag = coded_tag(sizeof(kPageGz) - 1, kMtime + 10, "gzip");
	EXPECT_EQ(run(get("/page.html", ae + "Range: bytes=0-0\r\nIf-Range: " + gz_tag + "\r\n")),
		  served(gz(), false, true, "bytes 0-0/7", 0, 0));
}

TEST_F(VariantTest, DirectoryIndexVariant)
{
	Rep sub{"text/html", "gzip", "GZ:sub", kMtime, true};
	EXPECT_EQ(run(get("/sub/", kAeAll)), served(sub));
	EXPECT_EQ(std::string(root_->last_path), "sub/index.html.gz");
	// The root's index has none: identity, with Vary.
	EXPECT_EQ(run(get("/", kAeAll)),
		  served({"text/html", "", kIndex, kMtime, true}));
}

TEST_F(VariantTest, VaryRules)
{
	// Accept-Encoding that accepts none of br/zstd/gzip: no lookup, no Vary.
	for (const char *ae : {"identity", "", "gzip;q=0", "deflate", "*;q=0", "gzip;q=5"}) {
		int before = root_->lookups;
		EXPECT_EQ(run(get("/page.html", std::string("Accept-Encoding: ") + ae + "\r\n")),
			  served(page()))
			<< ae;
		EXPECT_EQ(root_->lookups - before, 1) << ae;
	}
	// A file without variants, for a client that takes gzip: Vary.
	EXPECT_EQ(run(get("/hello.txt", "Accept-Encoding: gzip\r\n")),
		  served({"text/plain", "", kHello, kMtime, true}));
	// A compressed file by name: served as it is, no lookup, no Vary.
	int before = root_->lookups;
	EXPECT_EQ(run(get("/data.gz", kAeAll)),
		  served({"application/gzip", "", "\x1f\x8b", kMtime, false}));
	EXPECT_EQ(root_->lookups - before, 1);
	// Errors and redirects: no Vary.
	EXPECT_EQ(run(get("/nope.html", kAeAll)), error(404, true));
	EXPECT_EQ(run(get("/secret.txt", kAeAll)), error(403, true));
	EXPECT_EQ(run(get("/sub", kAeAll)), redirect("/sub/", true));
	// Vary does not leak into the next request on the connection.
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: gzip\r\n") + get("/page.html", "") +
		      get("/nope", "")),
		  served(gz()) + served(page()) + error(404, true));
}

TEST_F(VariantTest, SplitAtEveryByte)
{
	std::string in = get("/page.html", kAeAll) + get("/page.html", "Range: bytes=1-2\r\n"
							 "Accept-Encoding: gzip;q=0.9, br;q=0.1\r\n") +
			 get("/page.html", "Connection: close\r\n");
	std::string want = served(br()) + served(gz(), false, true, "bytes 1-2/7", 1, 2) +
			   served(page(), false, false);
	ASSERT_EQ(run(in), want);
	for (kh_size chunk = 1; chunk <= 40; chunk++)
		EXPECT_EQ(run(in, chunk), want) << "chunk " << chunk;
}

// --- non-blocking sends ------------------------------------------------------

TEST_F(SessionTest, ShortSendsAndFullSocketResume)
{
	std::string in = kGetHello + "GET /digits.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=2-5\r\n\r\n" +
			 "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n" + "GET /sub HTTP/1.1\r\nHost: t\r\n\r\n" +
			 "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	std::string want = run(in);
	ASSERT_NE(want.find("<h1>home</h1>"), std::string::npos);
	for (kh_size cap : {1, 3, 7, 64}) {
		for (int every : {0, 2, 3, 5}) {
			send_cap_ = cap;
			eagain_every_ = every;
			EXPECT_EQ(run(in), want) << "cap " << cap << " eagain every " << every;
			if (every) {
				EXPECT_GT(conn_->steps_write, 0) << "cap " << cap << " every " << every;
			}
		}
	}
}

// --- small bodies copied behind the head (inline_body_max) ---------------------

// Every kind of answer with a body, keep-alive and pipelined, HEAD, ranges,
// 304, errors and a closing request.
const std::string kInlineMix =
	"GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
	"HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
	"GET /digits.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=2-5\r\n\r\n"
	"GET /digits.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=-3\r\n\r\n"
	"GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"3b9aca00-e\"\r\n\r\n"
	"GET /empty.css HTTP/1.1\r\nHost: t\r\n\r\n"
	"GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
	"GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n"
	"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

TEST_F(SessionTest, InlineBodiesSendTheSameBytesInOneSend)
{
	std::string want = run(kInlineMix);
	ASSERT_NE(want.find("<h1>home</h1>"), std::string::npos);
	int zero_copy_sends = send_files_;
	ASSERT_GT(zero_copy_sends, 0);
	EXPECT_EQ(root_->reads, 0);

	params_.inline_body_max = 16384;
	EXPECT_EQ(run(kInlineMix), want);
	EXPECT_EQ(send_files_, 0); // every body went with its head
	EXPECT_EQ(root_->reads, zero_copy_sends);
	EXPECT_EQ(conn_->last_more, 0);
	// A head and its body leave in one send: one per answer.
	EXPECT_EQ(conn_->send_calls, 9);
	// The same through short sends, full sockets and a byte-wise client.
	for (kh_size cap : {1, 5, 64}) {
		for (int every : {0, 2, 3}) {
			send_cap_ = cap;
			eagain_every_ = every;
			EXPECT_EQ(run(kInlineMix), want) << "cap " << cap << " eagain every " << every;
		}
	}
	send_cap_ = 0;
	eagain_every_ = 0;
	for (kh_size chunk : {1, 7, 40})
		EXPECT_EQ(run(kInlineMix, chunk), want) << "chunk " << chunk;
}

TEST_F(SessionTest, InlineBodiesOnlyUpToTheLimitAndTheRoomLeft)
{
	params_.inline_body_max = 13; // hello.txt has 14 bytes, digits.txt 10
	std::string in = kGetHello + "GET /digits.txt HTTP/1.1\r\nHost: t\r\n\r\n";
	std::string want = ok("text/plain", kHello, true) + ok("text/plain", kDigits, true);
	EXPECT_EQ(run(in), want);
	EXPECT_EQ(send_files_, 1);
	EXPECT_EQ(root_->reads, 1);

	// A head buffer without room for the body behind the head: zero-copy.
	std::string head = ok_head("text/plain", 10, true);
	params_.inline_body_max = 16384;
	kh_size max_head = head.size() + 9; // one byte short
	std::string get = "GET /digits.txt HTTP/1.1\r\nHost: t\r\n\r\n";
	root_->reads = 0;
	EXPECT_EQ(run(get, 0, max_head), head + kDigits);
	EXPECT_EQ(send_files_, 1);
	EXPECT_EQ(root_->reads, 0);
	root_->reads = 0;
	EXPECT_EQ(run(get, 0, max_head + 1), head + kDigits); // just fits
	EXPECT_EQ(send_files_, 0);
	EXPECT_EQ(root_->reads, 1);
}

TEST_F(SessionTest, InlineBodyFallsBackWhenTheFileReadsShort)
{
	// The file has fewer bytes than its size said (it shrank): nothing is
	// copied, and the zero-copy path handles it as before.
	params_.inline_body_max = 16384;
	root_->short_read_by = 1;
	EXPECT_EQ(run(kGetHello), ok("text/plain", kHello, true));
	EXPECT_EQ(root_->reads, 1);
	EXPECT_EQ(send_files_, 1);
}

TEST_F(SessionTest, MoreIsSetUntilTheLastByte)
{
	send_cap_ = 4;
	run(kGetHello);
	EXPECT_EQ(conn_->last_more, 0); // the body's end is pushed out
	EXPECT_GT(conn_->send_file_calls, 1);
}

TEST_F(SessionTest, PipelinedRequestsYieldToOthers)
{
	std::string in;
	for (int i = 0; i < 40; i++)
		in += kGetHello;
	std::string want;
	for (int i = 0; i < 40; i++)
		want += ok("text/plain", kHello, true);
	EXPECT_EQ(run(in), want);
	// 16 answers per step at most: others get their turn in between.
	EXPECT_GE(conn_->steps_yield, 2);
}

TEST_F(SessionTest, WaitsForMoreInputWithoutClosing)
{
	// The socket has nothing more for now (not closed): the session waits.
	auto c = std::string("GET /hello.txt HTTP/1.1\r\nHost: t\r\n");
	conn_ = nullptr;
	std::string out;
	{
		auto conn = std::make_unique<kh_conn>();
		fake::conn_init(conn.get(), c.data(), c.size(), 0);
		conn->end_result = -KH_EAGAIN;
		kh_size size = khttpd_conn_buffers_size(1024);
		std::unique_ptr<char[]> block(new char[size]), spare(new char[size]);
		std::unique_ptr<char[]> scratch(new char[khttpd_scratch_buffer_size(1024)]);
		EXPECT_EQ(fake::serve(conn.get(), root_.get(), &params_, 1024, block.get(),
				      spare.get(), scratch.get()),
			  KHTTPD_STEP_READ);
		EXPECT_EQ(conn->out_len, 0u);
	}
}

// One step per event, as the kernel's worker steps it: a keep-alive client
// sends its next request after the answer came. A receive that came back
// short emptied the socket, so the step answers and waits without asking
// the socket again (that would only say -KH_EAGAIN); the next request, which
// arrives later, raises the next step.
// A session over a fake socket holding @in, stepped by the test itself (as
// the kernel's worker does) rather than run to the end by fake::serve.
// When @in is used up, the socket reports @end_result (-KH_EAGAIN: open
// and empty; 0: the client closed).
class SteppedSession {
public:
	SteppedSession(const std::string &in, int end_result)
		: block_(new char[khttpd_conn_buffers_size(kMaxHead)]),
		  scratch_(new char[khttpd_scratch_buffer_size(kMaxHead)]),
		  mem_(new char[khttpd_session_size()])
	{
		fake::conn_init(conn.get(), in.data(), in.size(), 0);
		conn->end_result = end_result;
		khttpd_conn_buffers_init(&bufs_, block_.get(), kMaxHead);
		khttpd_scratch_buffer_init(&bufs_, scratch_.get(), kMaxHead);
		khttpd_session_init(session(), conn.get());
	}
	~SteppedSession() { khttpd_session_destroy(session()); }
	SteppedSession(const SteppedSession &) = delete;
	SteppedSession &operator=(const SteppedSession &) = delete;

	khttpd_session *session() { return reinterpret_cast<khttpd_session *>(mem_.get()); }
	khttpd_step step(kh_root *root, const khttpd_session_params &params)
	{
		return khttpd_session_step(session(), root, &params, &bufs_);
	}

	std::unique_ptr<kh_conn> conn = std::make_unique<kh_conn>(); // large: not on the stack

private:
	static constexpr kh_size kMaxHead = 1024;
	std::unique_ptr<char[]> block_, scratch_, mem_;
	khttpd_session_buffers bufs_{};
};

TEST_F(SessionTest, ShortReceiveEndsTheStepWithoutAnotherReceive)
{
	SteppedSession ss(kGetHello, -KH_EAGAIN);
	kh_conn *conn = ss.conn.get();
	khttpd_session *s = ss.session();
	std::string want = ok("text/plain", kHello, true);
	for (int i = 1; i <= 3; i++) {
		conn->in_pos = 0; // the client's next request is there
		conn->recv_calls = 0;
		EXPECT_EQ(ss.step(root_.get(), params_), KHTTPD_STEP_READ);
		EXPECT_EQ(conn->recv_calls, 1) << "request " << i;
		EXPECT_EQ(std::string(conn->out, conn->out_len), [&] {
			std::string all;
			for (int k = 0; k < i; k++)
				all += want;
			return all;
		}());
		EXPECT_TRUE(khttpd_session_idle(s));
	}
	// A step with nothing there asks once and waits.
	conn->recv_calls = 0;
	EXPECT_EQ(ss.step(root_.get(), params_), KHTTPD_STEP_READ);
	EXPECT_EQ(conn->recv_calls, 1);
}

// Steps a session over @in (then the socket stays open and empty) until it
// closes; returns what khttpd_session_peer_done() says then.
static bool peer_done_after(kh_root *root, const khttpd_session_params &params,
			    const std::string &in, int end_result = -KH_EAGAIN)
{
	SteppedSession ss(in, end_result);
	khttpd_step step = KHTTPD_STEP_YIELD;
	for (int i = 0; i < 10 && step != KHTTPD_STEP_CLOSE; i++) // READ: an event
		step = ss.step(root, params);
	EXPECT_EQ(step, KHTTPD_STEP_CLOSE) << in;
	return khttpd_session_peer_done(ss.session());
}

TEST_F(SessionTest, PeerDoneOnlyWhenTheClientAnnouncedTheCloseAndSentNothingMore)
{
	kh_root *r = root_.get();
	// The client's last request, and nothing behind it: close at once.
	EXPECT_TRUE(peer_done_after(r, params_,
				    "GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
	EXPECT_TRUE(peer_done_after(r, params_, "GET /hello.txt HTTP/1.0\r\n\r\n"));
	EXPECT_TRUE(peer_done_after(r, params_, "GET /missing HTTP/1.0\r\n\r\n"));
	// The client closed its side.
	EXPECT_TRUE(peer_done_after(r, params_, kGetHello, 0));
	// Bytes behind the last request: they would be unread at the close.
	EXPECT_FALSE(peer_done_after(r, params_, "GET /hello.txt HTTP/1.0\r\n\r\n" + kGetHello));
	// A body the server did not read.
	EXPECT_FALSE(peer_done_after(
		r, params_,
		"POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"));
	// The server decided to close; the client may still be sending.
	EXPECT_FALSE(peer_done_after(r, params_, "GET / HTTP/1.1\r\n\r\n")); // 400: no Host
	EXPECT_FALSE(peer_done_after(r, params_, "BAD\r\n\r\n"));
	params_.max_requests = 1;
	EXPECT_FALSE(peer_done_after(r, params_, kGetHello));
}

// --- hand-over to userspace --------------------------------------------------

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
