// SPDX-License-Identifier: GPL-2.0
// HTTP/1.x request head parser (RFC 9112 sections 2-5).
#include "http_request.h"

namespace khttpd {
namespace {

// field-value characters: visible ASCII, obs-text, SP and HTAB.
constexpr bool is_field_value(StrView s)
{
	for (char c : s) {
		auto u = static_cast<kh_u8>(c);
		if ((u < 0x20 && c != '\t') || u == 0x7f)
			return false;
	}
	return true;
}

// request-target characters: no whitespace, no controls.
constexpr bool is_target(StrView s)
{
	if (s.empty())
		return false;
	for (char c : s) {
		auto u = static_cast<kh_u8>(c);
		if (u <= 0x20 || u == 0x7f)
			return false;
	}
	return true;
}

// Splits off the next line (without its LF and an optional CR before it).
// Returns false if no complete line is left.
bool next_line(StrView buf, kh_size &pos, StrView &line)
{
	kh_size lf = buf.find('\n', pos);
	if (lf == StrView::npos)
		return false;
	kh_size end = lf;
	if (end > pos && buf[end - 1] == '\r')
		end--;
	line = buf.substr(pos, end - pos);
	pos = lf + 1;
	return true;
}

constexpr ParseResult error(kh_u16 status)
{
	return ParseResult{ParseStatus::Error, 0, status};
}

constexpr ParseResult incomplete(kh_size skip)
{
	return ParseResult{ParseStatus::Incomplete, skip, 0};
}

// "HTTP/1.1" -> minor 1. Returns 0 on success, else the status to answer.
kh_u16 parse_version(StrView v, kh_u8 &minor)
{
	if (v.size() != 8 || !v.starts_with("HTTP/") || v[6] != '.' ||
	    !is_digit(v[5]) || !is_digit(v[7]))
		return 400;
	if (v[5] != '1')
		return 505;
	minor = static_cast<kh_u8>(v[7] - '0');
	return 0;
}

kh_u16 parse_request_line(StrView line, RequestHead &out)
{
	kh_size sp1 = line.find(' ');
	if (sp1 == StrView::npos)
		return 400;
	kh_size sp2 = line.find(' ', sp1 + 1);
	if (sp2 == StrView::npos)
		return 400;
	StrView method = line.substr(0, sp1);
	StrView target = line.substr(sp1 + 1, sp2 - sp1 - 1);
	StrView version = line.substr(sp2 + 1);
	if (!method.is_token() || !is_target(target))
		return 400;
	if (kh_u16 st = parse_version(version, out.version_minor))
		return st;
	out.method_name = method;
	if (method == "GET")
		out.method = Method::Get;
	else if (method == "HEAD")
		out.method = Method::Head;
	else
		out.method = Method::Other;
	out.target = target;
	return 0;
}

// Connection: a comma-separated list of tokens.
void parse_connection(StrView value, RequestHead &out)
{
	StrView opt;
	for (ListElements list(value); list.next(opt);) {
		if (opt.equals_icase("close"))
			out.conn_close = true;
		else if (opt.equals_icase("keep-alive"))
			out.conn_keep_alive = true;
	}
}

// Content-Length: 1*DIGIT. Returns false if malformed.
bool parse_content_length(StrView value, bool &nonzero)
{
	if (value.empty())
		return false;
	nonzero = false;
	for (char c : value) {
		if (!is_digit(c))
			return false;
		if (c != '0')
			nonzero = true;
	}
	return true;
}

// A field that may occur once: false if it already did.
bool set_once(StrView value, StrView &dst, bool &seen)
{
	if (seen)
		return false;
	seen = true;
	dst = value;
	return true;
}

// Conditional fields kept as views; a second line of one answers 400,
// as nginx does.
struct SingletonField {
	StrView name;
	StrView RequestHead::*value;
	bool RequestHead::*seen;
};

constexpr SingletonField kSingletonFields[] = {
	{"if-modified-since", &RequestHead::if_modified_since, &RequestHead::has_if_modified_since},
	{"if-unmodified-since", &RequestHead::if_unmodified_since,
	 &RequestHead::has_if_unmodified_since},
	{"if-none-match", &RequestHead::if_none_match, &RequestHead::has_if_none_match},
	{"if-match", &RequestHead::if_match, &RequestHead::has_if_match},
	{"if-range", &RequestHead::if_range, &RequestHead::has_if_range},
};

const SingletonField *find_singleton(StrView name)
{
	for (const SingletonField &f : kSingletonFields)
		if (name.equals_icase(f.name))
			return &f;
	return nullptr;
}

kh_u16 parse_field(StrView line, RequestHead &out, bool &seen_length)
{
	if (line[0] == ' ' || line[0] == '\t')
		return 400; // obs-fold is rejected (RFC 9112 section 5.2)
	kh_size colon = line.find(':');
	if (colon == StrView::npos)
		return 400;
	StrView name = line.substr(0, colon);
	StrView value = line.substr(colon + 1).trim_ows();
	if (!name.is_token() || !is_field_value(value))
		return 400;

	if (const SingletonField *f = find_singleton(name))
		return set_once(value, out.*f->value, out.*f->seen) ? 0 : 400;
	if (name.equals_icase("host")) {
		if (out.has_host)
			return 400; // RFC 9112 section 3.2: more than one Host
		out.has_host = true;
		out.host = value;
	} else if (name.equals_icase("connection")) {
		parse_connection(value, out);
	} else if (name.equals_icase("content-length")) {
		bool nonzero = false;
		if (seen_length || !parse_content_length(value, nonzero))
			return 400;
		seen_length = true;
		out.has_body = out.has_body || nonzero;
	} else if (name.equals_icase("transfer-encoding")) {
		out.has_body = true;
	} else if (name.equals_icase("accept-encoding")) {
		out.has_accept_encoding = true;
		add_accept_encoding(value, out.accept_encoding);
	} else if (name.equals_icase("referer")) {
		out.referer = value;
	} else if (name.equals_icase("user-agent")) {
		out.user_agent = value;
	} else if (name.equals_icase("range")) {
		if (!set_once(value, out.range, out.has_range))
			out.range_repeated = true;
	}
	return 0;
}

} // namespace

bool may_hold_head_end(StrView buf, kh_size new_from)
{
	// A head ends with LF followed by an empty line ("\n\r\n" or "\n\n").
	// A buffer may also start with empty lines, which are skipped.
	kh_size start = new_from >= 2 ? new_from - 2 : 0;
	for (kh_size i = start; i < buf.size(); i++) {
		if (buf[i] != '\n')
			continue;
		if (i == 0 || (i == 1 && buf[0] == '\r'))
			return true; // a leading empty line
		if (buf[i - 1] == '\n' || (buf[i - 1] == '\r' && buf[i - 2] == '\n'))
			return true;
	}
	return false;
}

ParseResult parse_request_head(StrView buf, RequestHead &out)
{
	out = RequestHead{};
	kh_size pos = 0;
	StrView line;

	// Skip empty lines before the request line.
	kh_size skipped = 0;
	for (;;) {
		kh_size before = pos;
		if (!next_line(buf, pos, line))
			return incomplete(skipped);
		if (!line.empty()) {
			pos = before;
			break;
		}
		skipped = pos;
	}

	// Find the end of the head before interpreting anything, so a partial
	// head is never half-parsed.
	kh_size end = pos;
	for (;;) {
		if (!next_line(buf, end, line))
			return incomplete(skipped);
		if (line.empty())
			break;
	}

	next_line(buf, pos, line);
	if (line.find('\r') != StrView::npos)
		return error(400);
	if (kh_u16 st = parse_request_line(line, out))
		return error(st);

	bool seen_length = false;
	while (next_line(buf, pos, line) && !line.empty()) {
		if (line.find('\r') != StrView::npos)
			return error(400); // bare CR inside a line
		if (kh_u16 st = parse_field(line, out, seen_length))
			return error(st);
	}

	if (out.version_minor >= 1 && !out.has_host)
		return error(400); // RFC 9112 section 3.2
	return ParseResult{ParseStatus::Done, end, 0};
}

} // namespace khttpd
