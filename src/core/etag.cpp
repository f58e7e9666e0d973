// SPDX-License-Identifier: GPL-2.0
#include "etag.h"

namespace khttpd {
namespace {

kh_size put_hex(char *out, kh_u64 v)
{
	char digits[16];
	kh_size n = 0;
	do {
		digits[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	for (kh_size i = 0; i < n; i++)
		out[i] = digits[n - 1 - i];
	return n;
}

// etagc = %x21 / %x23-7E / obs-text
constexpr bool is_etagc(char c)
{
	auto u = static_cast<kh_u8>(c);
	return u == 0x21 || (u >= 0x23 && u != 0x7f);
}

constexpr bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

} // namespace

kh_size format_etag(kh_s64 mtime, kh_u64 size, char *out, StrView coding)
{
	kh_size n = 0;
	out[n++] = '"';
	auto m = static_cast<kh_u64>(mtime);
	if (mtime < 0) {
		out[n++] = '-';
		m = ~m + 1; // the magnitude, also of INT64_MIN; never wraps
	}
	n += put_hex(out + n, m);
	out[n++] = '-';
	n += put_hex(out + n, size);
	if (!coding.empty()) {
		out[n++] = '-';
		for (kh_size i = 0; i < coding.size() && i < 4; i++)
			out[n++] = coding[i];
	}
	out[n++] = '"';
	return n;
}

bool parse_entity_tag(StrView s, EntityTag &tag, kh_size &used)
{
	kh_size i = 0;
	tag.weak = s.starts_with("W/");
	if (tag.weak)
		i = 2;
	if (i >= s.size() || s[i] != '"')
		return false;
	kh_size open = i++;
	while (i < s.size() && is_etagc(s[i]))
		i++;
	if (i >= s.size() || s[i] != '"')
		return false;
	tag.opaque = s.substr(open, i + 1 - open);
	used = i + 1;
	return true;
}

bool etag_equal(const EntityTag &a, const EntityTag &b, EtagCompare how)
{
	if (how == EtagCompare::Strong && (a.weak || b.weak))
		return false;
	return a.opaque == b.opaque;
}

bool etag_list_matches(StrView field, StrView current, EtagCompare how)
{
	EntityTag cur;
	kh_size used;
	if (!parse_entity_tag(current, cur, used))
		return false;
	field = field.trim_ows();
	if (field == "*")
		return true;
	kh_size pos = 0;
	for (;;) {
		// Skip OWS and empty list elements.
		while (pos < field.size() && (is_ows(field[pos]) || field[pos] == ','))
			pos++;
		if (pos == field.size())
			return false;
		EntityTag tag;
		if (!parse_entity_tag(field.substr(pos), tag, used))
			return false; // malformed: nothing after this counts
		pos += used;
		while (pos < field.size() && is_ows(field[pos]))
			pos++;
		if (pos < field.size() && field[pos] != ',')
			return false; // junk after a tag: this member is malformed too
		if (etag_equal(tag, cur, how))
			return true;
	}
}

} // namespace khttpd
