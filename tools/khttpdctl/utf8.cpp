// SPDX-License-Identifier: GPL-2.0
#include "utf8.h"

#include <cstdint>

namespace khttpdctl {

std::size_t utf8_sequence(std::string_view s, std::size_t i)
{
	auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
	unsigned char c = b(i);
	std::size_t len;
	std::uint32_t cp, min;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2, cp = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, cp = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (i + len > s.size())
		return 0;
	for (std::size_t k = 1; k < len; ++k) {
		if ((b(i + k) & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (b(i + k) & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

std::string utf8_sanitize(std::string_view s)
{
	std::string out;
	out.reserve(s.size());
	for (std::size_t i = 0; i < s.size();) {
		std::size_t len = utf8_sequence(s, i);
		if (len == 0) {
			out += "\xef\xbf\xbd";
			++i;
		} else {
			out.append(s.substr(i, len));
			i += len;
		}
	}
	return out;
}

} // namespace khttpdctl
