// SPDX-License-Identifier: GPL-2.0
// The session tests' shared fixture: a document root in the fake kapi, the
// exact responses the core is expected to send, and SessionTest, which runs
// a whole session (khttpd_session_step driven by fake::serve).
#pragma once

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

namespace session_test {


inline constexpr kh_s64 kNow = 784111777;
inline const std::string kNowText = "Sun, 06 Nov 1994 08:49:37 GMT";
inline constexpr kh_s64 kMtime = 1000000000;
inline const std::string kMtimeText = "Sun, 09 Sep 2001 01:46:40 GMT";

inline const char kHello[] = "Hello, world!\n";
inline const char kIndex[] = "<h1>home</h1>\n";
inline const char kSubIndex[] = "<h1>sub</h1>\n";
inline const char kDigits[] = "0123456789";

inline std::string hex(uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(v));
	return buf;
}

// nginx-style strong ETag of a file with mtime kMtime and @size bytes.
inline std::string etag(uint64_t size, kh_s64 mtime = kMtime)
{
	return "\"" + hex(static_cast<uint64_t>(mtime)) + "-" + hex(size) + "\"";
}

inline std::string ok_head(const std::string &type, size_t len, bool keep,
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

inline std::string ok(const std::string &type, const std::string &body, bool keep)
{
	return ok_head(type, body.size(), keep) + body;
}

inline std::string reason(int status)
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
inline std::string error(int status, bool keep, bool head_only = false,
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
inline std::string unavailable(bool keep, bool head_only = false)
{
	return error(503, keep, head_only, "", "5");
}

inline std::string redirect(const std::string &location, bool keep)
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
		std::unique_ptr<char[]> scratch(new char[khttpd_worker_scratch_size(max_head)]);
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

inline const std::string kGetHello = "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n";


// --- ranges and conditional requests ---

inline const std::string kDigitsTag = "\"3b9aca00-a\"";

inline std::string get(const std::string &path, const std::string &fields,
		const std::string &method = "GET")
{
	return method + " " + path + " HTTP/1.1\r\nHost: t\r\n" + fields + "\r\n";
}

inline std::string partial(const std::string &type, kh_u64 first, kh_u64 last, kh_u64 size,
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

inline std::string not_modified(const std::string &tag, bool keep = true)
{
	return "HTTP/1.1 304 Not Modified\r\n"
	       "Server: khttpd\r\n"
	       "Date: " + kNowText + "\r\n"
	       "Connection: " + (keep ? "keep-alive" : "close") + "\r\n"
	       "Last-Modified: " + kMtimeText + "\r\n"
	       "ETag: " + tag + "\r\n"
	       "\r\n";
}

inline std::string unsatisfiable(kh_u64 size, bool keep = true, bool head_only = false)
{
	return error(416, keep, head_only, "bytes */" + std::to_string(size));
}


} // namespace session_test
