// SPDX-License-Identifier: GPL-2.0
// A small JSON emitter (RFC 8259) for `status --json`: objects, arrays,
// strings, unsigned integers, fixed-point numbers, booleans and null,
// indented two spaces. Strings are escaped, and bytes that are not valid
// UTF-8 (a document root may hold any bytes) become U+FFFD, so the output
// is always valid JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace khttpdctl {

class JsonWriter {
public:
	JsonWriter& begin_object() { return open('{'); }
	JsonWriter& end_object() { return close('}'); }
	JsonWriter& begin_array() { return open('['); }
	JsonWriter& end_array() { return close(']'); }

	// The key of the next member; the value call follows.
	JsonWriter& key(std::string_view name);

	JsonWriter& string(std::string_view s);
	JsonWriter& number(std::uint64_t v);
	// Fixed point with `decimals` digits; NaN and infinities become null.
	JsonWriter& number(double v, int decimals);
	JsonWriter& boolean(bool b);
	JsonWriter& null();
	// A number, or null when unknown.
	JsonWriter& number(const std::optional<std::uint64_t>& v);

	// The text so far; complete once every container is closed.
	const std::string& str() const { return out_; }

private:
	JsonWriter& open(char c);
	JsonWriter& close(char c);
	void before_value();
	void newline();

	std::string out_;
	std::vector<bool> has_members_; // per open container
	bool after_key_ = false;
};

// s as a JSON string literal, quotes included.
std::string json_quote(std::string_view s);

} // namespace khttpdctl
