// SPDX-License-Identifier: GPL-2.0
// A non-owning view of bytes: the core's std::string_view / std::span.
#pragma once

#include "khttpd/types.h"

namespace khttpd {

constexpr char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

// tchar from RFC 9110 section 5.6.2.
constexpr bool is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
		return true;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
	case '+': case '-': case '.': case '^': case '_': case '`': case '|':
	case '~':
		return true;
	default:
		return false;
	}
}

class StrView {
public:
	constexpr StrView() = default;
	constexpr StrView(const char *data, kh_size size) : data_(data), size_(size) {}
	template <kh_size N>
	constexpr StrView(const char (&lit)[N]) : data_(lit), size_(N - 1) {}

	// The NUL-terminated string at @s, at most @max bytes of it.
	static constexpr StrView from_cstr(const char *s, kh_size max)
	{
		kh_size n = 0;
		while (n < max && s[n])
			n++;
		return StrView(s, n);
	}

	constexpr const char *data() const { return data_; }
	constexpr kh_size size() const { return size_; }
	constexpr bool empty() const { return size_ == 0; }
	constexpr char operator[](kh_size i) const { return data_[i]; }
	constexpr const char *begin() const { return data_; }
	constexpr const char *end() const { return data_ + size_; }

	constexpr StrView substr(kh_size pos, kh_size len = ~kh_size{0}) const
	{
		if (pos > size_)
			pos = size_;
		if (len > size_ - pos)
			len = size_ - pos;
		return StrView(data_ + pos, len);
	}

	static constexpr kh_size npos = ~kh_size{0};

	constexpr kh_size find(char c, kh_size from = 0) const
	{
		for (kh_size i = from; i < size_; i++)
			if (data_[i] == c)
				return i;
		return npos;
	}

	// The first @needle (not empty) in the view, or npos.
	constexpr kh_size find(StrView needle) const
	{
		for (kh_size i = 0; needle.size_ && i + needle.size_ <= size_; i++)
			if (substr(i, needle.size_) == needle)
				return i;
		return npos;
	}

	constexpr kh_size rfind(char c) const
	{
		for (kh_size i = size_; i > 0; i--)
			if (data_[i - 1] == c)
				return i - 1;
		return npos;
	}

	constexpr bool operator==(StrView o) const
	{
		if (size_ != o.size_)
			return false;
		for (kh_size i = 0; i < size_; i++)
			if (data_[i] != o.data_[i])
				return false;
		return true;
	}

	constexpr bool equals_icase(StrView o) const
	{
		if (size_ != o.size_)
			return false;
		for (kh_size i = 0; i < size_; i++)
			if (ascii_lower(data_[i]) != ascii_lower(o.data_[i]))
				return false;
		return true;
	}

	constexpr bool contains(StrView o) const
	{
		if (o.size_ > size_)
			return false;
		for (kh_size i = 0; i + o.size_ <= size_; i++)
			if (substr(i, o.size_) == o)
				return true;
		return false;
	}

	constexpr bool starts_with(StrView o) const
	{
		return size_ >= o.size_ && substr(0, o.size_) == o;
	}

	constexpr bool ends_with(StrView o) const
	{
		return size_ >= o.size_ && substr(size_ - o.size_) == o;
	}

	// Strips HTTP optional whitespace (SP / HTAB) from both ends.
	constexpr StrView trim_ows() const
	{
		kh_size b = 0, e = size_;
		while (b < e && (data_[b] == ' ' || data_[b] == '\t'))
			b++;
		while (e > b && (data_[e - 1] == ' ' || data_[e - 1] == '\t'))
			e--;
		return StrView(data_ + b, e - b);
	}

	// A non-empty run of tchar (RFC 9110 section 5.6.2).
	constexpr bool is_token() const
	{
		if (size_ == 0)
			return false;
		for (kh_size i = 0; i < size_; i++)
			if (!is_tchar(data_[i]))
				return false;
		return true;
	}

private:
	const char *data_ = nullptr;
	kh_size size_ = 0;
};

// The elements of an RFC 9110 "#rule" list (section 5.6.1): split at
// commas, optional whitespace trimmed, empty elements skipped.
//   StrView e;
//   for (ListElements list(value); list.next(e);) ...
// (Not for lists whose elements may hold quoted commas, like entity-tags.)
class ListElements {
public:
	constexpr explicit ListElements(StrView list) : list_(list) {}

	constexpr bool next(StrView &elem)
	{
		while (pos_ <= list_.size()) {
			kh_size comma = list_.find(',', pos_);
			if (comma == StrView::npos)
				comma = list_.size();
			elem = list_.substr(pos_, comma - pos_).trim_ows();
			pos_ = comma + 1;
			if (!elem.empty())
				return true;
		}
		return false;
	}

private:
	StrView list_;
	kh_size pos_ = 0;
};

} // namespace khttpd
