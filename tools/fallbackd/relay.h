// SPDX-License-Identifier: GPL-2.0
// One relayed connection: client <-> backend, zero copy.
//
// Each direction moves bytes socket -> pipe -> socket with splice(2). A
// pipe holds at most its capacity, so the daemon never reads more from one
// side than the other side has taken: a slow reader slows the writer down
// through TCP flow control, and memory use per connection is bounded.
//
// Before the client's bytes, the backend receives the preamble: the PROXY
// protocol header (if enabled) and the bytes the kernel had already read.
//
// The Relay does no epoll bookkeeping: the owner registers both sockets
// edge-triggered and calls on_event() / pump() when they are ready.
//
// The client socket may carry kernel TLS (a connection khttpd.ko adopted
// and handed back, or one whose adoption failed after kTLS was on): splice
// then reads and writes plaintext. A non-data record from the client (an
// alert: close_notify) makes the read fail with EIO; that ends the client's
// stream. Closing our sending side first sends a close_notify alert.
#ifndef KHTTPD_FALLBACKD_RELAY_H
#define KHTTPD_FALLBACKD_RELAY_H

#include <cstdint>
#include <string>

#include "client_connection.h"
#include "unique_fd.h"

namespace fallbackd {

class Relay final : public ClientConnection {
public:
	// @backend is connected, or connecting (@connected false). @client_ktls:
	// the client socket has kernel TLS on both ways.
	Relay(UniqueFd client, UniqueFd backend, bool connected, Pipe up, Pipe down,
	      std::string preamble, bool client_ktls = false);

	int client_fd() const override { return client_.get(); }
	int backend_fd() const override { return backend_.get(); }

	Status on_event(bool on_backend, uint32_t epoll_events, bool &more_work) override;
	Status pump(bool &more_work) override;

	int error() const override { return error_; }
	const char *error_context() const override { return error_context_; }

	uint64_t bytes_up() const override { return up_.delivered; }
	uint64_t bytes_down() const override { return down_.delivered; }

	// Counts the pump rounds that moved something (bytes, an end of
	// file, the connect): unchanged means the relay has been idle.
	uint64_t activity() const override { return activity_; }
	bool connected() const override { return connected_; }

	// Plain text; on a kTLS socket the kernel encrypts it.
	void refuse(ErrorReply reply) override;

private:
	struct Direction {
		int from = -1;
		int to = -1;
		Pipe pipe;
		size_t in_pipe = 0;	// bytes spliced in and not yet out
		bool from_eof = false;	// read end of file from `from`
		bool to_shut = false;	// shutdown(to, SHUT_WR) done: finished
		uint64_t delivered = 0; // bytes written to `to`
		const char *name_read = "";
		const char *name_write = "";
	};

	bool fail(int err, const char *context);
	bool finish_connect();
	bool send_preamble(bool &progress);
	bool step(Direction &d, bool may_write, bool &progress);

	UniqueFd client_;
	UniqueFd backend_;
	bool connected_;
	std::string preamble_;
	size_t preamble_sent_ = 0;
	Direction up_;	 // client -> backend
	Direction down_; // backend -> client
	int error_ = 0;
	const char *error_context_ = "";
	bool unreachable_ = false;
	bool client_ktls_ = false;
	uint64_t activity_ = 0;
};

} // namespace fallbackd

#endif
