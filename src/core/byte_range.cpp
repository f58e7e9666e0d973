// SPDX-License-Identifier: GPL-2.0
#include "byte_range.h"

namespace khttpd {
namespace {

constexpr kh_u64 kU64Max = ~kh_u64{0};

// A decimal number as sent, without leading zeros ("" is zero): compared
// exactly, converted with saturation, so huge values never wrap.
struct Decimal {
	StrView digits;

	static bool parse(StrView s, Decimal &out)
	{
		if (s.empty())
			return false;
		for (char c : s)
			if (!is_digit(c))
				return false;
		kh_size i = 0;
		while (i < s.size() && s[i] == '0')
			i++;
		out.digits = s.substr(i);
		return true;
	}

	// Saturates at 2^64 - 1, a value no file size exceeds.
	kh_u64 value() const
	{
		kh_u64 v = 0;
		for (char c : digits) {
			auto d = static_cast<kh_u64>(c - '0');
			if (v > (kU64Max - d) / 10)
				return kU64Max;
			v = v * 10 + d;
		}
		return v;
	}

	bool less_than(const Decimal &o) const
	{
		if (digits.size() != o.digits.size())
			return digits.size() < o.digits.size();
		for (kh_size i = 0; i < digits.size(); i++)
			if (digits[i] != o.digits[i])
				return digits[i] < o.digits[i];
		return false;
	}
};

// range-spec = int-range / suffix-range
struct Spec {
	bool suffix = false;   // "-n": the last n bytes
	Decimal first;         // int-range
	Decimal last;          // int-range with a last-pos
	bool has_last = false;
	Decimal suffix_len;    // suffix-range
};

bool parse_spec(StrView s, Spec &spec)
{
	kh_size dash = s.find('-');
	if (dash == StrView::npos)
		return false;
	if (dash == 0) {
		spec.suffix = true;
		return Decimal::parse(s.substr(1), spec.suffix_len);
	}
	if (!Decimal::parse(s.substr(0, dash), spec.first))
		return false;
	StrView last = s.substr(dash + 1);
	if (last.empty())
		return true;
	spec.has_last = true;
	if (!Decimal::parse(last, spec.last))
		return false;
	// RFC 9110 section 14.1.1: last-pos < first-pos is invalid.
	return !spec.last.less_than(spec.first);
}

ByteRange make(RangeKind kind, kh_u64 first = 0, kh_u64 last = 0)
{
	ByteRange r;
	r.kind = kind;
	r.first = first;
	r.last = last;
	return r;
}

} // namespace

ByteRange parse_byte_range(StrView value, kh_u64 size)
{
	value = value.trim_ows();
	kh_size eq = value.find('=');
	if (eq == StrView::npos || !value.substr(0, eq).equals_icase("bytes"))
		return make(RangeKind::Invalid);
	StrView set = value.substr(eq + 1);

	// range-set = 1#range-spec: every element must be valid.
	Spec spec;
	kh_size count = 0;
	StrView elem;
	for (ListElements list(set); list.next(elem);) {
		Spec s;
		if (!parse_spec(elem, s))
			return make(RangeKind::Invalid);
		if (count++ == 0)
			spec = s;
	}
	if (count == 0)
		return make(RangeKind::Invalid);
	if (count > 1)
		return make(RangeKind::Multiple);

	if (size == 0) {
		// RFC 9110 14.1.1 calls only a non-zero suffix satisfiable on an
		// empty representation, yet a 206 for it could not state its
		// range. nginx serves the whole (empty) file with 200 for any
		// range starting at 0 and for suffixes, and 416 otherwise: so do we.
		bool from_zero = spec.suffix || spec.first.digits.empty();
		return make(from_zero ? RangeKind::Ignored : RangeKind::Unsatisfiable);
	}
	if (spec.suffix) {
		kh_u64 n = spec.suffix_len.value();
		if (n == 0)
			return make(RangeKind::Unsatisfiable); // "-0" selects nothing
		return make(RangeKind::Single, n >= size ? 0 : size - n, size - 1);
	}
	kh_u64 first = spec.first.value();
	if (first >= size)
		return make(RangeKind::Unsatisfiable);
	kh_u64 last = size - 1;
	if (spec.has_last && spec.last.value() < last)
		last = spec.last.value();
	return make(RangeKind::Single, first, last);
}

} // namespace khttpd
