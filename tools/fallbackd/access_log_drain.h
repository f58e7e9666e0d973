// SPDX-License-Identifier: GPL-2.0
// The access-log drain: a thread of its own that reads khttpd's binary
// records from /proc/net/khttpd/access_log, formats them
// (access_log_format.h) and appends the lines to the text log, so that the
// relay's event loop never waits on the disk.
//
// The thread polls the source (opened O_NONBLOCK) and a wake-up eventfd.
// When records come it reads until none is left, writes them in one go,
// then waits kBatch before polling again: the kernel wakes a reader per
// record, and without the pause a busy server would cost a write(2) per
// line. A missing or busy source (module not loaded, another reader) and
// a log file that cannot be opened are each reported once and retried
// every kRetry. A source that fails (EIO once the module is unloaded) or
// ends is closed and reopened the same way.
#ifndef KHTTPD_FALLBACKD_ACCESS_LOG_DRAIN_H
#define KHTTPD_FALLBACKD_ACCESS_LOG_DRAIN_H

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "access_log_format.h"
#include "log_throttle.h"
#include "unique_fd.h"

namespace fallbackd {

struct AccessLogConfig {
	std::string log_path;	 // the text log, opened O_APPEND
	std::string source_path; // the binary records (the proc file, or a FIFO in tests)
	LogFormat format = LogFormat::kCombined; // the lines' layout (--log-format)
	// Between attempts to open a missing source or log file.
	std::chrono::milliseconds retry{2000};
	// After a read that found records, before polling the source again.
	std::chrono::milliseconds batch{100};
};

class AccessLogDrain {
public:
	explicit AccessLogDrain(AccessLogConfig config);
	~AccessLogDrain();
	AccessLogDrain(const AccessLogDrain &) = delete;
	AccessLogDrain &operator=(const AccessLogDrain &) = delete;

	// Starts the thread. Call with the process's signals blocked (the
	// thread inherits the mask). False (with @error) if it cannot.
	bool start(std::string &error);

	// Asks the thread to close and reopen the log file (after logrotate
	// renamed it: SIGUSR1). Any thread may call it.
	void reopen();

	// Reads what the source holds now, writes it, and joins the thread.
	// Idempotent.
	void stop();

	// Counters, for tests and the final log line.
	uint64_t lines_written() const { return lines_written_.load(); }
	uint64_t malformed() const { return malformed_.load(); }

private:
	enum class Read { kDrained, kLost };

	void run();
	void wake();
	// Waits @d or until woken; false when stopping.
	bool pause(std::chrono::milliseconds d);
	bool open_log();
	bool open_source();
	Read drain_source();
	void parse_buffer();
	void flush();

	const AccessLogConfig config_;
	UniqueFd wake_;
	std::thread thread_;
	std::atomic<bool> stopping_{false};
	std::atomic<bool> reopen_{false};
	std::atomic<uint64_t> lines_written_{0};
	std::atomic<uint64_t> malformed_{0};

	// The thread's own state.
	UniqueFd source_;
	UniqueFd log_;
	int source_errno_ = 0; // the last open failure reported, 0: none
	int log_errno_ = 0;
	unsigned char *buf_ = nullptr; // kBufferSize bytes, 8-aligned, while run() runs
	size_t have_ = 0;	       // bytes of a partial record at buf_'s start
	LocalTimeCache times_;
	LogThrottle malformed_log_;
	std::string pending_; // formatted lines not written yet
	uint64_t pending_lines_ = 0;
	uint64_t write_failures_ = 0;
	bool write_failed_ = false; // a write failure is being reported
};

} // namespace fallbackd

#endif
