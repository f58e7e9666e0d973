// SPDX-License-Identifier: GPL-2.0
// One client connection: read request heads, answer them, keep-alive.
#include "khttpd/core.h"

#include "byte_range.h"
#include "content_coding.h"
#include "etag.h"
#include "http_date.h"
#include "http_request.h"
#include "mime.h"
#include "preconditions.h"
#include "request_path.h"
#include "response_writer.h"

namespace khttpd {
namespace {

constexpr StrView kServerName = "khttpd";
constexpr kh_size kNameMax = 255;    // longest index name accepted
constexpr kh_size kHeadExtra = 1024; // response head beyond the echoed path

// Owns an open file: closed when it goes out of scope.
class OpenFile {
public:
	OpenFile() = default;
	OpenFile(const OpenFile &) = delete;
	OpenFile &operator=(const OpenFile &) = delete;
	~OpenFile()
	{
		if (file_)
			kh_file_close(file_);
	}
	kh_file **out() { return &file_; }
	// Closes the file held, if any, and takes @f instead.
	void reset(kh_file *f)
	{
		if (file_)
			kh_file_close(file_);
		file_ = f;
	}
	kh_file *get() const { return file_; }

private:
	kh_file *file_ = nullptr;
};

// The Date header changes once a second: format it once a second.
class DateCache {
public:
	StrView now()
	{
		kh_s64 t = kh_now_seconds();
		if (t != second_) {
			format_http_date(t, text_);
			second_ = t;
		}
		return StrView(text_, kHttpDateLen);
	}

private:
	kh_s64 second_ = -1;
	char text_[kHttpDateLen] = {};
};

constexpr bool is_known_method(StrView m)
{
	constexpr StrView known[] = {"POST", "PUT", "DELETE", "OPTIONS",
				     "PATCH", "CONNECT", "TRACE"};
	for (StrView k : known)
		if (m == k)
			return true;
	return false;
}

enum class Next : kh_u8 { KeepAlive, Close };

class Session {
public:
	Session(kh_conn *conn, kh_root *root, const khttpd_session_params &params,
		const khttpd_session_buffers &bufs)
		: conn_(conn), root_(root), params_(params), bufs_(bufs)
	{
	}

