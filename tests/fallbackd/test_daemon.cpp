// SPDX-License-Identifier: GPL-2.0
// The real khttpd-fallbackd binary, end to end: relaying, half-closes,
// back-pressure, many connections, signals, addresses.
#include "daemon_fixture.h"

namespace fallbackd::test {
namespace {

TEST_F(DaemonTest, RelaysProxyHeaderDataAndBothDirections)
{
	start({"--verbose"});
	const std::string request = "POST /cgi-bin/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n";
	UniqueFd client = hand_over(request, 77);
	UniqueFd backend = accept_backend(client.get(), request);
	ASSERT_TRUE(backend.valid());

	// What the client sends after the hand-over follows.
	ASSERT_TRUE(write_all(client.get(), "0123456789"));
	std::string got;
	ASSERT_TRUE(read_exactly(backend.get(), 10, got));
	EXPECT_EQ(got, "0123456789");

	// The answer reaches the client byte for byte.
	const std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
	ASSERT_TRUE(write_all(backend.get(), response));
	ASSERT_TRUE(read_exactly(client.get(), response.size(), got));
	EXPECT_EQ(got, response);

	// Backend closes: the client sees the end; then the client closes.
	backend.reset();
	EXPECT_TRUE(wait_closed(client.get()));
	client.reset();
	finish();
	std::string log = daemon_.output();
	EXPECT_NE(log.find("connection 77 from 127.0.0.1:"), std::string::npos) << log;
	EXPECT_NE(log.find("done: 10 bytes up, " + std::to_string(response.size()) + " down"),
		  std::string::npos)
		<< log;
}

TEST_F(DaemonTest, NoProxyProtocol)
{
	start({"--no-proxy-protocol"});
	UniqueFd client = hand_over("GET /x HTTP/1.1\r\n\r\n");
	UniqueFd backend = accept_backend(client.get(), "GET /x HTTP/1.1\r\n\r\n", false);
	ASSERT_TRUE(backend.valid());
	ASSERT_TRUE(write_all(backend.get(), "reply"));
	std::string got;
	ASSERT_TRUE(read_exactly(client.get(), 5, got));
	EXPECT_EQ(got, "reply");
	client.reset();
	EXPECT_TRUE(wait_closed(backend.get()));
	backend.reset();
	finish();
	// Without --verbose: no per-connection lines.
	EXPECT_EQ(daemon_.output().find("connection 1 "), std::string::npos) << daemon_.output();
}

TEST_F(DaemonTest, LargestHandedOverDataIsSentWhole)
{
	start();
	std::string data = pattern(KHTTPD_HANDOVER_DATA_MAX, 3);
	UniqueFd client = hand_over(data);
	UniqueFd backend = accept_backend(client.get(), data);
	ASSERT_TRUE(backend.valid());
	client.reset();
	EXPECT_TRUE(wait_closed(backend.get()));
	backend.reset();
	finish();
}

TEST_F(DaemonTest, EightMebibytesBothWays)
{
	start();
	UniqueFd client = hand_over("PUT /big HTTP/1.1\r\n\r\n");
	UniqueFd backend = accept_backend(client.get(), "PUT /big HTTP/1.1\r\n\r\n");
	ASSERT_TRUE(backend.valid());
	Peer c, b;
	c.fd = client.get();
	b.fd = backend.get();
	c.out = pattern(8 << 20, 1);
	b.out = pattern(8 << 20, 2);
	ASSERT_TRUE(exchange(c, b, 60000));
	EXPECT_TRUE(b.in == c.out) << "client -> backend: " << b.in.size() << " bytes arrived";
	EXPECT_TRUE(c.in == b.out) << "backend -> client: " << c.in.size() << " bytes arrived";
	client.reset();
	backend.reset();
	finish();
}

// The backend does not read: the daemon must stop reading the client too,
// not buffer without bound. Then everything arrives intact.
TEST_F(DaemonTest, Backpressure)
{
	start();
	UniqueFd client = hand_over("");
	UniqueFd backend = accept_backend(client.get(), "");
	ASSERT_TRUE(backend.valid());
	const size_t limit = 64u << 20;
	std::string data = pattern(limit, 9);
	size_t sent = 0;
	while (sent < limit) {
		ssize_t n = send(client.get(), data.data() + sent, std::min<size_t>(limit - sent, 1 << 20),
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			sent += static_cast<size_t>(n);
			continue;
		}
		ASSERT_TRUE(n < 0 && errno == EAGAIN) << strerror(errno);
		pollfd p{client.get(), POLLOUT, 0};
		if (poll(&p, 1, 1000) == 0)
			break; // stalled for a second: the backpressure holds
	}
	// Socket buffers on the way (client send, server receive, backend
	// send and receive) take a few MiB each; a daemon that reads without
	// bound would have taken all 64.
	EXPECT_LT(sent, limit / 2) << "the daemon kept reading from the client";
	std::string got;
	ASSERT_TRUE(read_exactly(backend.get(), sent, got, 60000));
	EXPECT_TRUE(got == data.substr(0, sent));
	client.reset();
	EXPECT_TRUE(wait_closed(backend.get()));
	backend.reset();
	finish();
}

TEST_F(DaemonTest, HalfCloseFromTheClient)
{
	start();
	UniqueFd client = hand_over("GET / HTTP/1.0\r\n\r\n");
	UniqueFd backend = accept_backend(client.get(), "GET / HTTP/1.0\r\n\r\n");
	ASSERT_TRUE(backend.valid());
	ASSERT_TRUE(write_all(client.get(), "last words"));
	ASSERT_EQ(shutdown(client.get(), SHUT_WR), 0);
	// The backend gets the bytes, then the end of file...
	std::string got;
	ASSERT_TRUE(read_to_eof(backend.get(), got));
	EXPECT_EQ(got, "last words");
	// ...and can still answer.
	ASSERT_TRUE(write_all(backend.get(), "answer after the client's FIN"));
	got.clear();
	ASSERT_TRUE(read_exactly(client.get(), 29, got));
	EXPECT_EQ(got, "answer after the client's FIN");
	ASSERT_EQ(shutdown(backend.get(), SHUT_WR), 0);
	EXPECT_TRUE(wait_closed(client.get()));
	client.reset();
	backend.reset();
	finish();
}

TEST_F(DaemonTest, HalfCloseFromTheBackend)
{
	start();
	UniqueFd client = hand_over("x");
	UniqueFd backend = accept_backend(client.get(), "x");
	ASSERT_TRUE(backend.valid());
	ASSERT_TRUE(write_all(backend.get(), "early answer"));
	ASSERT_EQ(shutdown(backend.get(), SHUT_WR), 0);
	std::string got;
	ASSERT_TRUE(read_to_eof(client.get(), got));
	EXPECT_EQ(got, "early answer");
	// The client can still send.
	ASSERT_TRUE(write_all(client.get(), "more request body"));
	ASSERT_EQ(shutdown(client.get(), SHUT_WR), 0);
	got.clear();
	ASSERT_TRUE(read_to_eof(backend.get(), got));
	EXPECT_EQ(got, "more request body");
	client.reset();
	backend.reset();
	finish();
}

TEST_F(DaemonTest, HundredConnectionsAtOnce)
{
	// All from 127.0.0.1: exactly as many as one client may have.
	start({"--max-per-client", "100"});
	int idle = idle_fd_count();
	constexpr int kCount = 100;
	std::vector<UniqueFd> clients;
	std::map<uint16_t, int> index_by_port; // client's port -> index
	for (int i = 0; i < kCount; i++) {
		clients.push_back(hand_over("request " + std::to_string(i) + "\n", 1000 + i));
		auto local = local_of(clients.back().get());
		index_by_port[ntohs(reinterpret_cast<sockaddr_in *>(&local)->sin_port)] = i;
	}
	// All hundred are connected to the backend at the same time.
	std::vector<UniqueFd> backends(kCount);
	for (int n = 0; n < kCount; n++) {
		UniqueFd b = accept_one(backend_);
		ASSERT_TRUE(b.valid()) << "backend connection " << n;
		std::string header;
		ASSERT_TRUE(read_exactly(b.get(), kProxyV4Length, header));
		uint16_t port = static_cast<uint16_t>(static_cast<uint8_t>(header[24]) << 8 |
						      static_cast<uint8_t>(header[25]));
		ASSERT_EQ(index_by_port.count(port), 1u) << "unknown source port " << port;
		int i = index_by_port[port];
		ASSERT_FALSE(backends[i].valid());
		EXPECT_EQ(header, expected_proxy_v2(local_of(clients[i].get()),
						    peer_of(clients[i].get())));
		std::string data;
		std::string expected = "request " + std::to_string(i) + "\n";
		ASSERT_TRUE(read_exactly(b.get(), expected.size(), data));
		EXPECT_EQ(data, expected);
		backends[i] = std::move(b);
	}
	EXPECT_EQ(daemon_.fd_count(), idle + 6 * kCount);
	for (int i = 0; i < kCount; i++) {
		std::string ping = "ping " + std::to_string(i);
		std::string pong = "pong " + std::to_string(i);
		ASSERT_TRUE(write_all(clients[i].get(), ping));
		std::string got;
		ASSERT_TRUE(read_exactly(backends[i].get(), ping.size(), got));
		EXPECT_EQ(got, ping);
		ASSERT_TRUE(write_all(backends[i].get(), pong));
		ASSERT_TRUE(read_exactly(clients[i].get(), pong.size(), got));
		EXPECT_EQ(got, pong);
	}
	clients.clear();
	for (UniqueFd &b : backends)
		EXPECT_TRUE(wait_closed(b.get()));
	backends.clear();
	// Every socket and pipe of the hundred relays is closed again.
	EXPECT_TRUE(daemon_.wait_fd_count(idle)) << daemon_.fd_count() << " open, " << idle
						 << " when idle";
	finish();
}

TEST_F(DaemonTest, BackendDownAnswers502)
{
	std::vector<std::string> args = {"--backend", "127.0.0.1:" + std::to_string(unused_port())};
	ASSERT_TRUE(daemon_.start(args));
	UniqueFd client = hand_over("GET /cgi-bin/x HTTP/1.1\r\nHost: a\r\n\r\n");
	std::string got;
	ASSERT_TRUE(read_to_eof(client.get(), got));
	EXPECT_EQ(got.rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u) << got;
	EXPECT_NE(got.find("\r\nConnection: close\r\n"), std::string::npos) << got;
	// Still alive and well.
	client = hand_over("again");
	got.clear();
	ASSERT_TRUE(read_to_eof(client.get(), got));
	EXPECT_EQ(got.rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u) << got;
	client.reset();
	finish();
	EXPECT_NE(daemon_.output().find("unreachable"), std::string::npos) << daemon_.output();
}

TEST_F(DaemonTest, MaxConnectionsAnswers503)
{
	start({"--max-connections", "1"});
	UniqueFd first = hand_over("first");
	UniqueFd first_backend = accept_backend(first.get(), "first");
	ASSERT_TRUE(first_backend.valid());

	UniqueFd second = hand_over("second");
	std::string got;
	ASSERT_TRUE(read_to_eof(second.get(), got));
	EXPECT_EQ(got.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << got;

	// The first one is untouched.
	ASSERT_TRUE(write_all(first_backend.get(), "still here"));
	ASSERT_TRUE(read_exactly(first.get(), 10, got));
	EXPECT_EQ(got, "still here");
	first.reset();
	EXPECT_TRUE(wait_closed(first_backend.get()));
	first_backend.reset();
	finish();
	EXPECT_NE(daemon_.output().find("answered 503"), std::string::npos) << daemon_.output();
}

TEST_F(DaemonTest, MalformedMessagesNeitherKillNorLeak)
{
	start();
	int idle = idle_fd_count();
	ASSERT_GT(idle, 0);

	struct Case {
		const char *name;
		HandoverSpec spec;
		int fds;
		bool truncate_header = false;
	};
	HandoverSpec base;
	base.data = "GET / HTTP/1.1\r\n\r\n";
	std::vector<Case> cases;
	HandoverSpec s = base;
	s.magic = 0xdeadbeef;
	cases.push_back({"bad magic", s, 1});
	s = base;
	s.version = 99;
	cases.push_back({"bad version", s, 1});
	s = base;
	s.data_len = 5;
	cases.push_back({"data_len mismatch", s, 1});
	s = base;
	s.data_len = 1000;
	cases.push_back({"data_len beyond the message", s, 1});
	s = base;
	s.header_len = 8;
	cases.push_back({"header_len too small", s, 1});
	cases.push_back({"no descriptor", base, 0});
	cases.push_back({"two descriptors", base, 2});
	cases.push_back({"short message", base, 1, true});

	for (Case &c : cases) {
		SCOPED_TRACE(c.name);
		std::vector<ClientPair> pairs;
		for (int i = 0; i < c.fds; i++) {
			pairs.push_back(make_client_pair(front_));
			c.spec.fds.push_back(pairs.back().server.get());
		}
		std::string bytes = encode_handover(c.spec);
		if (c.truncate_header)
			bytes.resize(10);
		ASSERT_TRUE(send_message(daemon_.module_fd(), bytes, c.spec.fds));
		for (ClientPair &p : pairs)
			p.server.reset();
		// The daemon closed every descriptor that came with it.
		for (ClientPair &p : pairs)
			EXPECT_TRUE(wait_closed(p.client.get()));
	}
	EXPECT_TRUE(daemon_.wait_fd_count(idle)) << daemon_.fd_count() << " open, " << idle
						 << " when idle";

	// Still relaying.
	UniqueFd client = hand_over("good");
	UniqueFd backend = accept_backend(client.get(), "good");
	ASSERT_TRUE(backend.valid());
	client.reset();
	EXPECT_TRUE(wait_closed(backend.get()));
	backend.reset();
	EXPECT_TRUE(daemon_.wait_fd_count(idle));
	finish();
	// One line per bad message (plus the one of idle_fd_count()).
	EXPECT_EQ(count_of(daemon_.output(), "malformed hand-over message"), cases.size() + 1)
		<< daemon_.output();
}

TEST_F(DaemonTest, EndOfFileWithNoRelaysExitsZero)
{
	start();
	daemon_.close_module_end();
	EXPECT_EQ(daemon_.wait_exit(), 0);
	EXPECT_NE(daemon_.output().find("exiting"), std::string::npos) << daemon_.output();
}

TEST_F(DaemonTest, EndOfFileWaitsForOpenRelays)
{
	start();
	UniqueFd client = hand_over("req");
	UniqueFd backend = accept_backend(client.get(), "req");
	ASSERT_TRUE(backend.valid());
	daemon_.close_module_end();
	// The relay still works after the end of the hand-over socket.
	ASSERT_TRUE(write_all(backend.get(), "late"));
	std::string got;
	ASSERT_TRUE(read_exactly(client.get(), 4, got));
	EXPECT_EQ(got, "late");
	EXPECT_TRUE(daemon_.running());
	client.reset();
	backend.reset();
	EXPECT_EQ(daemon_.wait_exit(), 0);
}

TEST_F(DaemonTest, SigtermClosesEverythingAndExitsZero)
{
	start();
	UniqueFd client = hand_over("req");
	UniqueFd backend = accept_backend(client.get(), "req");
	ASSERT_TRUE(backend.valid());
	ASSERT_EQ(kill(daemon_.pid(), SIGTERM), 0);
	EXPECT_EQ(daemon_.wait_exit(), 0);
	EXPECT_TRUE(wait_closed(client.get()));
	EXPECT_TRUE(wait_closed(backend.get()));
	EXPECT_NE(daemon_.output().find("SIGTERM"), std::string::npos) << daemon_.output();
}

TEST_F(DaemonTest, SigintExitsZero)
{
	start();
	idle_fd_count(); // the daemon is up: its signal handling is in place
	ASSERT_EQ(kill(daemon_.pid(), SIGINT), 0);
	EXPECT_EQ(daemon_.wait_exit(), 0);
}

TEST_F(DaemonTest, ClientResetClosesTheRelay)
{
	start();
	int idle = idle_fd_count();
	UniqueFd client = hand_over("req");
	UniqueFd backend = accept_backend(client.get(), "req");
	ASSERT_TRUE(backend.valid());
	// SO_LINGER 0: close() sends a reset.
	linger lg{1, 0};
	ASSERT_EQ(setsockopt(client.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
	client.reset();
	EXPECT_TRUE(wait_closed(backend.get()));
	EXPECT_TRUE(daemon_.wait_fd_count(idle));
	backend.reset();
	finish();
}

TEST_F(DaemonTest, Ipv4MappedClientIsSentAsTcp4)
{
	Listener dual = listen_on("::");
	if (!dual.fd.valid())
		GTEST_SKIP() << "no IPv6 here";
	start();
	ClientPair p = make_client_pair(dual, "127.0.0.1");
	ASSERT_TRUE(p.server.valid());
	ASSERT_EQ(local_of(p.server.get()).ss_family, AF_INET6); // ::ffff:127.0.0.1
	HandoverSpec spec;
	spec.data = "mapped";
	spec.fds = {p.server.get()};
	ASSERT_TRUE(send_handover(daemon_.module_fd(), spec));
	p.server.reset();
	UniqueFd backend = accept_one(backend_);
	ASSERT_TRUE(backend.valid());
	std::string got;
	ASSERT_TRUE(read_exactly(backend.get(), kProxyV4Length + 6, got));
	auto client_addr = local_of(p.client.get()); // AF_INET 127.0.0.1:port
	ASSERT_EQ(client_addr.ss_family, AF_INET);
	sockaddr_storage dst{};
	auto *d = reinterpret_cast<sockaddr_in *>(&dst);
	d->sin_family = AF_INET;
	d->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d->sin_port = htons(dual.port);
	EXPECT_EQ(got, expected_proxy_v2(client_addr, dst) + "mapped");
	EXPECT_EQ(got[13], '\x11'); // TCP over IPv4
	p.client.reset();
	EXPECT_TRUE(wait_closed(backend.get()));
	backend.reset();
	finish();
}

TEST_F(DaemonTest, Ipv6ClientAndBackend)
{
	Listener front6 = listen_on("::1");
	Listener backend6 = listen_on("::1");
	if (!front6.fd.valid() || !backend6.fd.valid())
		GTEST_SKIP() << "no IPv6 loopback here";
	ASSERT_TRUE(daemon_.start({"--backend", "[::1]:" + port_of(backend6)}));
	ClientPair p = make_client_pair(front6);
	ASSERT_TRUE(p.server.valid());
	HandoverSpec spec;
	spec.data = "v6";
	spec.fds = {p.server.get()};
	ASSERT_TRUE(send_handover(daemon_.module_fd(), spec));
	p.server.reset();
	UniqueFd backend = accept_one(backend6);
	ASSERT_TRUE(backend.valid());
	std::string expected =
		expected_proxy_v2(local_of(p.client.get()), peer_of(p.client.get())) + "v6";
	ASSERT_EQ(expected.size(), 16u + 36u + 2u);
	std::string got;
	ASSERT_TRUE(read_exactly(backend.get(), expected.size(), got));
	EXPECT_EQ(got, expected);
	EXPECT_EQ(got[13], '\x21'); // TCP over IPv6
	p.client.reset();
	EXPECT_TRUE(wait_closed(backend.get()));
	backend.reset();
	finish();
}



} // namespace
} // namespace fallbackd::test
