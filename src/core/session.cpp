// SPDX-License-Identifier: GPL-2.0
// One client connection as a resumable state machine: receive request heads,
// have each one decided (static_file.cpp, policy.cpp), apply the verdict in
// order (send a file, an answer of the kernel's own, or hand the connection
// to userspace), send without blocking, keep the connection alive.
#include "khttpd/core.h"

#include "http_request.h"
#include "open_file.h"
#include "request.h"
#include "request_record.h"
#include "response_writer.h"
#include "special_response.h"
#include "static_file.h"
#include "virtual_host.h"

// Placement new, without <new>: the core has no C++ library.
inline void *operator new(kh_size, void *where) noexcept
{
	return where;
}

namespace khttpd {
namespace {

// Fairness between the connections of a worker: a step answers at most
// this many pipelined requests and sends at most this many file bytes,
// then yields to the others.
constexpr kh_u32 kRequestsPerStep = 16;
constexpr kh_u64 kFileBytesPerStep = 1024 * 1024;

constexpr bool is_known_method(StrView m)
{
	constexpr StrView known[] = {"POST", "PUT", "DELETE", "OPTIONS",
				     "PATCH", "CONNECT", "TRACE"};
	for (StrView k : known)
		if (m == k)
			return true;
	return false;
}

// The client said this is its last request on the connection: HTTP/1.1
// with "Connection: close", HTTP/1.0 without "Connection: keep-alive".
bool last_request(const RequestHead &head)
{
	return head.conn_close || (head.version_minor == 0 && !head.conn_keep_alive);
}

// What becomes of the connection after an answer.
enum class Next : kh_u8 {
	KeepAlive, // read the next request once the answer is sent
	Close,     // close once the answer is sent
	HandOver,  // userspace has it now
};

// What one step works with: the server's settings and the memory the
// kernel layer lends the connection for this step.
struct StepContext {
	kh_root *root;
	const khttpd_session_params &params;
	const khttpd_conn_buffers &io; // recv and head buffers
	Scratch &scratch;
};

class Session {
public:
	explicit Session(kh_conn *conn) : conn_(conn) {}
	// An answer still being sent is logged as cut short.
	~Session() { record_.done(conn_, sent_, true); }
	Session(const Session &) = delete;
	Session &operator=(const Session &) = delete;

	khttpd_step step(const StepContext &ctx);
	bool idle() const { return have_ == 0 && !sending(); }
	kh_u32 served() const { return served_; }
	kh_u64 bytes_sent() const { return sent_; }
	bool peer_done() const { return peer_done_; }

private:
	enum class Flush : kh_u8 { Done, Wait, Yield, Error };
	enum class Read : kh_u8 { Head, Wait, Closed };

	bool sending() const { return out_pos_ < out_len_ || body_left_ > 0; }
	// Sends what is queued, at most @budget file bytes.
	Flush flush(const StepContext &ctx, kh_u64 &budget);
	void drop_output();
	// Receives until a complete head (or a head error) is in @result.
	Read read_head(const StepContext &ctx, ParseResult &result, RequestHead &head);
	// The first @len unanswered bytes are answered.
	void drop_request(kh_size len);

	// Not inlined into step(): their locals (request, verdict, response
	// writer) would add to one frame, which KASAN's redzones push past the
	// kernel's 1024-byte frame limit.
	__attribute__((noinline)) Next answer(const StepContext &ctx, const ParseResult &result,
					      const RequestHead &head);
	// Applies @v: the one place where a request's verdict takes effect.
	__attribute__((noinline)) Next apply(const StepContext &ctx, Request &r, Verdict &v,
					     bool keep);
	// Hands the connection over, or answers @v's failure if it cannot.
	Next hand_over(const StepContext &ctx, Request &r, Verdict &v);
	// The 200/206 in @w (empty), in @style.
	Next send_file(const StepContext &ctx, Request &r, Verdict &v, ResponseWriter &w,
		       const ReplyStyle &style);
	// Copies @length bytes of @file from @offset behind the head in @w.
	bool inline_body(const StepContext &ctx, ResponseWriter &w, kh_file *file,
			 kh_u64 offset, kh_u64 length);
	// Queues the answer to @r: @status, its head in @w (built in the head
	// buffer; the first @head_bytes of it, the rest an inline body) and
	// @len bytes of @body from @offset.
	Next queue(const Request &r, kh_u16 status, const ResponseWriter &w, kh_size head_bytes,
		   OpenFile body, kh_u64 offset, kh_u64 len, bool keep);
	// Queues the answer to @r: @status, all of it in @w (an error page
	// behind its head).
	Next queue(const Request &r, kh_u16 status, const ResponseWriter &w, bool keep)
	{
		StrView all = w.view();
		kh_size end = all.find(StrView("\r\n\r\n"));
		return queue(r, status, w, end == StrView::npos ? all.size() : end + 4, OpenFile(),
			     0, 0, keep);
	}
	// The answer left (or failed): it is counted and logged.
	void answer_sent(bool aborted);

