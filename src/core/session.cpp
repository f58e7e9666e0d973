// SPDX-License-Identifier: GPL-2.0
// One client connection as a resumable state machine: receive request heads,
// answer them in order, send without blocking, keep the connection alive, or
// hand it to userspace at a request the kernel does not serve.
#include "khttpd/core.h"
#include "khttpd/handover_reason.h"

#include "byte_range.h"
#include "content_coding.h"
#include "dynamic_list.h"
#include "etag.h"
#include "http_date.h"
#include "http_request.h"
#include "preconditions.h"
#include "request_path.h"
#include "response_writer.h"

// Placement new, without <new>: the core has no C++ library.
inline void *operator new(kh_size, void *where) noexcept
{
	return where;
}

namespace khttpd {
namespace {

constexpr StrView kServerName = "khttpd";
constexpr kh_size kNameMax = 255; // longest index name accepted
// Fairness between the connections of a worker: a step answers at most
// this many pipelined requests and sends at most this many file bytes,
// then yields to the others.
constexpr kh_u32 kRequestsPerStep = 16;
constexpr kh_u64 kFileBytesPerStep = 1024 * 1024;

// Owns an open file: closed when it goes out of scope, unless released.
class OpenFile {
public:
	OpenFile() = default;
	OpenFile(const OpenFile &) = delete;
	OpenFile &operator=(const OpenFile &) = delete;
	~OpenFile() { reset(nullptr); }
	kh_file **out() { return &file_; }
	// Closes the file held, if any, and takes @f instead.
	void reset(kh_file *f)
	{
		if (file_)
			kh_file_close(file_);
		file_ = f;
	}
	kh_file *get() const { return file_; }
	kh_file *release()
	{
		kh_file *f = file_;
		file_ = nullptr;
		return f;
	}

private:
	kh_file *file_ = nullptr;
};

} // namespace
} // namespace khttpd

// The Date header changes once a second: format it once a second, for all
// the connections of a worker (it lives in their shared scratch block).
struct khttpd_date_cache {
public:
	khttpd::StrView now()
	{
		kh_s64 t = kh_now_seconds();
		if (t != second_) {
			khttpd::format_http_date(t, text_);
			second_ = t;
		}
		return khttpd::StrView(text_, khttpd::kHttpDateLen);
	}

private:
	kh_s64 second_ = -1;
	char text_[khttpd::kHttpDateLen] = {};
};

namespace khttpd {
namespace {

constexpr StrView kUnknownType = "application/octet-stream";

// The Content-Type for a file name from the MIME table in use, or empty when
// its extension has no type.
StrView content_type(StrView name, char (&buf)[KH_MIME_TYPE_MAX])
{
	return StrView(buf, kh_mime_type(name.data(), name.size(), buf, sizeof(buf)));
}

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
	Unhandled, // hand_over() only: no daemon, answer as a static server
};

class Session {
public:
	explicit Session(kh_conn *conn) : conn_(conn) {}
	~Session() { drop_output(); }
	Session(const Session &) = delete;
	Session &operator=(const Session &) = delete;

	khttpd_step step(kh_root *root, const khttpd_session_params &params,
			 const khttpd_session_buffers &bufs);
	bool idle() const { return have_ == 0 && !sending(); }
	kh_u32 served() const { return served_; }
	kh_u64 bytes_sent() const { return sent_; }
	bool peer_done() const { return peer_done_; }

private:
	enum class Flush : kh_u8 { Done, Wait, Yield, Error };
	enum class Read : kh_u8 { Head, Wait, Closed };

	bool sending() const { return out_pos_ < out_len_ || body_left_ > 0; }
	// Sends what is queued, at most @budget file bytes.
	Flush flush(kh_u64 &budget);
	void drop_output();
	// Receives until a complete head (or a head error) is in @result.
	Read read_head(ParseResult &result, RequestHead &head);
	void drop_request(kh_size len);

