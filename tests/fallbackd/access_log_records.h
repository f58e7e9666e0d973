// SPDX-License-Identifier: GPL-2.0
// Building access-log records as the module writes them, a FIFO to play
// /proc/net/khttpd/access_log, and waiting for the text log's lines.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "khttpd/access_log.h"
#include "khttpd/handover_reason.h"
#include "test_support.h"
#include "unique_fd.h"

namespace fallbackd::test {

// 28/Nov/2026:04:00:00 UTC
inline constexpr uint64_t kSampleTime = 1795838400ull;

struct RecordSpec {
	int family = AF_INET;
	std::string addr = "192.0.2.1";
	uint16_t status = 200;
	uint8_t reason = 0;
	uint8_t flags = 0;
	uint64_t time_ns = kSampleTime * 1000000000ull + 999999999ull;
	uint64_t body_bytes = 612;
	uint64_t usec = 1234;
	std::string line = "GET /a HTTP/1.1";
	std::string referer = "http://example.com/";
	std::string agent = "curl/7.88.1";
	std::string host = "example.com";
};

// The record's bytes, padded to 8, every field as given (nothing checked:
// tests make bad ones by editing the result).
inline std::string encode_record(const RecordSpec &s)
{
	khttpd_log_record h{};
	h.version = KHTTPD_LOG_VERSION;
	h.family = static_cast<__u8>(s.family);
	h.status = s.status;
	h.handover_reason = s.reason;
	h.flags = s.flags;
	inet_pton(s.family, s.addr.c_str(), h.addr);
	h.port = 40000;
	h.line_len = static_cast<__u16>(s.line.size());
	h.referer_len = static_cast<__u16>(s.referer.size());
	h.agent_len = static_cast<__u16>(s.agent.size());
	h.host_len = static_cast<__u16>(s.host.size());
	h.time_ns = s.time_ns;
	h.body_bytes = s.body_bytes;
	h.usec = s.usec;
	h.conn_id = 7;
	std::string out(reinterpret_cast<const char *>(&h), sizeof(h));
	out += s.line + s.referer + s.agent + s.host;
	out.resize((out.size() + 7) & ~size_t{7}, '\0');
	khttpd_log_record *p = reinterpret_cast<khttpd_log_record *>(out.data());
	p->size = static_cast<__u16>(out.size());
	return out;
}

// A fresh directory under $TMPDIR (or /tmp), removed with its files.
class TempDir {
public:
	TempDir()
	{
		const char *base = getenv("TMPDIR");
		std::string tmpl = std::string(base && *base ? base : "/tmp") + "/fallbackd-XXXXXX";
		std::vector<char> buf(tmpl.begin(), tmpl.end());
		buf.push_back('\0');
		if (mkdtemp(buf.data()))
			path_ = buf.data();
	}
	~TempDir()
	{
		if (!path_.empty())
			std::system(("rm -rf '" + path_ + "'").c_str());
	}
	const std::string &path() const { return path_; }
	std::string operator/(const std::string &name) const { return path_ + "/" + name; }

private:
	std::string path_;
};

inline std::string read_file(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	std::stringstream ss;
	ss << in.rdbuf();
	return ss.str();
}

inline size_t line_count(const std::string &text)
{
	size_t n = 0;
	for (char c : text)
		n += c == '\n';
	return n;
}

// Waits until @path holds at least @lines lines; returns its text.
inline std::string wait_lines(const std::string &path, size_t lines, int timeout_ms = kTimeoutMs)
{
	auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
	std::string text;
	do {
		text = read_file(path);
		if (line_count(text) >= lines)
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	} while (std::chrono::steady_clock::now() < until);
	return text;
}

// Opens the FIFO for writing once a reader has it open (ENXIO before).
inline UniqueFd open_fifo_writer(const std::string &path, int timeout_ms = kTimeoutMs)
{
	auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
	do {
		int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			// Blocking from here: a test's writes are small.
			fcntl(fd, F_SETFL, 0);
			return UniqueFd(fd);
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	} while (std::chrono::steady_clock::now() < until);
	return UniqueFd();
}

// write(2) all of @data to a (blocking) FIFO; write_all() is for sockets.
inline bool write_fifo(int fd, const std::string &data)
{
	size_t done = 0;
	while (done < data.size()) {
		ssize_t n = write(fd, data.data() + done, data.size() - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += static_cast<size_t>(n);
	}
	return true;
}

// Waits until @text appears in what @read() returns.
template <typename F> bool wait_for_text(F read, const std::string &text, int timeout_ms = kTimeoutMs)
{
	auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
	while (read().find(text) == std::string::npos) {
		if (std::chrono::steady_clock::now() >= until)
			return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	return true;
}

} // namespace fallbackd::test
