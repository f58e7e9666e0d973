// SPDX-License-Identifier: GPL-2.0
// The access-log formatter: records checked, lines in nginx's combined
// format plus microseconds, nginx's escaping, the time zone.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "access_log_format.h"
#include "access_log_records.h"

namespace fallbackd::test {
namespace {

// Sets TZ for one test and puts the old value back.
class ScopedTz {
public:
	explicit ScopedTz(const char *tz)
	{
		const char *old = getenv("TZ");
		had_ = old != nullptr;
		if (had_)
			old_ = old;
		setenv("TZ", tz, 1);
		tzset();
	}
	~ScopedTz()
	{
		if (had_)
			setenv("TZ", old_.c_str(), 1);
		else
			unsetenv("TZ");
		tzset();
	}

private:
	bool had_ = false;
	std::string old_;
};

class AccessLogFormat : public ::testing::Test {
protected:
	ScopedTz utc_{"UTC0"};
};

// The line for @spec, or "<malformed: why>".
std::string format(const RecordSpec &spec, LogFormat layout = LogFormat::kCombined)
{
	std::string bytes = encode_record(spec);
	LogRecord rec;
	size_t size = 0;
	const char *why = "";
	RecordParse r = parse_log_record(bytes.data(), bytes.size(), rec, size, why);
	if (r != RecordParse::kOk)
		return std::string("<malformed: ") + why + ">";
	EXPECT_EQ(size, bytes.size());
	LocalTimeCache times;
	std::string out;
	format_log_line(rec, times, out, layout);
	return out;
}

std::string vhost(const RecordSpec &spec)
{
	return format(spec, LogFormat::kVhostCombined);
}

std::string escaped(std::string_view s)
{
	std::string out;
	append_log_escaped(out, s);
	return out;
}

TEST_F(AccessLogFormat, Ipv4)
{
	EXPECT_EQ(format(RecordSpec{}),
		  "192.0.2.1 - - [28/Nov/2026:04:00:00 +0000] \"GET /a HTTP/1.1\" 200 612 "
		  "\"http://example.com/\" \"curl/7.88.1\" 1234\n");
}

TEST_F(AccessLogFormat, Ipv6AsInetNtopWritesIt)
{
	RecordSpec s;
	s.family = AF_INET6;
	s.addr = "::1";
	EXPECT_EQ(format(s).substr(0, 8), "::1 - - ");
	s.addr = "2001:0db8:0000:0000:0000:0000:0000:00ff";
	EXPECT_EQ(format(s).substr(0, 16), "2001:db8::ff - -");
}

TEST_F(AccessLogFormat, Ipv4MappedComesFoldedAsIpv4)
{
	// The kernel turns ::ffff:10.1.2.3 into AF_INET 10.1.2.3.
	RecordSpec s;
	s.family = AF_INET;
	s.addr = "10.1.2.3";
	EXPECT_EQ(format(s).substr(0, 13), "10.1.2.3 - - ");
}

TEST_F(AccessLogFormat, StatusAndBytesAsNumbers)
{
	RecordSpec s;
	s.status = 404;
	s.body_bytes = 18446744073709551615ull;
	s.usec = 0;
	EXPECT_NE(format(s).find("\" 404 18446744073709551615 \""), std::string::npos) << format(s);
	EXPECT_EQ(format(s).substr(format(s).size() - 3), " 0\n");
}

TEST_F(AccessLogFormat, HandOver)
{
	RecordSpec s;
	s.status = 0;
	s.reason = KHTTPD_HANDOVER_DYNAMIC;
	s.body_bytes = 0;
	s.line = "POST /cgi-bin/x HTTP/1.1";
	EXPECT_EQ(format(s), "192.0.2.1 - - [28/Nov/2026:04:00:00 +0000] \"POST /cgi-bin/x HTTP/1.1\" "
			     "- - \"http://example.com/\" \"curl/7.88.1\" 1234 handover=dynamic\n");
	const std::pair<int, const char *> reasons[] = {
		{KHTTPD_HANDOVER_METHOD, "method"},	  {KHTTPD_HANDOVER_MISSING, "missing"},
		{KHTTPD_HANDOVER_FORBIDDEN, "forbidden"}, {KHTTPD_HANDOVER_MIME, "mime"},
		{KHTTPD_HANDOVER_RANGE, "range"},	  {KHTTPD_HANDOVER_OVERSIZE, "oversize"},
		{KHTTPD_HANDOVER_MALFORMED, "malformed"}, {KHTTPD_HANDOVER_BODY, "body"},
		{0, "0"},				  {42, "42"},
		{255, "255"}};
	for (auto [reason, name] : reasons) {
		s.reason = static_cast<uint8_t>(reason);
		std::string line = format(s);
		EXPECT_EQ(line.substr(line.rfind(' ')), std::string(" handover=") + name + "\n");
	}
}

TEST_F(AccessLogFormat, AbortedAnswerIsANormalLine)
{
	RecordSpec s;
	s.flags = KHTTPD_LOG_F_ABORTED;
	s.body_bytes = 100;
	EXPECT_EQ(format(s),
		  "192.0.2.1 - - [28/Nov/2026:04:00:00 +0000] \"GET /a HTTP/1.1\" 200 100 "
		  "\"http://example.com/\" \"curl/7.88.1\" 1234\n");
}

TEST_F(AccessLogFormat, CutFieldsEndWithDots)
{
	RecordSpec s;
	s.flags = KHTTPD_LOG_F_LINE_CUT | KHTTPD_LOG_F_REFERER_CUT | KHTTPD_LOG_F_AGENT_CUT |
		  KHTTPD_LOG_F_HOST_CUT;
	s.line = "GET /aaaa";
	s.referer = "http://r";
	s.agent = "Mozilla/5.0 (X";
	EXPECT_EQ(format(s), "192.0.2.1 - - [28/Nov/2026:04:00:00 +0000] \"GET /aaaa...\" 200 612 "
			     "\"http://r...\" \"Mozilla/5.0 (X...\" 1234\n");
	// The cut comes after the escaping: "..." is never escaped.
	s.flags = KHTTPD_LOG_F_AGENT_CUT;
	s.agent = "x\"";
	EXPECT_NE(format(s).find("\"x\\x22...\""), std::string::npos) << format(s);
}

TEST_F(AccessLogFormat, EmptyFieldsAreDashes)
{
	RecordSpec s;
	s.line = "";
	s.referer = "";
	s.agent = "";
	s.host = "";
	EXPECT_EQ(format(s), "192.0.2.1 - - [28/Nov/2026:04:00:00 +0000] \"-\" 200 612 \"-\" \"-\" "
			     "1234\n");
}

TEST_F(AccessLogFormat, EscapingOfEveryByteClass)
{
	// nginx's ngx_http_log_escape(): control bytes, '"', '\\', DEL and
	// everything from 0x80 up, as \xHH with upper-case digits.
	EXPECT_EQ(escaped("plain text ~!#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}"),
		  "plain text ~!#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}");
	EXPECT_EQ(escaped(std::string("\0", 1)), "\\x00");
	EXPECT_EQ(escaped("\t\r\n\x1b\x1f"), "\\x09\\x0D\\x0A\\x1B\\x1F");
	EXPECT_EQ(escaped("\""), "\\x22");
	EXPECT_EQ(escaped("\\"), "\\x5C");
	EXPECT_EQ(escaped("\x7f"), "\\x7F");
	EXPECT_EQ(escaped("\x80\xab\xff"), "\\x80\\xAB\\xFF");
	EXPECT_EQ(escaped("caf\xc3\xa9"), "caf\\xC3\\xA9"); // UTF-8 too, as nginx does
	// All 256 byte values: exactly 0x20-0x7e but '"' and '\\' stay.
	for (int b = 0; b < 256; b++) {
		std::string in(1, static_cast<char>(b));
		bool kept = b >= 0x20 && b < 0x7f && b != '"' && b != '\\';
		std::string out = escaped(in);
		if (kept) {
			EXPECT_EQ(out, in) << b;
		} else {
			char want[5];
			snprintf(want, sizeof(want), "\\x%02X", b);
			EXPECT_EQ(out, want) << b;
		}
	}
}

TEST_F(AccessLogFormat, EveryStringFieldIsEscaped)
{
	RecordSpec s;
	s.line = "GET /\"a\"\\ HTTP/1.1";
	s.referer = "r\n";
	s.agent = "a\x01";
	EXPECT_EQ(format(s), "192.0.2.1 - - [28/Nov/2026:04:00:00 +0000] "
			     "\"GET /\\x22a\\x22\\x5C HTTP/1.1\" 200 612 \"r\\x0A\" \"a\\x01\" 1234\n");
}

TEST_F(AccessLogFormat, VhostCombinedPutsTheHostFirst)
{
	RecordSpec s;
	s.host = "www.example.org";
	EXPECT_EQ(vhost(s), "www.example.org 192.0.2.1 - - [28/Nov/2026:04:00:00 +0000] "
			    "\"GET /a HTTP/1.1\" 200 612 \"http://example.com/\" \"curl/7.88.1\" 1234\n");
	// The rest of the line is the combined one, byte for byte, hand-overs too.
	s.status = 0;
	s.reason = KHTTPD_HANDOVER_DYNAMIC;
	EXPECT_EQ(vhost(s), "www.example.org " + format(s));
	// As the client sent it: its case, its port, an IPv6 literal.
	s.host = "WWW.Example.ORG:8080";
	EXPECT_EQ(vhost(s).substr(0, 21), "WWW.Example.ORG:8080 ");
	s.host = "[2001:db8::1]:80";
	EXPECT_EQ(vhost(s).substr(0, 17), "[2001:db8::1]:80 ");
}

TEST_F(AccessLogFormat, VhostCombinedEmptyHostIsADash)
{
	// HTTP/1.0 without Host, or "Host:" with nothing.
	RecordSpec s;
	s.host = "";
	EXPECT_EQ(vhost(s), "- " + format(s));
	EXPECT_EQ(vhost(s).substr(0, 12), "- 192.0.2.1 ");
}

TEST_F(AccessLogFormat, VhostCombinedHostIsEscaped)
{
	RecordSpec s;
	s.host = "a\"b";
	EXPECT_EQ(vhost(s), "a\\x22b " + format(s));
	s.host = "a\\b";
	EXPECT_EQ(vhost(s), "a\\x5Cb " + format(s));
	s.host = std::string("a\x01\tb\x7f\xc3\xa9\0", 8);
	EXPECT_EQ(vhost(s), "a\\x01\\x09b\\x7F\\xC3\\xA9\\x00 " + format(s));
	// Unquoted: a space would end the field, so it is escaped too.
	s.host = " evil.example 10.0.0.1 ";
	EXPECT_EQ(vhost(s), "\\x20evil.example\\x2010.0.0.1\\x20 " + format(s));
	// Cut by the kernel: "..." after the escaping, as the other fields.
	s.host = "long\"";
	s.flags = KHTTPD_LOG_F_HOST_CUT;
	EXPECT_EQ(vhost(s), "long\\x22... " + format(s));
}

TEST_F(AccessLogFormat, CombinedNeverShowsTheHost)
{
	RecordSpec s;
	s.host = "only-in-vhost.example";
	EXPECT_EQ(format(s).find("only-in-vhost"), std::string::npos) << format(s);
}

TEST(AccessLogFormatName, ParsesItsTwoNamesOnly)
{
	LogFormat f = LogFormat::kVhostCombined;
	EXPECT_TRUE(parse_log_format("combined", f));
	EXPECT_EQ(f, LogFormat::kCombined);
	EXPECT_STREQ(log_format_name(f), "combined");
	EXPECT_TRUE(parse_log_format("vhost_combined", f));
	EXPECT_EQ(f, LogFormat::kVhostCombined);
	EXPECT_STREQ(log_format_name(f), "vhost_combined");
	for (const char *bad : {"", "Combined", "vhost", "common", "combined ", "vhost-combined"}) {
		f = LogFormat::kVhostCombined;
		EXPECT_FALSE(parse_log_format(bad, f)) << bad;
		EXPECT_EQ(f, LogFormat::kVhostCombined) << bad; // untouched
	}
}

TEST(AccessLogTime, LocalZoneWithItsOffset)
{
	LogRecord rec;
	{
		ScopedTz tz("XST-05:30"); // 5 h 30 east of UTC
		LocalTimeCache times;
		EXPECT_EQ(times.format(static_cast<time_t>(kSampleTime)), "28/Nov/2026:09:30:00 +0530");
	}
	{
		ScopedTz tz("YST+3"); // 3 h west
		LocalTimeCache times;
		EXPECT_EQ(times.format(static_cast<time_t>(kSampleTime)), "28/Nov/2026:01:00:00 -0300");
		// A new day, month and year backwards.
		EXPECT_EQ(times.format(1767225600), "31/Dec/2025:21:00:00 -0300"); // 2026-01-01 UTC
		EXPECT_EQ(times.format(1767225600 + 59), "31/Dec/2025:21:00:59 -0300");
	}
	{
		// Summer time: the offset follows the date.
		ScopedTz tz("CET-1CEST,M3.5.0,M10.5.0/3");
		LocalTimeCache times;
		EXPECT_EQ(times.format(static_cast<time_t>(kSampleTime)), "28/Nov/2026:05:00:00 +0100");
		EXPECT_EQ(times.format(1782619200), "28/Jun/2026:06:00:00 +0200"); // 04:00 UTC
	}
}

// Parses @bytes (the whole buffer) and returns the result.
RecordParse parse(const std::string &bytes, size_t &size, const char *&why)
{
	LogRecord rec;
	return parse_log_record(bytes.data(), bytes.size(), rec, size, why);
}

khttpd_log_record *head(std::string &bytes)
{
	return reinterpret_cast<khttpd_log_record *>(bytes.data());
}

TEST_F(AccessLogFormat, MalformedRecordsAreRejected)
{
	const std::string good = encode_record(RecordSpec{});
	size_t size = 0;
	const char *why = "";
	ASSERT_EQ(parse(good, size, why), RecordParse::kOk);

	struct Case {
		const char *name;
		void (*spoil)(std::string &);
		bool skippable; // the size is still plausible: skip that much
	};
	const Case cases[] = {
		{"version 2", [](std::string &b) { head(b)->version = 2; }, true},
		{"version 0", [](std::string &b) { head(b)->version = 0; }, true},
		{"family", [](std::string &b) { head(b)->family = 99; }, true},
		{"status 42", [](std::string &b) { head(b)->status = 42; }, true},
		{"status 1000", [](std::string &b) { head(b)->status = 1000; }, true},
		{"line_len past the record", [](std::string &b) { head(b)->line_len += 64; }, true},
		{"line_len short", [](std::string &b) { head(b)->line_len -= 9; }, true},
		{"line_len above its max",
		 [](std::string &b) { head(b)->line_len = KHTTPD_LOG_LINE_MAX + 1; }, true},
		{"referer_len above its max",
		 [](std::string &b) { head(b)->referer_len = KHTTPD_LOG_REFERER_MAX + 1; }, true},
		{"agent_len above its max",
		 [](std::string &b) { head(b)->agent_len = KHTTPD_LOG_AGENT_MAX + 1; }, true},
		{"host_len above its max",
		 [](std::string &b) { head(b)->host_len = KHTTPD_LOG_HOST_MAX + 1; }, true},
		{"size not a multiple of 8", [](std::string &b) { head(b)->size -= 4; }, false},
		{"size below a header", [](std::string &b) { head(b)->size = 8; }, false},
		{"size 0", [](std::string &b) { head(b)->size = 0; }, false},
		{"size above the max",
		 [](std::string &b) {
			 head(b)->size = static_cast<__u16>((KHTTPD_LOG_RECORD_MAX + 8) & ~7ul);
		 },
		 false},
		{"size larger than its strings",
		 [](std::string &b) {
			 head(b)->size += 8;
			 b.append(8, '\0');
		 },
		 true},
	};
	for (const Case &c : cases) {
		std::string bad = good;
		c.spoil(bad);
		size = 12345;
		EXPECT_EQ(parse(bad, size, why), RecordParse::kMalformed) << c.name;
		EXPECT_NE(std::string(why), "") << c.name;
		EXPECT_EQ(size, c.skippable ? head(bad)->size : 0u) << c.name;
	}
}

TEST_F(AccessLogFormat, ARecordCutShortIsIncomplete)
{
	const std::string good = encode_record(RecordSpec{});
	size_t size = 0;
	const char *why = "";
	EXPECT_EQ(parse(good.substr(0, 10), size, why), RecordParse::kIncomplete);
	EXPECT_EQ(parse(good.substr(0, good.size() - 8), size, why), RecordParse::kIncomplete);
	EXPECT_EQ(size, good.size());
	EXPECT_EQ(parse("", size, why), RecordParse::kIncomplete);
}

TEST_F(AccessLogFormat, RecordsBackToBack)
{
	RecordSpec a, b;
	b.status = 304;
	b.body_bytes = 0;
	b.agent = std::string(1000, 'x'); // unaligned lengths, padding between
	std::string bytes = encode_record(a) + encode_record(b);
	LogRecord rec;
	size_t size = 0;
	const char *why = "";
	ASSERT_EQ(parse_log_record(bytes.data(), bytes.size(), rec, size, why), RecordParse::kOk);
	ASSERT_EQ(parse_log_record(bytes.data() + size, bytes.size() - size, rec, size, why),
		  RecordParse::kOk);
	EXPECT_EQ(rec.head.status, 304);
	EXPECT_EQ(rec.agent.size(), 1000u);
	EXPECT_EQ(rec.host, "example.com");
}

} // namespace
} // namespace fallbackd::test
