// SPDX-License-Identifier: GPL-2.0
#include "proxy_protocol.h"

#include <netinet/in.h>

#include <cstring>

namespace fallbackd {
namespace {

// An IP endpoint in network byte order, IPv4-mapped IPv6 folded to IPv4.
struct Endpoint {
	int family = AF_UNSPEC; // AF_INET, AF_INET6, or AF_UNSPEC: not IP
	uint8_t address[16] = {};
	uint8_t port[2] = {}; // network order, as in sockaddr_in
};

Endpoint endpoint_of(const SocketAddress &addr)
{
	Endpoint e;
	if (addr.family() == AF_INET && addr.length >= sizeof(sockaddr_in)) {
		sockaddr_in sin;
		memcpy(&sin, &addr.storage, sizeof(sin));
		e.family = AF_INET;
		memcpy(e.address, &sin.sin_addr, 4);
		memcpy(e.port, &sin.sin_port, 2);
	} else if (addr.family() == AF_INET6 && addr.length >= sizeof(sockaddr_in6)) {
		sockaddr_in6 sin6;
		memcpy(&sin6, &addr.storage, sizeof(sin6));
		memcpy(e.port, &sin6.sin6_port, 2);
		if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
			e.family = AF_INET;
			memcpy(e.address, sin6.sin6_addr.s6_addr + 12, 4);
		} else {
			e.family = AF_INET6;
			memcpy(e.address, sin6.sin6_addr.s6_addr, 16);
		}
	}
	return e;
}

} // namespace

ProxyHeader encode_proxy_v2(const SocketAddress &source, const SocketAddress &destination)
{
	ProxyHeader h{};
	memcpy(h.bytes, kProxyV2Signature, sizeof(kProxyV2Signature));
	Endpoint src = endpoint_of(source);
	Endpoint dst = endpoint_of(destination);
	size_t addr_len = 0;
	if (src.family != AF_UNSPEC && src.family == dst.family)
		addr_len = src.family == AF_INET ? 4 : 16;

	uint8_t *p = h.bytes + 12;
	if (addr_len == 0) {
		*p++ = kProxyV2CommandLocal;
		*p++ = kProxyV2Unspec;
		*p++ = 0; // no address block
		*p++ = 0;
		h.length = 16;
		return h;
	}
	size_t block = 2 * addr_len + 4; // 12 for IPv4, 36 for IPv6
	*p++ = kProxyV2CommandProxy;
	*p++ = addr_len == 4 ? kProxyV2Tcp4 : kProxyV2Tcp6;
	*p++ = static_cast<uint8_t>(block >> 8);
	*p++ = static_cast<uint8_t>(block & 0xff);
	memcpy(p, src.address, addr_len);
	p += addr_len;
	memcpy(p, dst.address, addr_len);
	p += addr_len;
	memcpy(p, src.port, 2);
	p += 2;
	memcpy(p, dst.port, 2);
	p += 2;
	h.length = static_cast<size_t>(p - h.bytes);
	return h;
}

std::string encode_proxy_v2_with_tlvs(const SocketAddress &source,
				      const SocketAddress &destination, std::string_view tlvs)
{
	ProxyHeader h = encode_proxy_v2(source, destination);
	size_t length = (static_cast<size_t>(h.bytes[14]) << 8 | h.bytes[15]) + tlvs.size();
	h.bytes[14] = static_cast<uint8_t>(length >> 8);
	h.bytes[15] = static_cast<uint8_t>(length & 0xff);
	std::string out(reinterpret_cast<const char *>(h.bytes), h.length);
	out.append(tlvs);
	return out;
}

} // namespace fallbackd
