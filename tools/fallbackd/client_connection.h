// SPDX-License-Identifier: GPL-2.0
// What the main loop holds for each handed-over client connection: the
// splice relay (relay.h), the TLS relay (tls_relay.h), or a TLS handshake
// still in progress (tls_handshake.h). One interface, so that the limits
// (--max-connections, --max-per-client) and the idle timeout count all of
// them alike.
#ifndef KHTTPD_FALLBACKD_CLIENT_CONNECTION_H
#define KHTTPD_FALLBACKD_CLIENT_CONNECTION_H

#include <cstdint>

#include "error_reply.h"

namespace fallbackd {

class ClientConnection {
public:
	enum class Status {
		kActive,	     // waiting for the sockets
		kFinished,	     // both directions closed cleanly
		kFailed,	     // an error (reset, broken pipe...): close now
		kBackendUnreachable, // the connect() failed: answer 502
		kHandshakeDone,	     // a TLS handshake finished: the owner takes over
	};

	virtual ~ClientConnection() = default;

	virtual int client_fd() const = 0;
	virtual int backend_fd() const = 0; // -1: none (yet)

	// Events on one of the two sockets. Also pumps; see pump().
	virtual Status on_event(bool on_backend, uint32_t epoll_events, bool &more_work) = 0;

	// Moves what can be moved without blocking. Stops after a bounded
	// amount of work so other connections get their turn: @more_work is
	// then true and pump() must be called again soon.
	virtual Status pump(bool &more_work) = 0;

	// kFailed / kBackendUnreachable: the errno value behind it (0: not a
	// system error, see error_context()).
	virtual int error() const = 0;
	// What did not work (e.g. "reading from the client"), for logs.
	virtual const char *error_context() const = 0;

	// Bytes delivered client -> backend (without the preamble) and back.
	virtual uint64_t bytes_up() const = 0;
	virtual uint64_t bytes_down() const = 0;

	// Counts the rounds that moved something: unchanged means idle.
	virtual uint64_t activity() const = 0;
	// The backend connect() is over and succeeded (true when there is no
	// backend to wait for).
	virtual bool connected() const = 0;

	// Answers @reply the way the client can read it (plain text, or
	// inside TLS) and closes the client's side.
	virtual void refuse(ErrorReply reply) = 0;
};

} // namespace fallbackd

#endif
