// SPDX-License-Identifier: GPL-2.0
// Registration with khttpd.ko: the courier thread.
//
// The thread makes a SOCK_SEQPACKET socketpair, gives one end to the main
// thread (which reads the hand-overs from it) and passes the other to the
// module in ioctl(KHTTPD_IOC_SERVE). That call blocks for as long as the
// daemon is registered. When it returns, the thread closes its end (the
// main thread reads what is still queued, then sees the end of file) and
// decides:
//   ESHUTDOWN, or ENOENT once the module has been seen: the module stopped
//     or went away. Register again every second, logging it once.
//   EPIPE, ECONNRESET, ENOTCONN: the module could not deliver on the
//     socketpair (our end was closed). Same: register again.
//   EINTR: a signal. Stop if asked to, else register again.
//   EBUSY, EPERM, EACCES, ENOTTY, anything else, or the control file
//     missing at start-up: fatal, reported to the main thread.
#ifndef KHTTPD_FALLBACKD_REGISTRATION_H
#define KHTTPD_FALLBACKD_REGISTRATION_H

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "unique_fd.h"

namespace fallbackd {

// Interrupts the courier's ioctl() when the daemon stops. Every other
// thread must keep it blocked. A real-time signal, which nobody sends from
// outside (SIGUSR1 reopens the access log).
inline const int kCourierSignal = SIGRTMIN;

class Registration {
public:
	explicit Registration(std::string control_path);
	~Registration();
	Registration(const Registration &) = delete;
	Registration &operator=(const Registration &) = delete;

	// Starts the courier thread. False (with @error) if it cannot.
	bool start(std::string &error);

	// Readable (an eventfd) when take_news() has something.
	int wake_fd() const { return wake_.get(); }

	struct News {
		std::vector<UniqueFd> channels; // new sockets to read hand-overs from
		bool failed = false;		// registration failed for good
	};
	News take_news();

	// Logs "registered" once a KHTTPD_IOC_SERVE call has been blocked
	// (that is: registered) for a second. Returns the milliseconds until
	// it should be called again, or -1 if nothing is pending.
	int poll_registered(std::chrono::steady_clock::time_point now);

	// Interrupts and joins the thread. Idempotent.
	void stop();

private:
	void run();
	bool stopping();
	void publish_channel(UniqueFd fd);
	void publish_failure();
	void wake();
	// Waits a second; false if the daemon is stopping.
	bool wait_before_retry();
	void begin_attempt();
	std::chrono::steady_clock::duration end_attempt();

	const std::string control_path_;
	UniqueFd wake_;
	std::thread thread_;

	std::mutex mu_;
	std::condition_variable cv_;
	bool stopping_ = false;
	bool exited_ = false;
	News news_;
	bool in_serve_ = false; // the thread is in ioctl(KHTTPD_IOC_SERVE)
	bool announced_ = false;
	std::chrono::steady_clock::time_point serve_since_;
};

} // namespace fallbackd

#endif
