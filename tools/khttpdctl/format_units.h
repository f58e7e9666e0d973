// SPDX-License-Identifier: GPL-2.0
// Numbers for people: sizes in IEC units, durations, fixed-point figures.
// Always the C locale's decimal point (khttpdctl never calls setlocale).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace khttpdctl {

// "512 B", "1.5 KiB", "117.7 MiB", ... (one decimal above bytes).
std::string format_bytes(double bytes);
// "45s", "13m 32s", "5h 02m", "3d 04h".
std::string format_duration(std::uint64_t seconds);
// "%.Nf".
std::string format_fixed(double v, int decimals);
// The number, or "-" when unknown.
std::string format_count(const std::optional<std::uint64_t>& v);

} // namespace khttpdctl
