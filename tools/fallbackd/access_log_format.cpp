// SPDX-License-Identifier: GPL-2.0
#include "access_log_format.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "handover_channel.h" // handover_reason_name()

namespace fallbackd {
namespace {

constexpr size_t kHeadSize = sizeof(khttpd_log_record);

constexpr size_t round8(size_t n)
{
	return (n + 7) & ~size_t{7};
}

RecordParse malformed(const char *&why, const char *what)
{
	why = what;
	return RecordParse::kMalformed;
}

template <typename T> void append_number(std::string &out, T value)
{
	char buf[24];
	auto res = std::to_chars(buf, buf + sizeof(buf), value);
	out.append(buf, res.ptr);
}

void append_address(std::string &out, const khttpd_log_record &h)
{
	char text[INET6_ADDRSTRLEN] = "";
	if (!inet_ntop(h.family == AF_INET ? AF_INET : AF_INET6, h.addr, text, sizeof(text)))
		strcpy(text, "-"); // cannot happen: the family was checked
	out.append(text);
}

// A quoted field: "-" if empty, escaped, "..." after it if the kernel cut it.
void append_quoted(std::string &out, std::string_view s, bool cut)
{
	out.push_back('"');
	if (s.empty()) {
		out.push_back('-');
	} else {
		append_log_escaped(out, s);
		if (cut)
			out.append("...");
	}
	out.push_back('"');
}

// vhost_combined's host field: unquoted, so a space is escaped too
// (append_log_escaped() keeps it, as the quoted fields may).
void append_host(std::string &out, std::string_view s, bool cut)
{
	if (s.empty()) {
		out.push_back('-');
		return;
	}
	for (size_t space; (space = s.find(' ')) != std::string_view::npos;
	     s.remove_prefix(space + 1)) {
		append_log_escaped(out, s.substr(0, space));
		out.append("\\x20");
	}
	append_log_escaped(out, s);
	if (cut)
		out.append("...");
}

} // namespace

bool parse_log_format(std::string_view name, LogFormat &out)
{
	if (name == "combined")
		out = LogFormat::kCombined;
	else if (name == "vhost_combined")
		out = LogFormat::kVhostCombined;
	else
		return false;
	return true;
}

const char *log_format_name(LogFormat format)
{
	return format == LogFormat::kVhostCombined ? "vhost_combined" : "combined";
}

RecordParse parse_log_record(const void *data, size_t avail, LogRecord &out, size_t &size,
			     const char *&why)
{
	size = 0;
	why = "";
	if (avail < kHeadSize)
		return RecordParse::kIncomplete;
	khttpd_log_record h;
	memcpy(&h, data, kHeadSize);
	if (h.size < kHeadSize || h.size % 8 != 0 || h.size > KHTTPD_LOG_RECORD_MAX)
		return malformed(why, "impossible record size");
	if (h.size > avail) {
		size = h.size;
		return RecordParse::kIncomplete;
	}
	// From here on the record's extent is plausible: skip it if bad.
	size = h.size;
	if (h.version != KHTTPD_LOG_VERSION)
		return malformed(why, "unknown record version");
	if (h.family != AF_INET && h.family != AF_INET6)
		return malformed(why, "unknown address family");
	if (h.status != 0 && (h.status < 100 || h.status > 999))
		return malformed(why, "impossible status");
	if (h.line_len > KHTTPD_LOG_LINE_MAX || h.referer_len > KHTTPD_LOG_REFERER_MAX ||
	    h.agent_len > KHTTPD_LOG_AGENT_MAX || h.host_len > KHTTPD_LOG_HOST_MAX)
		return malformed(why, "a string longer than its maximum");
	size_t strings = size_t{h.line_len} + h.referer_len + h.agent_len + h.host_len;
	if (round8(kHeadSize + strings) != h.size)
		return malformed(why, "record size does not match its strings");

	const char *p = static_cast<const char *>(data) + kHeadSize;
	out.head = h;
	out.line = std::string_view(p, h.line_len);
	p += h.line_len;
	out.referer = std::string_view(p, h.referer_len);
	p += h.referer_len;
	out.agent = std::string_view(p, h.agent_len);
	p += h.agent_len;
	out.host = std::string_view(p, h.host_len);
	return RecordParse::kOk;
}

std::string_view LocalTimeCache::format(time_t sec)
{
	if (valid_ && sec == sec_)
		return std::string_view(buf_, len_);
	static constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
						 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm {};
	if (!localtime_r(&sec, &tm)) {
		// Out of range for struct tm: not worth a line of its own.
		valid_ = false;
		len_ = 0;
		return "01/Jan/1970:00:00:00 +0000";
	}
	long off = tm.tm_gmtoff / 60; // minutes east of UTC
	char sign = off < 0 ? '-' : '+';
	off = labs(off);
	int n = snprintf(buf_, sizeof(buf_), "%02d/%s/%04d:%02d:%02d:%02d %c%02ld%02ld",
			 tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
			 tm.tm_min, tm.tm_sec, sign, off / 60, off % 60);
	len_ = n > 0 && static_cast<size_t>(n) < sizeof(buf_) ? static_cast<size_t>(n) : 0;
	valid_ = true;
	sec_ = sec;
	return std::string_view(buf_, len_);
}

void append_log_escaped(std::string &out, std::string_view s)
{
	static constexpr char kHex[] = "0123456789ABCDEF";
	for (char c : s) {
		auto b = static_cast<unsigned char>(c);
		if (b < 0x20 || b >= 0x7f || b == '"' || b == '\\') {
			const char esc[4] = {'\\', 'x', kHex[b >> 4], kHex[b & 0xf]};
			out.append(esc, sizeof(esc));
		} else {
			out.push_back(c);
		}
	}
}

void format_log_line(const LogRecord &r, LocalTimeCache &times, std::string &out,
		     LogFormat format)
{
	const khttpd_log_record &h = r.head;
	if (format == LogFormat::kVhostCombined) {
		append_host(out, r.host, h.flags & KHTTPD_LOG_F_HOST_CUT);
		out.push_back(' ');
	}
	append_address(out, h);
	out.append(" - - [");
	out.append(times.format(static_cast<time_t>(h.time_ns / 1000000000u)));
	out.append("] ");
	append_quoted(out, r.line, h.flags & KHTTPD_LOG_F_LINE_CUT);
	out.push_back(' ');
	if (h.status == 0) {
		out.append("- -");
	} else {
		append_number(out, h.status);
		out.push_back(' ');
		append_number(out, static_cast<uint64_t>(h.body_bytes));
	}
	out.push_back(' ');
	append_quoted(out, r.referer, h.flags & KHTTPD_LOG_F_REFERER_CUT);
	out.push_back(' ');
	append_quoted(out, r.agent, h.flags & KHTTPD_LOG_F_AGENT_CUT);
	out.push_back(' ');
	append_number(out, static_cast<uint64_t>(h.usec));
	if (h.status == 0) {
		out.append(" handover=");
		const char *name = handover_reason_name(h.handover_reason);
		if (strcmp(name, "unknown") == 0)
			append_number(out, unsigned{h.handover_reason});
		else
			out.append(name);
	}
	out.push_back('\n');
}

} // namespace fallbackd
