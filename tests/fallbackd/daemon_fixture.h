// SPDX-License-Identifier: GPL-2.0
// The daemon end-to-end tests' fixture: the real khttpd-fallbackd binary,
// with the test playing the module (its side of the hand-over socketpair,
// --socket-fd), the clients and the backend (a TCP listener on loopback).
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.h"


namespace fallbackd::test {

inline constexpr size_t kProxyV4Length = 28; // 16 + 12

inline std::string port_of(const Listener &l)
{
	return std::to_string(l.port);
}

inline size_t count_of(const std::string &haystack, const std::string &needle)
{
	size_t n = 0;
	for (size_t pos = haystack.find(needle); pos != std::string::npos;
	     pos = haystack.find(needle, pos + 1))
		n++;
	return n;
}

class DaemonTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		front_ = listen_on("127.0.0.1");
		backend_ = listen_on("127.0.0.1");
		ASSERT_TRUE(front_.fd.valid());
		ASSERT_TRUE(backend_.fd.valid());
	}

	void TearDown() override
	{
		if (HasFailure())
			std::cerr << "--- daemon output ---\n" << daemon_.output() << "---\n";
	}

	void start(std::vector<std::string> extra = {})
	{
		std::vector<std::string> args = {"--backend", "127.0.0.1:" + port_of(backend_)};
		args.insert(args.end(), extra.begin(), extra.end());
		ASSERT_TRUE(daemon_.start(args));
	}

	// A new client connection (from @source if given), handed over with
	// @data. Returns the client's end.
	UniqueFd hand_over(const std::string &data, uint64_t conn_id = 1,
			   const char *source = nullptr)
	{
		ClientPair p = make_client_pair(front_, nullptr, source);
		EXPECT_TRUE(p.client.valid() && p.server.valid());
		HandoverSpec spec;
		spec.data = data;
		spec.conn_id = conn_id;
		spec.fds = {p.server.get()};
		EXPECT_TRUE(send_handover(daemon_.module_fd(), spec));
		return std::move(p.client); // our copy of the server end closes
	}

	// Accepts the daemon's backend connection and checks that it starts
	// with the PROXY header for @client, then @data.
	UniqueFd accept_backend(int client, const std::string &data, bool proxy = true)
	{
		UniqueFd b = accept_one(backend_);
		EXPECT_TRUE(b.valid()) << "the daemon did not connect to the backend";
		if (!b)
			return b;
		std::string expected =
			proxy ? expected_proxy_v2(local_of(client), peer_of(client)) : std::string();
		expected += data;
		std::string got;
		EXPECT_TRUE(read_exactly(b.get(), expected.size(), got));
		EXPECT_EQ(got, expected);
		return b;
	}

	// The end of the hand-over socket: the daemon must exit 0 once every
	// relay is done.
	void finish()
	{
		daemon_.close_module_end();
		EXPECT_EQ(daemon_.wait_exit(), 0);
	}

	// The descriptors the idle daemon holds: measured once the daemon has
	// provably handled a message (it closed the descriptor of a bad one).
	int idle_fd_count()
	{
		ClientPair p = make_client_pair(front_);
		HandoverSpec spec;
		spec.magic = 0;
		spec.fds = {p.server.get()};
		EXPECT_TRUE(send_handover(daemon_.module_fd(), spec));
		p.server.reset();
		EXPECT_TRUE(wait_closed(p.client.get()));
		return daemon_.fd_count();
	}

	Listener front_;
	Listener backend_;
	DaemonProcess daemon_;
};


} // namespace fallbackd::test
