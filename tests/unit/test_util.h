// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <string>
#include <string_view>

#include "str_view.h"

inline khttpd::StrView sv(std::string_view s)
{
	return khttpd::StrView(s.data(), s.size());
}

inline std::string str(khttpd::StrView s)
{
	return std::string(s.data(), s.size());
}
