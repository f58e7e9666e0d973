// SPDX-License-Identifier: GPL-2.0
// File extension to Content-Type: the built-in table, and what it shares
// with the run-time tables of mime_table.cpp (include/khttpd/mime_table.h).
#pragma once

#include "str_view.h"

namespace khttpd {

// Limits of a MIME table entry (built-in or loaded).
constexpr kh_size kMimeTypeLenMax = KH_MIME_TYPE_MAX; // bytes of "type/subtype"
constexpr kh_size kMimeExtLenMax = 31;   // bytes of an extension

// The extension of a file name, as looked up: what follows the last '.' of
// the last path segment, unless that '.' starts the segment (a dotfile).
// Empty if there is none.
constexpr StrView mime_extension(StrView file_name)
{
	kh_size slash = file_name.rfind('/');
	StrView base = slash == StrView::npos ? file_name : file_name.substr(slash + 1);
	kh_size dot = base.rfind('.');
	if (dot == StrView::npos || dot == 0)
		return StrView();
	return base.substr(dot + 1);
}

// A valid extension: 1..kMimeExtLenMax tchar bytes (RFC 9110), not starting
// with '.' (such a name is a dotfile, never looked up by that extension).
constexpr bool mime_valid_ext(StrView ext)
{
	return ext.size() <= kMimeExtLenMax && ext.is_token() && ext[0] != '.';
}

// A valid type: token "/" token (RFC 9110 section 8.3.1, no parameters),
// at most kMimeTypeLenMax bytes; safe to copy into a response header as is.
constexpr bool mime_valid_type(StrView type)
{
	kh_size slash = type.find('/');
	return type.size() <= kMimeTypeLenMax && slash != StrView::npos &&
	       type.substr(0, slash).is_token() && type.substr(slash + 1).is_token();
}

// Compares an extension in any case with a stored lower-case one, byte by
// byte as unsigned after lower-casing the first: < 0, 0 or > 0.
constexpr int mime_ext_compare(StrView ext, StrView lower)
{
	kh_size n = ext.size() < lower.size() ? ext.size() : lower.size();
	for (kh_size i = 0; i < n; i++) {
		auto a = static_cast<unsigned char>(ascii_lower(ext[i]));
		auto b = static_cast<unsigned char>(lower[i]);
		if (a != b)
			return a < b ? -1 : 1;
	}
	if (ext.size() == lower.size())
		return 0;
	return ext.size() < lower.size() ? -1 : 1;
}

// Binary search of @ext among @n extensions sorted by mime_ext_compare;
// @ext_at(i) gives the i-th. Returns its index, or -1.
template <class ExtAt>
constexpr long mime_find(StrView ext, kh_u32 n, ExtAt ext_at)
{
	if (ext.empty() || ext.size() > kMimeExtLenMax)
		return -1;
	kh_u32 lo = 0, hi = n; // the answer, if any, is in [lo, hi)
	while (lo < hi) {
		kh_u32 mid = lo + (hi - lo) / 2;
		int c = mime_ext_compare(ext, ext_at(mid));
		if (c == 0)
			return static_cast<long>(mid);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

// The built-in table: the type for @ext (any case), or empty if unknown.
StrView mime_builtin_lookup(StrView ext);
kh_u32 mime_builtin_count();
// The i-th built-in entry in sorted order (i < mime_builtin_count()).
StrView mime_builtin_ext(kh_u32 i);
StrView mime_builtin_type(kh_u32 i);

// The Content-Type for a file name from the built-in table (extension in
// any case). Unknown or missing extensions give application/octet-stream.
StrView mime_type_for(StrView file_name);

} // namespace khttpd
