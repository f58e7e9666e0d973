// SPDX-License-Identifier: GPL-2.0
// The main thread: one epoll loop over the signals, the courier's news,
// the hand-over sockets and every relayed connection.
#ifndef KHTTPD_FALLBACKD_DAEMON_H
#define KHTTPD_FALLBACKD_DAEMON_H

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "error_reply.h"
#include "handover_channel.h"
#include "log_throttle.h"
#include "registration.h"
#include "relay.h"
#include "socket_address.h"
#include "unique_fd.h"

namespace fallbackd {

struct DaemonConfig {
	SocketAddress backend;
	bool proxy_protocol = true;
	unsigned max_connections = 4096;
	// >= 0: read hand-overs from this socket instead of registering; the
	// daemon exits at its end of file once every relay is done.
	int socket_fd = -1;
	std::string control_path; // registration: the module's control file
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
	enum Kind : uint64_t { kSignal, kCourier, kChannel, kClient, kBackend };
	static constexpr unsigned kKindBits = 3;

	struct RelayEntry {
		std::unique_ptr<Relay> relay;
		uint64_t conn_id = 0; // the module's number
		std::string client;   // the client's address, for logs
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
	// Returns false when registration failed for good.
	bool on_courier_news();

	void add_channel(UniqueFd fd);
	void on_channel_ready(uint64_t id);
	void close_channel(uint64_t id);

	void on_handover(Handover &h);
	void refuse(UniqueFd client, ErrorReply reply);
	void on_relay_event(uint64_t id, bool on_backend, uint32_t events);
	void pump_ready();
	void settle(RelayMap::iterator it, Relay::Status status, bool more_work);
	void close_relay(RelayMap::iterator it);

	DaemonConfig config_;
	std::string backend_name_;
	UniqueFd epoll_;
	UniqueFd signals_;
	std::unique_ptr<Registration> registration_;
	std::unordered_map<uint64_t, std::unique_ptr<HandoverChannel>> channels_;
	RelayMap relays_;
	std::vector<uint64_t> ready_; // relays to pump again without an event
	uint64_t next_id_ = 1;
	LogThrottle unreachable_log_;
	LogThrottle refused_log_;
};

} // namespace fallbackd

#endif
