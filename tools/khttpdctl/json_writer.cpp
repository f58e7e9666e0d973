// SPDX-License-Identifier: GPL-2.0
#include "json_writer.h"

#include "utf8.h"

#include <cmath>
#include <cstdio>

namespace khttpdctl {

std::string json_quote(std::string_view s)
{
	std::string out;
	out.reserve(s.size() + 2);
	out += '"';
	for (std::size_t i = 0; i < s.size();) {
		unsigned char c = static_cast<unsigned char>(s[i]);
		switch (c) {
		case '"': out += "\\\""; ++i; continue;
		case '\\': out += "\\\\"; ++i; continue;
		case '\b': out += "\\b"; ++i; continue;
		case '\f': out += "\\f"; ++i; continue;
		case '\n': out += "\\n"; ++i; continue;
		case '\r': out += "\\r"; ++i; continue;
		case '\t': out += "\\t"; ++i; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			char buf[8];
			std::snprintf(buf, sizeof(buf), "\\u%04x", c);
			out += buf;
			++i;
			continue;
		}
		std::size_t len = utf8_sequence(s, i);
		if (len == 0) {
			out += "\\ufffd";
			++i;
			continue;
		}
		out.append(s.substr(i, len));
		i += len;
	}
	out += '"';
	return out;
}

void JsonWriter::newline()
{
	out_ += '\n';
	out_.append(2 * has_members_.size(), ' ');
}

void JsonWriter::before_value()
{
	if (after_key_) {
		after_key_ = false;
		return;
	}
	if (has_members_.empty())
		return; // the top-level value
	if (has_members_.back())
		out_ += ',';
	has_members_.back() = true;
	newline();
}

JsonWriter& JsonWriter::open(char c)
{
	before_value();
	out_ += c;
	has_members_.push_back(false);
	return *this;
}

JsonWriter& JsonWriter::close(char c)
{
	bool had = has_members_.back();
	has_members_.pop_back();
	if (had)
		newline();
	out_ += c;
	if (has_members_.empty())
		out_ += '\n';
	return *this;
}

JsonWriter& JsonWriter::key(std::string_view name)
{
	before_value();
	out_ += json_quote(name);
	out_ += ": ";
	after_key_ = true;
	return *this;
}

JsonWriter& JsonWriter::string(std::string_view s)
{
	before_value();
	out_ += json_quote(s);
	return *this;
}

JsonWriter& JsonWriter::number(std::uint64_t v)
{
	before_value();
	out_ += std::to_string(v);
	return *this;
}

JsonWriter& JsonWriter::number(double v, int decimals)
{
	if (!std::isfinite(v))
		return null();
	before_value();
	char buf[512]; // DBL_MAX in %f takes 309 digits
	std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	out_ += buf;
	return *this;
}

JsonWriter& JsonWriter::boolean(bool b)
{
	before_value();
	out_ += b ? "true" : "false";
	return *this;
}

JsonWriter& JsonWriter::null()
{
	before_value();
	out_ += "null";
	return *this;
}

JsonWriter& JsonWriter::number(const std::optional<std::uint64_t>& v)
{
	return v ? number(*v) : null();
}

} // namespace khttpdctl
