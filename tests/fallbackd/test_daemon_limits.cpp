// SPDX-License-Identifier: GPL-2.0
// The real khttpd-fallbackd binary, end to end: --idle-timeout and
// --max-per-client, so no client can hold relay slots for good.
#include "daemon_fixture.h"

namespace fallbackd::test {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

long long ms_since(SteadyClock::time_point start)
{
	return std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start).count();
}

// True once the peer of @fd has closed its socket for good: what we send
// then draws a reset, and the next send fails (EPIPE / ECONNRESET).
bool peer_gone(int fd)
{
	for (int i = 0; i < 50; i++) {
		if (send(fd, "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
			return errno == EPIPE || errno == ECONNRESET;
		std::this_thread::sleep_for(milliseconds(20));
	}
	return false;
}

bool is_503(int client)
{
	std::string got;
	if (!read_to_eof(client, got))
		return false;
	return got.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0;
}

// A relay that keeps moving bytes stays, whatever its age; one where
// nothing moves either way for --idle-timeout is closed on both sides.
TEST_F(DaemonTest, IdleRelayIsClosedBothSides)
{
	start({"--idle-timeout", "2", "--verbose"});
	int idle = idle_fd_count();
	UniqueFd client = hand_over("GET / HTTP/1.1\r\n\r\n", 5);
	UniqueFd backend = accept_backend(client.get(), "GET / HTTP/1.1\r\n\r\n");
	ASSERT_TRUE(backend.valid());

	// 3 s of traffic, one direction at a time, a byte every 300 ms:
	// longer than the timeout in all, never 2 s without a byte.
	auto start_time = SteadyClock::now();
	for (int i = 0; i < 10; i++) {
		std::this_thread::sleep_for(milliseconds(300));
		std::string got;
		if (i % 2 == 0) {
			ASSERT_TRUE(write_all(client.get(), "u"));
			ASSERT_TRUE(read_exactly(backend.get(), 1, got, 2000)) << "round " << i;
		} else {
			ASSERT_TRUE(write_all(backend.get(), "d"));
			ASSERT_TRUE(read_exactly(client.get(), 1, got, 2000)) << "round " << i;
		}
	}
	EXPECT_GE(ms_since(start_time), 3000);

	// Then silence: both ends are closed about two seconds later.
	auto silent_since = SteadyClock::now();
	EXPECT_TRUE(wait_closed(client.get(), 5000));
	long long waited = ms_since(silent_since);
	EXPECT_TRUE(wait_closed(backend.get(), 5000));
	EXPECT_GE(waited, 1500) << "closed before the timeout";
	EXPECT_LE(waited, 6000);
	EXPECT_TRUE(daemon_.wait_fd_count(idle, 5000))
		<< daemon_.fd_count() << " open, " << idle << " when idle";
	client.reset();
	backend.reset();
	finish();
	EXPECT_NE(daemon_.output().find("connection 5 from 127.0.0.1:"), std::string::npos);
	EXPECT_NE(daemon_.output().find("no byte moved either way for 2 s (1 closed for idleness"),
		  std::string::npos)
		<< daemon_.output();
}

// The client sent its request and FIN; the backend keeps its side open
// and says nothing. The relay is released.
TEST_F(DaemonTest, HalfClosedByTheClientIsReleased)
{
	start({"--idle-timeout", "1"});
	int idle = idle_fd_count();
	UniqueFd client = hand_over("POST /x HTTP/1.1\r\n\r\n");
	UniqueFd backend = accept_backend(client.get(), "POST /x HTTP/1.1\r\n\r\n");
	ASSERT_TRUE(backend.valid());
	ASSERT_TRUE(write_all(client.get(), "body"));
	ASSERT_EQ(shutdown(client.get(), SHUT_WR), 0);
	std::string got;
	ASSERT_TRUE(read_to_eof(backend.get(), got));
	EXPECT_EQ(got, "body");
	// The backend holds its end open, silent; the client waits.
	EXPECT_TRUE(wait_closed(client.get(), 5000));
	EXPECT_TRUE(daemon_.wait_fd_count(idle, 5000))
		<< daemon_.fd_count() << " open, " << idle << " when idle";
	// The daemon's end of the backend connection is gone too.
	EXPECT_TRUE(peer_gone(backend.get()));
	client.reset();
	backend.reset();
	finish();
}

// Issue 11, item 7: clients read their answer and never send FIN; the
// backend closes after its keep-alive timeout. Without an idle timeout
// those relays held their slots for good and every later hand-over got
// 503.
TEST_F(DaemonTest, ClientsThatNeverCloseDoNotHoldSlots)
{
	start({"--idle-timeout", "1", "--max-connections", "2"});
	int idle = idle_fd_count();
	std::vector<UniqueFd> clients;
	const std::string answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	for (int i = 0; i < 2; i++) {
		clients.push_back(hand_over("GET /missing HTTP/1.1\r\n\r\n", 10 + i));
		UniqueFd backend = accept_backend(clients.back().get(), "GET /missing HTTP/1.1\r\n\r\n");
		ASSERT_TRUE(backend.valid());
		ASSERT_TRUE(write_all(backend.get(), answer));
		std::string got;
		ASSERT_TRUE(read_exactly(clients.back().get(), answer.size(), got));
		EXPECT_EQ(got, answer);
		// The backend's keep-alive timeout: it closes; the client
		// sees the end of file and keeps its socket open.
		backend.reset();
		got.clear();
		ASSERT_TRUE(read_to_eof(clients.back().get(), got));
	}
	// Both slots are taken for now...
	UniqueFd third = hand_over("GET /third HTTP/1.1\r\n\r\n", 12);
	EXPECT_TRUE(is_503(third.get()));
	// ...and free again after the idle timeout.
	ASSERT_TRUE(daemon_.wait_fd_count(idle, 5000))
		<< daemon_.fd_count() << " open, " << idle << " when idle";
	UniqueFd fourth = hand_over("GET /fourth HTTP/1.1\r\n\r\n", 13);
	UniqueFd backend = accept_backend(fourth.get(), "GET /fourth HTTP/1.1\r\n\r\n");
	ASSERT_TRUE(backend.valid());
	ASSERT_TRUE(write_all(backend.get(), answer));
	std::string got;
	ASSERT_TRUE(read_exactly(fourth.get(), answer.size(), got));
	EXPECT_EQ(got, answer);
	fourth.reset();
	EXPECT_TRUE(wait_closed(backend.get()));
	backend.reset();
	clients.clear();
	finish();
}

// A backend that never answers the connect(): the client gets a 502
// after the idle timeout instead of waiting for the kernel's SYN retries.
TEST_F(DaemonTest, BackendConnectThatNeverCompletesAnswers502)
{
	// A backlog of 0 holds one connection: the next SYNs are dropped.
	Listener full = listen_on("127.0.0.1", 0);
	ASSERT_TRUE(full.fd.valid());
	UniqueFd filler = connect_to(full);
	ASSERT_TRUE(filler.valid());
	ASSERT_TRUE(daemon_.start({"--backend", "127.0.0.1:" + port_of(full), "--idle-timeout", "1"}));
	auto start_time = SteadyClock::now();
	UniqueFd client = hand_over("GET /cgi-bin/slow HTTP/1.1\r\n\r\n");
	std::string got;
	ASSERT_TRUE(read_to_eof(client.get(), got, 5000));
	EXPECT_EQ(got.rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u) << got;
	EXPECT_GE(ms_since(start_time), 800);
	client.reset();
	finish();
	EXPECT_NE(daemon_.output().find("no answer to connect() in 1 s"), std::string::npos)
		<< daemon_.output();
}

// --max-per-client: the N+1th relay from one address gets 503 while
// another address is still served, and a closed relay frees its place.
TEST_F(DaemonTest, MaxPerClientAnswers503)
{
	start({"--max-per-client", "2"});
	UniqueFd a = hand_over("a", 1);
	UniqueFd a_backend = accept_backend(a.get(), "a");
	ASSERT_TRUE(a_backend.valid());
	UniqueFd b = hand_over("b", 2);
	UniqueFd b_backend = accept_backend(b.get(), "b");
	ASSERT_TRUE(b_backend.valid());

	UniqueFd c = hand_over("c", 3);
	EXPECT_TRUE(is_503(c.get()));

	// Another address is served.
	UniqueFd other = hand_over("other", 4, "127.0.0.2");
	ASSERT_TRUE(other.valid()) << "cannot connect from 127.0.0.2";
	UniqueFd other_backend = accept_backend(other.get(), "other");
	ASSERT_TRUE(other_backend.valid());
	ASSERT_TRUE(write_all(other_backend.get(), "ok"));
	std::string got;
	ASSERT_TRUE(read_exactly(other.get(), 2, got));
	EXPECT_EQ(got, "ok");

	// The first two are untouched; closing one frees a place.
	ASSERT_TRUE(write_all(a_backend.get(), "still"));
	ASSERT_TRUE(read_exactly(a.get(), 5, got));
	a.reset();
	EXPECT_TRUE(wait_closed(a_backend.get()));
	a_backend.reset();
	UniqueFd d;
	UniqueFd d_backend;
	// The daemon may see the client's close a moment after the backend
	// does: retry the hand-over a few times.
	for (int attempt = 0; attempt < 50 && !d_backend.valid(); attempt++) {
		d = hand_over("d", 5);
		pollfd p{backend_.fd.get(), POLLIN, 0};
		if (poll(&p, 1, 200) == 1) {
			d_backend = accept_backend(d.get(), "d");
		} else {
			ASSERT_TRUE(is_503(d.get()));
		}
	}
	ASSERT_TRUE(d_backend.valid()) << "the closed relay's place was not given back";
	for (UniqueFd *fd : {&b, &d, &other})
		fd->reset();
	for (UniqueFd *fd : {&b_backend, &d_backend, &other_backend}) {
		EXPECT_TRUE(wait_closed(fd->get()));
		fd->reset();
	}
	finish();
	EXPECT_NE(daemon_.output().find("2 connections open from its address, the maximum per "
					"client: answered 503"),
		  std::string::npos)
		<< daemon_.output();
}

// ::ffff:127.0.0.1 on a dual-stack listener is the same client as
// 127.0.0.1; ::1 is another.
TEST_F(DaemonTest, MaxPerClientCountsMappedIpv4AsIpv4)
{
	Listener dual = listen_on("::");
	if (!dual.fd.valid())
		GTEST_SKIP() << "no IPv6 here";
	start({"--max-per-client", "1"});
	UniqueFd plain = hand_over("v4", 1); // AF_INET 127.0.0.1
	UniqueFd plain_backend = accept_backend(plain.get(), "v4");
	ASSERT_TRUE(plain_backend.valid());

	auto send_from_dual = [&](const char *address, const char *data) {
		ClientPair p = make_client_pair(dual, address);
		EXPECT_TRUE(p.server.valid()) << address;
		HandoverSpec spec;
		spec.data = data;
		spec.fds = {p.server.get()};
		EXPECT_TRUE(send_handover(daemon_.module_fd(), spec));
		return std::move(p.client);
	};
	UniqueFd mapped = send_from_dual("127.0.0.1", "mapped");
	ASSERT_TRUE(mapped.valid());
	EXPECT_TRUE(is_503(mapped.get()));

	UniqueFd v6 = send_from_dual("::1", "v6");
	if (v6.valid()) {
		UniqueFd v6_backend = accept_backend(v6.get(), "v6");
		ASSERT_TRUE(v6_backend.valid()) << "::1 was refused";
		v6.reset();
		EXPECT_TRUE(wait_closed(v6_backend.get()));
	}
	plain.reset();
	EXPECT_TRUE(wait_closed(plain_backend.get()));
	plain_backend.reset();
	finish();
}

// The command line, without a socketpair.

} // namespace
} // namespace fallbackd::test
