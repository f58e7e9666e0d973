// SPDX-License-Identifier: GPL-2.0
// Request-target to document-root-relative path (RFC 3986 section 5.2.4).
#include "request_path.h"

namespace khttpd {
namespace {

constexpr int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

// Splits a target into its authority (empty for origin-form) and the
// origin part ("/path?q"). False for an absolute-form target of a scheme
// other than http or https, or no target at all.
bool split_target(StrView target, StrView &authority, StrView &origin)
{
	authority = StrView();
	if (target.empty())
		return false;
	if (target[0] == '/') {
		origin = target;
		return true;
	}
	kh_size colon = target.find(':');
	if (colon == StrView::npos || !target.substr(colon).starts_with("://"))
		return false;
	StrView scheme = target.substr(0, colon);
	if (!scheme.equals_icase("http") && !scheme.equals_icase("https"))
		return false;
	StrView rest = target.substr(colon + 3);
	// The authority ends at the first '/' or '?' ("http://host?q/x").
	kh_size end = 0;
	while (end < rest.size() && rest[end] != '/' && rest[end] != '?')
		end++;
	authority = rest.substr(0, end);
	// "http://host": the path is "/"; else "/path..." or "?q" (empty path)
	origin = end == rest.size() ? StrView("/") : rest.substr(end);
	return true;
}

} // namespace

StrView target_authority(StrView target)
{
	StrView authority, origin;
	split_target(target, authority, origin);
	return authority;
}

kh_u16 resolve_request_path(StrView target, char *scratch, kh_size scratch_size,
			    RequestPath &out)
{
	out = RequestPath{};
	StrView authority, origin;
	if (!split_target(target, authority, origin))
		return 400;
	// A fragment is never sent, in the path or the query.
	if (origin.find('#') != StrView::npos)
		return 400;

	kh_size q = origin.find('?');
	StrView path = origin.substr(0, q);
	if (q != StrView::npos) {
		out.has_query = true;
		out.query = origin.substr(q + 1);
	}
	if (path.empty())
		path = StrView("/"); // absolute-form "http://host?q"
	if (path[0] != '/')
		return 400;
	out.raw_path = path;
	if (scratch_size < path.size())
		return 414;

	// Pass 1: percent-decode into scratch. An encoded '/' becomes a
	// separator like a plain one, so "a%2f..%2fb" cannot hide a "..".
	kh_size n = 0;
	for (kh_size i = 0; i < path.size(); i++) {
		char c = path[i];
		if (c == '%') {
			if (path.size() - i < 3)
				return 400;
			int hi = hex_value(path[i + 1]), lo = hex_value(path[i + 2]);
			if (hi < 0 || lo < 0)
				return 400;
			c = static_cast<char>(hi * 16 + lo);
			if (c == '\0')
				return 400;
			i += 2;
		}
		scratch[n++] = c;
	}

	// Pass 2: resolve segments in place. Output never outruns input:
	// every kept segment is written as "seg/" over "/seg" or longer.
	kh_size len = 0;
	bool ends_in_dir = true;
	kh_size i = 0;
	while (i < n) {
		while (i < n && scratch[i] == '/')
			i++; // merge "//" and skip the leading '/'
		if (i == n)
			break;
		kh_size seg_from = i;
		while (i < n && scratch[i] != '/')
			i++;
		StrView seg(scratch + seg_from, i - seg_from);
		ends_in_dir = i < n; // followed by '/'
		if (seg == ".") {
			ends_in_dir = true;
		} else if (seg == "..") {
			if (len == 0)
				return 400; // would climb above the root
			// Drop the previous segment and its '/'.
			len--;
			while (len > 0 && scratch[len - 1] != '/')
				len--;
			ends_in_dir = true;
		} else {
			for (kh_size k = 0; k < seg.size(); k++)
				scratch[len + k] = seg[k]; // len <= seg_from: safe overlap
			len += seg.size();
			scratch[len++] = '/';
		}
	}
	if (len > 0 && scratch[len - 1] == '/')
		len--;
	out.rel = StrView(scratch, len);
	out.trailing_slash = ends_in_dir;
	return 0;
}

bool has_hidden_segment(StrView rel)
{
	if (!rel.empty() && rel[0] == '.')
		return true;
	for (kh_size i = 0; i + 1 < rel.size(); i++)
		if (rel[i] == '/' && rel[i + 1] == '.')
			return true;
	return false;
}

} // namespace khttpd
