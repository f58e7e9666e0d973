// SPDX-License-Identifier: GPL-2.0
#include "access_log_drain.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "access_log_format.h"
#include "log.h"
#include "log_throttle.h"

namespace fallbackd {
namespace {

// Room for many records per read(2); KHTTPD_LOG_RECORD_MAX always fits,
// even behind a partial record carried over from the last read.
constexpr size_t kBufferSize = 64 * 1024;
static_assert(kBufferSize >= 2 * KHTTPD_LOG_RECORD_MAX);
// Lines collected before a write(2), even while records keep coming.
constexpr size_t kFlushAt = 64 * 1024;
// Reads in one drain before the pause, so stop() and reopen() are heard
// even if the kernel never runs dry.
constexpr int kReadsPerDrain = 256;

unsigned long long ull(uint64_t v)
{
	return static_cast<unsigned long long>(v);
}

long seconds(std::chrono::milliseconds d)
{
	long s = static_cast<long>(d.count() / 1000);
	return s > 0 ? s : 1;
}

// mkdir of the log file's directory only (not its parents): 0750, like
// nginx's and Apache's log directories on Debian.
void make_parent_dir(const std::string &path)
{
	size_t slash = path.rfind('/');
	if (slash == std::string::npos || slash == 0)
		return;
	std::string dir = path.substr(0, slash);
	if (mkdir(dir.c_str(), 0750) == 0)
		log_info("created %s", dir.c_str());
}

} // namespace

AccessLogDrain::AccessLogDrain(AccessLogConfig config) : config_(std::move(config)) {}

AccessLogDrain::~AccessLogDrain()
{
	stop();
}

bool AccessLogDrain::start(std::string &error)
{
	wake_.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	if (!wake_) {
		error = std::string("eventfd: ") + strerror(errno);
		return false;
	}
	pending_.reserve(kFlushAt + KHTTPD_LOG_RECORD_MAX * 4);
	thread_ = std::thread([this] { run(); });
	return true;
}

void AccessLogDrain::wake()
{
	uint64_t one = 1;
	while (write(wake_.get(), &one, sizeof(one)) < 0 && errno == EINTR) {
	}
}

void AccessLogDrain::reopen()
{
	reopen_.store(true);
	if (wake_)
		wake();
}

void AccessLogDrain::stop()
{
	if (!thread_.joinable())
		return;
	stopping_.store(true);
	wake();
	thread_.join();
}

bool AccessLogDrain::pause(std::chrono::milliseconds d)
{
	if (stopping_.load())
		return false;
	pollfd p{wake_.get(), POLLIN, 0};
	int ms = static_cast<int>(d.count());
	if (poll(&p, 1, ms) > 0) {
		uint64_t count;
		while (read(wake_.get(), &count, sizeof(count)) < 0 && errno == EINTR) {
		}
	}
	return !stopping_.load();
}

bool AccessLogDrain::open_log()
{
	const char *path = config_.log_path.c_str();
	constexpr int kFlags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY;
	int fd = open(path, kFlags, 0640);
	if (fd < 0 && errno == ENOENT) {
		make_parent_dir(config_.log_path);
		fd = open(path, kFlags, 0640);
	}
	if (fd < 0) {
		int err = errno;
		if (err != log_errno_)
			log_error("cannot open the access log %s: %s; trying again every %ld s",
				  path, strerror(err), seconds(config_.retry));
		log_errno_ = err;
		return false;
	}
	if (log_errno_ != 0)
		log_info("access log %s open", path);
	log_errno_ = 0;
	log_.reset(fd);
	return true;
}

bool AccessLogDrain::open_source()
{
	const char *path = config_.source_path.c_str();
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int err = errno;
		if (err != source_errno_) {
			long every = seconds(config_.retry);
			if (err == ENOENT)
				log_warning("%s does not exist (khttpd.ko not loaded, or one without "
					    "the access log): no access log until it appears; looking "
					    "again every %ld s",
					    path, every);
			else if (err == EBUSY)
				log_warning("%s is busy: another process reads khttpd's access log "
					    "(a second khttpd-fallbackd?); trying again every %ld s",
					    path, every);
			else
				log_warning("cannot open %s: %s; trying again every %ld s", path,
					    strerror(err), every);
		}
		source_errno_ = err;
		return false;
	}
	source_errno_ = 0;
	source_.reset(fd);
	log_info("access log: reading %s, writing %s", path, config_.log_path.c_str());
	return true;
}

