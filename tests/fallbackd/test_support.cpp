// SPDX-License-Identifier: GPL-2.0
// What the daemon tests share: sockets, listeners, a fake module's side of
// the hand-over, a child running the real binary. One file, longer than
// most: each helper is small and they are used together.
#include "test_support.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#ifndef FALLBACKD_BINARY
#error "FALLBACKD_BINARY must name the daemon binary"
#endif

namespace fallbackd::test {
namespace {

using Clock = std::chrono::steady_clock;

// Milliseconds left until @deadline, at least 0.
int remaining_ms(Clock::time_point deadline)
{
	auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
	return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

Clock::time_point deadline_in(int timeout_ms)
{
	return Clock::now() + std::chrono::milliseconds(timeout_ms);
}

// Waits for @events on @fd; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline, short *revents = nullptr)
{
	for (;;) {
		pollfd p{fd, events, 0};
		int rc = poll(&p, 1, remaining_ms(deadline));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return false;
		if (revents)
			*revents = p.revents;
		return true;
	}
}

bool make_sockaddr(const char *address, uint16_t port, sockaddr_storage &ss, socklen_t &len)
{
	memset(&ss, 0, sizeof(ss));
	sockaddr_in sin{};
	sockaddr_in6 sin6{};
	if (inet_pton(AF_INET, address, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		memcpy(&ss, &sin, sizeof(sin));
		len = sizeof(sin);
		return true;
	}
	if (inet_pton(AF_INET6, address, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		memcpy(&ss, &sin6, sizeof(sin6));
		len = sizeof(sin6);
		return true;
	}
	return false;
}

void append_be16(std::string &s, uint16_t v)
{
	s.push_back(static_cast<char>(v >> 8));
	s.push_back(static_cast<char>(v & 0xff));
}

} // namespace

Listener listen_on(const char *address, int backlog)
{
	Listener l;
	sockaddr_storage ss;
	socklen_t len;
	if (!make_sockaddr(address, 0, ss, len))
		return l;
	l.family = ss.ss_family;
	UniqueFd fd(socket(l.family, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd)
		return l;
	int one = 1, zero = 0;
	setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l.family == AF_INET6 && strcmp(address, "::") == 0)
		setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd.get(), reinterpret_cast<sockaddr *>(&ss), len) != 0 ||
	    listen(fd.get(), backlog) != 0)
		return l;
	sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	getsockname(fd.get(), reinterpret_cast<sockaddr *>(&bound), &blen);
	l.port = l.family == AF_INET ? ntohs(reinterpret_cast<sockaddr_in *>(&bound)->sin_port)
				     : ntohs(reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port);
	l.fd = std::move(fd);
	return l;
}

UniqueFd connect_to(const Listener &l, const char *address, const char *source)
{
	if (!address)
		address = l.family == AF_INET6 ? "::1" : "127.0.0.1";
	sockaddr_storage ss;
	socklen_t len;
	if (!make_sockaddr(address, l.port, ss, len))
		return UniqueFd();
	UniqueFd fd(socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!fd)
		return fd;
	if (source) {
		sockaddr_storage from;
		socklen_t from_len;
		if (!make_sockaddr(source, 0, from, from_len) ||
		    bind(fd.get(), reinterpret_cast<sockaddr *>(&from), from_len) != 0)
			return UniqueFd();
	}
	int rc;
	do
		rc = connect(fd.get(), reinterpret_cast<sockaddr *>(&ss), len);
	while (rc != 0 && errno == EINTR);
	if (rc != 0)
		return UniqueFd();
	return fd;
}

UniqueFd accept_one(const Listener &l, int timeout_ms)
{
	if (!wait_for(l.fd.get(), POLLIN, deadline_in(timeout_ms)))
		return UniqueFd();
	return UniqueFd(accept4(l.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
}

uint16_t unused_port()
{
	Listener l = listen_on("127.0.0.1");
	return l.port; // closed when l goes away: nobody listens there
}

ClientPair make_client_pair(const Listener &front, const char *address, const char *source)
{
	ClientPair p;
	p.client = connect_to(front, address, source);
	if (p.client)
		p.server = accept_one(front);
	return p;
}

std::string encode_handover(const HandoverSpec &spec)
{
	khttpd_handover h{};
	h.magic = spec.magic;
	h.version = spec.version;
	h.header_len = spec.header_len;
	h.data_len = spec.data_len ? *spec.data_len : static_cast<uint32_t>(spec.data.size());
	h.reason = spec.reason;
	h.conn_id = spec.conn_id;
	h.requests_served = spec.requests_served;
	h.flags = spec.flags;
	h.info_len = spec.info_len ? *spec.info_len : static_cast<uint16_t>(spec.info.size());
	std::string bytes(reinterpret_cast<const char *>(&h), sizeof(h));
	if (spec.header_len > sizeof(h))
		bytes.append(spec.header_len - sizeof(h), '\0');
	bytes += spec.info;
	bytes += spec.data;
	return bytes;
}

bool send_message(int sock, std::string_view bytes, const std::vector<int> &fds)
{
	iovec iov{const_cast<char *>(bytes.data()), bytes.size()};
	msghdr msg{};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	std::vector<char> control;
	if (!fds.empty()) {
		control.resize(CMSG_SPACE(sizeof(int) * fds.size()));
		msg.msg_control = control.data();
		msg.msg_controllen = control.size();
		cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
		memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
	}
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == static_cast<ssize_t>(bytes.size());
}

bool send_handover(int sock, const HandoverSpec &spec)
{
	return send_message(sock, encode_handover(spec), spec.fds);
}

bool write_all(int fd, std::string_view data, int timeout_ms)
{
	auto deadline = deadline_in(timeout_ms);
	while (!data.empty()) {
		ssize_t n = send(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			data.remove_prefix(static_cast<size_t>(n));
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return false;
		if (!wait_for(fd, POLLOUT, deadline))
			return false;
	}
	return true;
}

bool read_exactly(int fd, size_t n, std::string &out, int timeout_ms)
{
	auto deadline = deadline_in(timeout_ms);
	out.clear();
	char buf[65536];
	while (out.size() < n) {
		size_t want = std::min(sizeof(buf), n - out.size());
		ssize_t got = recv(fd, buf, want, MSG_DONTWAIT);
		if (got > 0) {
			out.append(buf, static_cast<size_t>(got));
			continue;
		}
		if (got == 0)
			return false; // end of file too early
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return false;
		if (!wait_for(fd, POLLIN, deadline))
			return false;
	}
	return true;
}

bool read_to_eof(int fd, std::string &out, int timeout_ms)
{
	auto deadline = deadline_in(timeout_ms);
	char buf[65536];
	for (;;) {
		ssize_t got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (got > 0) {
			out.append(buf, static_cast<size_t>(got));
			continue;
		}
		if (got == 0)
			return true;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return false;
		if (!wait_for(fd, POLLIN, deadline))
			return false;
	}
}

bool wait_closed(int fd, int timeout_ms)
{
	auto deadline = deadline_in(timeout_ms);
	for (;;) {
		char c;
		ssize_t got = recv(fd, &c, 1, MSG_DONTWAIT);
		if (got == 0)
			return true;
		if (got > 0)
			return false; // data where none was expected
		if (errno == EINTR)
			continue;
		if (errno == ECONNRESET)
			return true;
		if (errno != EAGAIN)
			return false;
		if (!wait_for(fd, POLLIN, deadline))
			return false;
	}
}

bool exchange(Peer &a, Peer &b, int timeout_ms)
{
	auto deadline = deadline_in(timeout_ms);
	Peer *peers[2] = {&a, &b};
	char buf[65536];
	for (;;) {
		pollfd p[2];
		bool busy = false;
		for (int i = 0; i < 2; i++) {
			Peer &x = *peers[i];
			if (x.sent == x.out.size() && !x.shut) {
				if (shutdown(x.fd, SHUT_WR) != 0)
					return false;
				x.shut = true;
			}
			p[i].fd = x.fd;
			p[i].events = static_cast<short>((x.eof ? 0 : POLLIN) | (x.shut ? 0 : POLLOUT));
			p[i].revents = 0;
			busy = busy || !x.eof || !x.shut;
		}
		if (!busy)
			return true;
		int rc = poll(p, 2, remaining_ms(deadline));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			return false;
		for (int i = 0; i < 2; i++) {
			Peer &x = *peers[i];
			if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) && !x.eof) {
				ssize_t got = recv(x.fd, buf, sizeof(buf), MSG_DONTWAIT);
				if (got > 0)
					x.in.append(buf, static_cast<size_t>(got));
				else if (got == 0)
					x.eof = true;
				else if (errno != EAGAIN && errno != EINTR)
					return false;
			}
			if ((p[i].revents & POLLOUT) && x.sent < x.out.size()) {
				ssize_t n = send(x.fd, x.out.data() + x.sent, x.out.size() - x.sent,
						 MSG_DONTWAIT | MSG_NOSIGNAL);
				if (n > 0)
					x.sent += static_cast<size_t>(n);
				else if (n < 0 && errno != EAGAIN && errno != EINTR)
					return false;
			}
		}
	}
}

std::string pattern(size_t size, uint32_t seed)
{
	std::string s(size, '\0');
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		s[i] = static_cast<char>(x & 0xff);
	}
	return s;
}

std::string expected_proxy_v2(const sockaddr_storage &src, const sockaddr_storage &dst)
{
	// Both as (family, address bytes, port), IPv4-mapped folded to IPv4.
	struct Ep {
		int family;
		std::string addr;
		uint16_t port;
	};
	auto ep = [](const sockaddr_storage &ss) {
		Ep e{};
		if (ss.ss_family == AF_INET) {
			const auto *sin = reinterpret_cast<const sockaddr_in *>(&ss);
			e.family = AF_INET;
			e.addr.assign(reinterpret_cast<const char *>(&sin->sin_addr), 4);
			e.port = ntohs(sin->sin_port);
		} else {
			const auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(&ss);
			e.port = ntohs(sin6->sin6_port);
			if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
				e.family = AF_INET;
				e.addr.assign(reinterpret_cast<const char *>(&sin6->sin6_addr) + 12, 4);
			} else {
				e.family = AF_INET6;
				e.addr.assign(reinterpret_cast<const char *>(&sin6->sin6_addr), 16);
			}
		}
		return e;
	};
	Ep s = ep(src), d = ep(dst);
	std::string h("\r\n\r\n\0\r\nQUIT\n", 12);
	h.push_back('\x21'); // version 2, PROXY
	if (s.family == AF_INET) {
		h.push_back('\x11'); // TCP over IPv4
		append_be16(h, 12);
	} else {
		h.push_back('\x21'); // TCP over IPv6
		append_be16(h, 36);
	}
	h += s.addr;
	h += d.addr;
	append_be16(h, s.port);
	append_be16(h, d.port);
	return h;
}

sockaddr_storage peer_of(int fd)
{
	sockaddr_storage ss{};
	socklen_t len = sizeof(ss);
	getpeername(fd, reinterpret_cast<sockaddr *>(&ss), &len);
	return ss;
}

sockaddr_storage local_of(int fd)
{
	sockaddr_storage ss{};
	socklen_t len = sizeof(ss);
	getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
	return ss;
}

DaemonProcess::~DaemonProcess()
{
	if (pid_ > 0) {
		kill(pid_, SIGKILL);
		int status;
		waitpid(pid_, &status, 0);
	}
}

void DaemonProcess::set_env(const std::string &name, const std::string &value)
{
	for (auto &kv : env_) {
		if (kv.first == name) {
			kv.second = value;
			return;
		}
	}
	env_.emplace_back(name, value);
}

bool DaemonProcess::start(const std::vector<std::string> &args)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return false;
	module_end_.reset(sv[0]);
	UniqueFd daemon_end(sv[1]);
	std::vector<std::string> all = {"--socket-fd", "3"};
	all.insert(all.end(), args.begin(), args.end());
	return spawn(all, daemon_end.get()); // our copy closes here
}