	void run();

private:
	// Reads until a complete head is buffered and parsed into @head.
	// False: the connection is over.
	bool read_head(ParseResult &result, RequestHead &head);
	Next answer(const RequestHead &head, bool keep_alive);
	// Not inlined into run(): its locals (path, file info, ETag, range,
	// response writer) would add to run()'s frame, which KASAN's redzones
	// push past the kernel's 1024-byte frame limit.
	__attribute__((noinline)) Next serve(const RequestHead &head, bool keep_alive);
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
	kh_root *root_;
	const khttpd_session_params &params_;
	const khttpd_session_buffers &bufs_;
	kh_size have_ = 0; // bytes buffered in bufs_.recv
	// This response depends on Accept-Encoding: send "Vary: Accept-Encoding".
	bool vary_ = false;
	DateCache date_;
};

void Session::run()
{
	kh_u32 served = 0;
	for (;;) {
		ParseResult result;
		RequestHead head;
		vary_ = false;
		if (!read_head(result, head))
			return;
		if (result.status == ParseStatus::Error) {
			send_error(result.error_status, false, false);
			return;
		}
		served++;
		bool keep = head.version_minor >= 1 ? !head.conn_close
						     : head.conn_keep_alive && !head.conn_close;
		// A body is not read here: close rather than parse it as a request.
		if (head.has_body ||
		    (params_.max_requests && served >= params_.max_requests))
			keep = false;
		if (answer(head, keep) == Next::Close)
			return;
		// Keep pipelined bytes that follow this request.
		kh_size rest = have_ - result.head_len;
		for (kh_size i = 0; i < rest; i++)
			bufs_.recv[i] = bufs_.recv[result.head_len + i];
		have_ = rest;
	}
}

bool Session::read_head(ParseResult &result, RequestHead &head)
{
	kh_size scanned = 0;
	for (;;) {
		StrView buf(bufs_.recv, have_);
		if (have_ > scanned && may_hold_head_end(buf, scanned)) {
			result = parse_request_head(buf, head);
			if (result.status != ParseStatus::Incomplete)
				return true;
			if (result.head_len) { // drop leading empty lines
				kh_size skip = result.head_len;
				for (kh_size i = skip; i < have_; i++)
					bufs_.recv[i - skip] = bufs_.recv[i];
				have_ -= skip;
			}
		}
		scanned = have_;
		if (have_ == bufs_.recv_size) {
			// Full and still no head: 414 if the request line alone
			// did not fit, else 431.
			bool line_done = StrView(bufs_.recv, have_).find('\n') != StrView::npos;
			result = ParseResult{ParseStatus::Error, 0,
					     static_cast<kh_u16>(line_done ? 431 : 414)};
			return true;
		}
		long n = kh_conn_recv(conn_, bufs_.recv + have_, bufs_.recv_size - have_);
		if (n <= 0)
			return false; // closed, timed out or stopping: close quietly
		have_ += static_cast<kh_size>(n);
	}
}

Next Session::answer(const RequestHead &head, bool keep)
{
	if (head.method == Method::Other) {
		kh_u16 st = is_known_method(head.method_name) ? 405 : 501;
		return send_error(st, false, keep);
	}
	return serve(head, keep);
}

bool Session::compose_path(const RequestPath &path)
{
	// rel [ "/" ] [ index ] NUL
	StrView index = StrView::from_cstr(params_.index_name, kNameMax);
	kh_size need = path.rel.size() + 1 + index.size() + 1;
	if (need > bufs_.path_size)
		return false;
	// rel already lives at the start of the path buffer.
	kh_size n = path.rel.size();
	if (path.trailing_slash) {
		if (n)
			bufs_.path[n++] = '/';
		for (char c : index)
			bufs_.path[n++] = c;
	}
	bufs_.path[n] = '\0';
	return true;
}

Next Session::serve(const RequestHead &head, bool keep)
{
	bool head_only = head.method == Method::Head;
	RequestPath path;
	if (kh_u16 st = resolve_request_path(head.target, bufs_.path, bufs_.path_size, path))
		return send_error(st, head_only, false);
	if (has_hidden_segment(path.rel) || !compose_path(path))
		return send_error(404, head_only, keep);

	OpenFile file;
	kh_file_info info{};
	int err = kh_file_open(root_, bufs_.path, file.out(), &info);
	if (err == -KH_ENOMEM)
		return send_error(503, head_only, keep);
	if (err == -KH_EACCES)
		return send_error(403, head_only, keep);
	if (err)
		return send_error(404, head_only, keep);
	if ((info.mode & KH_S_IFMT) == KH_S_IFDIR && !path.trailing_slash)
		return send_redirect(path, head_only, keep);
	if (!file.get())
		return send_error(404, head_only, keep);
	if ((info.mode & params_.perm_required) != params_.perm_required ||
	    (info.mode & params_.perm_forbid))
		return send_error(403, head_only, keep);

	StrView name = StrView::from_cstr(bufs_.path, bufs_.path_size);

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
	// Invalid and Ignored ranges are served whole; so are Multiple ones
	// until multipart/byteranges is handled (elsewhere).
	bool partial = range.kind == RangeKind::Single;
	kh_u64 offset = partial ? range.first : 0;
	kh_u64 length = partial ? range.length() : info.size;

	ResponseWriter w(bufs_.head, bufs_.head_size);
	common_headers(w, partial ? 206 : 200, keep);
	w.header("Content-Type", mime_type_for(name)); // the original's name
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
	if (kh_conn_send(conn_, w.view().data(), w.view().size(), body))
		return Next::Close;
	if (body && kh_conn_send_file(conn_, file.get(), offset, length))
		return Next::Close;
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
	kh_size len = StrView::from_cstr(bufs_.path, bufs_.path_size).size();
	if (len + suffix.size() + 1 > bufs_.path_size)
		return false;
	for (kh_size i = 0; i < suffix.size(); i++)
		bufs_.path[len + i] = suffix[i];
	bufs_.path[len + suffix.size()] = '\0';
	kh_file *f = nullptr;
	kh_file_info vi{};
	int err = kh_file_open(root_, bufs_.path, &f, &vi);
	bufs_.path[len] = '\0'; // back to the original's name
	if (err || !f)
		return false; // missing, not a regular file, or unreadable
	// The same permission checks as the original, and not older than it:
	// a variant left behind by an edit of the original is not served.
	bool usable = (vi.mode & params_.perm_required) == params_.perm_required &&
		      !(vi.mode & params_.perm_forbid) &&
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
	ResponseWriter w(bufs_.head, bufs_.head_size);
	common_headers(w, 304, keep);
	w.date_header("Last-Modified", v.last_modified).header("ETag", v.etag);
	if (vary_) // RFC 9110 section 15.4.5: as a 200 would send it
		w.header("Vary", "Accept-Encoding");
	w.end_head();
	if (!w.ok() || kh_conn_send(conn_, w.view().data(), w.view().size(), 0))
		return Next::Close;
	return keep ? Next::KeepAlive : Next::Close;
}

void Session::common_headers(ResponseWriter &w, kh_u16 status, bool keep)
{
	w.status_line(status)
		.header("Server", kServerName)
		.header("Date", date_.now())
		.header("Connection", keep ? StrView("keep-alive") : StrView("close"));
}

Next Session::send_error(kh_u16 status, bool head_only, bool keep,
			 const kh_u64 *complete_length)
{
	// A small HTML body, as nginx sends: browsers show it.
	StrView reason = reason_phrase(status);
	ResponseWriter w(bufs_.head, bufs_.head_size);
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
	if (!w.ok() || kh_conn_send(conn_, w.view().data(), w.view().size(), 0))
		return Next::Close;
	return keep ? Next::KeepAlive : Next::Close;
}

Next Session::send_redirect(const RequestPath &path, bool head_only, bool keep)
{
	// Location: the path as the client sent it, plus '/', plus the query.
	ResponseWriter w(bufs_.head, bufs_.head_size);
	common_headers(w, 301, keep);
	w.raw("Location: ").raw(path.raw_path).raw("/");
	if (path.has_query)
		w.raw("?").raw(path.query);
	w.raw("\r\n").header("Content-Length", kh_u64{0}).end_head();
	if (!w.ok())
		return send_error(414, head_only, false);
	if (kh_conn_send(conn_, w.view().data(), w.view().size(), 0))
		return Next::Close;
	return keep ? Next::KeepAlive : Next::Close;
}

} // namespace
} // namespace khttpd

extern "C" kh_size khttpd_buffers_size(kh_size max_head)
{
	using namespace khttpd;
	return max_head + (max_head + kNameMax + 2 + kCodingSuffixMax) + (max_head + kHeadExtra);
}

extern "C" void khttpd_buffers_init(khttpd_session_buffers *b, char *block,
				    kh_size max_head)
{
	using namespace khttpd;
	b->recv = block;
	b->recv_size = max_head;
	b->path = block + max_head;
	// rel + '/' + index + a variant's suffix + NUL
	b->path_size = max_head + kNameMax + 2 + kCodingSuffixMax;
	b->head = b->path + b->path_size;
	b->head_size = max_head + kHeadExtra;
}

extern "C" void khttpd_session_run(kh_conn *conn, kh_root *root,
				   const khttpd_session_params *params,
				   const khttpd_session_buffers *buffers)
{
	khttpd::Session session(conn, root, *params, *buffers);
	session.run();
}