void AccessLogDrain::run()
{
	auto buffer = std::make_unique<uint64_t[]>(kBufferSize / sizeof(uint64_t));
	buf_ = reinterpret_cast<unsigned char *>(buffer.get());
	while (!stopping_.load()) {
		if (reopen_.exchange(false) && log_) {
			flush();
			log_.reset();
			log_info("reopening the access log %s", config_.log_path.c_str());
		}
		if (!log_ && !open_log()) {
			pause(config_.retry);
			continue;
		}
		if (!source_ && !open_source()) {
			pause(config_.retry);
			continue;
		}
		pollfd fds[2] = {{source_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
		if (poll(fds, 2, -1) < 0) {
			if (errno != EINTR) {
				log_error("poll on the access log: %s", strerror(errno));
				pause(config_.retry);
			}
			continue;
		}
		if (fds[1].revents)
			pause(std::chrono::milliseconds(0)); // consume the wake-up
		if (!fds[0].revents)
			continue;
		Read r = drain_source();
		flush();
		if (r == Read::kLost) {
			// What the open failure that follows says is known already.
			source_errno_ = ENOENT;
			pause(config_.retry);
		} else {
			pause(config_.batch);
		}
	}
	if (source_ && log_) {
		drain_source(); // what is there now: the next reader would get it late
		flush();
	}
	if (malformed_.load() != 0 || write_failures_ != 0)
		log_info("access log: %llu lines written, %llu malformed records skipped, %llu "
			 "lines lost to write errors",
			 ull(lines_written_.load()), ull(malformed_.load()), ull(write_failures_));
	buf_ = nullptr;
}

AccessLogDrain::Read AccessLogDrain::drain_source()
{
	for (int i = 0; i < kReadsPerDrain; i++) {
		ssize_t n = read(source_.get(), buf_ + have_, kBufferSize - have_);
		if (n > 0) {
			have_ += static_cast<size_t>(n);
			parse_buffer();
			if (pending_.size() >= kFlushAt)
				flush();
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		// A partial record kept in have_ waits for its rest (the proc
		// file never cuts one; a FIFO may).
		if (n < 0 && errno == EAGAIN)
			return Read::kDrained;
		const char *path = config_.source_path.c_str();
		if (n == 0)
			log_warning("%s ended: opening it again in %ld s", path,
				    seconds(config_.retry));
		else
			log_warning("reading %s: %s (khttpd.ko unloaded?): opening it again every "
				    "%ld s",
				    path, strerror(errno), seconds(config_.retry));
		if (have_ != 0)
			malformed_.fetch_add(1); // a record cut short by the end
		have_ = 0;
		source_.reset();
		return Read::kLost;
	}
	return Read::kDrained;
}

// Formats the whole records of buf_[0, have_); a record that goes on past
// the end is moved to the start, and have_ becomes its length.
void AccessLogDrain::parse_buffer()
{
	size_t have = have_;
	size_t pos = 0;
	while (pos < have) {
		LogRecord rec;
		size_t size = 0;
		const char *why = "";
		RecordParse r = parse_log_record(buf_ + pos, have - pos, rec, size, why);
		if (r == RecordParse::kIncomplete)
			break;
		if (r == RecordParse::kMalformed) {
			uint64_t total = malformed_.fetch_add(1) + 1, suppressed = 0;
			if (malformed_log_.allow(suppressed))
				log_warning("skipped a malformed access-log record (%s); %llu so far",
					    why, ull(total));
			if (size == 0) {
				pos = have; // nothing after it can be trusted
				break;
			}
			pos += size;
			continue;
		}
		format_log_line(rec, times_, pending_, config_.format);
		pending_lines_++;
		pos += size;
	}
	have_ = have - pos;
	if (have_ != 0 && pos != 0)
		memmove(buf_, buf_ + pos, have_);
}

void AccessLogDrain::flush()
{
	const char *p = pending_.data();
	size_t left = pending_.size();
	while (left > 0 && log_) {
		ssize_t n = write(log_.get(), p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? errno : EIO;
			write_failures_ += pending_lines_;
			if (!write_failed_)
				log_error("writing the access log %s: %s; lines are lost until it "
					  "works again",
					  config_.log_path.c_str(), strerror(err));
			write_failed_ = true;
			break;
		}
		p += n;
		left -= static_cast<size_t>(n);
	}
	if (left == 0 && !pending_.empty()) {
		lines_written_.fetch_add(pending_lines_);
		if (write_failed_)
			log_info("writing the access log %s works again", config_.log_path.c_str());
		write_failed_ = false;
	}
	pending_.clear();
	pending_lines_ = 0;
}

} // namespace fallbackd
