// SPDX-License-Identifier: GPL-2.0
// "HOST:PORT" parsing, resolution and formatting.
#include <netinet/in.h>

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

} // namespace
} // namespace fallbackd
