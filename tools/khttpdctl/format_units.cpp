// SPDX-License-Identifier: GPL-2.0
#include "format_units.h"

#include <cstdio>

namespace khttpdctl {

std::string format_fixed(double v, int decimals)
{
	char buf[512];
	std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return buf;
}

std::string format_bytes(double bytes)
{
	static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	std::size_t u = 0;
	while (bytes >= 1024 && u + 1 < std::size(kUnits)) {
		bytes /= 1024;
		++u;
	}
	if (u == 0)
		return format_fixed(bytes, 0) + " B";
	return format_fixed(bytes, 1) + " " + kUnits[u];
}

std::string format_duration(std::uint64_t s)
{
	char buf[64];
	if (s < 60)
		std::snprintf(buf, sizeof(buf), "%llus", static_cast<unsigned long long>(s));
	else if (s < 3600)
		std::snprintf(buf, sizeof(buf), "%llum %02llus",
			      static_cast<unsigned long long>(s / 60),
			      static_cast<unsigned long long>(s % 60));
	else if (s < 86400)
		std::snprintf(buf, sizeof(buf), "%lluh %02llum",
			      static_cast<unsigned long long>(s / 3600),
			      static_cast<unsigned long long>(s / 60 % 60));
	else
		std::snprintf(buf, sizeof(buf), "%llud %02lluh",
			      static_cast<unsigned long long>(s / 86400),
			      static_cast<unsigned long long>(s / 3600 % 24));
	return buf;
}

std::string format_count(const std::optional<std::uint64_t>& v)
{
	return v ? std::to_string(*v) : std::string("-");
}

} // namespace khttpdctl
