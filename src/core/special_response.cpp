// SPDX-License-Identifier: GPL-2.0
// The kernel's own answers besides a file (special_response.h).
#include "special_response.h"

#include "khttpd/kapi.h"

#include "http_date.h"


namespace khttpd {

StrView DateCache::now()
{
	static_assert(sizeof(text_) == kHttpDateLen, "Date text size");
	kh_s64 t = kh_now_seconds();
	if (t != second_) {
		format_http_date(t, text_);
		second_ = t;
	}
	return StrView(text_, kHttpDateLen);
}

constexpr StrView kServerName = "khttpd";

void common_headers(ResponseWriter &w, kh_u16 status, const ReplyStyle &style)
{
	w.status_line(status)
		.header("Server", kServerName)
		.header("Date", style.date)
		.header("Connection", style.keep_alive ? StrView("keep-alive") : StrView("close"));
}

bool write_error(ResponseWriter &w, kh_u16 status, const ReplyStyle &style,
		 const kh_u64 *complete_length, kh_u32 retry_after)
{
	StrView reason = reason_phrase(status);
	constexpr StrView p1 = "<html>\r\n<head><title>";
	constexpr StrView p2 = "</title></head>\r\n<body>\r\n<center><h1>";
	constexpr StrView p3 = "</h1></center>\r\n<hr><center>khttpd</center>\r\n</body>\r\n</html>\r\n";
	kh_size title_len = 4 + reason.size(); // "404 " + reason
	kh_size body_len = p1.size() + p2.size() + p3.size() + 2 * title_len;

	common_headers(w, status, style);
	if (status == 405)
		w.header("Allow", "GET, HEAD");
	if (retry_after)
		w.header("Retry-After", kh_u64{retry_after});
	if (complete_length)
		w.raw("Content-Range: bytes */").number(*complete_length).raw("\r\n");
	if (style.vary) // 412 and 416 judged the representation Accept-Encoding chose
		w.header("Vary", "Accept-Encoding");
	w.header("Content-Type", "text/html").header("Content-Length", body_len).end_head();
	if (!style.head_only) {
		w.raw(p1).number(status).raw(" ").raw(reason);
		w.raw(p2).number(status).raw(" ").raw(reason).raw(p3);
	}
	return w.ok();
}

namespace {

// RFC 3986 pchar and '/': what a path may hold without percent-encoding.
constexpr bool is_path_char(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
		return true;
	switch (c) {
	case '-': case '.': case '_': case '~': case '!': case '$': case '&':
	case '\'': case '(': case ')': case '*': case '+': case ',': case ';':
	case '=': case ':': case '@': case '/':
		return true;
	default:
		return false;
	}
}

// Appends the decoded path @rel, percent-encoding what a path may not hold
// as it is (a '\', a '%', a '?', a control or non-ASCII byte ...).
void append_encoded_path(ResponseWriter &w, StrView rel)
{
	constexpr char hex[] = "0123456789ABCDEF";
	for (char c : rel) {
		if (is_path_char(c)) {
			w.raw(StrView(&c, 1));
			continue;
		}
		auto b = static_cast<unsigned char>(c);
		char esc[3] = {'%', hex[b >> 4], hex[b & 15]};
		w.raw(StrView(esc, 3));
	}
}

} // namespace

bool write_redirect(ResponseWriter &w, const RequestPath &path, const ReplyStyle &style)
{
	// Location: "/" + the normalised path + "/" + the query. Never the path
	// as sent: "//evil.example/%2e%2e/docs" would make it "//evil.example/
	// %2e%2e/docs/", which browsers read as another host. The normalised
	// path has no leading '/', no empty segment and no dot segment, and
	// '\' is encoded, so Location always starts with one '/' and a
	// segment of this host's.
	common_headers(w, 301, style);
	w.raw("Location: /");
	append_encoded_path(w, path.rel);
	if (!path.rel.empty())
		w.raw("/");
	if (path.has_query)
		w.raw("?").raw(path.query);
	w.raw("\r\n").header("Content-Length", kh_u64{0}).end_head();
	return w.ok();
}

bool write_not_modified(ResponseWriter &w, const Validators &v, const ReplyStyle &style)
{
	// RFC 9110 section 15.4.5: Date and ETag as a 200 would carry them;
	// Last-Modified too, as nginx sends it. No body, so no Content-Length
	// or Content-Type (nginx sends neither).
	common_headers(w, 304, style);
	w.date_header("Last-Modified", v.last_modified).header("ETag", v.etag);
	if (style.vary) // RFC 9110 section 15.4.5: as a 200 would send it
		w.header("Vary", "Accept-Encoding");
	w.end_head();
	return w.ok();
}

} // namespace khttpd
