// SPDX-License-Identifier: GPL-2.0
// The PROXY protocol v2 encoder, byte for byte.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "proxy_protocol.h"

namespace fallbackd {
namespace {

SocketAddress v4(const char *ip, uint16_t port)
{
	SocketAddress a;
	sockaddr_in sin{};
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	EXPECT_EQ(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	memcpy(&a.storage, &sin, sizeof(sin));
	a.length = sizeof(sin);
	return a;
}

SocketAddress v6(const char *ip, uint16_t port)
{
	SocketAddress a;
	sockaddr_in6 sin6{};
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	EXPECT_EQ(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1);
	memcpy(&a.storage, &sin6, sizeof(sin6));
	a.length = sizeof(sin6);
	return a;
}

std::string bytes_of(const ProxyHeader &h)
{
	return std::string(reinterpret_cast<const char *>(h.bytes), h.length);
}

const std::string kSignature("\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A", 12);

TEST(ProxyProtocol, Tcp4)
{
	ProxyHeader h = encode_proxy_v2(v4("192.0.2.10", 54321), v4("198.51.100.1", 80));
	std::string expected = kSignature;
	expected += std::string("\x21\x11\x00\x0C", 4);
	expected += std::string("\xC0\x00\x02\x0A", 4); // source address
	expected += std::string("\xC6\x33\x64\x01", 4); // destination address
	expected += std::string("\xD4\x31", 2);	 // 54321
	expected += std::string("\x00\x50", 2);	 // 80
	EXPECT_EQ(bytes_of(h), expected);
	EXPECT_EQ(h.length, 28u);
}

TEST(ProxyProtocol, Tcp6)
{
	ProxyHeader h = encode_proxy_v2(v6("2001:db8::1", 1), v6("2001:db8::ff:2", 65535));
	std::string expected = kSignature;
	expected += std::string("\x21\x21\x00\x24", 4);
	expected += std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	expected += std::string("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\xff\0\x02", 16);
	expected += std::string("\x00\x01\xFF\xFF", 4);
	EXPECT_EQ(bytes_of(h), expected);
	EXPECT_EQ(h.length, kProxyV2MaxLength);
}

TEST(ProxyProtocol, V4MappedIsSentAsTcp4)
{
	ProxyHeader h =
		encode_proxy_v2(v6("::ffff:203.0.113.7", 40000), v6("::ffff:127.0.0.1", 8080));
	std::string expected = kSignature;
	expected += std::string("\x21\x11\x00\x0C", 4);
	expected += std::string("\xCB\x00\x71\x07", 4);
	expected += std::string("\x7F\x00\x00\x01", 4);
	expected += std::string("\x9C\x40\x1F\x90", 4);
	EXPECT_EQ(bytes_of(h), expected);
}

TEST(ProxyProtocol, V4MappedAndPlainV4Mix)
{
	ProxyHeader h = encode_proxy_v2(v6("::ffff:10.1.2.3", 1000), v4("10.0.0.1", 80));
	ASSERT_EQ(h.length, 28u);
	EXPECT_EQ(h.bytes[13], kProxyV2Tcp4);
}

TEST(ProxyProtocol, MixedFamiliesGiveLocal)
{
	ProxyHeader h = encode_proxy_v2(v6("2001:db8::1", 1000), v4("10.0.0.1", 80));
	std::string expected = kSignature + std::string("\x20\x00\x00\x00", 4);
	EXPECT_EQ(bytes_of(h), expected);
}

TEST(ProxyProtocol, UnixSocketGivesLocal)
{
	SocketAddress a;
	sockaddr_un sun{};
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, "/run/x");
	memcpy(&a.storage, &sun, sizeof(sun));
	a.length = sizeof(sun);
	ProxyHeader h = encode_proxy_v2(a, a);
	EXPECT_EQ(bytes_of(h), kSignature + std::string("\x20\x00\x00\x00", 4));
}

TEST(ProxyProtocol, TruncatedAddressGivesLocal)
{
	SocketAddress a = v4("10.0.0.1", 80);
	a.length = 4; // not a whole sockaddr_in
	ProxyHeader h = encode_proxy_v2(a, v4("10.0.0.2", 80));
	EXPECT_EQ(h.length, 16u);
	EXPECT_EQ(h.bytes[12], kProxyV2CommandLocal);
}

} // namespace
} // namespace fallbackd
