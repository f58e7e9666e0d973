// SPDX-License-Identifier: GPL-2.0
#include "content_coding.h"

namespace khttpd {
namespace {

constexpr kh_u8 bit(Coding c)
{
	return static_cast<kh_u8>(1u << static_cast<kh_u8>(c));
}

constexpr kh_size idx(Coding c)
{
	return static_cast<kh_size>(c);
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
bool parse_qvalue(StrView s, kh_u16 &q)
{
	if (s.empty() || (s[0] != '0' && s[0] != '1'))
		return false;
	kh_u16 v = static_cast<kh_u16>(s[0] - '0') * 1000;
	if (s.size() == 1) {
		q = v;
		return true;
	}
	if (s[1] != '.' || s.size() > 5)
		return false;
	kh_u16 scale = 100;
	for (kh_size i = 2; i < s.size(); i++, scale /= 10) {
		if (!is_digit(s[i]))
			return false;
		v = static_cast<kh_u16>(v + (s[i] - '0') * scale);
	}
	if (v > 1000)
		return false; // "1.5"
	q = v;
	return true;
}

// One list member. False if malformed.
bool parse_member(StrView m, StrView &coding, kh_u16 &q)
{
	kh_size semi = m.find(';');
	coding = m.substr(0, semi).trim_ows();
	q = 1000;
	if (!coding.is_token())
		return false;
	if (semi == StrView::npos)
		return true;
	// Only a weight may follow (RFC 9110 section 12.5.3), exactly once.
	StrView param = m.substr(semi + 1).trim_ows();
	if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=')
		return false;
	return parse_qvalue(param.substr(2), q);
}

bool lookup(StrView name, Coding &c)
{
	if (name.equals_icase("br"))
		c = Coding::Br;
	else if (name.equals_icase("zstd"))
		c = Coding::Zstd;
	else if (name.equals_icase("gzip") || name.equals_icase("x-gzip"))
		c = Coding::Gzip;
	else if (name.equals_icase("identity"))
		c = Coding::Identity;
	else if (name == "*")
		c = Coding::Any;
	else
		return false;
	return true;
}

} // namespace

void add_accept_encoding(StrView value, AcceptEncoding &ae)
{
	StrView m;
	for (ListElements list(value); list.next(m);) {
		StrView name;
		kh_u16 q;
		Coding c;
		if (!parse_member(m, name, q) || !lookup(name, c))
			continue;
		if (ae.listed & bit(c))
			continue; // first occurrence wins
		ae.listed = static_cast<kh_u8>(ae.listed | bit(c));
		ae.q[idx(c)] = q;
	}
}

kh_u16 accept_weight(const AcceptEncoding &ae, Coding c)
{
	if (ae.listed & bit(c))
		return ae.q[idx(c)];
	if (ae.listed & bit(Coding::Any))
		return ae.q[idx(Coding::Any)];
	return c == Coding::Identity ? 1000 : 0;
}

kh_size preferred_codings(const AcceptEncoding &ae, Coding out[kVariantCodings])
{
	kh_u16 floor = 0; // identity's rank; an unlisted identity ranks last
	if (ae.listed & (bit(Coding::Identity) | bit(Coding::Any)))
		floor = accept_weight(ae, Coding::Identity);
	kh_u16 w[kVariantCodings];
	kh_size n = 0;
	for (kh_size i = 0; i < kVariantCodings; i++) {
		auto c = static_cast<Coding>(i);
		kh_u16 q = accept_weight(ae, c);
		if (q == 0 || q < floor)
			continue;
		// Insert after every entry weighing at least as much: stable,
		// so ties keep Coding order.
		kh_size at = n;
		while (at > 0 && w[at - 1] < q) {
			w[at] = w[at - 1];
			out[at] = out[at - 1];
			at--;
		}
		w[at] = q;
		out[at] = c;
		n++;
	}
	return n;
}

bool accepts_any_variant(const AcceptEncoding &ae)
{
	for (kh_size i = 0; i < kVariantCodings; i++)
		if (accept_weight(ae, static_cast<Coding>(i)))
			return true;
	return false;
}

namespace {

// Name and file suffix of each variant coding, indexed by Coding.
struct CodingInfo {
	StrView name;
	StrView suffix;
};

constexpr CodingInfo kCodingInfo[kVariantCodings] = {
	{"br", ".br"},     // Coding::Br
	{"zstd", ".zst"},  // Coding::Zstd
	{"gzip", ".gz"},   // Coding::Gzip
};
static_assert(static_cast<kh_size>(Coding::Gzip) + 1 == kVariantCodings);

} // namespace

StrView coding_name(Coding c)
{
	auto i = static_cast<kh_size>(c);
	return i < kVariantCodings ? kCodingInfo[i].name : StrView("identity");
}

StrView coding_suffix(Coding c)
{
	auto i = static_cast<kh_size>(c);
	return i < kVariantCodings ? kCodingInfo[i].suffix : StrView("");
}

bool has_coding_suffix(StrView name)
{
	for (kh_size i = 0; i < kVariantCodings; i++) {
		StrView s = coding_suffix(static_cast<Coding>(i));
		if (name.size() >= s.size() && name.substr(name.size() - s.size()).equals_icase(s))
			return true;
	}
	return false;
}

} // namespace khttpd
