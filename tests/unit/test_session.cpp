// SPDX-License-Identifier: GPL-2.0
// The session end to end: serving, keep-alive, pipelining, errors, resumed sends and receives.
#include "session_fixture.h"

using namespace session_test;

TEST_F(SessionTest, Get200ExactResponse)
{
	EXPECT_EQ(run(kGetHello), ok("text/plain", kHello, true));
	EXPECT_EQ(std::string(root_->last_path), "hello.txt");
	EXPECT_EQ(send_files_, 1);
	EXPECT_EQ(root_->opens, 1);
}

TEST_F(SessionTest, DateHeaderFollowsClock)
{
	fake::set_now(0);
	std::string out = run(kGetHello);
	EXPECT_NE(out.find("\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"), std::string::npos) << out;
}

TEST_F(SessionTest, HeadHasNoBody)
{
	EXPECT_EQ(run("HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok_head("text/plain", sizeof(kHello) - 1, true));
	EXPECT_EQ(send_files_, 0);
}

TEST_F(SessionTest, EmptyFile)
{
	EXPECT_EQ(run("GET /empty.css HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok_head("text/css", 0, true));
	EXPECT_EQ(send_files_, 0);
}

TEST_F(SessionTest, NotFound)
{
	EXPECT_EQ(run("GET /nope.html HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
	EXPECT_EQ(run("HEAD /nope.html HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true, true));
	// Not a regular file nor a directory.
	EXPECT_EQ(run("GET /fifo HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
	// A directory without an index.
	root_->files[6].open_err = -KH_ENOENT; // sub/index.html
	EXPECT_EQ(run("GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
}

TEST_F(SessionTest, HiddenFilesAreNotServed)
{
	int lookups = root_->lookups;
	EXPECT_EQ(run("GET /.git/config HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
	EXPECT_EQ(run("GET /%2egit/config HTTP/1.1\r\nHost: t\r\n\r\n"), error(404, true));
	EXPECT_EQ(root_->lookups, lookups);
}

TEST_F(SessionTest, ForbiddenByMode)
{
	EXPECT_EQ(run("GET /secret.txt HTTP/1.1\r\nHost: t\r\n\r\n"), error(403, true));
	EXPECT_EQ(send_files_, 0);
	params_.perm_forbid = 0111; // no executables: userspace may run them
	EXPECT_EQ(run("GET /run.sh HTTP/1.1\r\nHost: t\r\n\r\n"), unavailable(true));
	EXPECT_EQ(send_files_, 0);
	params_.perm_forbid = 0;
	params_.perm_required = 0;
	EXPECT_EQ(run("GET /secret.txt HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok("text/plain", "s3cr3t", true));
}

TEST_F(SessionTest, OpenErrors)
{
	EXPECT_EQ(run("GET /denied.txt HTTP/1.1\r\nHost: t\r\n\r\n"), error(403, true));
	EXPECT_EQ(run("GET /nomem.txt HTTP/1.1\r\nHost: t\r\n\r\n"), error(503, true));
}

TEST_F(SessionTest, DirectoryRedirect)
{
	EXPECT_EQ(run("GET /sub HTTP/1.1\r\nHost: t\r\n\r\n"), redirect("/sub/", true));
	EXPECT_EQ(run("GET /sub?a=1&b HTTP/1.1\r\nHost: t\r\n\r\n"),
		  redirect("/sub/?a=1&b", true));
	EXPECT_EQ(run("HEAD /sub HTTP/1.0\r\n\r\n"), redirect("/sub/", false));
	// Location is built from the normalised path, not the path as sent.
	EXPECT_EQ(run("GET /./s%75b HTTP/1.1\r\nHost: t\r\n\r\n"), redirect("/sub/", true));
}

// Many small pipelined requests through a small buffer, received in
// pieces that end mid-request: answered requests only advance an offset,
// and the rest moves to the front once the buffer's end is reached. Every
// request is answered, in order, and nothing is lost at a wrap.
TEST_F(SessionTest, PipelinedRequestsThroughASmallBuffer)
{
	std::string in, want;
	for (int i = 0; i < 60; i++) { // ~2.5 KiB of requests through 1 KiB
		std::string target = i % 3 ? "/hello.txt" : "/digits.txt";
		in += "HEAD " + target + " HTTP/1.1\r\nHost: t\r\nX-N: " + std::to_string(i) +
		      "\r\n\r\n";
		want += i % 3 ? ok_head("text/plain", 14, true) : ok_head("text/plain", 10, true);
	}
	for (kh_size chunk : {kh_size{0}, kh_size{1}, kh_size{97}, kh_size{700}, kh_size{1024}})
		EXPECT_EQ(run(in, chunk, 1024), want) << "chunk " << chunk;
}

// An open redirect: "//host/..." or "/\host/..." as a Location is read by
// browsers as another host. The path as sent is never echoed.
TEST_F(SessionTest, RedirectNeverNamesAnotherHost)
{
	ASSERT_TRUE(fake::root_add(root_.get(), "a\\b", nullptr, 4096, KH_S_IFDIR | 0755, kMtime));
	ASSERT_TRUE(fake::root_add(root_.get(), "sub/d e", nullptr, 4096, KH_S_IFDIR | 0755,
				   kMtime));
	const std::pair<const char *, const char *> cases[] = {
		{"//evil.example/%2e%2e/sub", "/sub/"},
		{"//evil.example/../sub", "/sub/"},
		{"/\\evil.example/%2e%2e/sub", "/sub/"},
		{"/%5Cevil.example/%2e%2e/sub", "/sub/"},
		{"///sub", "/sub/"},
		{"//sub", "/sub/"},
		{"/a%5Cb", "/a%5Cb/"},
		{"/a\\b", "/a%5Cb/"},
		{"/sub/d%20e?x=%2F%2F", "/sub/d%20e/?x=%2F%2F"},
		{"http://evil.example//sub", "/sub/"},
	};
	for (const auto &[target, location] : cases) {
		std::string out = run(std::string("GET ") + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
		EXPECT_EQ(out, redirect(location, true)) << target;
		EXPECT_EQ(out.find("Location: //"), std::string::npos) << target;
		EXPECT_EQ(out.find("Location: /\\"), std::string::npos) << target;
	}
}

TEST_F(SessionTest, IndexFile)
{
	EXPECT_EQ(run("GET / HTTP/1.1\r\nHost: t\r\n\r\n"), ok("text/html", kIndex, true));
	EXPECT_EQ(std::string(root_->last_path), "index.html");
	EXPECT_EQ(run("GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n"), ok("text/html", kSubIndex, true));
	EXPECT_EQ(std::string(root_->last_path), "sub/index.html");
	EXPECT_EQ(run("GET /sub/?x HTTP/1.1\r\nHost: t\r\n\r\n"), ok("text/html", kSubIndex, true));
	EXPECT_EQ(run("GET http://t/sub/ HTTP/1.1\r\nHost: t\r\n\r\n"),
		  ok("text/html", kSubIndex, true));
}

TEST_F(SessionTest, KeepAliveTwoRequests)
{
	std::string in = kGetHello + "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
	EXPECT_EQ(run(in), ok("text/plain", kHello, true) + ok("text/html", kIndex, true));
	// The same, arriving in separate receives.
	EXPECT_EQ(run(in, kGetHello.size()),
		  ok("text/plain", kHello, true) + ok("text/html", kIndex, true));
}

TEST_F(SessionTest, Http10ClosesByDefault)
{
	std::string in = "GET /hello.txt HTTP/1.0\r\n\r\n" + kGetHello;
	EXPECT_EQ(run(in), ok("text/plain", kHello, false));
	in = "GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + kGetHello;
	EXPECT_EQ(run(in), ok("text/plain", kHello, true) + ok("text/plain", kHello, true));
}

TEST_F(SessionTest, ConnectionClose)
{
	std::string in = "GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" +
			 kGetHello;
	EXPECT_EQ(run(in), ok("text/plain", kHello, false));
}

TEST_F(SessionTest, MaxRequests)
{
	params_.max_requests = 2;
	EXPECT_EQ(run(kGetHello + kGetHello + kGetHello),
		  ok("text/plain", kHello, true) + ok("text/plain", kHello, false));
}

// A retiring generation's connection: its answer says close, and the
// pipelined request behind it is not answered (the client sends it again
// on a new connection, to the new generation).
TEST_F(SessionTest, ClosingAnswersThenCloses)
{
	params_.closing = 1;
	EXPECT_EQ(run(kGetHello + kGetHello), ok("text/plain", kHello, false));
}

TEST_F(SessionTest, PipelinedInOrder)
{
	std::string in = kGetHello + "HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" +
			 "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n" +
			 "\r\nGET /sub HTTP/1.1\r\nHost: t\r\n\r\n" +
			 "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" + kGetHello;
	std::string want = ok("text/plain", kHello, true) +
			   ok_head("text/html", sizeof(kIndex) - 1, true) + error(404, true) +
			   redirect("/sub/", true) + ok("text/html", kIndex, false);
	EXPECT_EQ(run(in), want);
}

TEST_F(SessionTest, SplitAtEveryByte)
{
	std::string in = "\r\nGET /hello.txt HTTP/1.1\r\nHost: t\r\nUser-Agent: x\r\n\r\n"
			 "HEAD /sub HTTP/1.1\nHost: t\n\n"
			 "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	std::string want = run(in);
	ASSERT_EQ(want, ok("text/plain", kHello, true) + redirect("/sub/", true) +
				ok("text/html", kIndex, false));
	for (kh_size chunk = 1; chunk <= in.size(); chunk++)
		EXPECT_EQ(run(in, chunk), want) << "chunk " << chunk;
	// Split once at every position: [0, cut) then all the rest.
	for (size_t cut = 1; cut < in.size(); cut++)
		EXPECT_EQ(run(in, 0, 1024, cut), want) << "cut " << cut;
}

TEST_F(SessionTest, OversizeHead431)
{
	std::string in = "GET /hello.txt HTTP/1.1\r\nHost: t\r\nX-Big: " +
			 std::string(2000, 'a') + "\r\n\r\n";
	EXPECT_EQ(run(in, 0, 1024), error(431, false));
	EXPECT_EQ(run(in, 7, 1024), error(431, false));
}

TEST_F(SessionTest, OversizeRequestLine414)
{
	std::string in = "GET /" + std::string(2000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n";
	EXPECT_EQ(run(in, 0, 1024), error(414, false));
	EXPECT_EQ(run(in, 100, 1024), error(414, false));
}

TEST_F(SessionTest, HeadExactlyFillsBuffer)
{
	std::string start = "GET /hello.txt HTTP/1.1\r\nHost: t\r\nX: ";
	std::string in = start + std::string(256 - start.size() - 4, 'a') + "\r\n\r\n";
	ASSERT_EQ(in.size(), 256u);
	EXPECT_EQ(run(in, 0, 256), ok("text/plain", kHello, true));
	EXPECT_EQ(run(in, 1, 256), ok("text/plain", kHello, true));
	EXPECT_EQ(run(in + "G", 0, 257), ok("text/plain", kHello, true));
}

TEST_F(SessionTest, PostIs405WithAllow)
{
	EXPECT_EQ(run("POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"),
		  error(405, false));
	EXPECT_EQ(run("DELETE /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n" + kGetHello),
		  error(405, true) + ok("text/plain", kHello, true));
	EXPECT_EQ(run("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n"), error(405, true));
}

TEST_F(SessionTest, UnknownMethod501)
{
	EXPECT_EQ(run("BREW /pot HTTP/1.1\r\nHost: t\r\n\r\n"), error(501, true));
	EXPECT_EQ(run("get /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"), error(501, true));
}

TEST_F(SessionTest, BadRequests400)
{
	EXPECT_EQ(run("garbage\r\n\r\n" + kGetHello), error(400, false));
	EXPECT_EQ(run("GET /hello.txt HTTP/1.1\r\n\r\n"), error(400, false)); // no Host
	EXPECT_EQ(run("GET /../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n" + kGetHello),
		  error(400, false));
	EXPECT_EQ(run("GET /a%00 HTTP/1.1\r\nHost: t\r\n\r\n"), error(400, false));
	EXPECT_EQ(run("GET / HTTP/2.0\r\nHost: t\r\n\r\n"), error(505, false));
}

TEST_F(SessionTest, IncompleteHeadThenCloseSendsNothing)
{
	EXPECT_EQ(run("GET /hello.txt HTTP/1.1\r\nHost: t\r\n"), "");
	EXPECT_EQ(run(""), "");
	EXPECT_EQ(run("\r\n\r\n"), "");
}

TEST_F(SessionTest, SendFailureStops)
{
	send_err_ = -KH_EPIPE;
	EXPECT_EQ(run(kGetHello + kGetHello), "");
	EXPECT_EQ(conn_->send_calls, 1);
	EXPECT_EQ(conn_->send_file_calls, 0);
	EXPECT_EQ(last_step_, KHTTPD_STEP_CLOSE);
}

TEST_F(SessionTest, FakeRecordsOverflow)
{
	auto conn = std::make_unique<kh_conn>();
	fake::conn_init(conn.get(), "", 0, 0);
	std::string big(fake::kOutCap + 1, 'x');
	EXPECT_EQ(kh_conn_send(conn.get(), big.data(), big.size(), 0),
		  static_cast<long>(big.size()));
	EXPECT_TRUE(conn->overflow);
	EXPECT_EQ(conn->out_len, fake::kOutCap);
}

// --- ranges and conditional requests -------------------------------------------

TEST_F(SessionTest, ShortSendsAndFullSocketResume)
{
	std::string in = kGetHello + "GET /digits.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=2-5\r\n\r\n" +
			 "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n" + "GET /sub HTTP/1.1\r\nHost: t\r\n\r\n" +
			 "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
	std::string want = run(in);
	ASSERT_NE(want.find("<h1>home</h1>"), std::string::npos);
	for (kh_size cap : {1, 3, 7, 64}) {
		for (int every : {0, 2, 3, 5}) {
			send_cap_ = cap;
			eagain_every_ = every;
			EXPECT_EQ(run(in), want) << "cap " << cap << " eagain every " << every;
			if (every) {
				EXPECT_GT(conn_->steps_write, 0) << "cap " << cap << " every " << every;
			}
		}
	}
}

// --- small bodies copied behind the head (inline_body_max) ---------------------

// Every kind of answer with a body, keep-alive and pipelined, HEAD, ranges,
// 304, errors and a closing request.
const std::string kInlineMix =
	"GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
	"HEAD /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
	"GET /digits.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=2-5\r\n\r\n"
	"GET /digits.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=-3\r\n\r\n"
	"GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"3b9aca00-e\"\r\n\r\n"
	"GET /empty.css HTTP/1.1\r\nHost: t\r\n\r\n"
	"GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
	"GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n"
	"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";

TEST_F(SessionTest, InlineBodiesSendTheSameBytesInOneSend)
{
	std::string want = run(kInlineMix);
	ASSERT_NE(want.find("<h1>home</h1>"), std::string::npos);
	int zero_copy_sends = send_files_;
	ASSERT_GT(zero_copy_sends, 0);
	EXPECT_EQ(root_->reads, 0);

	params_.inline_body_max = 16384;
	EXPECT_EQ(run(kInlineMix), want);
	EXPECT_EQ(send_files_, 0); // every body went with its head
	EXPECT_EQ(root_->reads, zero_copy_sends);
	EXPECT_EQ(conn_->last_more, 0);
	// A head and its body leave in one send: one per answer.
	EXPECT_EQ(conn_->send_calls, 9);
	// The same through short sends, full sockets and a byte-wise client.
	for (kh_size cap : {1, 5, 64}) {
		for (int every : {0, 2, 3}) {
			send_cap_ = cap;
			eagain_every_ = every;
			EXPECT_EQ(run(kInlineMix), want) << "cap " << cap << " eagain every " << every;
		}
	}
	send_cap_ = 0;
	eagain_every_ = 0;
	for (kh_size chunk : {1, 7, 40})
		EXPECT_EQ(run(kInlineMix, chunk), want) << "chunk " << chunk;
}

TEST_F(SessionTest, InlineBodiesOnlyUpToTheLimitAndTheRoomLeft)
{
	params_.inline_body_max = 13; // hello.txt has 14 bytes, digits.txt 10
	std::string in = kGetHello + "GET /digits.txt HTTP/1.1\r\nHost: t\r\n\r\n";
	std::string want = ok("text/plain", kHello, true) + ok("text/plain", kDigits, true);
	EXPECT_EQ(run(in), want);
	EXPECT_EQ(send_files_, 1);
	EXPECT_EQ(root_->reads, 1);

	// A head buffer without room for the body behind the head: zero-copy.
	std::string head = ok_head("text/plain", 10, true);
	params_.inline_body_max = 16384;
	kh_size max_head = head.size() + 9; // one byte short
	std::string get = "GET /digits.txt HTTP/1.1\r\nHost: t\r\n\r\n";
	root_->reads = 0;
	EXPECT_EQ(run(get, 0, max_head), head + kDigits);
	EXPECT_EQ(send_files_, 1);
	EXPECT_EQ(root_->reads, 0);
	root_->reads = 0;
	EXPECT_EQ(run(get, 0, max_head + 1), head + kDigits); // just fits
	EXPECT_EQ(send_files_, 0);
	EXPECT_EQ(root_->reads, 1);
}

TEST_F(SessionTest, InlineBodyFallsBackWhenTheFileReadsShort)
{
	// The file has fewer bytes than its size said (it shrank): nothing is
	// copied, and the zero-copy path handles it as before.
	params_.inline_body_max = 16384;
	root_->short_read_by = 1;
	EXPECT_EQ(run(kGetHello), ok("text/plain", kHello, true));
	EXPECT_EQ(root_->reads, 1);
	EXPECT_EQ(send_files_, 1);
}

TEST_F(SessionTest, MoreIsSetUntilTheLastByte)
{
	send_cap_ = 4;
	run(kGetHello);
	EXPECT_EQ(conn_->last_more, 0); // the body's end is pushed out
	EXPECT_GT(conn_->send_file_calls, 1);
}

TEST_F(SessionTest, PipelinedRequestsYieldToOthers)
{
	std::string in;
	for (int i = 0; i < 40; i++)
		in += kGetHello;
	std::string want;
	for (int i = 0; i < 40; i++)
		want += ok("text/plain", kHello, true);
	EXPECT_EQ(run(in), want);
	// 16 answers per step at most: others get their turn in between.
	EXPECT_GE(conn_->steps_yield, 2);
}

TEST_F(SessionTest, WaitsForMoreInputWithoutClosing)
{
	// The socket has nothing more for now (not closed): the session waits.
	auto c = std::string("GET /hello.txt HTTP/1.1\r\nHost: t\r\n");
	conn_ = nullptr;
	std::string out;
	{
		auto conn = std::make_unique<kh_conn>();
		fake::conn_init(conn.get(), c.data(), c.size(), 0);
		conn->end_result = -KH_EAGAIN;
		kh_size size = khttpd_conn_buffers_size(1024);
		std::unique_ptr<char[]> block(new char[size]), spare(new char[size]);
		std::unique_ptr<char[]> scratch(new char[khttpd_worker_scratch_size(1024)]);
		EXPECT_EQ(fake::serve(conn.get(), root_.get(), &params_, 1024, block.get(),
				      spare.get(), scratch.get()),
			  KHTTPD_STEP_READ);
		EXPECT_EQ(conn->out_len, 0u);
	}
}

// One step per event, as the kernel's worker steps it: a keep-alive client
// sends its next request after the answer came. A receive that came back
// short emptied the socket, so the step answers and waits without asking
// the socket again (that would only say -KH_EAGAIN); the next request, which
// arrives later, raises the next step.
// A session over a fake socket holding @in, stepped by the test itself (as
// the kernel's worker does) rather than run to the end by fake::serve.
// When @in is used up, the socket reports @end_result (-KH_EAGAIN: open
// and empty; 0: the client closed).
class SteppedSession {
public:
	SteppedSession(const std::string &in, int end_result)
		: block_(new char[khttpd_conn_buffers_size(kMaxHead)]),
		  scratch_(new char[khttpd_worker_scratch_size(kMaxHead)]),
		  mem_(new char[khttpd_session_size()])
	{
		fake::conn_init(conn.get(), in.data(), in.size(), 0);
		conn->end_result = end_result;
		khttpd_conn_buffers_init(&bufs_, block_.get(), kMaxHead);
		ws_ = khttpd_worker_scratch_init(scratch_.get(), kMaxHead);
		khttpd_session_init(session(), conn.get());
	}
	~SteppedSession() { khttpd_session_destroy(session()); }
	SteppedSession(const SteppedSession &) = delete;
	SteppedSession &operator=(const SteppedSession &) = delete;

	khttpd_session *session() { return reinterpret_cast<khttpd_session *>(mem_.get()); }
	khttpd_step step(kh_root *root, const khttpd_session_params &params)
	{
		return khttpd_session_step(session(), root, &params, &bufs_, ws_);
	}

	std::unique_ptr<kh_conn> conn = std::make_unique<kh_conn>(); // large: not on the stack

private:
	static constexpr kh_size kMaxHead = 1024;
	std::unique_ptr<char[]> block_, scratch_, mem_;
	khttpd_conn_buffers bufs_{};
	khttpd_worker_scratch *ws_ = nullptr;
};

TEST_F(SessionTest, ShortReceiveEndsTheStepWithoutAnotherReceive)
{
	SteppedSession ss(kGetHello, -KH_EAGAIN);
	kh_conn *conn = ss.conn.get();
	khttpd_session *s = ss.session();
	std::string want = ok("text/plain", kHello, true);
	for (int i = 1; i <= 3; i++) {
		conn->in_pos = 0; // the client's next request is there
		conn->recv_calls = 0;
		EXPECT_EQ(ss.step(root_.get(), params_), KHTTPD_STEP_READ);
		EXPECT_EQ(conn->recv_calls, 1) << "request " << i;
		EXPECT_EQ(std::string(conn->out, conn->out_len), [&] {
			std::string all;
			for (int k = 0; k < i; k++)
				all += want;
			return all;
		}());
		EXPECT_TRUE(khttpd_session_idle(s));
	}
	// A step with nothing there asks once and waits.
	conn->recv_calls = 0;
	EXPECT_EQ(ss.step(root_.get(), params_), KHTTPD_STEP_READ);
	EXPECT_EQ(conn->recv_calls, 1);
}

// Steps a session over @in (then the socket stays open and empty) until it
// closes; returns what khttpd_session_peer_done() says then.
static bool peer_done_after(kh_root *root, const khttpd_session_params &params,
			    const std::string &in, int end_result = -KH_EAGAIN)
{
	SteppedSession ss(in, end_result);
	khttpd_step step = KHTTPD_STEP_YIELD;
	for (int i = 0; i < 10 && step != KHTTPD_STEP_CLOSE; i++) // READ: an event
		step = ss.step(root, params);
	EXPECT_EQ(step, KHTTPD_STEP_CLOSE) << in;
	return khttpd_session_peer_done(ss.session());
}

TEST_F(SessionTest, PeerDoneOnlyWhenTheClientAnnouncedTheCloseAndSentNothingMore)
{
	kh_root *r = root_.get();
	// The client's last request, and nothing behind it: close at once.
	EXPECT_TRUE(peer_done_after(r, params_,
				    "GET /hello.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
	EXPECT_TRUE(peer_done_after(r, params_, "GET /hello.txt HTTP/1.0\r\n\r\n"));
	EXPECT_TRUE(peer_done_after(r, params_, "GET /missing HTTP/1.0\r\n\r\n"));
	// The client closed its side.
	EXPECT_TRUE(peer_done_after(r, params_, kGetHello, 0));
	// Bytes behind the last request: they would be unread at the close.
	EXPECT_FALSE(peer_done_after(r, params_, "GET /hello.txt HTTP/1.0\r\n\r\n" + kGetHello));
	// A body the server did not read.
	EXPECT_FALSE(peer_done_after(
		r, params_,
		"POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"));
	// The server decided to close; the client may still be sending.
	EXPECT_FALSE(peer_done_after(r, params_, "GET / HTTP/1.1\r\n\r\n")); // 400: no Host
	EXPECT_FALSE(peer_done_after(r, params_, "BAD\r\n\r\n"));
	params_.max_requests = 1;
	EXPECT_FALSE(peer_done_after(r, params_, kGetHello));
}

// --- hand-over to userspace --------------------------------------------------
