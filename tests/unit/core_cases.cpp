// SPDX-License-Identifier: GPL-2.0
// Test cases for the khttpd core written in freestanding C++ like the core
// itself (no std, no test framework headers): they once ran as a KUnit
// module too and now run on the host only (test_core_cases.cpp is their
// GoogleTest glue). Each extern "C" function is one case (core_cases.h).
// One file, longer than most: every case uses the one harness below and
// the file is one table of cases in core_cases.h order; split, each part
// would repeat the harness.
#include "../fake/fake_kapi.h"
#include "khttpd/core.h"
#include "khttpd/handover_reason.h"
#include "core_cases.h"

#include "byte_range.h"
#include "content_coding.h"
#include "etag.h"
#include "http_date.h"
#include "http_request.h"
#include "khttpd/mime_table.h"
#include "mime.h"
#include "preconditions.h"
#include "request_path.h"
#include "response_writer.h"

using namespace khttpd;

namespace {

#define EXPECT(cond) core_case_expect(test, (cond), #cond, __FILE__, __LINE__)
#define EXPECT_SV(got, want) expect_sv(test, (got), StrView(want), #got " == " #want, \
				       __FILE__, __LINE__)

void expect_sv(core_case *test, StrView got, StrView want, const char *expr, const char *file,
	       int line)
{
	core_case_expect_bytes(test, got == want, got.data(), got.size(), want.data(),
				  want.size(), expr, file, line);
}

template <kh_size N>
StrView lit(const char (&s)[N])
{
	return StrView(s);
}

// --- parser ----------------------------------------------------------------

ParseResult parse(StrView s, RequestHead &h)
{
	return parse_request_head(s, h);
}

kh_u16 parse_error(StrView s)
{
	RequestHead h;
	ParseResult r = parse_request_head(s, h);
	return r.status == ParseStatus::Error ? r.error_status : 0;
}

// --- request_path ----------------------------------------------------------

struct PathCase {
	const char *target;
	kh_u16 status;
	const char *rel;
	bool trailing_slash;
};

constexpr PathCase kPathCases[] = {
	{"/", 0, "", true},
	{"/a/b.html", 0, "a/b.html", false},
	{"/a/b/", 0, "a/b", true},
	{"//a///b", 0, "a/b", false},
	{"/a/./b/../c", 0, "a/c", false},
	{"/a%20b", 0, "a b", false},
	{"/a%2fb", 0, "a/b", false},
	{"/a/%2e%2e/b", 0, "b", false},
	{"/a/..", 0, "", true},
	{"/x?q=1", 0, "x", false},
	{"http://host/x/y?z", 0, "x/y", false},
	{"http://host", 0, "", true},
	{"/a%00b", 400, "", false},
	{"/a%zz", 400, "", false},
	{"/a%4", 400, "", false},
	{"/a#b", 400, "", false},
	{"x/y", 400, "", false},
	{"ftp://host/x", 400, "", false},
};

constexpr const char *kTraversals[] = {
	"/..",
	"/../etc/passwd",
	"/a/../../etc/passwd",
	"/%2e%2e/etc/passwd",
	"/%2E%2E%2Fetc%2Fpasswd",
	"/a%2f..%2f..%2fb",
	"/a/b/../../..",
	"//..//x",
	"/./../x",
	"http://h/../x",
};

// --- session ---------------------------------------------------------------

#define DATE_NOW "Sun, 06 Nov 1994 08:49:37 GMT"
#define DATE_MTIME "Sun, 09 Sep 2001 01:46:40 GMT"
constexpr kh_s64 kNow = 784111777;
constexpr kh_s64 kMtime = 1000000000;

// ETag: "<hex kMtime>-<hex size>"; every file served here has 14 bytes.
#define ETAG_14 "\"3b9aca00-e\""
#define OK_HEAD(conn, type, len)                                                   \
	"HTTP/1.1 200 OK\r\nServer: khttpd\r\nDate: " DATE_NOW "\r\nConnection: " conn \
	"\r\nContent-Type: " type "\r\nContent-Length: " len                          \
	"\r\nLast-Modified: " DATE_MTIME "\r\nETag: " ETAG_14                        \
	"\r\nAccept-Ranges: bytes\r\n\r\n"

#define HELLO "Hello, world!\n"
#define INDEX "<h1>home</h1>\n"
#define HELLO_200(conn) OK_HEAD(conn, "text/plain", "14") HELLO
#define INDEX_200(conn) OK_HEAD(conn, "text/html", "14") INDEX

#define ERROR_BODY(title)                                                         \
	"<html>\r\n<head><title>" title "</title></head>\r\n<body>\r\n<center><h1>" title \
	"</h1></center>\r\n<hr><center>khttpd</center>\r\n</body>\r\n</html>\r\n"
#define ERROR_HEAD(title, conn, len)                                                    \
	"HTTP/1.1 " title "\r\nServer: khttpd\r\nDate: " DATE_NOW "\r\nConnection: " conn \
	"\r\nContent-Type: text/html\r\nContent-Length: " len "\r\n\r\n"
// Body length: 121 + 2 * strlen(title).
#define NOT_FOUND(conn) ERROR_HEAD("404 Not Found", conn, "147") ERROR_BODY("404 Not Found")
#define FORBIDDEN(conn) ERROR_HEAD("403 Forbidden", conn, "147") ERROR_BODY("403 Forbidden")
#define BAD_REQUEST(conn) \
	ERROR_HEAD("400 Bad Request", conn, "151") ERROR_BODY("400 Bad Request")

