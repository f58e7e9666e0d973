// SPDX-License-Identifier: GPL-2.0
// The daemon's own 502 / 503 answers are well-formed HTTP/1.1.
#include <sys/socket.h>

#include <string>

#include <gtest/gtest.h>

#include "error_reply.h"
#include "test_support.h"

namespace fallbackd {
namespace {

void expect_well_formed(std::string_view text, const char *status_line)
{
	size_t end = text.find("\r\n\r\n");
	ASSERT_NE(end, std::string_view::npos);
	std::string head(text.substr(0, end + 2));
	std::string body(text.substr(end + 4));
	EXPECT_EQ(head.rfind(status_line, 0), 0u) << head;
	EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos);
	std::string length = "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
	EXPECT_NE(head.find(length), std::string::npos) << head;
}

TEST(ErrorReply, BadGateway)
{
	expect_well_formed(error_reply_text(ErrorReply::kBadGateway), "HTTP/1.1 502 Bad Gateway\r\n");
}

TEST(ErrorReply, ServiceUnavailable)
{
	expect_well_formed(error_reply_text(ErrorReply::kServiceUnavailable),
			   "HTTP/1.1 503 Service Unavailable\r\n");
}

TEST(ErrorReply, AnswerAndCloseSendsItAndCloses)
{
	int sv[2];
	ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	UniqueFd ours(sv[0]);
	// Input the daemon never read: discarded, not turned into a reset.
	ASSERT_TRUE(test::write_all(ours.get(), "POST / HTTP/1.1\r\n\r\nbody"));
	answer_and_close(UniqueFd(sv[1]), ErrorReply::kBadGateway);
	std::string got;
	ASSERT_TRUE(test::read_to_eof(ours.get(), got));
	EXPECT_EQ(got, error_reply_text(ErrorReply::kBadGateway));
}

} // namespace
} // namespace fallbackd
