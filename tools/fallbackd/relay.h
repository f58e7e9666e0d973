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
#ifndef KHTTPD_FALLBACKD_RELAY_H
#define KHTTPD_FALLBACKD_RELAY_H

#include <cstdint>
#include <string>

#include "unique_fd.h"

namespace fallbackd {

class Relay {
public:
	enum class Status {
		kActive,	     // waiting for the sockets
		kFinished,	     // both directions closed cleanly
		kFailed,	     // an error (reset, broken pipe...): close now
		kBackendUnreachable, // the connect() failed: answer 502
	};

	// @backend is connected, or connecting (@connected false).
	Relay(UniqueFd client, UniqueFd backend, bool connected, Pipe up, Pipe down,
	      std::string preamble);

	int client_fd() const { return client_.get(); }
	int backend_fd() const { return backend_.get(); }

	// Events on one of the two sockets. Also pumps; see pump().
	Status on_event(bool on_backend, uint32_t epoll_events, bool &more_work);

	// Moves what can be moved without blocking. Stops after a bounded
	// amount of work so other connections get their turn: @more_work is
	// then true and pump() must be called again soon.
	Status pump(bool &more_work);

	// kFailed / kBackendUnreachable: the errno value behind it.
	int error() const { return error_; }
	// What did not work (e.g. "reading from the client"), for logs.
	const char *error_context() const { return error_context_; }

	// Bytes delivered client -> backend (without the preamble) and back.
	uint64_t bytes_up() const { return up_.delivered; }
	uint64_t bytes_down() const { return down_.delivered; }

	// Counts the pump rounds that moved something (bytes, an end of
	// file, the connect): unchanged means the relay has been idle.
	uint64_t activity() const { return activity_; }
	// The backend connect() is over and succeeded.
	bool connected() const { return connected_; }

	// Takes the client socket (to answer 502 after kBackendUnreachable).
	UniqueFd take_client() { return std::move(client_); }

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
	uint64_t activity_ = 0;
};

} // namespace fallbackd

#endif
