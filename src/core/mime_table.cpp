// SPDX-License-Identifier: GPL-2.0
// MIME tables built at run time from /etc/mime.types-format text (the C
// interface and the format: include/khttpd/mime_table.h).
//
// Layout of a table, all in the caller's block:
//   Header                     count, where the strings start
//   Slot[extensions in text]   sorted by extension; the first `count` used
//   strings                    per line with extensions: its type, then its
//                              extensions in lower case; no separators
// Slots refer to strings by offset and length. The strings of overridden
// extensions stay unused in the block: sizing stays a single pass.
#include "khttpd/kapi.h"
#include "khttpd/mime_table.h"
#include "mime.h"

static_assert(KHTTPD_MIME_TYPE_MAX == khttpd::kMimeTypeLenMax, "mime_table.h and mime.h agree");
static_assert(KHTTPD_MIME_EXT_MAX == khttpd::kMimeExtLenMax, "mime_table.h and mime.h agree");
static_assert(KHTTPD_MIME_TYPE_MAX == KH_MIME_TYPE_MAX, "mime_table.h and kapi.h agree");

struct khttpd_mime_table {
	kh_u32 count;       // distinct extensions: the used slots
	kh_u32 strings_off; // bytes from the start of the table to the strings
};

namespace khttpd {
namespace {

constexpr kh_u32 kMaxEntries = KHTTPD_MIME_ENTRIES_MAX;

struct Slot {
	kh_u32 ext_off; // in the strings
	kh_u32 type_off;
	kh_u8 ext_len;
	kh_u8 type_len;
};

static_assert(sizeof(khttpd_mime_table) % alignof(Slot) == 0, "slots follow the header");
static_assert(kMimeExtLenMax < 256 && kMimeTypeLenMax < 256, "lengths fit a byte");

constexpr bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

// Calls on_ext(type, ext, first) for every extension of @text, in text order
// (first: the first extension of its line). Returns 0 if the text is well
// formed, else the number of its first bad line; on_ext may have been called
// for the lines before it.
template <class OnExt>
constexpr kh_u32 parse(const char *text, kh_size len, OnExt on_ext)
{
	kh_u32 line = 1;
	kh_u32 exts = 0;
	kh_size pos = 0;
	while (pos < len) {
		kh_size end = pos;
		while (end < len && text[end] != '\n')
			end++;
		// NUL and CR nowhere, not even in a comment.
		for (kh_size i = pos; i < end; i++)
			if (text[i] == '\0' || text[i] == '\r')
				return line;
		StrView type;
		bool first = true;
		kh_size i = pos;
		while (i < end) {
			while (i < end && is_space(text[i]))
				i++;
			if (i == end || text[i] == '#')
				break; // the rest of the line is a comment
			kh_size w = i;
			while (i < end && !is_space(text[i]))
				i++;
			StrView word(text + w, i - w);
			if (type.empty()) {
				if (!mime_valid_type(word))
					return line;
				type = word;
				continue;
			}
			if (!mime_valid_ext(word) || exts == kMaxEntries)
				return line;
			exts++;
			on_ext(type, word, first);
			first = false;
		}
		if (line != ~kh_u32{0})
			line++;
		pos = end + 1;
	}
	return 0;
}

struct Sizes {
	kh_u32 exts;     // extensions in the text, duplicates included
	kh_size strings; // bytes of strings
	kh_size total;   // bytes of the table; 0 if malformed
};

constexpr Sizes measure(const char *text, kh_size len, kh_u32 *err_line)
{
	Sizes s{0, 0, 0};
	kh_u32 bad = parse(text, len, [&s](StrView type, StrView ext, bool first) {
		s.exts++;
		s.strings += ext.size() + (first ? type.size() : 0);
	});
	if (err_line)
		*err_line = bad;
	if (!bad)
		s.total = sizeof(khttpd_mime_table) + s.exts * sizeof(Slot) + s.strings;
	return s;
}

constexpr kh_u32 bad_line_of(StrView text)
{
	kh_u32 line = 0;
	measure(text.data(), text.size(), &line);
	return line;
}
static_assert(bad_line_of("a/b c # d\n\n\te/f g h\n#\n") == 0 &&
		      bad_line_of("text/html html\r\n") == 1 &&
		      bad_line_of("a/b c\n# x\n\nSet-Cookie: x html") == 4 &&
		      bad_line_of("a/b c d\ntext/html;q=1 e") == 2,
	      "the parser's verdicts");

const Slot *slots_of(const khttpd_mime_table *t)
{
	return reinterpret_cast<const Slot *>(t + 1);
}

const char *strings_of(const khttpd_mime_table *t)
{
	return reinterpret_cast<const char *>(t) + t->strings_off;
}

// Orders slots by extension, and the same extension by text order (its
// strings' offset grows with the line).
struct SlotLess {
	const char *strings;

