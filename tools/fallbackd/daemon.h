// SPDX-License-Identifier: GPL-2.0
// The main thread: one epoll loop over the signals, the courier's news,
// the hand-over sockets and every relayed connection.
#ifndef KHTTPD_FALLBACKD_DAEMON_H
#define KHTTPD_FALLBACKD_DAEMON_H

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "access_log_drain.h"
#include "client_connection.h"
#include "error_reply.h"
#include "handover_channel.h"
#include "log_throttle.h"
#include "registration.h"
#include "relay.h"
#include "socket_address.h"
#include "tls_adoption.h"
#include "tls_context.h"
#include "unique_fd.h"

namespace fallbackd {

struct DaemonConfig {
	SocketAddress backend;
	bool proxy_protocol = true;
	unsigned max_connections = 4096;
	// A relay with no byte moving either way for this long is closed,
	// both sides; 0: never.
	unsigned idle_timeout = 60; // seconds
	// At most this many relays per client address; 0: no cap.
	unsigned max_per_client = 64;
	// >= 0: read hand-overs from this socket instead of registering; the
	// daemon exits at its end of file once every relay is done.
	int socket_fd = -1;
	std::string control_path; // registration: the module's control file
	// The access-log drain thread, unless disabled.
	bool access_log = false;
	AccessLogConfig access_log_config;
	// HTTPS: the certificates (null: a KHTTPD_HANDOVER_TLS hand-over is
	// closed at once), and where TLS-originated requests go.
	// Shared: a reload (SIGHUP) replaces it while handshakes begun on the
	// old one hold it until they end.
	std::shared_ptr<const TlsContext> tls;
	// Where tls was loaded from: SIGHUP loads them again.
	std::vector<TlsCertificateFiles> tls_files;
	SocketAddress tls_backend;
	// Tests: the control file for KHTTPD_IOC_ADOPT in --socket-fd mode,
	// asked even without kernel TLS (a fake ioctl answers).
	std::string test_adopt_control;
};

// Exit statuses of run() (and of the program).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

class Daemon {
public:
	explicit Daemon(DaemonConfig config);
	~Daemon();
	Daemon(const Daemon &) = delete;
	Daemon &operator=(const Daemon &) = delete;

	// Runs until SIGTERM/SIGINT (kExitOk), the end of the --socket-fd
	// socket with no relay left (kExitOk), or a failure (kExitFailure).
	// Must be called before any other thread exists: it blocks signals.
	int run();

private:
	using Clock = std::chrono::steady_clock;
	// Relay ids, least recently active first.
	using IdleList = std::list<uint64_t>;

	enum Kind : uint64_t { kSignal, kCourier, kChannel, kClient, kBackend };
	static constexpr unsigned kKindBits = 3;

	struct RelayEntry {
		// A splice relay, a TLS relay or a TLS handshake.
		std::unique_ptr<ClientConnection> relay;
		uint64_t conn_id = 0; // the module's number
		std::string client;   // the client's address, for logs
		bool tls_backend = false; // relayed to --tls-backend
		ClientKey key;	      // the client's address, for --max-per-client
		uint64_t activity_seen = 0; // relay->activity() when last active
		Clock::time_point last_active;
		IdleList::iterator idle_pos; // its place in idle_order_
	};
	using RelayMap = std::unordered_map<uint64_t, RelayEntry>;

	static uint64_t token(Kind kind, uint64_t id) { return id << kKindBits | kind; }

	bool setup();
	int loop();
	void close_all();
	bool watch(int fd, uint32_t events, uint64_t tok);
	void unwatch(int fd);

	// Returns true when the daemon must stop.
	bool on_signal();
	// SIGHUP: the certificates again from the same files; the old set
	// stays if any pair fails.
	void reload_tls();
	// Returns false when registration failed for good.
	bool on_courier_news();

	void add_channel(UniqueFd fd);
	void on_channel_ready(uint64_t id);
	void close_channel(uint64_t id);

	void on_handover(Handover &h);
	void refuse(UniqueFd client, ErrorReply reply);
	// Registers a new entry's sockets and counts it; false if it could
	// not be watched (it is then refused).
	bool add_entry(uint64_t id, RelayEntry entry);
	void start_handshake(uint64_t id, Handover &h, std::string client_name, ClientKey key);
	void finish_handshake(RelayMap::iterator it);
	void on_relay_event(uint64_t id, bool on_backend, uint32_t events);
	void pump_ready();
	void settle(RelayMap::iterator it, ClientConnection::Status status, bool more_work);
	void close_relay(RelayMap::iterator it);
	void log_tls_summary() const;
	// Opens the control file for KHTTPD_IOC_ADOPT (again).
	void open_control(const std::string &path);

	// The idle timeout: every relay is in idle_order_, least recently
	// active first; a relay that moved bytes goes to the back (O(1)), and
	// only the front is ever compared with the clock.
	void note_activity(RelayEntry &e);
	int idle_wait_ms() const; // until the front relay times out; -1: none
	void expire_idle();
	void close_idle(RelayMap::iterator it);

	// What became of TLS connections (logged at exit).
	struct TlsCounters {
		uint64_t handshakes = 0;     // started
		uint64_t failed = 0;	     // handshake failed or timed out
		uint64_t no_certificate = 0; // closed: no --tls-cert
		uint64_t adopted = 0;	     // "tls adopted"
		uint64_t handed_back = 0;    // KHTTPD_HANDOVER_F_TLS hand-overs
		std::map<std::string, uint64_t> userspace; // "tls userspace: <reason>"
	};

	DaemonConfig config_;
	std::string backend_name_;
	std::string tls_backend_name_;
	AdoptionSettings adoption_;
	UniqueFd control_; // for KHTTPD_IOC_ADOPT
	bool control_warned_ = false;
	TlsCounters tls_;
	UniqueFd epoll_;
	UniqueFd signals_;
	std::unique_ptr<Registration> registration_;
	std::unique_ptr<AccessLogDrain> access_log_;
	std::unordered_map<uint64_t, std::unique_ptr<HandoverChannel>> channels_;
	RelayMap relays_;
	IdleList idle_order_;
	// Open relays per client address (with --max-per-client only).
	std::unordered_map<ClientKey, unsigned, ClientKeyHash> per_client_;
	Clock::time_point now_; // read once per turn of the loop
	uint64_t idle_closed_ = 0;
	std::vector<uint64_t> ready_; // relays to pump again without an event
	uint64_t next_id_ = 1;
	LogThrottle unreachable_log_;
	LogThrottle refused_log_;
	LogThrottle per_client_log_;
	LogThrottle idle_log_;
	LogThrottle tls_log_;
	LogThrottle tls_userspace_log_;
};

} // namespace fallbackd

#endif
