// SPDX-License-Identifier: GPL-2.0
#include "daemon.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>

#include "fd_util.h"
#include "log.h"
#include "proxy_protocol.h"

namespace fallbackd {
namespace {

constexpr int kMaxEvents = 256;
// Messages read from one hand-over socket before looking at other work.
constexpr int kMessagesPerWakeup = 64;

constexpr uint32_t kRelayEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

unsigned long long ull(uint64_t v)
{
	return static_cast<unsigned long long>(v);
}

// The earlier of two epoll_wait() timeouts (-1: none).
int earlier(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

} // namespace

Daemon::Daemon(DaemonConfig config) : config_(std::move(config))
{
	backend_name_ = format_address(config_.backend);
}

Daemon::~Daemon()
{
	close_all();
}

bool Daemon::watch(int fd, uint32_t events, uint64_t tok)
{
	epoll_event ev{};
	ev.events = events;
	ev.data.u64 = tok;
	if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) == 0)
		return true;
	log_error("epoll_ctl(ADD): %s", strerror(errno));
	return false;
}

void Daemon::unwatch(int fd)
{
	// Explicit: the descriptor's file may outlive our close().
	if (fd >= 0)
		epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

bool Daemon::setup()
{
	// SIGTERM, SIGINT, SIGHUP and SIGUSR1 arrive through a signalfd; the
	// courier's signal is for the courier thread only (it unblocks it).
	// Every thread is started below, so inherits this mask.
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigset_t blocked = set;
	sigaddset(&blocked, kCourierSignal);
	if (pthread_sigmask(SIG_BLOCK, &blocked, nullptr) != 0) {
		log_error("pthread_sigmask failed");
		return false;
	}
	signals_.reset(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
	if (!signals_) {
		log_error("signalfd: %s", strerror(errno));
		return false;
	}
	epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
	if (!epoll_) {
		log_error("epoll_create1: %s", strerror(errno));
		return false;
	}
	if (!watch(signals_.get(), EPOLLIN, token(kSignal, 0)))
		return false;

	if (config_.access_log) {
		access_log_ = std::make_unique<AccessLogDrain>(config_.access_log_config);
		std::string error;
		if (!access_log_->start(error)) {
			log_error("cannot start the access-log thread: %s", error.c_str());
			return false;
		}
	}

	if (config_.socket_fd >= 0) {
		add_channel(UniqueFd(config_.socket_fd));
		return !channels_.empty();
	}
	registration_ = std::make_unique<Registration>(config_.control_path);
	std::string error;
	if (!registration_->start(error)) {
		log_error("cannot start the courier thread: %s", error.c_str());
		return false;
	}
	return watch(registration_->wake_fd(), EPOLLIN, token(kCourier, 0));
}

int Daemon::run()
{
	now_ = Clock::now();
	int status = setup() ? loop() : kExitFailure;
	close_all();
	return status;
}

int Daemon::loop()
{
	epoll_event events[kMaxEvents];
	for (;;) {
		if (config_.socket_fd >= 0 && channels_.empty() && relays_.empty()) {
			log_info("hand-over socket closed and no connection left: exiting");
			return kExitOk;
		}
		int timeout = -1;
		if (!ready_.empty()) {
			timeout = 0;
		} else {
			now_ = Clock::now();
			if (registration_)
				timeout = registration_->poll_registered(now_);
			timeout = earlier(timeout, idle_wait_ms());
		}

		int n = epoll_wait(epoll_.get(), events, kMaxEvents, timeout);
		now_ = Clock::now();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("epoll_wait: %s", strerror(errno));
			return kExitFailure;
		}
		for (int i = 0; i < n; i++) {
			uint64_t tok = events[i].data.u64;
			uint64_t id = tok >> kKindBits;
			switch (static_cast<Kind>(tok & ((1u << kKindBits) - 1))) {
			case kSignal:
				if (on_signal())
					return kExitOk;
				break;
			case kCourier:
				if (!on_courier_news())
					return kExitFailure;
				break;
			case kChannel:
				on_channel_ready(id);
				break;
			case kClient:
				on_relay_event(id, false, events[i].events);
				break;
			case kBackend:
				on_relay_event(id, true, events[i].events);
				break;
			}
		}
		pump_ready();
		expire_idle();
	}
}

bool Daemon::on_signal()
{
	for (;;) {
		signalfd_siginfo si;
		ssize_t n = read(signals_.get(), &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != static_cast<ssize_t>(sizeof(si)))
			return false;
		if (si.ssi_signo == SIGHUP) {
			log_info("SIGHUP ignored: there is nothing to reload");
			continue;
		}
		if (si.ssi_signo == SIGUSR1) {
			// logrotate's postrotate: the thread reopens the file.
			if (access_log_)
				access_log_->reopen();
			else
				log_info("SIGUSR1 ignored: no access log is written");
			continue;
		}
		log_info("SIG%s: closing %zu connection(s) and exiting", sigabbrev_np(si.ssi_signo),
			 relays_.size());
		return true;
	}
}

bool Daemon::on_courier_news()
{
	Registration::News news = registration_->take_news();
	for (UniqueFd &fd : news.channels)
		add_channel(std::move(fd));
	return !news.failed;
}

void Daemon::add_channel(UniqueFd fd)
{
	uint64_t id = next_id_++;
	int raw = fd.get();
	auto channel = std::make_unique<HandoverChannel>(std::move(fd));
	// Level-triggered: whatever is left after kMessagesPerWakeup
	// messages is reported again.
	if (!watch(raw, EPOLLIN, token(kChannel, id)))
		return; // the channel closes; the courier will notice
	channels_.emplace(id, std::move(channel));
}

void Daemon::close_channel(uint64_t id)
{
	auto it = channels_.find(id);
	if (it == channels_.end())
		return;
	unwatch(it->second->fd());
	channels_.erase(it);
}

void Daemon::on_channel_ready(uint64_t id)
{
	for (int i = 0; i < kMessagesPerWakeup; i++) {
		auto it = channels_.find(id);
		if (it == channels_.end())
			return;
		Handover h;
		std::string problem;
		switch (it->second->receive(h, problem)) {
		case ReceiveStatus::kMessage:
			on_handover(h);
			break;
		case ReceiveStatus::kNone:
			return;
		case ReceiveStatus::kRejected:
			log_warning("malformed hand-over message dropped: %s", problem.c_str());
			break;
		case ReceiveStatus::kEnd:
			if (config_.socket_fd >= 0)
				log_info("end of the hand-over socket; %zu connection(s) still open",
					 relays_.size());
			else
				log_debug("end of a hand-over socket");
			close_channel(id);
			return;
		case ReceiveStatus::kError:
			log_error("reading the hand-over socket: %s", strerror(errno));
			close_channel(id);
			return;
		}
	}
}

void Daemon::refuse(UniqueFd client, ErrorReply reply)
{
	answer_and_close(std::move(client), reply);
}

void Daemon::on_handover(Handover &h)
{
	uint64_t id = next_id_++;
	unsigned long long conn = ull(h.header.conn_id);
	SocketAddress peer, local;
	if (!peer_address(h.client.get(), peer) || !local_address(h.client.get(), local)) {
		log_debug("connection %llu: the client is gone already (%s)", conn,
			  strerror(errno));
		return; // ~Handover closes it
	}
	std::string client_name = format_address(peer);
	uint64_t suppressed = 0;

	if (relays_.size() >= config_.max_connections) {
		if (refused_log_.allow(suppressed))
			log_warning("%u connections open, the maximum: answered 503 to %s "
				    "(%llu more refused since the last line)",
				    config_.max_connections, client_name.c_str(), ull(suppressed));
		refuse(std::move(h.client), ErrorReply::kServiceUnavailable);
		return;
	}
	ClientKey key = client_key(peer);
	if (config_.max_per_client != 0) {
		auto pc = per_client_.find(key);
		if (pc != per_client_.end() && pc->second >= config_.max_per_client) {
			if (per_client_log_.allow(suppressed))
				log_warning("client %s: %u connections open from its address, the "
					    "maximum per client: answered 503 (%llu more refused since "
					    "the last line)",
					    client_name.c_str(), pc->second, ull(suppressed));
			refuse(std::move(h.client), ErrorReply::kServiceUnavailable);
			return;
		}
	}
	if (int err = set_nonblocking(h.client.get()); err != 0) {
		log_error("connection %llu: O_NONBLOCK: %s", conn, strerror(err));
		return;
	}
	int one = 1;
	setsockopt(h.client.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	BackendConnect backend = connect_backend(config_.backend);
	if (backend.error != 0) {
		if (backend.no_socket) {
			if (refused_log_.allow(suppressed))
				log_error("cannot create a socket: %s: answered 503 to %s",
					  strerror(backend.error), client_name.c_str());
			refuse(std::move(h.client), ErrorReply::kServiceUnavailable);
		} else {
			if (unreachable_log_.allow(suppressed))
				log_error("backend %s unreachable: %s: answered 502 to %s (%llu "
					  "more since the last line)",
					  backend_name_.c_str(), strerror(backend.error),
					  client_name.c_str(), ull(suppressed));
			refuse(std::move(h.client), ErrorReply::kBadGateway);
		}
		return;
	}
	Pipe up, down;
	int err = make_pipe(up);
	if (err == 0)
		err = make_pipe(down);
	if (err != 0) {
		if (refused_log_.allow(suppressed))
			log_error("cannot create a pipe: %s: answered 503 to %s", strerror(err),
				  client_name.c_str());
		refuse(std::move(h.client), ErrorReply::kServiceUnavailable);
		return;
	}

	std::string preamble;
	if (config_.proxy_protocol) {
		ProxyHeader header = encode_proxy_v2(peer, local);
		preamble.assign(reinterpret_cast<const char *>(header.bytes), header.length);
	}
	preamble.append(h.data);

	log_debug("connection %llu from %s: %s (%u answered by khttpd before), %u bytes "
		  "handed over; relaying to %s",
		  conn, client_name.c_str(), handover_reason_name(h.header.reason),
		  h.header.requests_served, h.header.data_len, backend_name_.c_str());

	RelayEntry entry;
	entry.conn_id = h.header.conn_id;
	entry.client = std::move(client_name);
	entry.key = key;
	entry.last_active = now_;
	entry.relay = std::make_unique<Relay>(std::move(h.client), std::move(backend.socket),
					      backend.connected, std::move(up), std::move(down),
					      std::move(preamble));
	Relay &relay = *entry.relay;
	if (!watch(relay.client_fd(), kRelayEvents, token(kClient, id))) {
		refuse(relay.take_client(), ErrorReply::kServiceUnavailable);
		return;
	}
	if (!watch(relay.backend_fd(), kRelayEvents, token(kBackend, id))) {
		unwatch(relay.client_fd());
		refuse(relay.take_client(), ErrorReply::kServiceUnavailable);
		return;
	}
	auto [it, inserted] = relays_.emplace(id, std::move(entry));
	(void)inserted; // ids are never reused
	it->second.idle_pos = idle_order_.insert(idle_order_.end(), id);
	if (config_.max_per_client != 0)
		per_client_[key]++;
	// Edge-triggered: what is readable already gives no event.
	ready_.push_back(id);
}

void Daemon::on_relay_event(uint64_t id, bool on_backend, uint32_t events)
{
	auto it = relays_.find(id);
	if (it == relays_.end())
		return; // closed earlier in this batch
	bool more_work = false;
	Relay::Status status = it->second.relay->on_event(on_backend, events, more_work);
	settle(it, status, more_work);
}

void Daemon::pump_ready()
{
	std::vector<uint64_t> ids;
	ids.swap(ready_);
	for (uint64_t id : ids) {
		auto it = relays_.find(id);
		if (it == relays_.end())
			continue;
		bool more_work = false;
		Relay::Status status = it->second.relay->pump(more_work);
		settle(it, status, more_work);
	}
}

void Daemon::settle(RelayMap::iterator it, Relay::Status status, bool more_work)
{
	RelayEntry &e = it->second;
	Relay &r = *e.relay;
	unsigned long long conn = ull(e.conn_id);
	switch (status) {
	case Relay::Status::kActive:
		note_activity(e);
		if (more_work)
			ready_.push_back(it->first);
		return;
	case Relay::Status::kFinished:
		log_debug("connection %llu from %s done: %llu bytes up, %llu down", conn,
			  e.client.c_str(), ull(r.bytes_up()), ull(r.bytes_down()));
		break;
	case Relay::Status::kFailed:
		log_debug("connection %llu from %s closed: %s %s (%llu bytes up, %llu down)", conn,
			  e.client.c_str(), r.error_context(), strerror(r.error()),
			  ull(r.bytes_up()), ull(r.bytes_down()));
		break;
	case Relay::Status::kBackendUnreachable: {
		uint64_t suppressed = 0;
		if (unreachable_log_.allow(suppressed))
			log_error("backend %s unreachable: %s: answered 502 to %s (%llu more since "
				  "the last line)",
				  backend_name_.c_str(), strerror(r.error()), e.client.c_str(),
				  ull(suppressed));
		unwatch(r.client_fd());
		refuse(r.take_client(), ErrorReply::kBadGateway);
		break;
	}
	}
	close_relay(it);
}

void Daemon::close_relay(RelayMap::iterator it)
{
	RelayEntry &e = it->second;
	Relay &r = *e.relay;
	unwatch(r.client_fd());
	unwatch(r.backend_fd());
	idle_order_.erase(e.idle_pos);
	if (config_.max_per_client != 0) {
		auto pc = per_client_.find(e.key);
		if (pc != per_client_.end() && --pc->second == 0)
			per_client_.erase(pc);
	}
	relays_.erase(it); // closes both sockets and both pipes
}

void Daemon::note_activity(RelayEntry &e)
{
	uint64_t activity = e.relay->activity();
	if (activity == e.activity_seen)
		return; // an event, but nothing moved
	e.activity_seen = activity;
	e.last_active = now_;
	idle_order_.splice(idle_order_.end(), idle_order_, e.idle_pos);
}

int Daemon::idle_wait_ms() const
{
	if (config_.idle_timeout == 0 || idle_order_.empty())
		return -1;
	auto it = relays_.find(idle_order_.front());
	if (it == relays_.end())
		return 0; // cannot happen: close_relay() keeps both in step
	auto due = it->second.last_active + std::chrono::seconds(config_.idle_timeout);
	if (due <= now_)
		return 0;
	auto ms = std::chrono::ceil<std::chrono::milliseconds>(due - now_).count();
	return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

void Daemon::expire_idle()
{
	if (config_.idle_timeout == 0)
		return;
	const auto limit = std::chrono::seconds(config_.idle_timeout);
	while (!idle_order_.empty()) {
		auto it = relays_.find(idle_order_.front());
		if (it == relays_.end()) {
			idle_order_.pop_front(); // cannot happen, as above
			continue;
		}
		if (now_ - it->second.last_active < limit)
			return; // the front is the least recently active
		close_idle(it);
	}
}

void Daemon::close_idle(RelayMap::iterator it)
{
	RelayEntry &e = it->second;
	Relay &r = *e.relay;
	uint64_t suppressed = 0;
	idle_closed_++;
	if (!r.connected()) {
		// The backend never answered the connect(): the client still
		// waits for an answer to what it sent.
		if (unreachable_log_.allow(suppressed))
			log_error("backend %s unreachable: no answer to connect() in %u s: answered "
				  "502 to %s (%llu more since the last line)",
				  backend_name_.c_str(), config_.idle_timeout, e.client.c_str(),
				  ull(suppressed));
		unwatch(r.client_fd());
		refuse(r.take_client(), ErrorReply::kBadGateway);
	} else if (idle_log_.allow(suppressed)) {
		log_info("connection %llu from %s closed: no byte moved either way for %u s "
			 "(%llu closed for idleness so far, %llu not logged since the last line)",
			 ull(e.conn_id), e.client.c_str(), config_.idle_timeout, ull(idle_closed_),
			 ull(suppressed));
	} else {
		log_debug("connection %llu from %s closed: idle for %u s (%llu bytes up, %llu "
			  "down)",
			  ull(e.conn_id), e.client.c_str(), config_.idle_timeout,
			  ull(r.bytes_up()), ull(r.bytes_down()));
	}
	close_relay(it);
}

void Daemon::close_all()
{
	if (registration_)
		registration_->stop();
	for (auto it = relays_.begin(); it != relays_.end();)
		close_relay(it++);
	ready_.clear();
	while (!channels_.empty())
		close_channel(channels_.begin()->first);
	registration_.reset();
	// Last: it writes what the kernel logged for the connections above.
	access_log_.reset();
}

} // namespace fallbackd
