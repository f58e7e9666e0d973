// SPDX-License-Identifier: GPL-2.0
#include "registration.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "khttpd/fallback.h"
#include "log.h"

namespace fallbackd {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A KHTTPD_IOC_SERVE call blocked this long means the module had accepted
// the registration (a refusal returns at once).
constexpr auto kRegisteredAfter = 1s;
constexpr auto kRetryInterval = 1s;

void on_courier_signal(int) {}

} // namespace

Registration::Registration(std::string control_path) : control_path_(std::move(control_path)) {}

Registration::~Registration()
{
	stop();
}

bool Registration::start(std::string &error)
{
	wake_.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
	if (!wake_) {
		error = std::string("eventfd: ") + strerror(errno);
		return false;
	}
	// No SA_RESTART: the signal must make ioctl() return EINTR.
	struct sigaction sa {};
	sa.sa_handler = on_courier_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(kCourierSignal, &sa, nullptr) != 0) {
		error = std::string("sigaction: ") + strerror(errno);
		return false;
	}
	thread_ = std::thread([this] { run(); });
	return true;
}

bool Registration::stopping()
{
	std::lock_guard<std::mutex> lock(mu_);
	return stopping_;
}

void Registration::wake()
{
	uint64_t one = 1;
	while (write(wake_.get(), &one, sizeof(one)) < 0 && errno == EINTR) {
	}
}

void Registration::publish_channel(UniqueFd fd)
{
	{
		std::lock_guard<std::mutex> lock(mu_);
		news_.channels.push_back(std::move(fd));
	}
	wake();
}

void Registration::publish_failure()
{
	{
		std::lock_guard<std::mutex> lock(mu_);
		news_.failed = true;
	}
	wake();
}

Registration::News Registration::take_news()
{
	uint64_t count;
	while (read(wake_.get(), &count, sizeof(count)) < 0 && errno == EINTR) {
	}
	std::lock_guard<std::mutex> lock(mu_);
	News n = std::move(news_);
	news_ = News{};
	return n;
}

bool Registration::wait_before_retry()
{
	std::unique_lock<std::mutex> lock(mu_);
	return !cv_.wait_for(lock, kRetryInterval, [this] { return stopping_; });
}

void Registration::begin_attempt()
{
	std::lock_guard<std::mutex> lock(mu_);
	in_serve_ = true;
	announced_ = false;
	serve_since_ = Clock::now();
}

Clock::duration Registration::end_attempt()
{
	std::lock_guard<std::mutex> lock(mu_);
	in_serve_ = false;
	return Clock::now() - serve_since_;
}

int Registration::poll_registered(Clock::time_point now)
{
	std::unique_lock<std::mutex> lock(mu_);
	if (!in_serve_ || announced_)
		return -1;
	auto due = serve_since_ + kRegisteredAfter;
	if (now < due)
		return static_cast<int>(
			std::chrono::ceil<std::chrono::milliseconds>(due - now).count());
	announced_ = true;
	lock.unlock();
	log_info("registered with khttpd: waiting for hand-overs");
	return -1;
}

void Registration::run()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, kCourierSignal);
	pthread_sigmask(SIG_UNBLOCK, &set, nullptr);

	const char *path = control_path_.c_str();
	bool module_seen = false; // the module answered at least once
	bool quiet = false;	  // "registering again every second" was logged
	log_info("registering with khttpd through %s", path);
	while (!stopping()) {
		UniqueFd control(open(path, O_RDONLY | O_CLOEXEC));
		if (!control) {
			int err = errno;
			if (err == EINTR)
				continue;
			if (err == ENOENT && module_seen) {
				if (!quiet)
					log_warning("%s is gone (khttpd.ko unloaded?): registering "
						    "again every second",
						    path);
				quiet = true;
				if (!wait_before_retry())
					break;
				continue;
			}
			log_error("cannot open %s: %s: is khttpd.ko loaded? are you root?", path,
				  strerror(err));
			publish_failure();
			break;
		}

		int sv[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
			log_error("socketpair: %s", strerror(errno));
			publish_failure();
			break;
		}
		UniqueFd kernel_end(sv[1]);
		// The attempt begins before the news of the channel: the main
		// thread, woken by that news, asks poll_registered() when to
		// announce the registration. Begun after, it could find no
		// attempt, wait with no timeout and never say "registered".
		begin_attempt();
		publish_channel(UniqueFd(sv[0]));

		int kernel_fd = kernel_end.get();
		int rc = ioctl(control.get(), KHTTPD_IOC_SERVE, &kernel_fd);
		int err = rc == 0 ? 0 : errno;
		auto served = end_attempt();
		// The main thread drains what is queued, then sees the end.
		kernel_end.reset();
		control.reset();

		if (served >= kRegisteredAfter) {
			module_seen = true;
			quiet = false; // registered again: report how it ends
		}
		if (err == EINTR)
			continue; // stopping (checked above) or a stray signal
		// EPIPE and co: our end of the socketpair was closed under the
		// courier (the main thread gave up on it). Register afresh.
		bool channel_lost = err == EPIPE || err == ECONNRESET || err == ENOTCONN;
		if (err == 0 || err == ESHUTDOWN || channel_lost || (err == ENOENT && module_seen)) {
			module_seen = true;
			if (!quiet)
				log_warning("khttpd ended the registration (%s): registering again "
					    "every second",
					    err == 0 ? "no error" : strerrorname_np(err));
			quiet = true;
			if (!wait_before_retry())
				break;
			continue;
		}
		switch (err) {
		case EBUSY:
			log_error("another hand-over daemon is registered with khttpd (EBUSY); "
				  "exiting");
			break;
		case EPERM:
		case EACCES:
			log_error("KHTTPD_IOC_SERVE on %s: %s: are you root (CAP_NET_ADMIN)?", path,
				  strerror(err));
			break;
		case ENOENT:
			log_error("KHTTPD_IOC_SERVE on %s: %s: is khttpd.ko loaded? are you root?",
				  path, strerror(err));
			break;
		case ENOTTY:
			log_error("%s does not accept KHTTPD_IOC_SERVE (ENOTTY): is it khttpd's "
				  "control file, and khttpd.ko as recent as this daemon?",
				  path);
			break;
		default:
			log_error("KHTTPD_IOC_SERVE on %s failed: %s", path, strerror(err));
			break;
		}
		publish_failure();
		break;
	}
	std::lock_guard<std::mutex> lock(mu_);
	exited_ = true;
	cv_.notify_all();
}

void Registration::stop()
{
	if (!thread_.joinable())
		return;
	{
		std::lock_guard<std::mutex> lock(mu_);
		stopping_ = true;
	}
	cv_.notify_all();
	// The signal may land just before the thread enters ioctl(), where it
	// would then block: repeat it until the thread is out.
	auto since = Clock::now();
	bool warned = false;
	std::unique_lock<std::mutex> lock(mu_);
	while (!exited_) {
		pthread_kill(thread_.native_handle(), kCourierSignal);
		cv_.wait_for(lock, 20ms, [this] { return exited_; });
		if (!warned && Clock::now() - since > 5s) {
			log_warning("the courier thread does not leave KHTTPD_IOC_SERVE; still "
				    "waiting");
			warned = true;
		}
	}
	lock.unlock();
	thread_.join();
}

} // namespace fallbackd
