// SPDX-License-Identifier: GPL-2.0
// The PROXY protocol version 2 header (HAProxy's proxy-protocol.txt,
// section 2.2) that tells the backend the client's real address.
#ifndef KHTTPD_FALLBACKD_PROXY_PROTOCOL_H
#define KHTTPD_FALLBACKD_PROXY_PROTOCOL_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "socket_address.h"

namespace fallbackd {

// The 12-byte signature every v2 header starts with.
inline constexpr uint8_t kProxyV2Signature[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
						  0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

inline constexpr uint8_t kProxyV2CommandLocal = 0x20; // version 2, LOCAL
inline constexpr uint8_t kProxyV2CommandProxy = 0x21; // version 2, PROXY
inline constexpr uint8_t kProxyV2Unspec = 0x00;	      // AF_UNSPEC, UNSPEC
inline constexpr uint8_t kProxyV2Tcp4 = 0x11;	      // AF_INET, STREAM
inline constexpr uint8_t kProxyV2Tcp6 = 0x21;	      // AF_INET6, STREAM

// 16 fixed bytes, then at most 36 bytes of TCP over IPv6 addresses.
inline constexpr size_t kProxyV2MaxLength = 16 + 36;

struct ProxyHeader {
	uint8_t bytes[kProxyV2MaxLength];
	size_t length;
};

// The header for a TCP connection from @source (the client) to
// @destination (the address the client connected to). Both IPv4, or both
// IPv4-mapped IPv6 (::ffff:a.b.c.d): TCP over IPv4. Both IPv6: TCP over
// IPv6. Anything else (AF_UNIX, mixed families): a LOCAL header without
// addresses, which tells the backend to use the connection's own.
ProxyHeader encode_proxy_v2(const SocketAddress &source, const SocketAddress &destination);

// The same header followed by @tlvs (whole TLVs, see tls_info.h), its
// length field counting them.
std::string encode_proxy_v2_with_tlvs(const SocketAddress &source,
				      const SocketAddress &destination, std::string_view tlvs);

} // namespace fallbackd

#endif
