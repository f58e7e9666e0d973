// SPDX-License-Identifier: GPL-2.0
// Keeps a repeated log line (one per refused connection, say) to one a
// second, counting the ones it held back.
#ifndef KHTTPD_FALLBACKD_LOG_THROTTLE_H
#define KHTTPD_FALLBACKD_LOG_THROTTLE_H

#include <chrono>
#include <cstdint>

namespace fallbackd {

class LogThrottle {
public:
	// True if the line may be logged now; @suppressed is then how many
	// were held back since the last one logged.
	bool allow(uint64_t &suppressed)
	{
		auto now = std::chrono::steady_clock::now();
		if (logged_once_ && now - last_ < std::chrono::seconds(1)) {
			held_back_++;
			return false;
		}
		logged_once_ = true;
		last_ = now;
		suppressed = held_back_;
		held_back_ = 0;
		return true;
	}

private:
	bool logged_once_ = false;
	std::chrono::steady_clock::time_point last_;
	uint64_t held_back_ = 0;
};

} // namespace fallbackd

#endif
