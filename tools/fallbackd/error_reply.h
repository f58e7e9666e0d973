// SPDX-License-Identifier: GPL-2.0
// The answers the daemon gives itself when it cannot relay a connection.
#ifndef KHTTPD_FALLBACKD_ERROR_REPLY_H
#define KHTTPD_FALLBACKD_ERROR_REPLY_H

#include <string_view>

#include "unique_fd.h"

namespace fallbackd {

enum class ErrorReply {
	kBadGateway,	     // 502: the backend cannot be reached
	kServiceUnavailable, // 503: too many connections, or out of resources
};

// The whole response: status line, Content-Type, Content-Length,
// Connection: close, a one-line text body.
std::string_view error_reply_text(ErrorReply reply);

// Sends the response without blocking (what does not fit in the socket
// buffer is dropped: it is small), shuts the sending side down, discards
// what the client already sent (so close() does not turn into a reset that
// could destroy the answer) and closes the socket.
void answer_and_close(UniqueFd client, ErrorReply reply);

} // namespace fallbackd

#endif