bool DaemonProcess::start_plain(const std::vector<std::string> &args)
{
	return spawn(args, -1);
}

bool DaemonProcess::spawn(const std::vector<std::string> &args, int child_fd3)
{
	output_.reset(static_cast<int>(syscall(SYS_memfd_create, "fallbackd-output", MFD_CLOEXEC)));
	if (!output_)
		return false;
	// Out of the way of 0-3 so that the dup2() calls below cannot clobber.
	UniqueFd out_high(fcntl(output_.get(), F_DUPFD_CLOEXEC, 100));
	UniqueFd fd3_high;
	if (child_fd3 >= 0)
		fd3_high.reset(fcntl(child_fd3, F_DUPFD_CLOEXEC, 100));

	std::string binary = FALLBACKD_BINARY;
	std::vector<char *> argv;
	argv.push_back(binary.data());
	std::vector<std::string> copy = args;
	for (std::string &a : copy)
		argv.push_back(a.data());
	argv.push_back(nullptr);

	// The environment: ours, with the variables set by set_env() replaced.
	std::vector<std::string> env_strings;
	bool preload = false;
	for (const auto &kv : env_)
		preload = preload || kv.first == "LD_PRELOAD";
	for (char **e = environ; *e; e++) {
		std::string entry = *e;
		std::string name = entry.substr(0, entry.find('='));
		bool replaced = false;
		for (const auto &kv : env_)
			replaced = replaced || kv.first == name;
		if (!replaced && !(preload && name == "ASAN_OPTIONS"))
			env_strings.push_back(entry);
	}
	for (const auto &kv : env_)
		env_strings.push_back(kv.first + "=" + kv.second);
	if (preload) {
		const char *asan = getenv("ASAN_OPTIONS");
		env_strings.push_back(std::string("ASAN_OPTIONS=") + (asan ? asan : "") +
				      (asan && *asan ? ":" : "") + "verify_asan_link_order=0");
	}
	std::vector<char *> envp;
	for (std::string &e : env_strings)
		envp.push_back(e.data());
	envp.push_back(nullptr);

	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		// Only async-signal-safe calls from here to execv().
		dup2(out_high.get(), STDOUT_FILENO);
		dup2(out_high.get(), STDERR_FILENO);
		unsigned first_closed = 3;
		if (fd3_high) {
			dup2(fd3_high.get(), 3);
			first_closed = 4;
		}
		// Nothing else of the test's: no copy of a test socket may
		// keep a connection open behind the daemon's back.
		close_range(first_closed, ~0u, 0);
		execve(argv[0], argv.data(), envp.data());
		_exit(127);
	}
	pid_ = pid;
	pidfd_.reset(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
	return pidfd_.valid();
}

int DaemonProcess::wait_exit(int timeout_ms)
{
	if (pid_ <= 0)
		return -1;
	pollfd p{pidfd_.get(), POLLIN, 0};
	int rc;
	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (rc <= 0)
		return -1;
	int status = 0;
	if (waitpid(pid_, &status, 0) != pid_)
		return -1;
	pid_ = -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

std::string DaemonProcess::output() const
{
	struct stat st {};
	if (!output_ || fstat(output_.get(), &st) != 0)
		return "";
	std::string s(static_cast<size_t>(st.st_size), '\0');
	ssize_t n = pread(output_.get(), s.data(), s.size(), 0);
	s.resize(n > 0 ? static_cast<size_t>(n) : 0);
	return s;
}

int DaemonProcess::fd_count() const
{
	std::string path = "/proc/" + std::to_string(pid_) + "/fd";
	DIR *d = opendir(path.c_str());
	if (!d)
		return -1;
	int n = 0;
	while (dirent *e = readdir(d))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

bool DaemonProcess::wait_fd_count(int n, int timeout_ms) const
{
	auto deadline = deadline_in(timeout_ms);
	for (;;) {
		if (fd_count() == n)
			return true;
		if (Clock::now() >= deadline)
			return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
}

} // namespace fallbackd::test
