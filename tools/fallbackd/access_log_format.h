// SPDX-License-Identifier: GPL-2.0
// The access log's records (include/uapi/khttpd/access_log.h) checked and
// turned into lines of nginx's `combined` format, with the request time in
// microseconds appended, or with the Host first (Apache's vhost_combined,
// for name-based virtual hosts). Pure functions: no I/O, no global state but the
// time zone, which localtime_r() reads.
#ifndef KHTTPD_FALLBACKD_ACCESS_LOG_FORMAT_H
#define KHTTPD_FALLBACKD_ACCESS_LOG_FORMAT_H

#include <cstddef>
#include <ctime>
#include <string>
#include <string_view>

#include "khttpd/access_log.h"

namespace fallbackd {

// One record, checked: the header copied out of the buffer (which need
// not be aligned), the strings pointing into the buffer.
struct LogRecord {
	khttpd_log_record head{};
	std::string_view line, referer, agent, host;
};

enum class RecordParse {
	kOk,	     // @out is filled; the record is @size bytes
	kIncomplete, // the record goes on past @avail: read more (@size: its length, if known)
	kMalformed,  // never to be trusted; @why says why
};

// Looks at the record at the start of @data (@avail bytes). With
// kMalformed, @size is the number of bytes to skip to the next record if
// the record's own size is plausible (at least a header, a multiple of 8,
// within KHTTPD_LOG_RECORD_MAX and @avail), else 0: nothing after it in
// the buffer can be trusted.
RecordParse parse_log_record(const void *data, size_t avail, LogRecord &out, size_t &size,
			     const char *&why);

// nginx's $time_local ("28/Nov/2026:04:00:00 +0100") in the process's
// time zone, computed once per second.
class LocalTimeCache {
public:
	std::string_view format(time_t sec);

private:
	bool valid_ = false;
	time_t sec_ = 0;
	char buf_[40] = "";
	size_t len_ = 0;
};

// The text line's layout (--log-format).
enum class LogFormat {
	kCombined,	// nginx's combined plus the microseconds (the default)
	kVhostCombined, // "HOST " then the combined line, as Apache's vhost_combined
};

// "combined" or "vhost_combined" into @out; false for any other text.
bool parse_log_format(std::string_view name, LogFormat &out);
const char *log_format_name(LogFormat format);

// Appends @s escaped as nginx's default log escaping does: '"', '\\' and
// every byte below 0x20 or from 0x7f up become "\xHH" (upper-case hex).
void append_log_escaped(std::string &out, std::string_view s);

// Appends the record's line, '\n' included:
//   ADDR - - [TIME] "LINE" STATUS BYTES "REFERER" "AGENT" USEC
// A hand-over (status 0) has "-" for STATUS and BYTES and ends with
// " handover=REASON". An empty string is "-"; a string the kernel cut
// ends with "...". kVhostCombined puts "HOST " in front: the Host as the
// client sent it (the record has no server port, so no ":PORT"), unquoted,
// escaped as the others and a space as "\x20", so that the first space
// still ends the field.
void format_log_line(const LogRecord &r, LocalTimeCache &times, std::string &out,
		     LogFormat format = LogFormat::kCombined);

} // namespace fallbackd

#endif
