// SPDX-License-Identifier: GPL-2.0
// The courier thread and registration, with the real daemon binary and a
// fake KHTTPD_IOC_SERVE (fake_khttpd_preload.cpp): the test decides when
// and how each registration ends, and sends hand-overs through the
// socketpair end the daemon registered.
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "test_support.h"

#ifndef FAKE_KHTTPD_PRELOAD
#error "FAKE_KHTTPD_PRELOAD must name the preload library"
#endif

namespace fallbackd::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kProxyHeaderV4 = 28; // 16 + 12

// One KHTTPD_IOC_SERVE call in progress in the daemon.
struct Serve {
	UniqueFd call;	  // ends the call: write an errno value
	UniqueFd channel; // the "kernel's" end of the daemon's socketpair
};

class RegistrationTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/fallbackd-fake-XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir_ = tmpl;
		path_ = dir_ + "/khttpd.sock";
		listener_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
		sockaddr_un addr{};
		addr.sun_family = AF_UNIX;
		strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
		ASSERT_EQ(bind(listener_.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
		ASSERT_EQ(listen(listener_.get(), 8), 0);
		backend_ = listen_on("127.0.0.1");
		front_ = listen_on("127.0.0.1");
		ASSERT_TRUE(backend_.fd.valid() && front_.fd.valid());
	}

	void TearDown() override
	{
		if (HasFailure())
			std::cerr << "--- daemon output ---\n" << daemon_.output() << "---\n";
		unlink(path_.c_str());
		rmdir(dir_.c_str());
	}

	// Starts the daemon in registration mode; /dev/null stands in for
	// the control file (it opens; the fake answers the ioctl).
	void start()
	{
		daemon_.set_env("LD_PRELOAD", FAKE_KHTTPD_PRELOAD);
		daemon_.set_env("FAKE_KHTTPD_SOCKET", path_);
		ASSERT_TRUE(daemon_.start_plain({"--control", "/dev/null", "--backend",
						 "127.0.0.1:" + std::to_string(backend_.port)}));
	}

	// Waits for the daemon's next KHTTPD_IOC_SERVE.
	bool next_serve(Serve &s, int timeout_ms = kTimeoutMs)
	{
		pollfd p{listener_.get(), POLLIN, 0};
		if (poll(&p, 1, timeout_ms) != 1)
			return false;
		s.call.reset(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
		if (!s.call)
			return false;
		char byte;
		iovec iov{&byte, 1};
		union {
			cmsghdr align;
			char bytes[CMSG_SPACE(sizeof(int))];
		} control{};
		msghdr msg{};
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.bytes;
		msg.msg_controllen = sizeof(control.bytes);
		p = {s.call.get(), POLLIN, 0};
		if (poll(&p, 1, timeout_ms) != 1 || recvmsg(s.call.get(), &msg, MSG_CMSG_CLOEXEC) != 1)
			return false;
		cmsghdr *c = CMSG_FIRSTHDR(&msg);
		if (!c || c->cmsg_type != SCM_RIGHTS)
			return false;
		int fd;
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		s.channel.reset(fd);
		return true;
	}

	// Ends the call with @err, as the module does (and drops its end).
	static void end_serve(Serve &s, int err)
	{
		ASSERT_TRUE(write_all(s.call.get(), std::string_view(reinterpret_cast<char *>(&err),
								     sizeof(err))));
		s.channel.reset();
		s.call.reset();
	}

	// Hands a client connection over on @s; returns the client's end and
	// the backend's, after checking what the backend received.
	void relay_through(Serve &s, UniqueFd &client, UniqueFd &backend, const std::string &data)
	{
		ClientPair p = make_client_pair(front_);
		ASSERT_TRUE(p.server.valid());
		HandoverSpec spec;
		spec.data = data;
		spec.fds = {p.server.get()};
		ASSERT_TRUE(send_handover(s.channel.get(), spec));
		p.server.reset();
		backend = accept_one(backend_);
		ASSERT_TRUE(backend.valid());
		std::string expected =
			expected_proxy_v2(local_of(p.client.get()), peer_of(p.client.get())) + data;
		std::string got;
		ASSERT_TRUE(read_exactly(backend.get(), expected.size(), got));
		EXPECT_EQ(got, expected);
		client = std::move(p.client);
	}

	// Waits until the daemon's log contains @text (re-read every 10 ms:
	// a log line gives no event to wait for).
	bool wait_log(const std::string &text, int timeout_ms = kTimeoutMs)
	{
		auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
		while (daemon_.output().find(text) == std::string::npos) {
			if (Clock::now() >= deadline)
				return false;
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
		return true;
	}

	std::string dir_, path_;
	UniqueFd listener_;
	Listener backend_, front_;
	DaemonProcess daemon_;
};

size_t occurrences(const std::string &s, const std::string &needle)
{
	size_t n = 0;
	for (size_t pos = s.find(needle); pos != std::string::npos; pos = s.find(needle, pos + 1))
		n++;
	return n;
}

// Registered: hand-overs come through the registered socket; a blocked
// registration is reported after a second; SIGTERM interrupts the
// courier's ioctl and the daemon exits 0.
TEST_F(RegistrationTest, RelaysAndStopsOnSigterm)
{
	start();
	Serve s;
	ASSERT_TRUE(next_serve(s));
	UniqueFd client, backend;
	relay_through(s, client, backend, "GET /cgi-bin/a HTTP/1.1\r\n\r\n");
	ASSERT_TRUE(write_all(backend.get(), "answer"));
	std::string got;
	ASSERT_TRUE(read_exactly(client.get(), 6, got));
	EXPECT_EQ(got, "answer");
	EXPECT_TRUE(wait_log("registered with khttpd: waiting for hand-overs"));

	ASSERT_EQ(kill(daemon_.pid(), SIGTERM), 0);
	EXPECT_EQ(daemon_.wait_exit(), 0);
	EXPECT_TRUE(wait_closed(client.get()));
	EXPECT_TRUE(wait_closed(backend.get()));
	// The courier's call ended (EINTR) and closed its connection.
	EXPECT_TRUE(wait_closed(s.call.get()));
}

// The module stops (ESHUTDOWN): connections already relayed live on, the
// daemon registers again every second and says so once.
TEST_F(RegistrationTest, ShutdownRetriesEverySecondLoggingOnce)
{
	start();
	Serve s;
	ASSERT_TRUE(next_serve(s));
	UniqueFd client, backend;
	relay_through(s, client, backend, "first");
	end_serve(s, ESHUTDOWN);

	auto before = Clock::now();
	ASSERT_TRUE(next_serve(s, 5000)) << "no second registration";
	auto waited = Clock::now() - before;
	EXPECT_GE(waited, std::chrono::milliseconds(900)) << "retried without waiting";
	end_serve(s, ESHUTDOWN);
	ASSERT_TRUE(next_serve(s, 5000)) << "no third registration";

	// The connection from before the module stopped still works.
	ASSERT_TRUE(write_all(client.get(), "still"));
	std::string got;
	ASSERT_TRUE(read_exactly(backend.get(), 5, got));
	EXPECT_EQ(got, "still");

	// And the new registration carries hand-overs.
	UniqueFd client2, backend2;
	relay_through(s, client2, backend2, "second");
	EXPECT_EQ(occurrences(daemon_.output(), "khttpd ended the registration"), 1u)
		<< daemon_.output();

	ASSERT_EQ(kill(daemon_.pid(), SIGTERM), 0);
	EXPECT_EQ(daemon_.wait_exit(), 0);
}

// Hand-overs queued before the registration ends are still relayed.
TEST_F(RegistrationTest, QueuedHandoversSurviveTheEndOfRegistration)
{
	start();
	Serve s;
	ASSERT_TRUE(next_serve(s));
	ClientPair p = make_client_pair(front_);
	HandoverSpec spec;
	spec.data = "queued";
	spec.fds = {p.server.get()};
	ASSERT_TRUE(send_handover(s.channel.get(), spec));
	p.server.reset();
	end_serve(s, ESHUTDOWN);
	UniqueFd backend = accept_one(backend_);
	ASSERT_TRUE(backend.valid());
	std::string got;
	ASSERT_TRUE(read_exactly(backend.get(), kProxyHeaderV4 + 6, got));
	EXPECT_EQ(got.substr(kProxyHeaderV4), "queued");
	ASSERT_EQ(kill(daemon_.pid(), SIGTERM), 0);
	EXPECT_EQ(daemon_.wait_exit(), 0);
}

// The module could not deliver (our end closed): register again.
TEST_F(RegistrationTest, LostChannelRegistersAgain)
{
	start();
	Serve s;
	ASSERT_TRUE(next_serve(s));
	end_serve(s, EPIPE);
	ASSERT_TRUE(next_serve(s, 5000));
	ASSERT_EQ(kill(daemon_.pid(), SIGINT), 0);
	EXPECT_EQ(daemon_.wait_exit(), 0);
}

TEST_F(RegistrationTest, AnotherDaemonRegisteredExitsOne)
{
	start();
	Serve s;
	ASSERT_TRUE(next_serve(s));
	end_serve(s, EBUSY);
	EXPECT_EQ(daemon_.wait_exit(), 1);
	EXPECT_NE(daemon_.output().find("another hand-over daemon is registered"), std::string::npos)
		<< daemon_.output();
}

TEST_F(RegistrationTest, PermissionDeniedExitsOne)
{
	start();
	Serve s;
	ASSERT_TRUE(next_serve(s));
	end_serve(s, EPERM);
	EXPECT_EQ(daemon_.wait_exit(), 1);
	EXPECT_NE(daemon_.output().find("are you root"), std::string::npos) << daemon_.output();
}

} // namespace
} // namespace fallbackd::test
