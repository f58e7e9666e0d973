// SPDX-License-Identifier: GPL-2.0
// The session end to end: what the kernel is told of every request for the
// counters and the access log (kh_conn_request_done, a hand-over's log).
#include "session_fixture.h"

using namespace session_test;

class RequestLogTest : public SessionTest {
protected:
	void SetUp() override
	{
		SessionTest::SetUp();
		fake::set_clock_us(5000000, 7);
	}

	const fake::Record &rec(int i) const { return conn_->records[i]; }

	// Record @i says @status, with @body body bytes of @total sent.
	void expect(int i, int status, kh_u64 body, kh_u64 total, const std::string &line)
	{
		ASSERT_LT(i, conn_->nrecords);
		EXPECT_EQ(rec(i).status, status) << i;
		EXPECT_EQ(rec(i).body_bytes, body) << i;
		EXPECT_EQ(rec(i).bytes, total) << i;
		EXPECT_EQ(std::string(rec(i).line), line) << i;
		EXPECT_EQ(rec(i).aborted, 0) << i;
		EXPECT_GT(rec(i).usec, 0u) << i;
	}
};

// The host logged is the one the request names: an absolute-form target's
// authority wins over Host, as it does for the virtual host served.
TEST_F(RequestLogTest, AbsoluteFormHostIsLogged)
{
	std::string in = "GET http://A.example:8080/hello.txt HTTP/1.1\r\nHost: b.example\r\n"
			 "Connection: close\r\n\r\n";
	ASSERT_EQ(run(in), ok("text/plain", kHello, false));
	ASSERT_EQ(conn_->nrecords, 1);
	EXPECT_EQ(std::string(rec(0).host), "A.example:8080");
}

TEST_F(RequestLogTest, OneRecordPerAnswerWithItsFields)
{
	std::string in = "GET /hello.txt HTTP/1.1\r\nHost: Example.org\r\n"
			 "Referer: http://a/b\"c\r\nUser-Agent: curl/7.88.1\r\n\r\n"
			 "HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
			 "GET /nothing HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	std::string a = ok("text/plain", kHello, true);
	std::string b = ok_head("text/plain", sizeof(kHello) - 1, true);
	std::string c = error(404, false);
	ASSERT_EQ(run(in), a + b + c);
	ASSERT_EQ(conn_->nrecords, 3);
	expect(0, 200, sizeof(kHello) - 1, a.size(), "GET /hello.txt HTTP/1.1");
	EXPECT_EQ(std::string(rec(0).host), "Example.org");
	EXPECT_EQ(std::string(rec(0).referer), "http://a/b\"c");
	EXPECT_EQ(std::string(rec(0).agent), "curl/7.88.1");
	expect(1, 200, 0, b.size(), "HEAD /hello.txt HTTP/1.1"); // HEAD: no body
	EXPECT_EQ(std::string(rec(1).agent), "");
	EXPECT_EQ(std::string(rec(1).referer), "");
	expect(2, 404, c.size() - c.find("\r\n\r\n") - 4, c.size(), "GET /nothing HTTP/1.1");
}

TEST_F(RequestLogTest, RangesRedirectsAndNotModified)
{
	std::string in = get("/digits.txt", "Range: bytes=2-4\r\n") + get("/sub", "") +
			 get("/digits.txt", "If-None-Match: " + kDigitsTag + "\r\n");
	std::string a = partial("text/plain", 2, 4, 10, "234");
	std::string b = redirect("/sub/", true);
	std::string c = not_modified(kDigitsTag);
	ASSERT_EQ(run(in), a + b + c);
	ASSERT_EQ(conn_->nrecords, 3);
	expect(0, 206, 3, a.size(), "GET /digits.txt HTTP/1.1");
	expect(1, 301, 0, b.size(), "GET /sub HTTP/1.1");
	expect(2, 304, 0, c.size(), "GET /digits.txt HTTP/1.1");
}

TEST_F(RequestLogTest, PipelinedByteByByteKeepTheirLines)
{
	// Each request's line is quoted after its answer left, while the next
	// ones arrive behind it a byte at a time.
	std::string in;
	for (int i = 0; i < 5; i++)
		in += get(i % 2 ? "/digits.txt" : "/hello.txt", "X-N: " + std::to_string(i) + "\r\n");
	for (kh_size chunk : {kh_size{0}, kh_size{1}, kh_size{7}}) {
		send_cap_ = chunk ? 5 : 0;
		run(in, chunk);
		ASSERT_EQ(conn_->nrecords, 5) << chunk;
		for (int i = 0; i < 5; i++)
			EXPECT_EQ(std::string(rec(i).line),
				  i % 2 ? "GET /digits.txt HTTP/1.1" : "GET /hello.txt HTTP/1.1")
				<< chunk << " " << i;
	}
}

