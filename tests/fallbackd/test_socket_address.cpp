// SPDX-License-Identifier: GPL-2.0
// "HOST:PORT" parsing, resolution and formatting.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>
#include <unordered_set>

#include <gtest/gtest.h>

#include "socket_address.h"

namespace fallbackd {
namespace {

TEST(SocketAddress, ParsesIpv4AndNames)
{
	HostPort hp;
	std::string error;
	ASSERT_TRUE(parse_host_port("127.0.0.1:8080", hp, error)) << error;
	EXPECT_EQ(hp.host, "127.0.0.1");
	EXPECT_EQ(hp.port, 8080);
	EXPECT_FALSE(hp.ipv6_literal);
	ASSERT_TRUE(parse_host_port("localhost:1", hp, error)) << error;
	EXPECT_EQ(hp.host, "localhost");
	EXPECT_EQ(hp.port, 1);
	ASSERT_TRUE(parse_host_port("a:65535", hp, error)) << error;
	EXPECT_EQ(hp.port, 65535);
}

TEST(SocketAddress, ParsesBracketedIpv6)
{
	HostPort hp;
	std::string error;
	ASSERT_TRUE(parse_host_port("[::1]:8080", hp, error)) << error;
	EXPECT_EQ(hp.host, "::1");
	EXPECT_EQ(hp.port, 8080);
	EXPECT_TRUE(hp.ipv6_literal);
}

TEST(SocketAddress, RejectsMalformed)
{
	for (const char *text : {"", ":", "host", "host:", ":80", "host:0", "host:99999", "host:+80",
				 "host:8 0", "::1:80", "[::1]", "[::1]:", "[]:80", "[::1", "[host]:80",
				 "host:123456"}) {
		HostPort hp;
		std::string error;
		EXPECT_FALSE(parse_host_port(text, hp, error)) << text;
		EXPECT_FALSE(error.empty()) << text;
	}
}

TEST(SocketAddress, ResolvesNumericAddresses)
{
	std::string error;
	SocketAddress a;
	ASSERT_TRUE(resolve_host_port({"127.0.0.1", 8080, false}, a, error)) << error;
	EXPECT_EQ(a.family(), AF_INET);
	EXPECT_EQ(format_address(a), "127.0.0.1:8080");
	ASSERT_TRUE(resolve_host_port({"::1", 443, true}, a, error)) << error;
	EXPECT_EQ(a.family(), AF_INET6);
	EXPECT_EQ(format_address(a), "[::1]:443");
}

TEST(SocketAddress, ResolveFailureSaysWhy)
{
	std::string error;
	SocketAddress a;
	// .invalid never resolves (RFC 2606); a bracketed name is numeric only.
	EXPECT_FALSE(resolve_host_port({"no-such-host.invalid", 80, false}, a, error));
	EXPECT_NE(error.find("no-such-host.invalid"), std::string::npos);
	error.clear();
	EXPECT_FALSE(resolve_host_port({"not:an:address", 80, true}, a, error));
	EXPECT_FALSE(error.empty());
}

TEST(SocketAddress, FormatsUnknownFamilies)
{
	SocketAddress a;
	a.storage.ss_family = AF_UNSPEC;
	EXPECT_EQ(format_address(a), "family 0");
}

SocketAddress v4(const char *ip, uint16_t port)
{
	SocketAddress a;
	auto *sin = reinterpret_cast<sockaddr_in *>(&a.storage);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	EXPECT_EQ(inet_pton(AF_INET, ip, &sin->sin_addr), 1) << ip;
	a.length = sizeof(*sin);
	return a;
}

SocketAddress v6(const char *ip, uint16_t port)
{
	SocketAddress a;
	auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&a.storage);
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	EXPECT_EQ(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1) << ip;
	a.length = sizeof(*sin6);
	return a;
}

// --max-per-client counts addresses: not ports, and a mapped IPv4 client
// is the same client as a plain IPv4 one.
TEST(ClientKey, AddressWithoutPortMappedIsIpv4)
{
	EXPECT_EQ(client_key(v4("192.0.2.7", 1000)), client_key(v4("192.0.2.7", 2000)));
	EXPECT_EQ(client_key(v4("192.0.2.7", 1000)), client_key(v6("::ffff:192.0.2.7", 3000)));
	EXPECT_FALSE(client_key(v4("192.0.2.7", 1)) == client_key(v4("192.0.2.8", 1)));
	EXPECT_FALSE(client_key(v6("2001:db8::1", 1)) == client_key(v6("2001:db8::2", 1)));
	// ::a.b.c.d (the deprecated IPv4-compatible form) is another address.
	EXPECT_FALSE(client_key(v4("192.0.2.7", 1)) == client_key(v6("::192.0.2.7", 1)));
	SocketAddress unix_addr;
	unix_addr.storage.ss_family = AF_UNIX;
	unix_addr.length = sizeof(sa_family_t);
	EXPECT_EQ(client_key(unix_addr), ClientKey{});
}

TEST(ClientKey, HashSpreadsOneSubnetAndDependsOnTheSeed)
{
	ClientKeyHash h1, h2;
	std::unordered_set<size_t> buckets1, buckets2;
	bool differs = false;
	for (unsigned i = 0; i < 1024; i++) {
		char ip[64];
		snprintf(ip, sizeof(ip), "2001:db8::%x", i);
		ClientKey k = client_key(v6(ip, 80));
		EXPECT_EQ(h1(k), h1(k));
		buckets1.insert(h1(k) % 4096);
		buckets2.insert(h2(k) % 4096);
		differs |= h1(k) != h2(k);
	}
	// 1024 keys in 4096 buckets: about 900 distinct if well spread.
	EXPECT_GT(buckets1.size(), 800u);
	EXPECT_GT(buckets2.size(), 800u);
	EXPECT_TRUE(differs) << "two hashers gave the same values: the seed is not used";
}

} // namespace
} // namespace fallbackd