	StrView ext(const Slot &s) const { return StrView(strings + s.ext_off, s.ext_len); }

	bool operator()(const Slot &a, const Slot &b) const
	{
		int c = mime_ext_compare(ext(a), ext(b));
		return c < 0 || (c == 0 && a.ext_off < b.ext_off);
	}
};

// In-place heapsort: O(n log n), no recursion, no extra memory.
void sift_down(Slot *s, kh_u32 root, kh_u32 n, const SlotLess &less)
{
	for (;;) {
		kh_u32 child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && less(s[child], s[child + 1]))
			child++;
		if (!less(s[root], s[child]))
			return;
		Slot tmp = s[root];
		s[root] = s[child];
		s[child] = tmp;
		root = child;
	}
}

void heap_sort(Slot *s, kh_u32 n, const SlotLess &less)
{
	for (kh_u32 i = n / 2; i > 0; i--)
		sift_down(s, i - 1, n, less);
	for (kh_u32 end = n; end > 1; end--) {
		Slot tmp = s[0];
		s[0] = s[end - 1];
		s[end - 1] = tmp;
		sift_down(s, 0, end - 1, less);
	}
}

} // namespace
} // namespace khttpd

using namespace khttpd;

extern "C" kh_size khttpd_mime_table_size(const char *text, kh_size len, kh_u32 *err_line)
{
	return measure(text, len, err_line).total;
}

extern "C" const khttpd_mime_table *khttpd_mime_table_build(const char *text, kh_size len,
							     void *mem, kh_size size)
{
	Sizes s = measure(text, len, nullptr);
	if (!s.total || !mem || size < s.total ||
	    reinterpret_cast<kh_size>(mem) % alignof(khttpd_mime_table) != 0 ||
	    reinterpret_cast<kh_size>(mem) % alignof(Slot) != 0)
		return nullptr;

	auto *t = static_cast<khttpd_mime_table *>(mem);
	t->count = 0;
	t->strings_off = static_cast<kh_u32>(sizeof(*t) + s.exts * sizeof(Slot));
	auto *slots = reinterpret_cast<Slot *>(t + 1);
	char *strings = static_cast<char *>(mem) + t->strings_off;

	kh_u32 n = 0;
	kh_u32 used = 0; // bytes of strings written
	Slot cur{0, 0, 0, 0};
	bool fits = true;
	parse(text, len, [&](StrView type, StrView ext, bool first) {
		// The text was measured above; these only guard the block.
		kh_size need = ext.size() + (first ? type.size() : 0);
		if (n == s.exts || need > s.strings - used) {
			fits = false;
			return;
		}
		if (first) {
			cur.type_off = used;
			cur.type_len = static_cast<kh_u8>(type.size());
			for (char c : type)
				strings[used++] = c;
		}
		cur.ext_off = used;
		cur.ext_len = static_cast<kh_u8>(ext.size());
		for (char c : ext)
			strings[used++] = ascii_lower(c);
		slots[n++] = cur;
	});
	if (!fits)
		return nullptr;

	SlotLess less{strings};
	heap_sort(slots, n, less);
	// Keep the last slot of each run of equal extensions: the latest line.
	kh_u32 out = 0;
	for (kh_u32 i = 0; i < n; i++) {
		if (i + 1 < n && less.ext(slots[i]) == less.ext(slots[i + 1]))
			continue;
		slots[out++] = slots[i];
	}
	t->count = out;
	return t;
}

extern "C" kh_u32 khttpd_mime_table_count(const khttpd_mime_table *t)
{
	return t ? t->count : mime_builtin_count();
}

extern "C" kh_size khttpd_mime_table_lookup(const khttpd_mime_table *t, const char *name,
					    kh_size name_len, const char **type)
{
	StrView ext = mime_extension(StrView(name, name_len));
	StrView found;
	if (!t) {
		found = mime_builtin_lookup(ext);
	} else {
		const Slot *slots = slots_of(t);
		const char *strings = strings_of(t);
		long i = mime_find(ext, t->count, [slots, strings](kh_u32 k) {
			return StrView(strings + slots[k].ext_off, slots[k].ext_len);
		});
		if (i >= 0)
			found = StrView(strings + slots[i].type_off, slots[i].type_len);
	}
	if (found.empty())
		return 0;
	*type = found.data();
	return found.size();
}
