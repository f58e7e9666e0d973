// SPDX-License-Identifier: GPL-2.0
// An LD_PRELOAD shim that plays khttpd.ko's side of KHTTPD_IOC_SERVE, so
// that the registration tests run the daemon's real courier thread on a
// host without the module.
//
// With FAKE_KHTTPD_SOCKET set, ioctl(fd, KHTTPD_IOC_SERVE, &chan) connects
// to that Unix stream socket (the test listens there), passes `chan` (the
// "kernel's" end of the daemon's socketpair) over it with SCM_RIGHTS, and
// blocks reading a 4-byte errno value from the test: 0 makes the ioctl
// return 0, anything else returns -1 with that errno. A signal interrupts
// the wait (EINTR), as it interrupts the module's.
//
// With FAKE_KHTTPD_ADOPT_SOCKET set, ioctl(fd, KHTTPD_IOC_ADOPT, &adopt)
// connects to that Unix stream socket and sends the struct khttpd_adopt,
// then its info_len bytes of info and data_len bytes of data, with the
// client socket attached (SCM_RIGHTS: the test then holds the reference the
// kernel would). It returns what the test answers, as above (0: adopted,
// conn_id 4242). Any other ioctl goes to the real one.
#include <dlfcn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "khttpd/fallback.h"

namespace {

using IoctlFn = int (*)(int, unsigned long, ...);

// Connects to the test's socket at @path; -1 with errno set on failure.
int connect_test(const char *path)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	strncpy(addr.sun_path, path, sizeof(addr.sun_path) - 1);
	if (connect(s, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
		int err = errno;
		close(s);
		errno = err;
		return -1;
	}
	return s;
}

// Sends @len bytes of @iov (several parts) with @fd attached, then waits
// for the test's 4-byte answer. Returns the ioctl's result.
int send_and_wait(int s, iovec *iov, int iovcnt, int fd)
{
	union {
		cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int))];
	} control{};
	msghdr msg{};
	msg.msg_iov = iov;
	msg.msg_iovlen = static_cast<size_t>(iovcnt);
	msg.msg_control = control.bytes;
	msg.msg_controllen = sizeof(control.bytes);
	cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(s, &msg, MSG_NOSIGNAL) < 0) {
		int err = errno;
		close(s);
		errno = err;
		return -1;
	}
	int value = 0;
	ssize_t n = read(s, &value, sizeof(value));
	int err = errno;
	close(s);
	if (n < 0) {
		errno = err;
		return -1;
	}
	if (n != sizeof(value)) {
		errno = ESHUTDOWN;
		return -1;
	}
	if (value == 0)
		return 0;
	errno = value;
	return -1;
}

int fake_adopt(const char *path, khttpd_adopt *adopt)
{
	int s = connect_test(path);
	if (s < 0)
		return -1;
	iovec iov[3] = {
		{adopt, sizeof(*adopt)},
		{reinterpret_cast<void *>(static_cast<uintptr_t>(adopt->info)), adopt->info_len},
		{reinterpret_cast<void *>(static_cast<uintptr_t>(adopt->data)), adopt->data_len},
	};
	int rc = send_and_wait(s, iov, 3, adopt->fd);
	if (rc == 0)
		adopt->conn_id = 4242;
	return rc;
}

int fake_serve(const char *path, int chan)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	sockaddr_un addr{};
	addr.sun_family = AF_UNIX;
	strncpy(addr.sun_path, path, sizeof(addr.sun_path) - 1);
	if (connect(s, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
		int err = errno;
		close(s);
		errno = err == ENOENT || err == ECONNREFUSED ? ENOENT : err;
		return -1;
	}
	char byte = 'R';
	iovec iov{&byte, 1};
	union {
		cmsghdr align;
		char bytes[CMSG_SPACE(sizeof(int))];
	} control{};
	msghdr msg{};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.bytes;
	msg.msg_controllen = sizeof(control.bytes);
	cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &chan, sizeof(int));
	if (sendmsg(s, &msg, MSG_NOSIGNAL) != 1) {
		int err = errno;
		close(s);
		errno = err;
		return -1;
	}
	int value = 0;
	ssize_t n = read(s, &value, sizeof(value)); // EINTR on a signal: passed on
	int err = errno;
	close(s);
	if (n < 0) {
		errno = err;
		return -1;
	}
	if (n != sizeof(value)) {
		errno = ESHUTDOWN; // the test went away
		return -1;
	}
	if (value == 0)
		return 0;
	errno = value;
	return -1;
}

} // namespace

extern "C" int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	const char *adopt_path = getenv("FAKE_KHTTPD_ADOPT_SOCKET");
	if (request == KHTTPD_IOC_ADOPT && adopt_path)
		return fake_adopt(adopt_path, static_cast<khttpd_adopt *>(arg));
	const char *path = getenv("FAKE_KHTTPD_SOCKET");
	if (request == KHTTPD_IOC_SERVE && path) {
		int chan;
		memcpy(&chan, arg, sizeof(chan));
		return fake_serve(path, chan);
	}
	static IoctlFn real = reinterpret_cast<IoctlFn>(dlsym(RTLD_NEXT, "ioctl"));
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	return real(fd, request, arg);
}