	kh_conn *conn_;
	// The recv buffer holds have_ unanswered bytes from start_ on. An
	// answered request advances start_; the bytes move to the front only
	// when the buffer's end is reached, so a buffer full of pipelined
	// requests costs linear time, not quadratic.
	kh_size start_ = 0;
	kh_size have_ = 0;
	kh_size scanned_ = 0; // of them, known not to end a head
	kh_u32 served_ = 0;   // requests answered on this connection
	kh_u64 sent_ = 0;     // bytes sent on this connection
	// The request whose answer is being sent, for the access log.
	RequestRecord record_;
	// The answer being sent: head bytes in the head buffer, then a file's.
	kh_size out_pos_ = 0;
	kh_size out_len_ = 0;
	OpenFile body_;
	kh_u64 body_offset_ = 0;
	kh_u64 body_left_ = 0;
	bool close_after_ = false; // close once the answer is sent
	// The client sends nothing more: its last request said so and nothing
	// came behind it, or it closed. See khttpd_session_peer_done().
	bool peer_done_ = false;
	// In this step a receive returned less than it asked for: the socket
	// had nothing more then, and whatever arrives since raises an event
	// (khttpd_session_step's contract), so asking again now would only
	// return -KH_EAGAIN. Saves a receive per keep-alive request.
	bool drained_ = false;
};

khttpd_step Session::step(const StepContext &ctx)
{
	drained_ = false; // a step follows an event: the socket may have data
	kh_u64 budget = kFileBytesPerStep;
	for (kh_u32 answered = 0;; answered++) {
		switch (flush(ctx, budget)) {
		case Flush::Wait:
			return KHTTPD_STEP_WRITE;
		case Flush::Yield:
			return KHTTPD_STEP_YIELD;
		case Flush::Error:
			answer_sent(true);
			return KHTTPD_STEP_CLOSE;
		case Flush::Done:
			answer_sent(false);
			break;
		}
		if (close_after_)
			return KHTTPD_STEP_CLOSE;
		if (answered == kRequestsPerStep)
			return KHTTPD_STEP_YIELD;

		ParseResult result;
		RequestHead head;
		switch (read_head(ctx, result, head)) {
		case Read::Wait:
			return KHTTPD_STEP_READ;
		case Read::Closed:
			peer_done_ = true;
			return KHTTPD_STEP_CLOSE;
		case Read::Head:
			break;
		}
		switch (answer(ctx, result, head)) {
		case Next::HandOver:
			return KHTTPD_STEP_HANDOVER;
		case Next::KeepAlive:
			// The answer is built: the request's bytes can go, the
			// pipelined ones behind it stay. (They stay where they
			// are until the answer left, for the access log:
			// nothing is received before, and the buffers are not
			// taken away while the session is not idle.)
			drop_request(result.head_len);
			break;
		case Next::Close:
			close_after_ = true;
			peer_done_ = result.status != ParseStatus::Error && last_request(head) &&
				     !head.has_body && have_ == result.head_len;
			break;
		}
	}
}

Session::Flush Session::flush(const StepContext &ctx, kh_u64 &budget)
{
	while (out_pos_ < out_len_) {
		long n = kh_conn_send(conn_, ctx.io.head + out_pos_, out_len_ - out_pos_,
				      body_left_ > 0);
		if (n == -KH_EAGAIN)
			return Flush::Wait;
		if (n <= 0)
			return Flush::Error;
		out_pos_ += static_cast<kh_size>(n);
		sent_ += static_cast<kh_u64>(n);
	}
	while (body_left_) {
		if (!budget)
			return Flush::Yield;
		kh_u64 chunk = body_left_ < budget ? body_left_ : budget;
		long n = kh_conn_send_file(conn_, body_.get(), body_offset_, chunk,
					   body_left_ > chunk);
		if (n == -KH_EAGAIN)
			return Flush::Wait;
		if (n <= 0 || static_cast<kh_u64>(n) > chunk)
			return Flush::Error;
		body_offset_ += static_cast<kh_u64>(n);
		body_left_ -= static_cast<kh_u64>(n);
		budget -= static_cast<kh_u64>(n);
		sent_ += static_cast<kh_u64>(n);
	}
	drop_output();
	return Flush::Done;
}

void Session::answer_sent(bool aborted)
{
	if (!record_.pending())
		return;
	record_.done(conn_, sent_, aborted);
	if (have_) // a pipelined request: it starts now
		record_.started(kh_clock_us());
}

void Session::drop_output()
{
	body_.reset(nullptr);
	body_left_ = 0;
	out_pos_ = out_len_ = 0;
}

void Session::drop_request(kh_size len)
{
	start_ += len;
	have_ -= len;
	if (!have_)
		start_ = 0;
	scanned_ = 0;
}

Session::Read Session::read_head(const StepContext &ctx, ParseResult &result, RequestHead &head)
{
	char *recv = ctx.io.recv;
	for (;;) {
		StrView buf(recv + start_, have_);
		if (have_ > scanned_ && may_hold_head_end(buf, scanned_)) {
			result = parse_request_head(buf, head);
			if (result.status != ParseStatus::Incomplete)
				return Read::Head;
			if (result.head_len) // leading empty lines
				drop_request(result.head_len);
		}
		scanned_ = have_;
		if (have_ == ctx.io.recv_size) {
			// Full and still no head: 414 if the request line alone
			// did not fit, else 431.
			bool line_done = StrView(recv + start_, have_).find('\n') != StrView::npos;
			result = ParseResult{ParseStatus::Error, 0,
					     static_cast<kh_u16>(line_done ? 431 : 414)};
			return Read::Head;
		}
		// A receive that came back short emptied the socket; what arrives
		// later raises an event and another step (see drained_).
		if (drained_)
			return Read::Wait;
		if (start_ + have_ == ctx.io.recv_size) {
			// The end is reached: the unanswered bytes move to the front.
			for (kh_size i = 0; i < have_; i++)
				recv[i] = recv[start_ + i];
			start_ = 0;
		}
		kh_size room = ctx.io.recv_size - start_ - have_;
		long n = kh_conn_recv(conn_, recv + start_ + have_, room);
		if (n == -KH_EAGAIN)
			return Read::Wait;
		if (n <= 0)
			return Read::Closed; // closed, failed or stopping: close quietly
		if (!have_)
			record_.started(kh_clock_us());
		have_ += static_cast<kh_size>(n);
		drained_ = static_cast<kh_size>(n) < room;
	}
}

// Decides on one request and applies the verdict. The checks that need no
// file come first: a malformed head, another method, a request body.
Next Session::answer(const StepContext &ctx, const ParseResult &result, const RequestHead &head)
{
	Request r{conn_, head, ctx.root, ctx.params, ctx.scratch, head.method == Method::Head};
	r.raw = StrView(ctx.io.recv + start_,
			result.status == ParseStatus::Error ? have_ : result.head_len);
	Verdict v;
	if (result.status == ParseStatus::Error) {
		kh_u16 st = result.error_status;
		v.decided(r.decide(st == 414 || st == 431 ? Cause::HeadTooLarge : Cause::BadRequest,
				   st));
		r.head_only = false;
		return apply(ctx, r, v, false); // not counted as served
	}
	bool keep = !last_request(head);
	if (ctx.params.max_requests && served_ + 1 >= ctx.params.max_requests)
		keep = false;
	if (ctx.params.closing)
		keep = false;
	// A body is never read here: the connection closes after the answer
	// rather than parse the body as a request.
	if (head.has_body)
		keep = false;

	if (head.method == Method::Other) {
		r.head_only = false;
		v.decided(r.decide(is_known_method(head.method_name) ? Cause::KnownMethod
								      : Cause::UnknownMethod));
	} else if (Decision d = head.has_body ? r.decide(Cause::Body) : Decision{};
		   d.action != Action::Proceed) {
		v.decided(d);
	} else {
		find_static_file(r, v);
	}
	Next n = apply(ctx, r, v, keep);
	if (n != Next::HandOver)
		served_++;
	return n;
}

Next Session::apply(const StepContext &ctx, Request &r, Verdict &v, bool keep)
{
	if (v.kind == Verdict::Kind::Decided && v.decision.action == Action::HandOver)
		return hand_over(ctx, r, v);
	ResponseWriter w(ctx.io.head, ctx.io.head_size);
	ReplyStyle style{ctx.scratch.date.now(), keep, r.head_only, r.vary};
	kh_u32 retry_after = 0;
	switch (v.kind) {
	case Verdict::Kind::Serve:
		return send_file(ctx, r, v, w, style);
	case Verdict::Kind::Decided:
		style.keep_alive = keep && !v.decision.close;
		v.status = v.decision.status;
		retry_after = v.decision.retry_after ? kRetryAfterSeconds : 0;
		break;
	case Verdict::Kind::Redirect:
		if (write_redirect(w, v.path, style))
			return queue(r, 301, w, keep);
		// A Location that does not fit: the request line was too long.
		w = ResponseWriter(ctx.io.head, ctx.io.head_size);
		style.keep_alive = false;
		v.status = 414;
		break;
	case Verdict::Kind::NotModified:
		if (!write_not_modified(w, v.validators, style))
			return Next::Close;
		return queue(r, 304, w, keep);
	case Verdict::Kind::Status:
		break;
	}
	if (!write_error(w, v.status, style, v.has_complete_length ? &v.info.size : nullptr,
			 retry_after))
		return Next::Close;
	return queue(r, v.status, w, style.keep_alive);
}

Next Session::hand_over(const StepContext &ctx, Request &r, Verdict &v)
{
	kh_request_log log;
	record_.handed_over(log, r.raw, &r.head, v.decision.reason);
	if (!kh_conn_hand_over(conn_, ctx.io.recv + start_, have_, v.decision.reason, served_,
			       &log))
		return Next::HandOver;
	// The daemon went away since the decision, or is too far behind.
	v.decided(kHandOverFailed);
	return apply(ctx, r, v, false);
}

Next Session::send_file(const StepContext &ctx, Request &r, Verdict &v, ResponseWriter &w,
			   const ReplyStyle &style)
{
	bool keep = style.keep_alive;
	bool partial = v.range.kind == RangeKind::Single;
	kh_u64 offset = partial ? v.range.first : 0;
	kh_u64 length = partial ? v.range.length() : v.info.size;
	if (!write_file_head(w, v, length, style)) {
		v.answer(500);
		return apply(ctx, r, v, false);
	}
	bool body = !r.head_only && length > 0;
	kh_u16 status = partial ? 206 : 200;
	kh_size head_bytes = w.view().size();
	if (body && length <= ctx.params.inline_body_max &&
	    inline_body(ctx, w, v.file.get(), offset, length)) // head and body in one send
		return queue(r, status, w, head_bytes, OpenFile(), 0, 0, keep);
	if (!body)
		v.file.reset(nullptr);
	return queue(r, status, w, head_bytes, static_cast<OpenFile &&>(v.file), offset,
		     body ? length : 0, keep);
}

// A small body costs less copied behind the head, and sent with it in one
// send, than sent from the page cache in a second one (page references,
// the splice pipe, another pass through TCP). False (nothing changed) when
// it does not fit or the file has fewer bytes than its size said; the
// zero-copy path then deals with it.
bool Session::inline_body(const StepContext &ctx, ResponseWriter &w, kh_file *file,
			  kh_u64 offset, kh_u64 length)
{
	if (length > w.room())
		return false;
	kh_size len = static_cast<kh_size>(length);
	long n = kh_file_read(file, offset, ctx.io.head + w.view().size(), len);
	if (n < 0 || static_cast<kh_u64>(n) != length)
		return false;
	w.skip(len);
	return w.ok();
}

Next Session::queue(const Request &r, kh_u16 status, const ResponseWriter &w, kh_size head_bytes,
		   OpenFile body, kh_u64 offset, kh_u64 len, bool keep)
{
	record_.answering(r.raw, &r.head, status, sent_, head_bytes);
	out_pos_ = 0;
	out_len_ = w.view().size();
	body_ = static_cast<OpenFile &&>(body);
	body_offset_ = offset;
	body_left_ = len;
	return keep ? Next::KeepAlive : Next::Close;
}

Session *session_of(khttpd_session *s)
{
	return reinterpret_cast<Session *>(s);
}

const Session *session_of(const khttpd_session *s)
{
	return reinterpret_cast<const Session *>(s);
}

// The scratch block: the scratch, then its path buffer.
constexpr kh_size kNameMax = 255; // longest index name (sysctl indexfile)

constexpr kh_size scratch_path_size(kh_size max_head)
{
	// [ host + '/' ] rel + '/' + index + a variant's suffix + NUL
	return kHostMax + 1 + max_head + kNameMax + 2 + kCodingSuffixMax;
}

constexpr kh_size kScratchHead = (sizeof(Scratch) + 7) / 8 * 8;
static_assert(alignof(Scratch) <= 8, "the block is aligned to 8");

} // namespace
} // namespace khttpd

