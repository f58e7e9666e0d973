// SPDX-License-Identifier: GPL-2.0
// JSON and the Prometheus format both require UTF-8; a document root is
// whatever bytes the administrator wrote. Invalid sequences become U+FFFD.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace khttpdctl {

// Length of the valid UTF-8 sequence starting at s[i], 0 if none
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
std::size_t utf8_sequence(std::string_view s, std::size_t i);

// s with every byte that starts no valid sequence replaced by U+FFFD.
std::string utf8_sanitize(std::string_view s);

} // namespace khttpdctl