	// Not inlined into step(): their locals (request head, path, file
	// info, ETag, range, response writer) would add to one frame, which
	// KASAN's redzones push past the kernel's 1024-byte frame limit.
	__attribute__((noinline)) Next answer(const ParseResult &result,
					      const RequestHead &head);
	__attribute__((noinline)) Next serve(const RequestHead &head, bool keep_alive);
	Next hand_over(kh_u32 reason, bool head_only);
	// Appends @length bytes of @file from @offset to the head in @w.
	bool inline_body(ResponseWriter &w, kh_file *file, kh_u64 offset, kh_u64 length);
	// Queues the head in @w (built in the head buffer) and @len bytes of
	// @body from @offset.
	Next queue(const ResponseWriter &w, kh_file *body, kh_u64 offset, kh_u64 len,
		   bool keep_alive);
	// @complete_length: for a 416, the size sent in "Content-Range: bytes */N".
	Next send_error(kh_u16 status, bool head_only, bool keep_alive,
			const kh_u64 *complete_length = nullptr);
	Next send_not_modified(const Validators &v, bool keep_alive);
	Next send_redirect(const RequestPath &path, bool head_only, bool keep_alive);
	bool compose_path(const RequestPath &path);
	// Noinline for the same reason as serve(): its file info stays out of
	// serve()'s frame.
	Coding choose_representation(const RequestHead &head, StrView name,
				     OpenFile &file, kh_file_info &info);
	__attribute__((noinline)) bool open_variant(Coding c, OpenFile &file,
						    kh_file_info &info);
	void common_headers(ResponseWriter &w, kh_u16 status, bool keep_alive);

	kh_conn *conn_;
	// What the current step works with; set at its start.
	kh_root *root_ = nullptr;
	const khttpd_session_params *params_ = nullptr;
	const khttpd_session_buffers *bufs_ = nullptr;

