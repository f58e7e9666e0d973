// SPDX-License-Identifier: GPL-2.0
// Socket addresses: the backend's "HOST:PORT" and addresses in log lines.
#ifndef KHTTPD_FALLBACKD_SOCKET_ADDRESS_H
#define KHTTPD_FALLBACKD_SOCKET_ADDRESS_H

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace fallbackd {

struct SocketAddress {
	sockaddr_storage storage{};
	socklen_t length = 0;

	int family() const { return storage.ss_family; }
	const sockaddr *get() const { return reinterpret_cast<const sockaddr *>(&storage); }
	sockaddr *get() { return reinterpret_cast<sockaddr *>(&storage); }
};

// "HOST:PORT" as written on the command line.
struct HostPort {
	std::string host; // without the brackets of an IPv6 literal
	uint16_t port = 0;
	bool ipv6_literal = false; // was written as [HOST]
};

// Parses "HOST:PORT", "[IPV6]:PORT". HOST is a name or an IPv4 literal; an
// IPv6 literal must be in brackets. PORT is 1-65535. On failure returns
// false and says why in @error.
bool parse_host_port(std::string_view text, HostPort &out, std::string &error);

// Resolves @hp (getaddrinfo, first answer). Returns false with @error set.
bool resolve_host_port(const HostPort &hp, SocketAddress &out, std::string &error);

// "192.0.2.1:80", "[2001:db8::1]:80", "unix:/path" or "family N".
std::string format_address(const SocketAddress &addr);

// A client's IP address without the port, as a map key: an IPv4 address
// is stored in its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so both ways a
// dual-stack listener may show one IPv4 client give the same key. Any
// other family gives all zeros.
struct ClientKey {
	std::array<uint8_t, 16> bytes{};
	bool operator==(const ClientKey &) const = default;
};
ClientKey client_key(const SocketAddress &addr);

// Hashes a ClientKey with a secret seed chosen when the hasher is made, so
// that clients cannot pick addresses (say, from an IPv6 /64) that all land
// in one bucket of the table.
class ClientKeyHash {
public:
	ClientKeyHash();
	size_t operator()(const ClientKey &key) const;

private:
	uint64_t seed_[2];
};

// getpeername()/getsockname() of @fd into @out; false with errno set.
bool peer_address(int fd, SocketAddress &out);
bool local_address(int fd, SocketAddress &out);

} // namespace fallbackd

#endif
