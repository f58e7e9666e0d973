// SPDX-License-Identifier: GPL-2.0
// HandoverChannel: receiving and validating the module's messages over a
// real socketpair, in-process.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "handover_channel.h"
#include "test_support.h"

namespace fallbackd {
namespace {

using test::HandoverSpec;

class HandoverChannelTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		int sv[2];
		ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		module_.reset(sv[0]);
		channel_ = std::make_unique<HandoverChannel>(UniqueFd(sv[1]));
		front_ = test::listen_on("127.0.0.1");
		ASSERT_TRUE(front_.fd.valid());
	}

	// A client connection; returns the client end, sets @server.
	UniqueFd connection(UniqueFd &server)
	{
		test::ClientPair p = test::make_client_pair(front_);
		EXPECT_TRUE(p.client.valid() && p.server.valid());
		server = std::move(p.server);
		return std::move(p.client);
	}

	ReceiveStatus receive()
	{
		problem_.clear();
		return channel_->receive(handover_, problem_);
	}

	UniqueFd module_;
	std::unique_ptr<HandoverChannel> channel_;
	test::Listener front_;
	Handover handover_;
	std::string problem_;
};

TEST_F(HandoverChannelTest, ValidMessage)
{
	UniqueFd server;
	UniqueFd client = connection(server);
	HandoverSpec spec;
	spec.data = "GET /cgi-bin/x HTTP/1.1\r\nHost: a\r\n\r\n";
	spec.conn_id = 42;
	spec.reason = KHTTPD_HANDOVER_DYNAMIC;
	spec.requests_served = 3;
	spec.fds = {server.get()};
	ASSERT_TRUE(test::send_handover(module_.get(), spec));
	server.reset();

	ASSERT_EQ(receive(), ReceiveStatus::kMessage) << problem_;
	EXPECT_EQ(handover_.header.conn_id, 42u);
	EXPECT_EQ(handover_.header.reason, static_cast<uint32_t>(KHTTPD_HANDOVER_DYNAMIC));
	EXPECT_EQ(handover_.header.requests_served, 3u);
	EXPECT_EQ(handover_.data, spec.data);
	ASSERT_TRUE(handover_.client.valid());
	// It is the accepted socket: its peer is our client.
	EXPECT_EQ(test::write_all(handover_.client.get(), "hi"), true);
	std::string got;
	ASSERT_TRUE(test::read_exactly(client.get(), 2, got));
	EXPECT_EQ(got, "hi");
	EXPECT_EQ(fcntl(handover_.client.get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	EXPECT_EQ(receive(), ReceiveStatus::kNone);
}

TEST_F(HandoverChannelTest, EmptyDataAndLongerHeader)
{
	UniqueFd server;
	UniqueFd client = connection(server);
	HandoverSpec spec;
	spec.header_len = sizeof(khttpd_handover) + 16; // a future, longer header
	spec.data = "xyz";
	spec.fds = {server.get()};
	ASSERT_TRUE(test::send_handover(module_.get(), spec));
	ASSERT_EQ(receive(), ReceiveStatus::kMessage) << problem_;
	EXPECT_EQ(handover_.data, "xyz");

	spec = HandoverSpec{};
	spec.fds = {server.get()};
	ASSERT_TRUE(test::send_handover(module_.get(), spec));
	ASSERT_EQ(receive(), ReceiveStatus::kMessage) << problem_;
	EXPECT_TRUE(handover_.data.empty());
}

TEST_F(HandoverChannelTest, LargestDataIsAccepted)
{
	UniqueFd server;
	UniqueFd client = connection(server);
	HandoverSpec spec;
	spec.data = test::pattern(KHTTPD_HANDOVER_DATA_MAX, 7);
	spec.fds = {server.get()};
	ASSERT_TRUE(test::send_handover(module_.get(), spec));
	ASSERT_EQ(receive(), ReceiveStatus::kMessage) << problem_;
	EXPECT_EQ(handover_.data, spec.data);
}

TEST_F(HandoverChannelTest, EndOfFileAfterQueuedMessages)
{
	UniqueFd server;
	UniqueFd client = connection(server);
	HandoverSpec spec;
	spec.data = "queued";
	spec.fds = {server.get()};
	ASSERT_TRUE(test::send_handover(module_.get(), spec));
	module_.reset();
	ASSERT_EQ(receive(), ReceiveStatus::kMessage) << problem_;
	EXPECT_EQ(handover_.data, "queued");
	EXPECT_EQ(receive(), ReceiveStatus::kEnd);
}

TEST_F(HandoverChannelTest, EmptyMessageIsNotEndOfFile)
{
	ASSERT_TRUE(test::send_message(module_.get(), "", {}));
	EXPECT_EQ(receive(), ReceiveStatus::kRejected);
	EXPECT_NE(problem_.find("short message"), std::string::npos) << problem_;
	EXPECT_EQ(receive(), ReceiveStatus::kNone);
}

struct BadMessage {
	const char *name;
	HandoverSpec spec;
	int fd_count; // TCP sockets attached
	const char *problem_part;
};

std::vector<BadMessage> bad_messages()
{
	std::vector<BadMessage> v;
	HandoverSpec s;
	s.data = "GET / HTTP/1.1\r\n\r\n";

	HandoverSpec m = s;
	m.magic = 0x12345678;
	v.push_back({"bad magic", m, 1, "bad magic 0x12345678"});
	m = s;
	m.version = 2;
	v.push_back({"bad version", m, 1, "unsupported version 2"});
	m = s;
	m.header_len = sizeof(khttpd_handover) - 1;
	v.push_back({"header_len too small", m, 1, "bad header_len"});
	m = s;
	m.header_len = 60000;
	v.push_back({"header_len beyond the message", m, 0, "bad header_len"});
	m = s;
	m.data_len = static_cast<uint32_t>(s.data.size() + 1);
	v.push_back({"data_len above what arrived", m, 1, "data_len 19 but 18 bytes arrived"});
	m = s;
	m.data_len = static_cast<uint32_t>(s.data.size() - 1);
	v.push_back({"data_len below what arrived", m, 1, "data_len 17 but 18 bytes"});
	m = s;
	m.data_len = KHTTPD_HANDOVER_DATA_MAX + 1;
	v.push_back({"data_len above the maximum", m, 1, "above the maximum"});
	v.push_back({"no descriptor", s, 0, "0 descriptors attached"});
	v.push_back({"two descriptors", s, 2, "2 descriptors attached"});
	v.push_back({"three descriptors", s, 3, "3 descriptors attached"});
	return v;
}

// Every malformed message is refused and every descriptor that came with
// it is closed: the client at the other end of each sees the end of file.
TEST_F(HandoverChannelTest, MalformedMessagesAreRefusedAndTheirFdsClosed)
{
	for (BadMessage &bad : bad_messages()) {
		SCOPED_TRACE(bad.name);
		std::vector<UniqueFd> clients, servers;
		for (int i = 0; i < bad.fd_count; i++) {
			UniqueFd server;
			clients.push_back(connection(server));
			bad.spec.fds.push_back(server.get());
			servers.push_back(std::move(server));
		}
		std::string bytes = test::encode_handover(bad.spec);
		if (bad.spec.header_len == 60000)
			bytes.resize(sizeof(khttpd_handover) + bad.spec.data.size());
		ASSERT_TRUE(test::send_message(module_.get(), bytes, bad.spec.fds));
		servers.clear(); // only the channel's copies are left

		EXPECT_EQ(receive(), ReceiveStatus::kRejected);
		EXPECT_NE(problem_.find(bad.problem_part), std::string::npos) << problem_;
		EXPECT_FALSE(handover_.client.valid());
		for (UniqueFd &c : clients)
			EXPECT_TRUE(test::wait_closed(c.get(), 5000));
	}
	EXPECT_EQ(receive(), ReceiveStatus::kNone);
}

TEST_F(HandoverChannelTest, ShortMessage)
{
	UniqueFd server;
	UniqueFd client = connection(server);
	ASSERT_TRUE(test::send_message(module_.get(), "khtd", {server.get()}));
	server.reset();
	EXPECT_EQ(receive(), ReceiveStatus::kRejected);
	EXPECT_NE(problem_.find("short message: 4 bytes"), std::string::npos) << problem_;
	EXPECT_TRUE(test::wait_closed(client.get(), 5000));
}

TEST_F(HandoverChannelTest, OversizedMessage)
{
	UniqueFd server;
	UniqueFd client = connection(server);
	int size = 256 * 1024;
	setsockopt(module_.get(), SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	HandoverSpec spec;
	spec.data = std::string(140000, 'x');
	spec.fds = {server.get()};
	ASSERT_TRUE(test::send_handover(module_.get(), spec));
	server.reset();
	EXPECT_EQ(receive(), ReceiveStatus::kRejected);
	EXPECT_NE(problem_.find("message larger than"), std::string::npos) << problem_;
	EXPECT_TRUE(test::wait_closed(client.get(), 5000));
}

// A descriptor that is not a TCP socket: a pipe and a Unix socket.
TEST_F(HandoverChannelTest, NonTcpDescriptorsAreRefusedAndClosed)
{
	int p[2];
	ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
	UniqueFd read_end(p[0]), write_end(p[1]);
	HandoverSpec spec;
	spec.fds = {read_end.get()};
	ASSERT_TRUE(test::send_handover(module_.get(), spec));
	read_end.reset();
	EXPECT_EQ(receive(), ReceiveStatus::kRejected);
	EXPECT_NE(problem_.find("not a socket"), std::string::npos) << problem_;
	pollfd pfd{write_end.get(), POLLOUT, 0};
	ASSERT_EQ(poll(&pfd, 1, 0), 1);
	EXPECT_TRUE(pfd.revents & POLLERR) << "the pipe's read end is still open";

	int sv[2];
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	UniqueFd mine(sv[0]), passed(sv[1]);
	spec.fds = {passed.get()};
	ASSERT_TRUE(test::send_handover(module_.get(), spec));
	passed.reset();
	EXPECT_EQ(receive(), ReceiveStatus::kRejected);
	EXPECT_NE(problem_.find("not a TCP socket"), std::string::npos) << problem_;
	EXPECT_TRUE(test::wait_closed(mine.get(), 5000));
}

// More descriptors than the receive buffer has room for: MSG_CTRUNC; the
// ones received are closed, the kernel drops the rest.
TEST_F(HandoverChannelTest, TooManyDescriptors)
{
	std::vector<UniqueFd> read_ends, write_ends;
	HandoverSpec spec;
	for (int i = 0; i < 40; i++) {
		int p[2];
		ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
		read_ends.emplace_back(p[0]);
		write_ends.emplace_back(p[1]);
		spec.fds.push_back(p[0]);
	}
	ASSERT_TRUE(test::send_handover(module_.get(), spec));
	read_ends.clear();
	EXPECT_EQ(receive(), ReceiveStatus::kRejected);
	EXPECT_NE(problem_.find("truncated"), std::string::npos) << problem_;
	for (UniqueFd &w : write_ends) {
		pollfd pfd{w.get(), POLLOUT, 0};
		ASSERT_EQ(poll(&pfd, 1, 0), 1);
		EXPECT_TRUE(pfd.revents & POLLERR);
	}
}

TEST(HandoverReason, Names)
{
	EXPECT_STREQ(handover_reason_name(KHTTPD_HANDOVER_METHOD), "method");
	EXPECT_STREQ(handover_reason_name(KHTTPD_HANDOVER_BODY), "body");
	EXPECT_STREQ(handover_reason_name(999), "unknown");
}

} // namespace
} // namespace fallbackd