#define REDIRECT(conn, location)                                                       \
	"HTTP/1.1 301 Moved Permanently\r\nServer: khttpd\r\nDate: " DATE_NOW            \
	"\r\nConnection: " conn "\r\nLocation: " location "\r\nContent-Length: 0\r\n\r\n"

constexpr kh_size kMaxHead = 1024;

// A fake root, a connection and session buffers, from kh_alloc.
class Harness {
public:
	explicit Harness(core_case *test) : test_(test)
	{
		root_ = static_cast<kh_root *>(kh_alloc(sizeof(kh_root)));
		conn_ = static_cast<kh_conn *>(kh_alloc(sizeof(kh_conn)));
		block_ = static_cast<char *>(kh_alloc(khttpd_conn_buffers_size(kMaxHead)));
		spare_ = static_cast<char *>(kh_alloc(khttpd_conn_buffers_size(kMaxHead)));
		scratch_ = static_cast<char *>(kh_alloc(khttpd_worker_scratch_size(kMaxHead)));
		if (!ok())
			return;
		fake::set_now(kNow);
		fake::root_init(root_);
		fake::root_add(root_, "", nullptr, 4096, KH_S_IFDIR | 0755, kMtime);
		fake::root_add_text(root_, "index.html", INDEX, KH_S_IFREG | 0644, kMtime);
		fake::root_add_text(root_, "hello.txt", HELLO, KH_S_IFREG | 0644, kMtime);
		fake::root_add_text(root_, "secret.txt", "s3cr3t", KH_S_IFREG | 0600, kMtime);
		fake::root_add(root_, "sub", nullptr, 4096, KH_S_IFDIR | 0755, kMtime);
		fake::root_add_text(root_, "digits.txt", "0123456789", KH_S_IFREG | 0644, kMtime);
		// Precompressed variants: a fresh one, and a stale one.
		fake::root_add_text(root_, "hello.txt.br", "BR:hello", KH_S_IFREG | 0644,
				    kMtime + 1);
		fake::root_add_text(root_, "index.html.gz", "GZ:old", KH_S_IFREG | 0644,
				    kMtime - 1);
		params_.index_name = "index.html";
		params_.max_requests = 0;
		params_.perm_required = 0004;
		params_.perm_forbid = 0;
	}
	~Harness()
	{
		kh_free(scratch_);
		kh_free(spare_);
		kh_free(block_);
		kh_free(conn_);
		kh_free(root_);
	}
	Harness(const Harness &) = delete;
	Harness &operator=(const Harness &) = delete;

	bool ok() const { return root_ && conn_ && block_ && spare_ && scratch_; }

	// Serves @in, received @chunk bytes at a time; returns all output.
	// @daemon: a hand-over daemon is registered. @send_cap: the most one
	// send takes (0: all), to make the session resume partial sends.
	StrView run(StrView in, kh_size chunk = 0, bool daemon = false, kh_size send_cap = 0)
	{
		fake::conn_init(conn_, in.data(), in.size(), chunk);
		if (daemon)
			conn_->handover_result = 0;
		conn_->send_cap = send_cap;
		conn_->send_eagain_every = send_cap ? 3 : 0;
		params_.dynamic = ".. cgi-bin"; // the default
		fake::serve(conn_, root_, &params_, kMaxHead, block_, spare_, scratch_);
		core_case_expect(test_, !conn_->overflow, "!overflow", __FILE__, __LINE__);
		core_case_expect(test_, fake::open_files(root_) == 0, "no file left open",
				    __FILE__, __LINE__);
		return StrView(conn_->out, conn_->out_len);
	}

	kh_root *root() { return root_; }
	kh_conn *conn() { return conn_; }

private:
	core_case *test_;
	kh_root *root_;
	kh_conn *conn_;
	char *block_;
	char *spare_;
	char *scratch_;
	khttpd_session_params params_{};
};

#define HARNESS(h)                                          \
	Harness h(test);                                    \
	if (!h.ok()) {                                      \
		EXPECT(false && "harness allocation");       \
		return;                                     \
	}

} // namespace

// --- parser ----------------------------------------------------------------

extern "C" void core_case_parser_get(core_case *test)
{
	RequestHead h;
	StrView s = lit("GET /a/b.html?x HTTP/1.1\r\nHost: example.com\r\n"
			"Connection: keep-alive, Close\r\nContent-Length: 0\r\n\r\nNEXT");
	ParseResult r = parse(s, h);
	EXPECT(r.status == ParseStatus::Done);
	EXPECT(r.head_len == s.size() - 4);
	EXPECT(h.method == Method::Get);
	EXPECT_SV(h.target, "/a/b.html?x");
	EXPECT(h.version_minor == 1);
	EXPECT(h.has_host);
	EXPECT_SV(h.host, "example.com");
	EXPECT(h.conn_close);
	EXPECT(h.conn_keep_alive);
	EXPECT(!h.has_body);

	r = parse(lit("\r\n\nHEAD / HTTP/1.0\n\n"), h);
	EXPECT(r.status == ParseStatus::Done);
	EXPECT(r.head_len == 20);
	EXPECT(h.method == Method::Head);
	EXPECT(h.version_minor == 0);
	EXPECT(!h.has_host);

	r = parse(lit("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\n"), h);
	EXPECT(r.status == ParseStatus::Done);
	EXPECT(h.method == Method::Other);
	EXPECT_SV(h.method_name, "POST");
	EXPECT(h.has_body);
}

