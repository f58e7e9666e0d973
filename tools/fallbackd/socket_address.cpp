// SPDX-License-Identifier: GPL-2.0
#include "socket_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/un.h>

#include <cstddef>
#include <chrono>
#include <cstring>

namespace fallbackd {

bool parse_host_port(std::string_view text, HostPort &out, std::string &error)
{
	std::string_view host, port;
	bool literal = false;
	if (!text.empty() && text.front() == '[') {
		size_t close = text.find(']');
		if (close == std::string_view::npos) {
			error = "missing ']' after the IPv6 address";
			return false;
		}
		host = text.substr(1, close - 1);
		std::string_view rest = text.substr(close + 1);
		if (rest.empty() || rest.front() != ':') {
			error = "expected ':PORT' after ']'";
			return false;
		}
		port = rest.substr(1);
		literal = true;
		if (host.find(':') == std::string_view::npos) {
			error = "brackets are for IPv6 addresses only";
			return false;
		}
	} else {
		size_t colon = text.rfind(':');
		if (colon == std::string_view::npos) {
			error = "expected HOST:PORT";
			return false;
		}
		host = text.substr(0, colon);
		port = text.substr(colon + 1);
		if (host.find(':') != std::string_view::npos) {
			error = "write an IPv6 address in brackets: [ADDRESS]:PORT";
			return false;
		}
	}
	if (host.empty()) {
		error = "empty host";
		return false;
	}
	if (port.empty() || port.size() > 5) {
		error = "the port must be a number from 1 to 65535";
		return false;
	}
	unsigned value = 0;
	for (char c : port) {
		if (c < '0' || c > '9') {
			error = "the port must be a number from 1 to 65535";
			return false;
		}
		value = value * 10 + static_cast<unsigned>(c - '0');
	}
	if (value < 1 || value > 65535) {
		error = "the port must be a number from 1 to 65535";
		return false;
	}
	out.host = std::string(host);
	out.port = static_cast<uint16_t>(value);
	out.ipv6_literal = literal;
	return true;
}

bool resolve_host_port(const HostPort &hp, SocketAddress &out, std::string &error)
{
	addrinfo hints{};
	hints.ai_family = hp.ipv6_literal ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (hp.ipv6_literal ? AI_NUMERICHOST : 0);
	std::string port = std::to_string(hp.port);
	addrinfo *res = nullptr;
	int rc = getaddrinfo(hp.host.c_str(), port.c_str(), &hints, &res);
	if (rc != 0) {
		error = "cannot resolve '" + hp.host + "': " + gai_strerror(rc);
		return false;
	}
	bool found = false;
	for (addrinfo *ai = res; ai; ai = ai->ai_next) {
		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    ai->ai_addrlen <= sizeof(out.storage)) {
			out = SocketAddress{};
			memcpy(&out.storage, ai->ai_addr, ai->ai_addrlen);
			out.length = ai->ai_addrlen;
			found = true;
			break;
		}
	}
	freeaddrinfo(res);
	if (!found)
		error = "'" + hp.host + "' has no IPv4 or IPv6 address";
	return found;
}

std::string format_address(const SocketAddress &addr)
{
	char text[INET6_ADDRSTRLEN] = "";
	switch (addr.family()) {
	case AF_INET: {
		sockaddr_in sin;
		memcpy(&sin, &addr.storage, sizeof(sin));
		inet_ntop(AF_INET, &sin.sin_addr, text, sizeof(text));
		return std::string(text) + ":" + std::to_string(ntohs(sin.sin_port));
	}
	case AF_INET6: {
		sockaddr_in6 sin6;
		memcpy(&sin6, &addr.storage, sizeof(sin6));
		inet_ntop(AF_INET6, &sin6.sin6_addr, text, sizeof(text));
		return "[" + std::string(text) + "]:" + std::to_string(ntohs(sin6.sin6_port));
	}
	case AF_UNIX: {
		sockaddr_un sa_un;
		memcpy(&sa_un, &addr.storage, sizeof(sa_un));
		size_t max = addr.length > offsetof(sockaddr_un, sun_path)
				     ? addr.length - offsetof(sockaddr_un, sun_path)
				     : 0;
		if (max > sizeof(sa_un.sun_path))
			max = sizeof(sa_un.sun_path);
		if (max == 0)
			return "unix:(unnamed)";
		if (sa_un.sun_path[0] == '\0')
			return "unix:@" + std::string(sa_un.sun_path + 1, strnlen(sa_un.sun_path + 1, max - 1));
		return "unix:" + std::string(sa_un.sun_path, strnlen(sa_un.sun_path, max));
	}
	default:
		return "family " + std::to_string(addr.family());
	}
}

bool peer_address(int fd, SocketAddress &out)
{
	out = SocketAddress{};
	out.length = sizeof(out.storage);
	return getpeername(fd, out.get(), &out.length) == 0;
}

bool local_address(int fd, SocketAddress &out)
{
	out = SocketAddress{};
	out.length = sizeof(out.storage);
	return getsockname(fd, out.get(), &out.length) == 0;
}

ClientKey client_key(const SocketAddress &addr)
{
	ClientKey key;
	if (addr.family() == AF_INET && addr.length >= sizeof(sockaddr_in)) {
		const auto *sin = reinterpret_cast<const sockaddr_in *>(&addr.storage);
		key.bytes[10] = 0xff;
		key.bytes[11] = 0xff;
		memcpy(&key.bytes[12], &sin->sin_addr, 4);
	} else if (addr.family() == AF_INET6 && addr.length >= sizeof(sockaddr_in6)) {
		const auto *sin6 = reinterpret_cast<const sockaddr_in6 *>(&addr.storage);
		memcpy(key.bytes.data(), &sin6->sin6_addr, 16);
	}
	return key;
}

namespace {

// The finalizer of SplitMix64: every input bit reaches every output bit.
uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

} // namespace

ClientKeyHash::ClientKeyHash()
{
	if (getrandom(seed_, sizeof(seed_), GRND_NONBLOCK) != static_cast<ssize_t>(sizeof(seed_))) {
		// No entropy yet (early boot): the clock is a weaker seed.
		uint64_t t = static_cast<uint64_t>(
			std::chrono::steady_clock::now().time_since_epoch().count());
		seed_[0] = mix64(t);
		seed_[1] = mix64(t ^ reinterpret_cast<uintptr_t>(this));
	}
}

size_t ClientKeyHash::operator()(const ClientKey &key) const
{
	uint64_t hi, lo;
	memcpy(&hi, key.bytes.data(), 8);
	memcpy(&lo, key.bytes.data() + 8, 8);
	return static_cast<size_t>(mix64(mix64(hi ^ seed_[0]) ^ lo ^ seed_[1]));
}

} // namespace fallbackd
