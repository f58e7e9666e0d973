// SPDX-License-Identifier: GPL-2.0
// Small descriptor helpers: non-blocking mode, pipes, the backend socket.
#ifndef KHTTPD_FALLBACKD_FD_UTIL_H
#define KHTTPD_FALLBACKD_FD_UTIL_H

#include "socket_address.h"
#include "unique_fd.h"

namespace fallbackd {

// Returns 0 or an errno value.
int set_nonblocking(int fd);

// pipe2(O_NONBLOCK | O_CLOEXEC). Returns 0 or an errno value.
int make_pipe(Pipe &out);

// Result of starting a non-blocking connect() to the backend.
struct BackendConnect {
	UniqueFd socket;
	bool connected = false; // false: in progress, wait for EPOLLOUT
	int error = 0;		// errno value, 0 on success
	bool no_socket = false; // socket() failed (a local resource problem)
};

// Creates a non-blocking TCP socket (TCP_NODELAY) and connects it to @to.
BackendConnect connect_backend(const SocketAddress &to);

// The pending error of a socket (SO_ERROR), 0 if none.
int socket_error(int fd);

} // namespace fallbackd

#endif