extern "C" void core_case_parser_errors(core_case *test)
{
	EXPECT(parse_error(lit("GET / HTTP/2.0\r\nHost: h\r\n\r\n")) == 505);
	EXPECT(parse_error(lit("GET / HTTP/1.1\r\n\r\n")) == 400);
	EXPECT(parse_error(lit("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")) == 400);
	EXPECT(parse_error(lit("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n")) == 400);
	EXPECT(parse_error(lit("GET / HTTP/1.1\r\nHost: a\rB: c\r\n\r\n")) == 400);
	EXPECT(parse_error(lit("GET /\r HTTP/1.1\r\nHost: a\r\n\r\n")) == 400);
	EXPECT(parse_error(lit("G@T / HTTP/1.1\r\nHost: a\r\n\r\n")) == 400);
	EXPECT(parse_error(lit("GET / HTTP/1.1\r\nBad Name: x\r\nHost: a\r\n\r\n")) == 400);
	EXPECT(parse_error(lit("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: x\r\n\r\n")) ==
	       400);
	EXPECT(parse_error(lit("garbage\r\n\r\n")) == 400);
	EXPECT(parse_error(lit("GET / HTTP/1.1\r\nHost: a\r\n\r\n")) == 0);
}

extern "C" void core_case_parser_every_prefix(core_case *test)
{
	StrView s = lit("\r\nGET /index.html HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
	for (kh_size n = 0; n < s.size(); n++) {
		RequestHead h;
		ParseResult r = parse(s.substr(0, n), h);
		EXPECT(r.status == ParseStatus::Incomplete);
		EXPECT(r.head_len <= n);
		// may_hold_head_end never misses the end, wherever the split was.
		EXPECT(may_hold_head_end(s, n));
	}
	EXPECT(!may_hold_head_end(s.substr(0, s.size() - 1), s.size() - 3));
	RequestHead h;
	ParseResult r = parse(s, h);
	EXPECT(r.status == ParseStatus::Done);
	EXPECT(r.head_len == s.size());
	EXPECT(h.conn_close);
}

// --- request_path ----------------------------------------------------------

extern "C" void core_case_path_decode(core_case *test)
{
	char scratch[128];
	for (const PathCase &c : kPathCases) {
		RequestPath p;
		StrView target = StrView::from_cstr(c.target, 100);
		kh_u16 st = resolve_request_path(target, scratch, sizeof(scratch), p);
		core_case_expect_bytes(test, st == c.status, target.data(), target.size(), "",
					  0, "status", __FILE__, __LINE__);
		if (st || c.status)
			continue;
		expect_sv(test, p.rel, StrView::from_cstr(c.rel, 100), c.target, __FILE__,
			  __LINE__);
		core_case_expect(test, p.trailing_slash == c.trailing_slash, c.target,
				    __FILE__, __LINE__);
	}
	RequestPath p;
	EXPECT(resolve_request_path(lit("/dir?a=1"), scratch, sizeof(scratch), p) == 0);
	EXPECT(p.has_query);
	EXPECT_SV(p.query, "a=1");
	EXPECT_SV(p.raw_path, "/dir");
	EXPECT(has_hidden_segment(lit(".git/config")));
	EXPECT(has_hidden_segment(lit("a/.htaccess")));
	EXPECT(!has_hidden_segment(lit("a.b/c")));
}

extern "C" void core_case_path_traversal(core_case *test)
{
	char scratch[128];
	for (const char *t : kTraversals) {
		RequestPath p;
		kh_u16 st = resolve_request_path(StrView::from_cstr(t, 100), scratch,
						 sizeof(scratch), p);
		core_case_expect(test, st == 400, t, __FILE__, __LINE__);
	}
}

// --- date, MIME, writer ----------------------------------------------------

extern "C" void core_case_date(core_case *test)
{
	struct {
		kh_s64 t;
		const char *text;
	} cases[] = {
		{0, "Thu, 01 Jan 1970 00:00:00 GMT"},
		{784111777, "Sun, 06 Nov 1994 08:49:37 GMT"},
		{951782400, "Tue, 29 Feb 2000 00:00:00 GMT"},
		{2147483648LL, "Tue, 19 Jan 2038 03:14:08 GMT"},
		{4107542400LL, "Mon, 01 Mar 2100 00:00:00 GMT"},
		{-5, "Thu, 01 Jan 1970 00:00:00 GMT"},
		{253402300800LL, "Fri, 31 Dec 9999 23:59:59 GMT"},
	};
	for (const auto &c : cases) {
		char out[kHttpDateLen + 1];
		out[kHttpDateLen] = '#';
		format_http_date(c.t, out);
		expect_sv(test, StrView(out, kHttpDateLen), StrView::from_cstr(c.text, 40),
			  "format_http_date", __FILE__, __LINE__);
		EXPECT(out[kHttpDateLen] == '#');
	}
}

extern "C" void core_case_mime(core_case *test)
{
	EXPECT_SV(mime_type_for(lit("index.html")), "text/html");
	EXPECT_SV(mime_type_for(lit("A/B.PNG")), "image/png");
	EXPECT_SV(mime_type_for(lit("x.tar.gz")), "application/gzip");
	EXPECT_SV(mime_type_for(lit("Makefile")), "application/octet-stream");
	EXPECT_SV(mime_type_for(lit(".css")), "application/octet-stream");
	EXPECT_SV(mime_type_for(lit("v1.2/README")), "application/octet-stream");
}

extern "C" void core_case_writer_overflow(core_case *test)
{
	char buf[32];
	ResponseWriter w(buf, 24);
	w.status_line(200).header("Server", "khttpd");
	EXPECT(!w.ok());
	EXPECT(w.view().size() <= 24);
	ResponseWriter w2(buf, sizeof(buf));
	w2.status_line(404).header("N", kh_u64{42});
	EXPECT(w2.ok());
	EXPECT_SV(w2.view(), "HTTP/1.1 404 Not Found\r\nN: 42\r\n");
}

// --- MIME tables -------------------------------------------------------------

namespace {

// A table built into kh_alloc memory; t is null if the text was refused.
struct MimeTable {
	void *mem = nullptr;
	const khttpd_mime_table *t = nullptr;
	kh_u32 err_line = 0;

	MimeTable(const char *text, kh_size len)
	{
		kh_size size = khttpd_mime_table_size(text, len, &err_line);
		if (!size)
			return;
		mem = kh_alloc(size);
		if (mem)
			t = khttpd_mime_table_build(text, len, mem, size);
	}
	MimeTable(const MimeTable &) = delete;
	MimeTable &operator=(const MimeTable &) = delete;
	~MimeTable() { kh_free(mem); }
};

StrView mime_lookup(const khttpd_mime_table *t, StrView name)
{
	const char *type = nullptr;
	kh_size n = khttpd_mime_table_lookup(t, name.data(), name.size(), &type);
	return n ? StrView(type, n) : StrView();
}

kh_u32 mime_bad_line(StrView text)
{
	kh_u32 line = 0;
	return khttpd_mime_table_size(text.data(), text.size(), &line) ? 0 : line;
}

// Appends to a kh_alloc'd text.
struct TextBuilder {
	char *p;
	kh_size len = 0;
	kh_size cap;

	explicit TextBuilder(kh_size c) : p(static_cast<char *>(kh_alloc(c))), cap(c) {}
	TextBuilder(const TextBuilder &) = delete;
	TextBuilder &operator=(const TextBuilder &) = delete;
	~TextBuilder() { kh_free(p); }

	TextBuilder &put(StrView s)
	{
		for (char c : s)
			if (p && len < cap)
				p[len++] = c;
		return *this;
	}
	TextBuilder &num(kh_u32 v)
	{
		char d[10];
		int n = 0;
		do {
			d[n++] = static_cast<char>('0' + v % 10);
			v /= 10;
		} while (v);
		while (n)
			put(StrView(&d[--n], 1));
		return *this;
	}
	bool ok() const { return p && len < cap; }
	TextBuilder &clear()
	{
		len = 0;
		return *this;
	}
};

} // namespace

extern "C" void core_case_mime_table(core_case *test)
{
	static const char kText[] = "# test table\n"
				    "\n"
				    "text/html\thtml HTM shtml\n"
				    "  image/png png # png2\n"
				    "application/x-none\n"
				    "text/x-old kht\n"
				    "text/x-new KHT\n"
				    "~/~ ~ %";
	MimeTable tb(kText, sizeof(kText) - 1);
	EXPECT(tb.t != nullptr);
	EXPECT(tb.err_line == 0);
	if (!tb.t)
		return;
	EXPECT(khttpd_mime_table_count(tb.t) == 7);
	EXPECT_SV(mime_lookup(tb.t, lit("a/index.HTML")), "text/html");
	EXPECT_SV(mime_lookup(tb.t, lit("x.htm")), "text/html");
	EXPECT_SV(mime_lookup(tb.t, lit("x.png")), "image/png");
	EXPECT_SV(mime_lookup(tb.t, lit("x.png2")), "");
	EXPECT_SV(mime_lookup(tb.t, lit("x.kht")), "text/x-new");
	EXPECT_SV(mime_lookup(tb.t, lit("x.~")), "~/~");
	EXPECT_SV(mime_lookup(tb.t, lit("x.%")), "~/~");
	EXPECT_SV(mime_lookup(tb.t, lit("x.css")), "");
	EXPECT_SV(mime_lookup(tb.t, lit(".png")), "");
	EXPECT_SV(mime_lookup(tb.t, lit("x.png/y")), "");
	EXPECT_SV(mime_lookup(nullptr, lit("x.css")), "text/css");
	EXPECT(khttpd_mime_table_count(nullptr) > 100);

	// Malformed texts: the first bad line, and build refuses them.
	EXPECT(mime_bad_line(lit("text/html html\nSet-Cookie: a=b html\n")) == 2);
	EXPECT(mime_bad_line(lit("a/b c\n\ntext/html\r\nX: y html\n")) == 3);
	EXPECT(mime_bad_line(lit("text/html;charset=x html")) == 1);
	EXPECT(mime_bad_line(lit("text/html .html")) == 1);
	EXPECT(mime_bad_line(lit("text/html h\x0bX")) == 1);
	EXPECT(mime_bad_line(StrView("# a\0b", 5)) == 1);
	EXPECT(mime_bad_line(lit("a/b c\n# \xc3\xa9 in a comment is fine\n")) == 0);
	char mem[256] __attribute__((aligned(8)));
	EXPECT(khttpd_mime_table_build("x y", 3, mem, sizeof(mem)) == nullptr);
	EXPECT(khttpd_mime_table_build("a/b c", 5, mem, 1) == nullptr);
	// An empty text is an empty table.
	const khttpd_mime_table *empty = khttpd_mime_table_build("", 0, mem, sizeof(mem));
	EXPECT(empty && khttpd_mime_table_count(empty) == 0);
	EXPECT_SV(mime_lookup(empty, lit("a.html")), "");

	// kh_mime_type through the fake: built-in, then this table.
	char out[KH_MIME_TYPE_MAX];
	kh_size n = kh_mime_type("a.css", 5, out, sizeof(out));
	EXPECT_SV(StrView(out, n), "text/css");
	EXPECT(kh_mime_type("a.nope", 6, out, sizeof(out)) == 0);
	fake::set_mime_table(tb.t);
	n = kh_mime_type("a.KHT", 5, out, sizeof(out));
	EXPECT_SV(StrView(out, n), "text/x-new");
	EXPECT(kh_mime_type("a.css", 5, out, sizeof(out)) == 0);
	fake::set_mime_table(nullptr);
}

extern "C" void core_case_mime_table_big(core_case *test)
{
	// 4096 distinct extensions in descending order, each given twice (the
	// second line wins): the sort, the override and every lookup.
	constexpr kh_u32 kExts = 4096;
	TextBuilder text(kExts * 2 * 24);
	for (int pass = 0; pass < 2; pass++)
		for (kh_u32 k = kExts; k > 0; k--)
			text.put(pass ? lit("new/t") : lit("old/t")).num((k - 1) % 7).put(lit(" E"))
				.num(k - 1).put(lit("\n"));
	EXPECT(text.ok());
	MimeTable tb(text.p, text.len);
	EXPECT(tb.t != nullptr);
	if (!tb.t)
		return;
	EXPECT(khttpd_mime_table_count(tb.t) == kExts);
	kh_u32 bad = 0;
	TextBuilder name(32), want(32);
	for (kh_u32 i = 0; i < kExts; i++) {
		name.clear().put(lit("f.e")).num(i);
		want.clear().put(lit("new/t")).num(i % 7);
		if (mime_lookup(tb.t, StrView(name.p, name.len)) != StrView(want.p, want.len))
			bad++;
	}
	EXPECT(bad == 0);
	EXPECT_SV(mime_lookup(tb.t, lit("f.e4096")), "");
	EXPECT_SV(mime_lookup(tb.t, lit("f.e")), "");

	// At most 65536 extensions, duplicates included.
	TextBuilder many(65537 * 2 + 16);
	many.put(lit("a/b"));
	for (kh_u32 i = 0; i < 65536; i++)
		many.put(lit(" x"));
	EXPECT(many.ok());
	kh_u32 line = 1;
	EXPECT(khttpd_mime_table_size(many.p, many.len, &line) > 0 && line == 0);
	many.put(lit("\nc/d y"));
	EXPECT(khttpd_mime_table_size(many.p, many.len, &line) == 0 && line == 2);
}

// --- end MIME tables

// --- session through the fake kapi -------------------------------------------

extern "C" void core_case_session_get(core_case *test)
{
	HARNESS(h);
	EXPECT_SV(h.run(lit("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n")),
		  HELLO_200("keep-alive"));
	EXPECT(h.conn()->send_file_calls == 1);
	EXPECT_SV(StrView::from_cstr(h.root()->last_path, 64), "hello.txt");
	EXPECT_SV(h.run(lit("GET / HTTP/1.0\r\n\r\n")), INDEX_200("close"));
	EXPECT_SV(StrView::from_cstr(h.root()->last_path, 64), "index.html");
}

extern "C" void core_case_session_head(core_case *test)
{
	HARNESS(h);
	EXPECT_SV(h.run(lit("HEAD /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")),
		  OK_HEAD("close", "text/plain", "14"));
	EXPECT(h.conn()->send_file_calls == 0);
}

extern "C" void core_case_session_not_found(core_case *test)
{
	HARNESS(h);
	EXPECT_SV(h.run(lit("GET /missing.html HTTP/1.1\r\nHost: t\r\n\r\n")),
		  NOT_FOUND("keep-alive"));
	EXPECT_SV(h.run(lit("GET /.git/config HTTP/1.1\r\nHost: t\r\n\r\n")),
		  NOT_FOUND("keep-alive"));
}

extern "C" void core_case_session_forbidden(core_case *test)
{
	HARNESS(h);
	EXPECT_SV(h.run(lit("GET /secret.txt HTTP/1.1\r\nHost: t\r\n\r\n")),
		  FORBIDDEN("keep-alive"));
	EXPECT(h.conn()->send_file_calls == 0);
}

extern "C" void core_case_session_redirect(core_case *test)
{
	HARNESS(h);
	EXPECT_SV(h.run(lit("GET /sub?x=1 HTTP/1.1\r\nHost: t\r\n\r\n")),
		  REDIRECT("keep-alive", "/sub/?x=1"));
}

extern "C" void core_case_session_keep_alive(core_case *test)
{
	HARNESS(h);
	StrView in = lit("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
			 "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
			 "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
			 "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
	EXPECT_SV(h.run(in), HELLO_200("keep-alive") NOT_FOUND("keep-alive") INDEX_200("close"));
}

extern "C" void core_case_session_split(core_case *test)
{
	HARNESS(h);
	StrView in = lit("\r\nGET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
			 "HEAD /sub HTTP/1.1\nHost: t\n\n"
			 "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
	StrView want = lit(HELLO_200("keep-alive") REDIRECT("keep-alive", "/sub/")
				   INDEX_200("close"));
	for (kh_size chunk = 0; chunk <= in.size(); chunk++) {
		StrView got = h.run(in, chunk);
		if (!(got == want)) {
			expect_sv(test, got, want, "split output", __FILE__, __LINE__);
			break;
		}
	}
}

extern "C" void core_case_session_bad_requests(core_case *test)
{
	HARNESS(h);
	EXPECT_SV(h.run(lit("GET /../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n"
			    "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n")),
		  BAD_REQUEST("close"));
	EXPECT_SV(h.run(lit("GET /%2e%2e/x HTTP/1.1\r\nHost: t\r\n\r\n")), BAD_REQUEST("close"));
	EXPECT_SV(h.run(lit("\x16\x03\x01 junk\r\n\r\n")), BAD_REQUEST("close"));
}

extern "C" void core_case_session_partial_sends(core_case *test)
{
	HARNESS(h);
	StrView in = lit("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
			 "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
			 "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
	StrView want = lit(HELLO_200("keep-alive") NOT_FOUND("keep-alive") INDEX_200("close"));
	for (kh_size cap = 1; cap <= 64; cap *= 4)
		EXPECT_SV(h.run(in, 0, false, cap), want);
	EXPECT(h.conn()->steps_write > 0);
}

extern "C" void core_case_session_handover(core_case *test)
{
	HARNESS(h);
	// Static, then a CGI: the CGI request and what follows go to userspace.
	StrView cgi = lit("GET /cgi-bin/env HTTP/1.1\r\nHost: t\r\n\r\n"
			  "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
	StrView in = lit("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
			 "GET /cgi-bin/env HTTP/1.1\r\nHost: t\r\n\r\n"
			 "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
	EXPECT_SV(h.run(in, 0, true), HELLO_200("keep-alive"));
	kh_conn *c = h.conn();
	EXPECT(c->handed_over);
	EXPECT(c->handover_reason == KHTTPD_HANDOVER_DYNAMIC);
	EXPECT(c->handover_served == 1);
	EXPECT_SV(StrView(c->handover_data, c->handover_len), cgi);
	// A POST with its body, and a missing file.
	StrView post = lit("POST /f HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
	EXPECT_SV(h.run(post, 0, true), lit(""));
	EXPECT(c->handover_reason == KHTTPD_HANDOVER_METHOD);
	EXPECT_SV(StrView(c->handover_data, c->handover_len), post);
	EXPECT_SV(h.run(lit("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"), 0, true), lit(""));
	EXPECT(c->handover_reason == KHTTPD_HANDOVER_MISSING);
	// Without a daemon: the static server's answer.
	EXPECT_SV(h.run(lit("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n")), NOT_FOUND("keep-alive"));
	EXPECT(!c->handed_over);
}

// --- dates, ETags, ranges, preconditions -------------------------------------

extern "C" void core_case_date_parse(core_case *test)
{
	kh_s64 t = 0;
	EXPECT(parse_http_date(lit("Sun, 06 Nov 1994 08:49:37 GMT"), kNow, t) && t == 784111777);
	EXPECT(parse_http_date(lit("Sunday, 06-Nov-94 08:49:37 GMT"), kNow, t) && t == 784111777);
	EXPECT(parse_http_date(lit("Sun Nov  6 08:49:37 1994"), kNow, t) && t == 784111777);
	EXPECT(parse_http_date(lit("Wed, 31 Dec 1969 23:59:59 GMT"), kNow, t) && t == -1);
	EXPECT(!parse_http_date(lit("Sun, 31 Nov 1994 08:49:37 GMT"), kNow, t));
	EXPECT(!parse_http_date(lit("Sun, 06 Nov 1994 08:49:37 UTC"), kNow, t));
	EXPECT(!parse_http_date(lit("99999999999999999999"), kNow, t));
	EXPECT(!parse_http_date(lit(""), kNow, t));
}

extern "C" void core_case_etag(core_case *test)
{
	char buf[kEtagMax];
	EXPECT_SV(StrView(buf, format_etag(kMtime, 14, buf)), "\"3b9aca00-e\"");
	EXPECT_SV(StrView(buf, format_etag(-9223372036854775807LL - 1, ~kh_u64{0}, buf)),
		  "\"-8000000000000000-ffffffffffffffff\"");
	StrView cur = lit("\"3b9aca00-e\"");
	EXPECT(etag_list_matches(lit("\"a\", W/\"3b9aca00-e\""), cur, EtagCompare::Weak));
	EXPECT(!etag_list_matches(lit("\"a\", W/\"3b9aca00-e\""), cur, EtagCompare::Strong));
	EXPECT(etag_list_matches(lit("*"), cur, EtagCompare::Strong));
	EXPECT(!etag_list_matches(lit("\"3b9aca00-e"), cur, EtagCompare::Weak));
}

extern "C" void core_case_range_overflow(core_case *test)
{
	constexpr kh_u64 kMax = ~kh_u64{0};
	ByteRange r = parse_byte_range(lit("bytes=0-18446744073709551615"), 10);
	EXPECT(r.kind == RangeKind::Single && r.first == 0 && r.last == 9 && r.length() == 10);
	r = parse_byte_range(lit("bytes=3-99999999999999999999999"), 10);
	EXPECT(r.kind == RangeKind::Single && r.first == 3 && r.last == 9);
	r = parse_byte_range(lit("bytes=-99999999999999999999999"), 10);
	EXPECT(r.kind == RangeKind::Single && r.first == 0 && r.last == 9);
	EXPECT(parse_byte_range(lit("bytes=18446744073709551616-"), 10).kind ==
	       RangeKind::Unsatisfiable);
	EXPECT(parse_byte_range(lit("bytes=99999999999999999999999-99999999999999999999998"), 10)
		       .kind == RangeKind::Invalid);
	EXPECT(parse_byte_range(lit("bytes=5-4"), 10).kind == RangeKind::Invalid);
	EXPECT(parse_byte_range(lit("bytes=-0"), 10).kind == RangeKind::Unsatisfiable);
	EXPECT(parse_byte_range(lit("bytes=0-1,2-3"), 10).kind == RangeKind::Multiple);
	EXPECT(parse_byte_range(lit("bytes=0-"), 0).kind == RangeKind::Ignored);
	r = parse_byte_range(lit("bytes=0-18446744073709551615"), kMax);
	EXPECT(r.kind == RangeKind::Single && r.last == kMax - 1 && r.length() == kMax);
	r = parse_byte_range(lit("bytes=-18446744073709551615"), kMax);
	EXPECT(r.kind == RangeKind::Single && r.first == 0 && r.length() == kMax);
}

extern "C" void core_case_preconditions(core_case *test)
{
	Validators v{kMtime, lit("\"3b9aca00-e\"")};
	RequestHead h;
	h.method = Method::Get;
	EXPECT(evaluate_preconditions(h, v, kNow) == Precondition::Proceed);
	h.has_if_none_match = true;
	h.if_none_match = lit("W/\"3b9aca00-e\"");
	EXPECT(evaluate_preconditions(h, v, kNow) == Precondition::NotModified);
	h.has_if_match = true;
	h.if_match = lit("\"other\"");
	EXPECT(evaluate_preconditions(h, v, kNow) == Precondition::Failed); // step 1 first
	h = RequestHead{};
	h.method = Method::Head;
	h.has_if_modified_since = true;
	h.if_modified_since = lit(DATE_MTIME);
	EXPECT(evaluate_preconditions(h, v, kNow) == Precondition::NotModified);
	h.has_if_unmodified_since = true;
	h.if_unmodified_since = lit("Sun, 09 Sep 2001 01:46:39 GMT");
	EXPECT(evaluate_preconditions(h, v, kNow) == Precondition::Failed);
	h = RequestHead{};
	h.has_if_range = true;
	h.if_range = lit(DATE_MTIME);
	EXPECT(if_range_holds(h, v, kNow));
	h.if_range = lit("W/\"3b9aca00-e\"");
	EXPECT(!if_range_holds(h, v, kNow));
}

#define DIGITS_HEAD(status, len, extra)                                                  \
	"HTTP/1.1 " status "\r\nServer: khttpd\r\nDate: " DATE_NOW                        \
	"\r\nConnection: keep-alive\r\nContent-Type: text/plain\r\nContent-Length: " len   \
	"\r\nLast-Modified: " DATE_MTIME "\r\nETag: \"3b9aca00-a\"\r\nAccept-Ranges: bytes" \
	"\r\n" extra "\r\n"

extern "C" void core_case_session_range(core_case *test)
{
	HARNESS(h);
	EXPECT_SV(h.run(lit("GET /digits.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=2-5\r\n\r\n")),
		  DIGITS_HEAD("206 Partial Content", "4", "Content-Range: bytes 2-5/10\r\n") "2345");
	EXPECT_SV(h.run(lit("GET /digits.txt HTTP/1.1\r\nHost: t\r\n"
			    "Range: bytes=7-18446744073709551615\r\n\r\n")),
		  DIGITS_HEAD("206 Partial Content", "3", "Content-Range: bytes 7-9/10\r\n") "789");
	EXPECT_SV(h.run(lit("GET /digits.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-1,4-5\r\n\r\n")),
		  DIGITS_HEAD("200 OK", "10", "") "0123456789");
	EXPECT_SV(h.run(lit("GET /digits.txt HTTP/1.1\r\nHost: t\r\n"
			    "Range: bytes=99999999999999999999999-\r\n\r\n")),
		  "HTTP/1.1 416 Range Not Satisfiable\r\nServer: khttpd\r\nDate: " DATE_NOW
		  "\r\nConnection: keep-alive\r\nContent-Range: bytes */10\r\n"
		  "Content-Type: text/html\r\nContent-Length: 171\r\n\r\n"
		  ERROR_BODY("416 Range Not Satisfiable"));
}

extern "C" void core_case_session_conditional(core_case *test)
{
	HARNESS(h);
	EXPECT_SV(h.run(lit("GET /digits.txt HTTP/1.1\r\nHost: t\r\n"
			    "If-None-Match: \"3b9aca00-a\"\r\nRange: bytes=0-0\r\n\r\n")),
		  "HTTP/1.1 304 Not Modified\r\nServer: khttpd\r\nDate: " DATE_NOW
		  "\r\nConnection: keep-alive\r\nLast-Modified: " DATE_MTIME
		  "\r\nETag: \"3b9aca00-a\"\r\n\r\n");
	EXPECT_SV(h.run(lit("GET /digits.txt HTTP/1.1\r\nHost: t\r\nIf-Match: \"x\"\r\n\r\n")),
		  "HTTP/1.1 412 Precondition Failed\r\nServer: khttpd\r\nDate: " DATE_NOW
		  "\r\nConnection: keep-alive\r\nContent-Type: text/html\r\nContent-Length: 167"
		  "\r\n\r\n" ERROR_BODY("412 Precondition Failed"));
	EXPECT(h.conn()->send_file_calls == 0);
}

// --- precompressed variants ----------------------------------------------------

namespace {

kh_size codings(StrView value, Coding out[kVariantCodings])
{
	AcceptEncoding ae;
	add_accept_encoding(value, ae);
	return preferred_codings(ae, out);
}

} // namespace

extern "C" void core_case_accept_encoding(core_case *test)
{
	Coding c[kVariantCodings];
	EXPECT(codings(lit("gzip, deflate, br, zstd"), c) == 3 && c[0] == Coding::Br &&
	       c[1] == Coding::Zstd && c[2] == Coding::Gzip);
	EXPECT(codings(lit("br;q=0.5, GZIP;Q=0.8"), c) == 2 && c[0] == Coding::Gzip &&
	       c[1] == Coding::Br);
	EXPECT(codings(lit("*;q=0.1, zstd;q=0"), c) == 2 && c[0] == Coding::Br &&
	       c[1] == Coding::Gzip);
	EXPECT(codings(lit("gzip;q=0"), c) == 0);
	EXPECT(codings(lit("identity, gzip;q=0.9"), c) == 0);
	EXPECT(codings(lit("gzip;q=1.5, br;q=0.x, zstd;foo=1"), c) == 0);
	EXPECT(codings(lit(""), c) == 0);
	RequestHead h;
	EXPECT(parse(lit("GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: x-gzip\r\n"
			 "accept-encoding: br;q=0.5\r\n\r\n"), h).status == ParseStatus::Done);
	EXPECT(h.has_accept_encoding);
	EXPECT(preferred_codings(h.accept_encoding, c) == 2 && c[0] == Coding::Gzip &&
	       c[1] == Coding::Br);
	EXPECT(has_coding_suffix(lit("a.tar.gz")) && !has_coding_suffix(lit("a.tgz")));
	char buf[kEtagCodedMax];
	EXPECT_SV(StrView(buf, format_etag(kMtime, 8, buf, lit("br"))), "\"3b9aca00-8-br\"");
}

#define HELLO_BR_HEAD(extra)                                                             \
	"HTTP/1.1 200 OK\r\nServer: khttpd\r\nDate: " DATE_NOW                              \
	"\r\nConnection: keep-alive\r\nContent-Type: text/plain\r\nContent-Encoding: br"     \
	"\r\nContent-Length: 8\r\nLast-Modified: Sun, 09 Sep 2001 01:46:41 GMT"               \
	"\r\nETag: \"3b9aca01-8-br\"\r\nAccept-Ranges: bytes\r\nVary: Accept-Encoding\r\n" \
	extra "\r\n"

extern "C" void core_case_session_variant(core_case *test)
{
	HARNESS(h);
	EXPECT_SV(h.run(lit("GET /hello.txt HTTP/1.1\r\nHost: t\r\n"
			    "Accept-Encoding: gzip, deflate, br, zstd\r\n\r\n")),
		  HELLO_BR_HEAD("") "BR:hello");
	EXPECT_SV(StrView::from_cstr(h.root()->last_path, 64), "hello.txt.br");
	EXPECT(h.root()->lookups == 2);
	EXPECT_SV(h.run(lit("HEAD /hello.txt HTTP/1.1\r\nHost: t\r\nAccept-Encoding: br\r\n\r\n")),
		  HELLO_BR_HEAD(""));
	EXPECT_SV(h.run(lit("GET /hello.txt HTTP/1.1\r\nHost: t\r\nAccept-Encoding: br\r\n"
			    "Range: bytes=3-\r\n\r\n")),
		  "HTTP/1.1 206 Partial Content\r\nServer: khttpd\r\nDate: " DATE_NOW
		  "\r\nConnection: keep-alive\r\nContent-Type: text/plain\r\nContent-Encoding: br"
		  "\r\nContent-Length: 5\r\nLast-Modified: Sun, 09 Sep 2001 01:46:41 GMT"
		  "\r\nETag: \"3b9aca01-8-br\"\r\nAccept-Ranges: bytes\r\nVary: Accept-Encoding"
		  "\r\nContent-Range: bytes 3-7/8\r\n\r\nhello");
	// Without Accept-Encoding: identity, no Vary.
	EXPECT_SV(h.run(lit("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n")),
		  HELLO_200("keep-alive"));
}

extern "C" void core_case_session_variant_stale(core_case *test)
{
	HARNESS(h);
	// index.html.gz is older than index.html: identity, with Vary.
	EXPECT_SV(h.run(lit("GET / HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\n\r\n")),
		  "HTTP/1.1 200 OK\r\nServer: khttpd\r\nDate: " DATE_NOW
		  "\r\nConnection: keep-alive\r\nContent-Type: text/html\r\nContent-Length: 14"
		  "\r\nLast-Modified: " DATE_MTIME "\r\nETag: " ETAG_14
		  "\r\nAccept-Ranges: bytes\r\nVary: Accept-Encoding\r\n\r\n" INDEX);
	EXPECT_SV(StrView::from_cstr(h.root()->last_path, 64), "index.html.gz");
	// 304 for the variant's tag, with Vary.
	EXPECT_SV(h.run(lit("GET /hello.txt HTTP/1.1\r\nHost: t\r\nAccept-Encoding: br\r\n"
			    "If-None-Match: \"3b9aca01-8-br\"\r\n\r\n")),
		  "HTTP/1.1 304 Not Modified\r\nServer: khttpd\r\nDate: " DATE_NOW
		  "\r\nConnection: keep-alive\r\nLast-Modified: Sun, 09 Sep 2001 01:46:41 GMT"
		  "\r\nETag: \"3b9aca01-8-br\"\r\nVary: Accept-Encoding\r\n\r\n");
	EXPECT(h.conn()->send_file_calls == 0);
}
