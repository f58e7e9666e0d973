// SPDX-License-Identifier: GPL-2.0
#include "handover_channel.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace fallbackd {
namespace {

// Descriptors beyond one are an error, but they must be received to be
// closed: leave room for a few. If more come, MSG_CTRUNC is set and the
// kernel closes the ones that did not fit.
constexpr size_t kMaxFdsPerMessage = 16;

constexpr size_t kBufferSize = 65535 + KHTTPD_ADOPT_INFO_MAX + KHTTPD_HANDOVER_DATA_MAX;

std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

// Takes ownership of every descriptor in the SCM_RIGHTS messages of @msg.
void collect_fds(msghdr &msg, std::vector<UniqueFd> &fds)
{
	for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		const unsigned char *p = CMSG_DATA(c);
		for (size_t i = 0; i < count; i++) {
			int fd;
			memcpy(&fd, p + i * sizeof(int), sizeof(int));
			fds.emplace_back(fd);
		}
	}
}

// A recvmsg() of 0 bytes and no descriptor is the end of the stream, or an
// empty message (which the module never sends). Only the first leaves the
// socket hung up.
bool peer_hung_up(int fd)
{
	pollfd p{fd, POLLIN, 0};
	int rc;
	do
		rc = poll(&p, 1, 0);
	while (rc < 0 && errno == EINTR);
	return rc > 0 && (p.revents & POLLHUP);
}

// Checks that @fd is what the module hands over: a TCP socket.
bool is_tcp_socket(int fd, std::string &problem)
{
	int type = 0, domain = 0;
	socklen_t len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
		problem = format("the descriptor is not a socket (%s)", strerror(errno));
		return false;
	}
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) {
		problem = format("SO_DOMAIN failed: %s", strerror(errno));
		return false;
	}
	if (type != SOCK_STREAM || (domain != AF_INET && domain != AF_INET6)) {
		problem = format("the descriptor is not a TCP socket (domain %d, type %d)", domain, type);
		return false;
	}
	return true;
}

} // namespace

HandoverChannel::HandoverChannel(UniqueFd fd) : fd_(std::move(fd)), buffer_(kBufferSize) {}

ReceiveStatus HandoverChannel::receive(Handover &out, std::string &problem)
{
	union {
		cmsghdr align;
		unsigned char bytes[CMSG_SPACE(sizeof(int) * kMaxFdsPerMessage)];
	} control;
	memset(&control, 0, sizeof(control));
	iovec iov{buffer_.data(), buffer_.size()};
	msghdr msg{};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.bytes;
	msg.msg_controllen = sizeof(control.bytes);

	ssize_t n;
	do
		n = recvmsg(fd_.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? ReceiveStatus::kNone
							       : ReceiveStatus::kError;

	std::vector<UniqueFd> fds; // closed on every early return below
	if (msg.msg_controllen > 0)
		collect_fds(msg, fds);
	if (n == 0 && fds.empty() && !(msg.msg_flags & MSG_CTRUNC) && peer_hung_up(fd_.get()))
		return ReceiveStatus::kEnd;

	size_t len = static_cast<size_t>(n);
	if (msg.msg_flags & MSG_TRUNC) {
		problem = format("message larger than %zu bytes", buffer_.size());
		return ReceiveStatus::kRejected;
	}
	if (msg.msg_flags & MSG_CTRUNC) {
		problem = format("control data truncated (more than %zu descriptors?)",
				 kMaxFdsPerMessage);
		return ReceiveStatus::kRejected;
	}
	khttpd_handover h;
	if (len < sizeof(h)) {
		problem = format("short message: %zu bytes, the header alone is %zu", len, sizeof(h));
		return ReceiveStatus::kRejected;
	}
	memcpy(&h, buffer_.data(), sizeof(h));
	if (h.magic != KHTTPD_HANDOVER_MAGIC) {
		problem = format("bad magic 0x%08x", h.magic);
		return ReceiveStatus::kRejected;
	}
	if (h.version != KHTTPD_HANDOVER_VERSION) {
		problem = format("unsupported version %u (this daemon speaks %u)",
				 static_cast<unsigned>(h.version), KHTTPD_HANDOVER_VERSION);
		return ReceiveStatus::kRejected;
	}
	if (h.header_len < sizeof(h) || h.header_len > len) {
		problem = format("bad header_len %u (message of %zu bytes)",
				 static_cast<unsigned>(h.header_len), len);
		return ReceiveStatus::kRejected;
	}
	if (h.data_len > KHTTPD_HANDOVER_DATA_MAX) {
		problem = format("data_len %u above the maximum %u", h.data_len,
				 KHTTPD_HANDOVER_DATA_MAX);
		return ReceiveStatus::kRejected;
	}
	if (h.info_len > KHTTPD_ADOPT_INFO_MAX) {
		problem = format("info_len %u above the maximum %u", static_cast<unsigned>(h.info_len),
				 KHTTPD_ADOPT_INFO_MAX);
		return ReceiveStatus::kRejected;
	}
	if (h.info_len != 0 && !(h.flags & KHTTPD_HANDOVER_F_TLS)) {
		problem = format("info_len %u without KHTTPD_HANDOVER_F_TLS",
				 static_cast<unsigned>(h.info_len));
		return ReceiveStatus::kRejected;
	}
	if (static_cast<size_t>(h.header_len) + h.info_len + h.data_len != len) {
		problem = format("info_len %u and data_len %u but %zu bytes arrived after the header",
				 static_cast<unsigned>(h.info_len), h.data_len, len - h.header_len);
		return ReceiveStatus::kRejected;
	}
	if (fds.size() != 1) {
		problem = format("%zu descriptors attached, expected exactly 1", fds.size());
		return ReceiveStatus::kRejected;
	}
	if (!is_tcp_socket(fds[0].get(), problem))
		return ReceiveStatus::kRejected;

	out.header = h;
	const char *after_header = reinterpret_cast<const char *>(buffer_.data()) + h.header_len;
	out.info = std::string_view(after_header, h.info_len);
	out.data = std::string_view(after_header + h.info_len, h.data_len);
	out.client = std::move(fds[0]);
	return ReceiveStatus::kMessage;
}

const char *handover_reason_name(uint32_t reason)
{
	switch (reason) {
	case KHTTPD_HANDOVER_METHOD: return "method";
	case KHTTPD_HANDOVER_DYNAMIC: return "dynamic";
	case KHTTPD_HANDOVER_MISSING: return "missing";
	case KHTTPD_HANDOVER_FORBIDDEN: return "forbidden";
	case KHTTPD_HANDOVER_MIME: return "mime";
	case KHTTPD_HANDOVER_RANGE: return "range";
	case KHTTPD_HANDOVER_OVERSIZE: return "oversize";
	case KHTTPD_HANDOVER_MALFORMED: return "malformed";
	case KHTTPD_HANDOVER_BODY: return "body";
	case KHTTPD_HANDOVER_TLS: return "tls";
	default: return "unknown";
	}
}

} // namespace fallbackd