	kh_size have_ = 0;    // bytes buffered in bufs_->recv
	kh_size scanned_ = 0; // of them, known not to end a head
	kh_u32 served_ = 0;   // requests answered on this connection
	kh_u64 sent_ = 0;     // bytes sent on this connection
	// The answer being sent: head bytes in bufs_->head, then a file's.
	kh_size out_pos_ = 0;
	kh_size out_len_ = 0;
	kh_file *body_ = nullptr;
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
	// This response depends on Accept-Encoding: send "Vary: Accept-Encoding".
	bool vary_ = false;
};

khttpd_step Session::step(kh_root *root, const khttpd_session_params &params,
			  const khttpd_session_buffers &bufs)
{
	root_ = root;
	params_ = &params;
	bufs_ = &bufs;
	drained_ = false; // a step follows an event: the socket may have data
	kh_u64 budget = kFileBytesPerStep;
	for (kh_u32 answered = 0;; answered++) {
		switch (flush(budget)) {
		case Flush::Wait:
			return KHTTPD_STEP_WRITE;
		case Flush::Yield:
			return KHTTPD_STEP_YIELD;
		case Flush::Error:
			return KHTTPD_STEP_CLOSE;
		case Flush::Done:
			break;
		}
		if (close_after_)
			return KHTTPD_STEP_CLOSE;
		if (answered == kRequestsPerStep)
			return KHTTPD_STEP_YIELD;

		ParseResult result;
		RequestHead head;
		switch (read_head(result, head)) {
		case Read::Wait:
			return KHTTPD_STEP_READ;
		case Read::Closed:
			peer_done_ = true;
			return KHTTPD_STEP_CLOSE;
		case Read::Head:
			break;
		}
		switch (answer(result, head)) {
		case Next::HandOver:
			return KHTTPD_STEP_HANDOVER;
		case Next::KeepAlive:
			// The answer is built: the request's bytes can go, the
			// pipelined ones behind it stay.
			drop_request(result.head_len);
			break;
		case Next::Close:
		case Next::Unhandled:
			close_after_ = true;
			peer_done_ = result.status != ParseStatus::Error && last_request(head) &&
				     !head.has_body && have_ == result.head_len;
			break;
		}
	}
}

Session::Flush Session::flush(kh_u64 &budget)
{
	while (out_pos_ < out_len_) {
		long n = kh_conn_send(conn_, bufs_->head + out_pos_, out_len_ - out_pos_,
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
		long n = kh_conn_send_file(conn_, body_, body_offset_, chunk, body_left_ > chunk);
		if (n == -KH_EAGAIN)
			return Flush::Wait;
		if (n <= 0 || static_cast<kh_u64>(n) > chunk)
			return Flush::Error;
		body_offset_ += static_cast<kh_u64>(n);
		body_left_ -= static_cast<kh_u64>(n);
		sent_ += static_cast<kh_u64>(n);
		budget -= static_cast<kh_u64>(n);
	}
	drop_output();
	return Flush::Done;
}

void Session::drop_output()
{
	if (body_)
		kh_file_close(body_);
	body_ = nullptr;
	body_left_ = 0;
	out_pos_ = out_len_ = 0;
}

void Session::drop_request(kh_size len)
{
	kh_size rest = have_ - len;
	for (kh_size i = 0; i < rest; i++)
		bufs_->recv[i] = bufs_->recv[len + i];
	have_ = rest;
	scanned_ = 0;
}

Session::Read Session::read_head(ParseResult &result, RequestHead &head)
{
	for (;;) {
		StrView buf(bufs_->recv, have_);
		if (have_ > scanned_ && may_hold_head_end(buf, scanned_)) {
			result = parse_request_head(buf, head);
			if (result.status != ParseStatus::Incomplete)
				return Read::Head;
			if (result.head_len) { // drop leading empty lines
				kh_size skip = result.head_len;
				for (kh_size i = skip; i < have_; i++)
					bufs_->recv[i - skip] = bufs_->recv[i];
				have_ -= skip;
			}
		}
		scanned_ = have_;
		if (have_ == bufs_->recv_size) {
			// Full and still no head: 414 if the request line alone
			// did not fit, else 431.
			bool line_done = StrView(bufs_->recv, have_).find('\n') != StrView::npos;
			result = ParseResult{ParseStatus::Error, 0,
					     static_cast<kh_u16>(line_done ? 431 : 414)};
			return Read::Head;
		}
		// A receive that came back short emptied the socket; what arrives
		// later raises an event and another step (see drained_).
		if (drained_)
			return Read::Wait;
		kh_size room = bufs_->recv_size - have_;
		long n = kh_conn_recv(conn_, bufs_->recv + have_, room);
		if (n == -KH_EAGAIN)
			return Read::Wait;
		if (n <= 0)
			return Read::Closed; // closed, failed or stopping: close quietly
		have_ += static_cast<kh_size>(n);
		drained_ = static_cast<kh_size>(n) < room;
	}
}

Next Session::hand_over(kh_u32 reason, bool head_only)
{
	int err = kh_conn_hand_over(conn_, bufs_->recv, have_, reason, served_);
	if (!err)
		return Next::HandOver;
	if (err == -KH_ENOENT && !params_->nodaemon_503)
		return Next::Unhandled;
	// The daemon is behind (or required and missing): try again later.
	// Close, since a request body may follow that nobody reads.
	return send_error(503, head_only, false);
}

// Answers one request, or hands it over. Requests the kernel does not
// serve go to userspace when a daemon is registered; without one they get
// the answer a plain static server would give.
Next Session::answer(const ParseResult &result, const RequestHead &head)
{
	vary_ = false;
	if (result.status == ParseStatus::Error) {
		kh_u16 st = result.error_status;
		Next n = hand_over(st == 414 || st == 431 ? KHTTPD_HANDOVER_OVERSIZE
							  : KHTTPD_HANDOVER_MALFORMED,
				   false);
		return n != Next::Unhandled ? n : send_error(st, false, false);
	}
	bool keep = !last_request(head);
	if (params_->max_requests && served_ + 1 >= params_->max_requests)
		keep = false;
	if (head.method == Method::Other) {
		if (Next n = hand_over(KHTTPD_HANDOVER_METHOD, false); n != Next::Unhandled)
			return n;
		served_++;
		kh_u16 st = is_known_method(head.method_name) ? 405 : 501;
		return send_error(st, false, keep && !head.has_body);
	}
	if (head.has_body) {
		if (Next n = hand_over(KHTTPD_HANDOVER_BODY, head.method == Method::Head);
		    n != Next::Unhandled)
			return n;
		// The body is not read here: close rather than parse it as a request.
		keep = false;
	}
	Next n = serve(head, keep);
	if (n != Next::HandOver)
		served_++;
	return n;
}

bool Session::compose_path(const RequestPath &path)
{
	// rel [ "/" ] [ index ] NUL
	StrView index = StrView::from_cstr(params_->index_name, kNameMax);
	kh_size need = path.rel.size() + 1 + index.size() + 1;
	if (need > bufs_->path_size)
		return false;
	// rel already lives at the start of the path buffer.
	kh_size n = path.rel.size();
	if (path.trailing_slash) {
		if (n)
			bufs_->path[n++] = '/';
		for (char c : index)
			bufs_->path[n++] = c;
	}
	bufs_->path[n] = '\0';
	return true;
}

Next Session::serve(const RequestHead &head, bool keep)
{
	bool head_only = head.method == Method::Head;
	// A static server's answer when no daemon takes the request.
	auto or_answer = [&](kh_u32 reason, kh_u16 status, bool keep_alive) {
		Next n = hand_over(reason, head_only);
		return n != Next::Unhandled ? n : send_error(status, head_only, keep_alive);
	};

	RequestPath path;
	if (kh_u16 st = resolve_request_path(head.target, bufs_->path, bufs_->path_size, path))
		return or_answer(KHTTPD_HANDOVER_MALFORMED, st, false);
	if (params_->dynamic &&
	    matches_dynamic(StrView::from_cstr(params_->dynamic, ~kh_size{0}), head.target,
			    path.rel)) {
		if (Next n = hand_over(KHTTPD_HANDOVER_DYNAMIC, head_only); n != Next::Unhandled)
			return n;
	}
	if (has_hidden_segment(path.rel))
		return or_answer(KHTTPD_HANDOVER_FORBIDDEN, 404, keep);
	if (!compose_path(path))
		return or_answer(KHTTPD_HANDOVER_MISSING, 404, keep);

	OpenFile file;
	kh_file_info info{};
	int err = kh_file_open(root_, bufs_->path, file.out(), &info);
	if (err == -KH_ENOMEM)
		return send_error(503, head_only, keep);
	if (err == -KH_EACCES)
		return or_answer(KHTTPD_HANDOVER_FORBIDDEN, 403, keep);
	if (err)
		return or_answer(KHTTPD_HANDOVER_MISSING, 404, keep);
	if ((info.mode & KH_S_IFMT) == KH_S_IFDIR && !path.trailing_slash)
		return send_redirect(path, head_only, keep);
	if (!file.get())
		return or_answer(KHTTPD_HANDOVER_FORBIDDEN, 404, keep);
	if ((info.mode & params_->perm_required) != params_->perm_required ||
	    (info.mode & params_->perm_forbid))
		return or_answer(KHTTPD_HANDOVER_FORBIDDEN, 403, keep);

	StrView name = StrView::from_cstr(bufs_->path, bufs_->path_size);
	char type_buf[KH_MIME_TYPE_MAX];
	StrView type = content_type(name, type_buf); // the original's name
	if (type.empty()) {
		if (!params_->sloppy_mime) {
			if (Next n = hand_over(KHTTPD_HANDOVER_MIME, head_only); n != Next::Unhandled)
				return n;
		}
		type = kUnknownType;
	}

	Coding coding = choose_representation(head, name, file, info);
	bool coded = coding != Coding::Identity;

	// A variant is another representation: its own ETag (with the coding
	// in it) and Last-Modified, and conditions and ranges apply to it.
	char etag[kEtagCodedMax];
	Validators v{info.mtime_sec,
		     StrView(etag, format_etag(info.mtime_sec, info.size, etag,
					       coded ? coding_name(coding) : StrView()))};
	kh_s64 now = kh_now_seconds();

	// Preconditions apply only to what would otherwise be a 200 (RFC 9110
	// section 13.2.1), so they come after every error check above.
	switch (evaluate_preconditions(head, v, now)) {
	case Precondition::NotModified:
		return send_not_modified(v, keep);
	case Precondition::Failed:
		return send_error(412, head_only, keep);
	case Precondition::Proceed:
		break;
	}

	// RFC 9110 section 14.2: range handling is defined for GET only; a
	// server MUST ignore Range on other methods, HEAD included.
	ByteRange range;
	if (head.method == Method::Get && head.has_range && !head.range_repeated &&
	    if_range_holds(head, v, now))
		range = parse_byte_range(head.range, info.size);
	if (range.kind == RangeKind::Unsatisfiable)
		return send_error(416, head_only, keep, &info.size);
	// Several ranges (multipart/byteranges) are userspace's; without a
	// daemon the whole file is served, which RFC 9110 allows.
	if (range.kind == RangeKind::Multiple) {
		if (Next n = hand_over(KHTTPD_HANDOVER_RANGE, head_only); n != Next::Unhandled)
			return n;
	}
	bool partial = range.kind == RangeKind::Single;
	kh_u64 offset = partial ? range.first : 0;
	kh_u64 length = partial ? range.length() : info.size;

	ResponseWriter w(bufs_->head, bufs_->head_size);
	common_headers(w, partial ? 206 : 200, keep);
	w.header("Content-Type", type);
	if (coded)
		w.header("Content-Encoding", coding_name(coding));
	w.header("Content-Length", length)
		.date_header("Last-Modified", info.mtime_sec)
		.header("ETag", v.etag)
		.header("Accept-Ranges", "bytes");
	if (vary_)
		w.header("Vary", "Accept-Encoding");
	if (partial) {
		w.raw("Content-Range: bytes ").number(range.first).raw("-").number(range.last);
		w.raw("/").number(info.size).raw("\r\n");
	}
	w.end_head();
	if (!w.ok())
		return send_error(500, head_only, false);

	bool body = !head_only && length > 0;
	if (body && length <= params_->inline_body_max && inline_body(w, file.get(), offset, length))
		return queue(w, nullptr, 0, 0, keep); // head and body in one send
	return queue(w, body ? file.release() : nullptr, offset, body ? length : 0, keep);
}

// A small body costs less copied behind the head, and sent with it in one
// send, than sent from the page cache in a second one (page references,
// the splice pipe, another pass through TCP). False (nothing changed) when
// it does not fit or the file has fewer bytes than its size said; the
// zero-copy path then deals with it.
bool Session::inline_body(ResponseWriter &w, kh_file *file, kh_u64 offset, kh_u64 length)
{
	if (length > w.room())
		return false;
	kh_size len = static_cast<kh_size>(length);
	long n = kh_file_read(file, offset, bufs_->head + w.view().size(), len);
	if (n < 0 || static_cast<kh_u64>(n) != length)
		return false;
	w.skip(len);
	return w.ok();
}

Next Session::queue(const ResponseWriter &w, kh_file *body, kh_u64 offset, kh_u64 len,
		    bool keep)
{
	out_pos_ = 0;
	out_len_ = w.view().size();
	body_ = body;
	body_offset_ = offset;
	body_left_ = len;
	return keep ? Next::KeepAlive : Next::Close;
}

// Precompressed variants, as nginx's gzip_static: "x.br", "x.zst", "x.gz"
// for the codings the client accepts, best first, at most one lookup each
// (so at most 3 beyond the file's own). On success @file and @info describe
// the variant; any failure leaves them on the file itself. A name that
// already ends in one of these suffixes is served as it is.
//
// Vary: sent (on 200, 206, 304, 412 and 416 alike) when the client's
// Accept-Encoding makes one of the codings acceptable and the file could
// have a variant, whether or not one was found: the answer depended on the
// field (also when identity outweighs the codings and nothing was looked
// up). Without the field, or when it accepts none of br/zstd/gzip, the
// answer is identity whatever else the field says, and carries no Vary. So
// a cache may keep such an identity answer for every client (suboptimal
// for those that take a coding, never wrong), and never hands a coded
// answer to a client that did not ask for it.
Coding Session::choose_representation(const RequestHead &head, StrView name,
				      OpenFile &file, kh_file_info &info)
{
	if (!head.has_accept_encoding || has_coding_suffix(name) ||
	    !accepts_any_variant(head.accept_encoding))
		return Coding::Identity;
	vary_ = true;
	Coding order[kVariantCodings];
	kh_size n = preferred_codings(head.accept_encoding, order);
	for (kh_size i = 0; i < n; i++)
		if (open_variant(order[i], file, info))
			return order[i];
	return Coding::Identity;
}

bool Session::open_variant(Coding c, OpenFile &file, kh_file_info &info)
{
	// "<path><suffix>": the path buffer has room for the longest suffix
	// beyond the composed path (khttpd_buffers_init).
	StrView suffix = coding_suffix(c);
	kh_size len = StrView::from_cstr(bufs_->path, bufs_->path_size).size();
	if (len + suffix.size() + 1 > bufs_->path_size)
		return false;
	for (kh_size i = 0; i < suffix.size(); i++)
		bufs_->path[len + i] = suffix[i];
	bufs_->path[len + suffix.size()] = '\0';
	kh_file *f = nullptr;
	kh_file_info vi{};
	int err = kh_file_open(root_, bufs_->path, &f, &vi);
	bufs_->path[len] = '\0'; // back to the original's name
	if (err || !f)
		return false; // missing, not a regular file, or unreadable
	// The same permission checks as the original, and not older than it:
	// a variant left behind by an edit of the original is not served.
	bool usable = (vi.mode & params_->perm_required) == params_->perm_required &&
		      !(vi.mode & params_->perm_forbid) &&
		      (vi.mtime_sec > info.mtime_sec ||
		       (vi.mtime_sec == info.mtime_sec && vi.mtime_nsec >= info.mtime_nsec));
	if (!usable) {
		kh_file_close(f);
		return false;
	}
	file.reset(f);
	info = vi;
	return true;
}

Next Session::send_not_modified(const Validators &v, bool keep)
{
	// RFC 9110 section 15.4.5: Date and ETag as a 200 would carry them;
	// Last-Modified too, as nginx sends it. No body, so no Content-Length
	// or Content-Type (nginx sends neither).
	ResponseWriter w(bufs_->head, bufs_->head_size);
	common_headers(w, 304, keep);
	w.date_header("Last-Modified", v.last_modified).header("ETag", v.etag);
	if (vary_) // RFC 9110 section 15.4.5: as a 200 would send it
		w.header("Vary", "Accept-Encoding");
	w.end_head();
	if (!w.ok())
		return Next::Close;
	return queue(w, nullptr, 0, 0, keep);
}

void Session::common_headers(ResponseWriter &w, kh_u16 status, bool keep)
{
	w.status_line(status)
		.header("Server", kServerName)
		.header("Date", bufs_->date->now())
		.header("Connection", keep ? StrView("keep-alive") : StrView("close"));
}

Next Session::send_error(kh_u16 status, bool head_only, bool keep,
			 const kh_u64 *complete_length)
{
	// A small HTML body, as nginx sends: browsers show it.
	StrView reason = reason_phrase(status);
	ResponseWriter w(bufs_->head, bufs_->head_size);
	constexpr StrView p1 = "<html>\r\n<head><title>";
	constexpr StrView p2 = "</title></head>\r\n<body>\r\n<center><h1>";
	constexpr StrView p3 = "</h1></center>\r\n<hr><center>khttpd</center>\r\n</body>\r\n</html>\r\n";
	kh_size title_len = 4 + reason.size(); // "404 " + reason
	kh_size body_len = p1.size() + p2.size() + p3.size() + 2 * title_len;

	common_headers(w, status, keep);
	if (status == 405)
		w.header("Allow", "GET, HEAD");
	if (complete_length)
		w.raw("Content-Range: bytes */").number(*complete_length).raw("\r\n");
	if (vary_) // 412 and 416 judged the representation Accept-Encoding chose
		w.header("Vary", "Accept-Encoding");
	w.header("Content-Type", "text/html").header("Content-Length", body_len).end_head();
	if (!head_only) {
		w.raw(p1).number(status).raw(" ").raw(reason);
		w.raw(p2).number(status).raw(" ").raw(reason).raw(p3);
	}
	if (!w.ok())
		return Next::Close;
	return queue(w, nullptr, 0, 0, keep);
}

Next Session::send_redirect(const RequestPath &path, bool head_only, bool keep)
{
	// Location: the path as the client sent it, plus '/', plus the query.
	ResponseWriter w(bufs_->head, bufs_->head_size);
	common_headers(w, 301, keep);
	w.raw("Location: ").raw(path.raw_path).raw("/");
	if (path.has_query)
		w.raw("?").raw(path.query);
	w.raw("\r\n").header("Content-Length", kh_u64{0}).end_head();
	if (!w.ok())
		return send_error(414, head_only, false);
	return queue(w, nullptr, 0, 0, keep);
}

Session *session_of(khttpd_session *s)
{
	return reinterpret_cast<Session *>(s);
}

const Session *session_of(const khttpd_session *s)
{
	return reinterpret_cast<const Session *>(s);
}

} // namespace
} // namespace khttpd

