// SPDX-License-Identifier: GPL-2.0
// UniqueFd: owns one file descriptor and closes it when it goes away.
#ifndef KHTTPD_FALLBACKD_UNIQUE_FD_H
#define KHTTPD_FALLBACKD_UNIQUE_FD_H

#include <unistd.h>

#include <utility>

namespace fallbackd {

class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd) {}
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;
	UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
	UniqueFd &operator=(UniqueFd &&other) noexcept
	{
		if (this != &other)
			reset(other.release());
		return *this;
	}
	~UniqueFd() { reset(); }

	int get() const { return fd_; }
	bool valid() const { return fd_ >= 0; }
	explicit operator bool() const { return valid(); }

	// Gives the descriptor up without closing it.
	int release() { return std::exchange(fd_, -1); }

	// Closes the descriptor held, if any, and takes @fd instead. close()
	// is not retried on EINTR: on Linux the descriptor is gone either way.
	void reset(int fd = -1)
	{
		int old = std::exchange(fd_, fd);
		if (old >= 0)
			::close(old);
	}

private:
	int fd_ = -1;
};

// The two ends of a pipe(2).
struct Pipe {
	UniqueFd read_end;
	UniqueFd write_end;
};

} // namespace fallbackd

#endif
