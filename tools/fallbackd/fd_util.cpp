// SPDX-License-Identifier: GPL-2.0
#include "fd_util.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace fallbackd {

int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return errno;
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return errno;
	return 0;
}

int make_pipe(Pipe &out)
{
	int fds[2];
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
		return errno;
	out.read_end.reset(fds[0]);
	out.write_end.reset(fds[1]);
	return 0;
}

BackendConnect connect_backend(const SocketAddress &to)
{
	BackendConnect r;
	r.socket.reset(socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
	if (!r.socket) {
		r.error = errno;
		r.no_socket = true;
		return r;
	}
	// Relayed data is already in segments worth sending: no Nagle delay.
	int one = 1;
	setsockopt(r.socket.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int rc = connect(r.socket.get(), to.get(), to.length);
	if (rc == 0) {
		r.connected = true;
	} else if (errno == EINPROGRESS || errno == EINTR) {
		// EINTR: the connection attempt goes on in the background, as
		// for EINPROGRESS; connect() must not be called again.
		r.connected = false;
	} else {
		r.error = errno;
		r.socket.reset();
	}
	return r;
}

int socket_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return errno;
	return err;
}

} // namespace fallbackd
