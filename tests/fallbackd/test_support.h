// SPDX-License-Identifier: GPL-2.0
// Helpers for the khttpd-fallbackd tests: loopback TCP connections, the
// module's side of the hand-over socketpair, the daemon as a child process,
// and reads/writes that never wait longer than a timeout.
#ifndef KHTTPD_FALLBACKD_TEST_SUPPORT_H
#define KHTTPD_FALLBACKD_TEST_SUPPORT_H

#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "khttpd/fallback.h"
#include "unique_fd.h"

namespace fallbackd::test {

// Every wait in the tests ends after this long (a failure, never a hang).
inline constexpr int kTimeoutMs = 20000;

// A listening TCP socket on an ephemeral port.
struct Listener {
	UniqueFd fd;
	int family = AF_INET;
	uint16_t port = 0;
};

// Listens on @address ("127.0.0.1", "::1", "::" for dual stack). Returns
// an invalid fd if the address family is not available.
Listener listen_on(const char *address, int backlog = 256);

// Connects to 127.0.0.1 (or @address) and the listener's port, from
// @source (any port) if given. Blocking connect.
UniqueFd connect_to(const Listener &l, const char *address = nullptr,
		    const char *source = nullptr);

// Accepts one connection within the timeout (non-blocking result), or an
// invalid fd.
UniqueFd accept_one(const Listener &l, int timeout_ms = kTimeoutMs);

// A port on 127.0.0.1 nobody listens on (bound, then closed).
uint16_t unused_port();

// A client connection as the module holds it: the client's end and the
// accepted (server) end, which is what gets handed over.
struct ClientPair {
	UniqueFd client;
	UniqueFd server;
};
ClientPair make_client_pair(const Listener &front, const char *address = nullptr,
			    const char *source = nullptr);

// The hand-over message, with every field open to being made wrong.
struct HandoverSpec {
	uint32_t magic = KHTTPD_HANDOVER_MAGIC;
	uint16_t version = KHTTPD_HANDOVER_VERSION;
	uint16_t header_len = sizeof(khttpd_handover);
	std::optional<uint32_t> data_len; // default: data.size()
	uint32_t reason = KHTTPD_HANDOVER_DYNAMIC;
	uint64_t conn_id = 1;
	uint32_t requests_served = 0;
	uint16_t flags = 0;
	std::optional<uint16_t> info_len; // default: info.size()
	std::string info;		  // between the header and the data
	std::string data;
	std::vector<int> fds; // sent in one SCM_RIGHTS message
};

// The bytes of the message (header, padding up to header_len, info, data).
std::string encode_handover(const HandoverSpec &spec);

// Sends @bytes as one SEQPACKET message with @fds attached.
bool send_message(int sock, std::string_view bytes, const std::vector<int> &fds);
bool send_handover(int sock, const HandoverSpec &spec);

// I/O with a deadline. The fd may be blocking or not.
bool write_all(int fd, std::string_view data, int timeout_ms = kTimeoutMs);
bool read_exactly(int fd, size_t n, std::string &out, int timeout_ms = kTimeoutMs);
// Reads until the end of file. False on timeout or error (ECONNRESET...).
bool read_to_eof(int fd, std::string &out, int timeout_ms = kTimeoutMs);
// True if the peer of @fd closed (read gives 0, or the socket is reset)
// within the timeout, with no data before it.
bool wait_closed(int fd, int timeout_ms = kTimeoutMs);

// Two endpoints exchanging data at once: each sends `out`, then shuts its
// sending side down, and reads until the end of file.
struct Peer {
	int fd = -1;
	std::string out;
	std::string in;
	size_t sent = 0;
	bool shut = false;
	bool eof = false;
};
bool exchange(Peer &a, Peer &b, int timeout_ms = kTimeoutMs);

// Deterministic pseudo-random bytes.
std::string pattern(size_t size, uint32_t seed);

// The PROXY v2 header a test expects, built by hand from the addresses.
std::string expected_proxy_v2(const sockaddr_storage &src, const sockaddr_storage &dst);

// getpeername/getsockname.
sockaddr_storage peer_of(int fd);
sockaddr_storage local_of(int fd);

// The daemon binary as a child process, playing the module's side of its
// hand-over socketpair.
class DaemonProcess {
public:
	DaemonProcess() = default;
	~DaemonProcess();
	DaemonProcess(const DaemonProcess &) = delete;
	DaemonProcess &operator=(const DaemonProcess &) = delete;

	// Sets (or replaces) an environment variable of the child; call
	// before start(). LD_PRELOAD also lets ASan accept the preloaded
	// library (verify_asan_link_order=0).
	void set_env(const std::string &name, const std::string &value);

	// Starts the daemon with "--socket-fd 3" and @args.
	bool start(const std::vector<std::string> &args);
	// Runs the binary with exactly @args (no socketpair), e.g. --help.
	bool start_plain(const std::vector<std::string> &args);

	pid_t pid() const { return pid_; }
	int module_fd() const { return module_end_.get(); } // our end
	void close_module_end() { module_end_.reset(); }

	// Waits for the exit: the exit status, 128 + signal if killed by
	// one, or -1 on timeout.
	int wait_exit(int timeout_ms = kTimeoutMs);
	bool running() const { return pid_ > 0; }

	// What the daemon wrote to stdout and stderr so far.
	std::string output() const;

	// Number of open descriptors (entries of /proc/PID/fd), -1 on error.
	int fd_count() const;
	// Waits until fd_count() == @n (re-reads it every 10 ms: the count
	// changes without any event to wait for). False on timeout.
	bool wait_fd_count(int n, int timeout_ms = kTimeoutMs) const;

private:
	bool spawn(const std::vector<std::string> &args, int child_fd3);

	pid_t pid_ = -1;
	UniqueFd pidfd_;
	UniqueFd module_end_;
	UniqueFd output_; // memfd the child writes to
	std::vector<std::pair<std::string, std::string>> env_;
};

} // namespace fallbackd::test

#endif