extern "C" kh_size khttpd_conn_buffers_size(kh_size max_head)
{
	// recv: the head limit; head: the same, which holds any answer whose
	// echoed part (a redirect's Location) came from a request that fit.
	return 2 * max_head;
}

extern "C" void khttpd_conn_buffers_init(khttpd_conn_buffers *b, char *block, kh_size max_head)
{
	b->recv = block;
	b->recv_size = max_head;
	b->head = block + max_head;
	b->head_size = max_head;
}

extern "C" kh_size khttpd_worker_scratch_size(kh_size max_head)
{
	return khttpd::kScratchHead + khttpd::scratch_path_size(max_head);
}

extern "C" khttpd_worker_scratch *khttpd_worker_scratch_init(void *block, kh_size max_head)
{
	auto *s = new (block) khttpd_worker_scratch();
	s->path = static_cast<char *>(block) + khttpd::kScratchHead;
	s->path_size = khttpd::scratch_path_size(max_head);
	return s;
}

extern "C" kh_size khttpd_session_size(void)
{
	return sizeof(khttpd::Session);
}

extern "C" kh_size khttpd_session_align(void)
{
	return alignof(khttpd::Session);
}

extern "C" void khttpd_session_init(khttpd_session *s, kh_conn *conn)
{
	new (s) khttpd::Session(conn);
}

extern "C" void khttpd_session_destroy(khttpd_session *s)
{
	khttpd::session_of(s)->~Session();
}

extern "C" khttpd_step khttpd_session_step(khttpd_session *s, kh_root *root,
					   const khttpd_session_params *params,
					   const khttpd_conn_buffers *io,
					   khttpd_worker_scratch *scratch)
{
	khttpd::StepContext ctx{root, *params, *io, *scratch};
	return khttpd::session_of(s)->step(ctx);
}

extern "C" kh_u32 khttpd_session_served(const khttpd_session *s)
{
	return khttpd::session_of(s)->served();
}

extern "C" kh_u64 khttpd_session_bytes_sent(const khttpd_session *s)
{
	return khttpd::session_of(s)->bytes_sent();
}

extern "C" bool khttpd_session_peer_done(const khttpd_session *s)
{
	return khttpd::session_of(s)->peer_done();
}

extern "C" bool khttpd_session_idle(const khttpd_session *s)
{
	return khttpd::session_of(s)->idle();
}
