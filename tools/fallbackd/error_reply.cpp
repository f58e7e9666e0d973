// SPDX-License-Identifier: GPL-2.0
#include "error_reply.h"

#include <sys/socket.h>

#include <cerrno>

namespace fallbackd {
namespace {

constexpr std::string_view kBadGateway = "HTTP/1.1 502 Bad Gateway\r\n"
					 "Content-Type: text/plain\r\n"
					 "Content-Length: 16\r\n"
					 "Connection: close\r\n"
					 "\r\n"
					 "502 Bad Gateway\n";

constexpr std::string_view kServiceUnavailable = "HTTP/1.1 503 Service Unavailable\r\n"
						 "Content-Type: text/plain\r\n"
						 "Content-Length: 24\r\n"
						 "Connection: close\r\n"
						 "\r\n"
						 "503 Service Unavailable\n";

// At most this much already-received input is discarded before close().
constexpr size_t kDrainLimit = 256 * 1024;

} // namespace

std::string_view error_reply_text(ErrorReply reply)
{
	return reply == ErrorReply::kBadGateway ? kBadGateway : kServiceUnavailable;
}

void answer_and_close(UniqueFd client, ErrorReply reply)
{
	std::string_view text = error_reply_text(reply);
	while (!text.empty()) {
		ssize_t n = send(client.get(), text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		text.remove_prefix(static_cast<size_t>(n));
	}
	shutdown(client.get(), SHUT_WR);
	char scratch[16384];
	size_t drained = 0;
	while (drained < kDrainLimit) {
		ssize_t n = recv(client.get(), scratch, sizeof(scratch), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		drained += static_cast<size_t>(n);
	}
	// ~UniqueFd closes it.
}

} // namespace fallbackd