using khttpd::kCodingSuffixMax;
using khttpd::kNameMax;

extern "C" kh_size khttpd_conn_buffers_size(kh_size max_head)
{
	// recv: the head limit; head: the same, which holds any answer whose
	// echoed part (a redirect's Location) came from a request that fit.
	return 2 * max_head;
}

namespace {

// The scratch block: the path buffer, then the Date cache (aligned).
constexpr kh_size scratch_path_size(kh_size max_head)
{
	// rel + '/' + index + a variant's suffix + NUL
	return max_head + kNameMax + 2 + kCodingSuffixMax;
}

constexpr kh_size scratch_date_offset(kh_size max_head)
{
	constexpr kh_size a = alignof(khttpd_date_cache);
	return (scratch_path_size(max_head) + a - 1) / a * a;
}

} // namespace

extern "C" kh_size khttpd_scratch_buffer_size(kh_size max_head)
{
	return scratch_date_offset(max_head) + sizeof(khttpd_date_cache);
}

extern "C" void khttpd_conn_buffers_init(khttpd_session_buffers *b, char *block,
					 kh_size max_head)
{
	b->recv = block;
	b->recv_size = max_head;
	b->head = block + max_head;
	b->head_size = max_head;
}

extern "C" void khttpd_scratch_buffer_init(khttpd_session_buffers *b, char *block,
					   kh_size max_head)
{
	b->path = block;
	b->path_size = scratch_path_size(max_head);
	b->date = new (block + scratch_date_offset(max_head)) khttpd_date_cache();
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
					   const khttpd_session_buffers *buffers)
{
	return khttpd::session_of(s)->step(root, *params, *buffers);
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
