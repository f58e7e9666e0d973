// SPDX-License-Identifier: GPL-2.0
#include "daemon.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>

#include "fd_util.h"
#include "ktls.h"
#include "log.h"
#include "proxy_protocol.h"
#include "tls_handshake.h"
#include "tls_info.h"
#include "tls_relay.h"

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
	tls_backend_name_ = format_address(config_.tls_backend);
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

	if (config_.tls) {
		std::string detail;
		adoption_.kernel_tls = kernel_tls_available(detail);
		// Opened here, by the main thread: the courier's descriptor is
		// busy in KHTTPD_IOC_SERVE for as long as we are registered.
		std::string path = config_.socket_fd >= 0 ? config_.test_adopt_control
							  : config_.control_path;
		adoption_.without_kernel_tls = !config_.test_adopt_control.empty();
		if (!path.empty())
			open_control(path);
		log_info("TLS: kernel TLS %s (%s); %s", adoption_.kernel_tls ? "available" : "not available",
			 detail.c_str(),
			 adoption_.kernel_tls && control_
				 ? "connections go back to khttpd after the handshake"
				 : "connections are served by the daemon (OpenSSL)");
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
	log_tls_summary();
	return status;
}

void Daemon::log_tls_summary() const
{
	if (!config_.tls && tls_.no_certificate == 0 && tls_.handed_back == 0)
		return;
	std::string reasons;
	uint64_t userspace = 0;
	for (const auto &[reason, n] : tls_.userspace) {
		reasons += (reasons.empty() ? "" : ", ") + reason + " " + std::to_string(n);
		userspace += n;
	}
	log_info("TLS: %llu handshakes, %llu failed or timed out, %llu tls adopted, %llu tls "
		 "userspace%s%s%s, %llu handed back by khttpd, %llu closed without a certificate",
		 ull(tls_.handshakes), ull(tls_.failed), ull(tls_.adopted), ull(userspace),
		 reasons.empty() ? "" : " (", reasons.c_str(), reasons.empty() ? "" : ")",
		 ull(tls_.handed_back), ull(tls_.no_certificate));
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
			reload_tls();
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

void Daemon::reload_tls()
{
	if (config_.tls_files.empty()) {
		log_info("SIGHUP ignored: no --tls-cert to reload");
		return;
	}
	std::string error;
	std::unique_ptr<TlsContext> fresh =
		TlsContext::load(config_.tls_files, error, config_.tls.get());
	if (!fresh) {
		log_error("SIGHUP: TLS reload failed, still serving the certificates loaded before: %s",
			  error.c_str());
		return;
	}
	// Handshakes under way keep the old set (TlsHandshake holds it); the
	// last of them frees it.
	config_.tls = std::move(fresh);
	log_info("SIGHUP: TLS reloaded, %s", config_.tls->summary().c_str());
}

void Daemon::open_control(const std::string &path)
{
	control_.reset(open(path.c_str(), O_RDWR | O_CLOEXEC));
	if (!control_ && !control_warned_)
		log_warning("cannot open %s for adoption: %s; TLS connections are served by the "
			    "daemon until a registration opens it",
			    path.c_str(), strerror(errno));
	control_warned_ = !control_; // once per stretch of failures
	adoption_.control_fd = control_.get();
}

bool Daemon::on_courier_news()
{
	Registration::News news = registration_->take_news();
	// A new registration may be with a new module (rmmod, insmod): the
	// control file opened before would be the old one's.
	if (config_.tls && !news.channels.empty())
		open_control(config_.control_path);
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
	bool tls_handback = h.header.flags & KHTTPD_HANDOVER_F_TLS;
	// A ClientHello waits in the socket: nothing but TLS can answer it,
	// so refusals below just close.
	bool handshake = h.header.reason == KHTTPD_HANDOVER_TLS && !tls_handback;
	if (handshake && !config_.tls) {
		tls_.no_certificate++;
		if (tls_log_.allow(suppressed))
			log_warning("connection %llu from %s: a TLS hand-over, but no --tls-cert is "
				    "given: closed (%llu so far, %llu not logged since the last line)",
				    conn, client_name.c_str(), ull(tls_.no_certificate),
				    ull(suppressed));
		return;
	}
	bool client_ktls = tls_handback && socket_has_ktls(h.client.get());
	auto turn_away = [&](ErrorReply reply) {
		if (handshake)
			h.client.reset();
		else if (client_ktls)
			answer_and_close_ktls(std::move(h.client), reply);
		else
			refuse(std::move(h.client), reply);
	};

	if (relays_.size() >= config_.max_connections) {
		if (refused_log_.allow(suppressed))
			log_warning("%u connections open, the maximum: %s %s "
				    "(%llu more refused since the last line)",
				    config_.max_connections, handshake ? "closed" : "answered 503 to",
				    client_name.c_str(), ull(suppressed));
		turn_away(ErrorReply::kServiceUnavailable);
		return;
	}
	ClientKey key = client_key(peer);
	if (config_.max_per_client != 0) {
		auto pc = per_client_.find(key);
		if (pc != per_client_.end() && pc->second >= config_.max_per_client) {
			if (per_client_log_.allow(suppressed))
				log_warning("client %s: %u connections open from its address, the "
					    "maximum per client: %s (%llu more refused since "
					    "the last line)",
					    client_name.c_str(), pc->second,
					    handshake ? "closed" : "answered 503", ull(suppressed));
			turn_away(ErrorReply::kServiceUnavailable);
			return;
		}
	}
	if (int err = set_nonblocking(h.client.get()); err != 0) {
		log_error("connection %llu: O_NONBLOCK: %s", conn, strerror(err));
		return;
	}
	int one = 1;
	setsockopt(h.client.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	if (handshake) {
		start_handshake(id, h, std::move(client_name), key);
		return;
	}

	// A request on a connection khttpd.ko adopted: the TLS facts come
	// back as the info we gave it; the socket still has kernel TLS.
	std::string_view tlvs;
	if (tls_handback) {
		tls_.handed_back++;
		std::string problem;
		if (!decode_adopt_info(h.info, tlvs, problem)) {
			if (tls_log_.allow(suppressed))
				log_warning("connection %llu from %s: %s; relayed without TLS TLVs",
					    conn, client_name.c_str(), problem.c_str());
			tlvs = {};
		}
		if (!client_ktls && tls_log_.allow(suppressed))
			log_warning("connection %llu from %s: handed over as TLS, but its socket "
				    "has no kernel TLS: relayed as it is",
				    conn, client_name.c_str());
	}
	const SocketAddress &backend_address = tls_handback ? config_.tls_backend : config_.backend;
	const std::string &backend_name = tls_handback ? tls_backend_name_ : backend_name_;

	BackendConnect backend = connect_backend(backend_address);
	if (backend.error != 0) {
		if (backend.no_socket) {
			if (refused_log_.allow(suppressed))
				log_error("cannot create a socket: %s: answered 503 to %s",
					  strerror(backend.error), client_name.c_str());
			turn_away(ErrorReply::kServiceUnavailable);
		} else {
			if (unreachable_log_.allow(suppressed))
				log_error("backend %s unreachable: %s: answered 502 to %s (%llu "
					  "more since the last line)",
					  backend_name.c_str(), strerror(backend.error),
					  client_name.c_str(), ull(suppressed));
			turn_away(ErrorReply::kBadGateway);
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
		turn_away(ErrorReply::kServiceUnavailable);
		return;
	}

	std::string preamble;
	if (config_.proxy_protocol)
		preamble = encode_proxy_v2_with_tlvs(peer, local, tlvs);
	preamble.append(h.data);

	log_debug("connection %llu from %s: %s%s (%u answered by khttpd before), %u bytes "
		  "handed over; relaying to %s",
		  conn, client_name.c_str(), handover_reason_name(h.header.reason),
		  tls_handback ? " over TLS" : "", h.header.requests_served, h.header.data_len,
		  backend_name.c_str());

	RelayEntry entry;
	entry.conn_id = h.header.conn_id;
	entry.client = std::move(client_name);
	entry.key = key;
	entry.last_active = now_;
	entry.tls_backend = tls_handback;
	entry.relay = std::make_unique<Relay>(std::move(h.client), std::move(backend.socket),
					      backend.connected, std::move(up), std::move(down),
					      std::move(preamble), client_ktls);
	add_entry(id, std::move(entry));
}

bool Daemon::add_entry(uint64_t id, RelayEntry entry)
{
	ClientConnection &relay = *entry.relay;
	if (!watch(relay.client_fd(), kRelayEvents, token(kClient, id))) {
		relay.refuse(ErrorReply::kServiceUnavailable);
		return false;
	}
	if (relay.backend_fd() >= 0 &&
	    !watch(relay.backend_fd(), kRelayEvents, token(kBackend, id))) {
		unwatch(relay.client_fd());
		relay.refuse(ErrorReply::kServiceUnavailable);
		return false;
	}
	ClientKey key = entry.key;
	auto [it, inserted] = relays_.emplace(id, std::move(entry));
	(void)inserted; // ids are never reused
	it->second.idle_pos = idle_order_.insert(idle_order_.end(), id);
	if (config_.max_per_client != 0)
		per_client_[key]++;
	// Edge-triggered: what is readable already gives no event.
	ready_.push_back(id);
	return true;
}

void Daemon::start_handshake(uint64_t id, Handover &h, std::string client_name, ClientKey key)
{
	uint64_t suppressed = 0;
	auto handshake = std::make_unique<TlsHandshake>(std::move(h.client), config_.tls, adoption_);
	if (!handshake->ok()) {
		if (refused_log_.allow(suppressed))
			log_error("connection %llu from %s: cannot start a TLS session: %s",
				  ull(h.header.conn_id), client_name.c_str(),
				  take_openssl_error("out of memory?").c_str());
		return;
	}
	tls_.handshakes++;
	log_debug("connection %llu from %s: TLS handshake", ull(h.header.conn_id),
		  client_name.c_str());
	RelayEntry entry;
	entry.conn_id = h.header.conn_id;
	entry.client = std::move(client_name);
	entry.key = key;
	entry.last_active = now_;
	entry.relay = std::move(handshake);
	add_entry(id, std::move(entry));
}

void Daemon::finish_handshake(RelayMap::iterator it)
{
	RelayEntry &e = it->second;
	auto &handshake = static_cast<TlsHandshake &>(*e.relay);
	unsigned long long conn = ull(e.conn_id);
	uint64_t suppressed = 0;
	TlsFacts facts = handshake.facts();
	std::string tlvs = encode_tls_tlvs(facts);
	std::string info = encode_adopt_info(tlvs);
	SocketAddress peer, local;
	bool addresses = peer_address(handshake.client_fd(), peer) &&
			 local_address(handshake.client_fd(), local);

	AdoptionResult r = try_adoption(handshake.ssl(), handshake.client_fd(),
					handshake.secrets(), info, adoption_,
					handshake.first_request());
	if (r.kind == AdoptionResult::kAdopted) {
		tls_.adopted++;
		log_debug("connection %llu from %s: %s %s, SNI '%s': tls adopted by khttpd "
			  "(its connection %llu; %llu adopted so far)",
			  conn, e.client.c_str(), facts.version.c_str(), facts.cipher.c_str(),
			  facts.server_name.c_str(), ull(r.conn_id), ull(tls_.adopted));
		// The kernel holds its own reference now: close ours, free
		// the session without a TLS shutdown.
		close_relay(it);
		return;
	}
	if (r.kind == AdoptionResult::kBroken) {
		log_error("connection %llu from %s: %s: closed", conn, e.client.c_str(),
			  r.reason.c_str());
		close_relay(it);
		return;
	}
	uint64_t count = ++tls_.userspace[r.reason];
	if (tls_userspace_log_.allow(suppressed))
		log_info("connection %llu from %s: %s %s: tls userspace: %s (%llu so far for this "
			 "reason, %llu lines not logged since the last one)",
			 conn, e.client.c_str(), facts.version.c_str(), facts.cipher.c_str(),
			 r.reason.c_str(), ull(count), ull(suppressed));

	unwatch(handshake.client_fd());
	SslPtr ssl = handshake.take_ssl();
	UniqueFd client = handshake.take_client();
	bool kernel_tls = r.kind == AdoptionResult::kKernelTls;
	BackendConnect backend = connect_backend(config_.tls_backend);
	Pipe up, down;
	int err = backend.error;
	if (err == 0 && kernel_tls && (err = make_pipe(up)) == 0)
		err = make_pipe(down);
	if (err != 0 || !addresses) {
		if (unreachable_log_.allow(suppressed))
			log_error("backend %s: %s: answered 502 to %s (%llu more since the last "
				  "line)",
				  tls_backend_name_.c_str(),
				  addresses ? strerror(err) : "the client is gone", e.client.c_str(),
				  ull(suppressed));
		if (kernel_tls) {
			answer_and_close_ktls(std::move(client), ErrorReply::kBadGateway);
		} else {
			tls_answer_and_close(ssl.get(), std::move(client), ErrorReply::kBadGateway);
		}
		close_relay(it);
		return;
	}
	std::string preamble;
	if (config_.proxy_protocol)
		preamble = encode_proxy_v2_with_tlvs(peer, local, tlvs);
	preamble.append(r.plaintext);

	if (kernel_tls) {
		ssl.reset(); // no SSL_shutdown: the kernel does the records now
		e.relay = std::make_unique<Relay>(std::move(client), std::move(backend.socket),
						  backend.connected, std::move(up), std::move(down),
						  std::move(preamble), true);
	} else {
		e.relay = std::make_unique<TlsRelay>(std::move(client), std::move(ssl),
						     std::move(backend.socket), backend.connected,
						     std::move(preamble));
	}
	ClientConnection &relay = *e.relay;
	if (!watch(relay.client_fd(), kRelayEvents, token(kClient, it->first)) ||
	    !watch(relay.backend_fd(), kRelayEvents, token(kBackend, it->first))) {
		relay.refuse(ErrorReply::kServiceUnavailable);
		close_relay(it);
		return;
	}
	// The idle clock starts again for the relay.
	e.tls_backend = true;
	e.activity_seen = 0;
	e.last_active = now_;
	idle_order_.splice(idle_order_.end(), idle_order_, e.idle_pos);
	ready_.push_back(it->first);
}

void Daemon::on_relay_event(uint64_t id, bool on_backend, uint32_t events)
{
	auto it = relays_.find(id);
	if (it == relays_.end())
		return; // closed earlier in this batch
	bool more_work = false;
	ClientConnection::Status status = it->second.relay->on_event(on_backend, events, more_work);
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
		ClientConnection::Status status = it->second.relay->pump(more_work);
		settle(it, status, more_work);
	}
}

void Daemon::settle(RelayMap::iterator it, ClientConnection::Status status, bool more_work)
{
	using Status = ClientConnection::Status;
	RelayEntry &e = it->second;
	ClientConnection &r = *e.relay;
	unsigned long long conn = ull(e.conn_id);
	const char *why = r.error() ? strerror(r.error()) : "";
	switch (status) {
	case Status::kActive:
		note_activity(e);
		if (more_work)
			ready_.push_back(it->first);
		return;
	case Status::kHandshakeDone:
		finish_handshake(it);
		return;
	case Status::kFinished:
		log_debug("connection %llu from %s done: %llu bytes up, %llu down", conn,
			  e.client.c_str(), ull(r.bytes_up()), ull(r.bytes_down()));
		break;
	case Status::kFailed:
		if (dynamic_cast<TlsHandshake *>(&r))
			tls_.failed++;
		log_debug("connection %llu from %s closed: %s %s (%llu bytes up, %llu down)", conn,
			  e.client.c_str(), r.error_context(), why, ull(r.bytes_up()),
			  ull(r.bytes_down()));
		break;
	case Status::kBackendUnreachable: {
		uint64_t suppressed = 0;
		if (unreachable_log_.allow(suppressed))
			log_error("backend %s unreachable: %s: answered 502 to %s (%llu more since "
				  "the last line)",
				  (e.tls_backend ? tls_backend_name_ : backend_name_).c_str(), why,
				  e.client.c_str(), ull(suppressed));
		unwatch(r.client_fd());
		r.refuse(ErrorReply::kBadGateway);
		break;
	}
	}
	close_relay(it);
}

void Daemon::close_relay(RelayMap::iterator it)
{
	RelayEntry &e = it->second;
	ClientConnection &r = *e.relay;
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
	ClientConnection &r = *e.relay;
	uint64_t suppressed = 0;
	idle_closed_++;
	if (dynamic_cast<TlsHandshake *>(&r)) {
		tls_.failed++;
		log_debug("connection %llu from %s closed: TLS handshake not finished in %u s",
			  ull(e.conn_id), e.client.c_str(), config_.idle_timeout);
	} else if (!r.connected()) {
		// The backend never answered the connect(): the client still
		// waits for an answer to what it sent.
		if (unreachable_log_.allow(suppressed))
			log_error("backend %s unreachable: no answer to connect() in %u s: answered "
				  "502 to %s (%llu more since the last line)",
				  (e.tls_backend ? tls_backend_name_ : backend_name_).c_str(), config_.idle_timeout, e.client.c_str(),
				  ull(suppressed));
		unwatch(r.client_fd());
		r.refuse(ErrorReply::kBadGateway);
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