TEST_F(RequestLogTest, LeadingEmptyLinesAndMalformedRequests)
{
	std::string in = "\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
			 "GET /a b c\x01 HTTP/1.1\r\nHost: t\r\n\r\n";
	std::string a = ok("text/plain", kHello, true);
	std::string b = error(400, false);
	ASSERT_EQ(run(in), a + b);
	ASSERT_EQ(conn_->nrecords, 2);
	expect(0, 200, sizeof(kHello) - 1, a.size(), "GET /hello.txt HTTP/1.1");
	// A malformed head is quoted as it came.
	EXPECT_EQ(rec(1).status, 400);
	EXPECT_EQ(std::string(rec(1).line), "GET /a b c\x01 HTTP/1.1");
}

TEST_F(RequestLogTest, TooLongARequestLineIsQuotedAsFarAsItCame)
{
	std::string in = "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n";
	std::string out = run(in, 0, 512);
	ASSERT_EQ(out, error(414, false));
	ASSERT_EQ(conn_->nrecords, 1);
	EXPECT_EQ(rec(0).status, 414);
	// The fake keeps the first kRecordFieldCap - 1 bytes of 512.
	EXPECT_EQ(std::string(rec(0).line), in.substr(0, fake::kRecordFieldCap - 1));
}

TEST_F(RequestLogTest, AHandOverIsLoggedOnceWithItsReason)
{
	handover_result_ = 0;
	params_.dynamic = "cgi-bin";
	std::string dyn = "GET /cgi-bin/x HTTP/1.1\r\nHost: t\r\nUser-Agent: ua\r\n\r\n";
	run(kGetHello + dyn);
	ASSERT_EQ(last_step_, KHTTPD_STEP_HANDOVER);
	ASSERT_EQ(conn_->nrecords, 2);
	EXPECT_EQ(rec(0).status, 200);
	EXPECT_EQ(rec(1).status, 0);
	EXPECT_EQ(rec(1).handover_reason, KHTTPD_HANDOVER_DYNAMIC);
	EXPECT_EQ(std::string(rec(1).line), "GET /cgi-bin/x HTTP/1.1");
	EXPECT_EQ(std::string(rec(1).agent), "ua");
	EXPECT_EQ(rec(1).bytes, 0u);
}

TEST_F(RequestLogTest, AFailedHandOverIsLoggedAsItsAnswer)
{
	handover_result_ = -KH_EAGAIN; // a daemon, too far behind
	params_.dynamic = "cgi-bin";
	// The policy asks kh_conn_daemon_ready(): the fake says yes when
	// handover_result is not -KH_ENOENT.
	std::string out = run("GET /cgi-bin/x HTTP/1.1\r\nHost: t\r\n\r\n");
	ASSERT_EQ(out, unavailable(false));
	ASSERT_EQ(conn_->nrecords, 1);
	expect(0, 503, out.size() - out.find("\r\n\r\n") - 4, out.size(),
	       "GET /cgi-bin/x HTTP/1.1");
}

TEST_F(RequestLogTest, AnAnswerCutShortIsLoggedWithWhatLeft)
{
	send_cap_ = 10;
	send_err_ = -KH_EPIPE;
	run(kGetHello);
	ASSERT_EQ(conn_->nrecords, 1);
	EXPECT_EQ(rec(0).status, 200);
	EXPECT_EQ(rec(0).aborted, 1);
	EXPECT_EQ(rec(0).bytes, 0u);
	EXPECT_EQ(rec(0).body_bytes, 0u);
}

TEST_F(RequestLogTest, ASessionDestroyedWhileSendingLogsTheAnswerCutShort)
{
	// The input ends with "nothing more yet" while the answer waits for
	// send space: the fake stops serving there and destroys the session,
	// as the kernel does on a send timeout or a stop.
	std::string big(20000, 'z');
	ASSERT_TRUE(fake::root_add(root_.get(), "big.bin", big.data(), big.size(),
				   KH_S_IFREG | 0644, kMtime));
	eagain_every_ = 1; // no send space, ever
	std::string out = run(get("/big.bin", ""));
	EXPECT_EQ(out, "");
	ASSERT_EQ(conn_->nrecords, 1);
	EXPECT_EQ(rec(0).status, 200);
	EXPECT_EQ(rec(0).aborted, 1);
	EXPECT_EQ(rec(0).body_bytes, 0u);
}

TEST_F(RequestLogTest, TheRequestTimeRunsFromItsFirstByteToItsLastByteSent)
{
	fake::set_clock_us(1000, 100);
	run(kGetHello);
	ASSERT_EQ(conn_->nrecords, 1);
	// Two clock readings: at the first byte received, at the answer's end.
	EXPECT_EQ(rec(0).usec, 100u);
}
