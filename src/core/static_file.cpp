// SPDX-License-Identifier: GPL-2.0
// The static-file handler (static_file.h): lookup, variants, policy.
#include "static_file.h"

#include "dynamic_list.h"
#include "virtual_host.h"

namespace khttpd {
namespace {

constexpr kh_size kNameMax = 255; // longest index name accepted
constexpr StrView kUnknownType = "application/octet-stream";

// The Content-Type for a file name from the MIME table in use, or empty when
// its extension has no type.
StrView content_type(StrView name, char (&buf)[KH_MIME_TYPE_MAX])
{
	return StrView(buf, kh_mime_type(name.data(), name.size(), buf, sizeof(buf)));
}

// A Proceed where the table allows none is a bug in the table: refuse.
void refused(Verdict &v, const Decision &d)
{
	if (d.action == Action::Proceed)
		v.answer(500);
	else
		v.decided(d);
}

// The path of the file to open, NUL-terminated, in the path buffer:
// [ host "/" ] rel [ "/" ] [ index ], where the first @n bytes of the buffer
// ([ host "/" ] rel) are already in place. False if it does not fit.
bool compose_path(const Request &r, const RequestPath &path, kh_size n)
{
	StrView index = StrView::from_cstr(r.params.index_name, kNameMax);
	char *buf = r.scratch.path;
	if (n + 1 + index.size() + 1 > r.scratch.path_size)
		return false;
	if (path.trailing_slash) {
		if (n)
			buf[n++] = '/';
		for (char c : index)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return true;
}

// vhosts=1: puts the request's host directory in front of @path.rel, which
// the resolver left kHostMax + 1 bytes into the path buffer, and moves rel
// to follow it ("host/rel"). The directory is the host's own if the
// document root has one by that name, else kDefaultHost. Sets @n to the
// bytes composed, @path.rel to rel's new place. Returns 0, or the status.
kh_u16 select_host_dir(const Request &r, RequestPath &path, kh_size &n)
{
	char *buf = r.scratch.path;
	kh_size len;
	if (kh_u16 st = virtual_host(r.head, buf, len))
		return st;
	if (len) {
		buf[len] = '\0';
		OpenFile f;
		kh_file_info info{};
		int err = kh_file_open(r.root, buf, f.out(), &info);
		if (err == -KH_ENOMEM)
			return 503;
		if (err == -KH_EACCES)
			return 403; // the host's directory exists: never another's
		if (err || (info.mode & KH_S_IFMT) != KH_S_IFDIR)
			len = 0; // no directory of its own
	}
	if (!len) {
		for (char c : kDefaultHost)
			buf[len++] = c;
	}
	// The resolver wrote rel at kHostMax + 1 >= len + 1: moving it down
	// to len + 1 copies forward over a source at or after the target.
	const char *from = path.rel.data();
	kh_size rel_len = path.rel.size();
	n = len;
	if (rel_len) {
		buf[n++] = '/';
		for (kh_size i = 0; i < rel_len; i++)
			buf[n + i] = from[i];
		path.rel = StrView(buf + n, rel_len);
		n += rel_len;
	} else {
		path.rel = StrView(buf + n, 0);
	}
	return 0;
}

// A type a web server runs rather than sends (Apache's handler names, as
// in older mime.types files: "application/x-httpd-php php"). A file of
// such a type is never sent as it is, whatever mime.types is loaded.
constexpr bool is_script_type(StrView type)
{
	constexpr StrView prefix = "application/x-httpd-";
	return type.size() > prefix.size() &&
	       StrView(type.data(), prefix.size()).equals_icase(prefix);
}
static_assert(is_script_type("application/x-httpd-php") && !is_script_type("text/html"));

bool mode_has(kh_u32 mode, kh_u32 bits)
{
	return (mode & bits) == bits;
}

// Opens "<path><suffix>" for coding @c. On success @file and @info describe
// the variant; otherwise they are unchanged.
__attribute__((noinline)) bool open_variant(const Request &r, Coding c, OpenFile &file,
					    kh_file_info &info)
{
	// The path buffer has room for the longest suffix beyond the composed
	// path (scratch_path_size in session.cpp).
	StrView suffix = coding_suffix(c);
	char *buf = r.scratch.path;
	kh_size len = StrView::from_cstr(buf, r.scratch.path_size).size();
	if (len + suffix.size() + 1 > r.scratch.path_size)
		return false;
	for (kh_size i = 0; i < suffix.size(); i++)
		buf[len + i] = suffix[i];
	buf[len + suffix.size()] = '\0';
	OpenFile f;
	kh_file_info vi{};
	int err = kh_file_open(r.root, buf, f.out(), &vi);
	buf[len] = '\0'; // back to the original's name
	if (err || !f)
		return false; // missing, not a regular file, or unreadable
	// The same permission checks as the original, and not older than it:
	// a variant left behind by an edit of the original is not served.
	bool usable = mode_has(vi.mode, r.params.perm_required) &&
		      !(vi.mode & r.params.perm_forbid) &&
		      (vi.mtime_sec > info.mtime_sec ||
		       (vi.mtime_sec == info.mtime_sec && vi.mtime_nsec >= info.mtime_nsec));
	if (!usable)
		return false;
	file = static_cast<OpenFile &&>(f);
	info = vi;
	return true;
}

// Precompressed variants, as nginx's gzip_static: "x.br", "x.zst", "x.gz"
// for the codings the client accepts, best first, at most one lookup each
// (so at most 3 beyond the file's own). A name that already ends in one of
// these suffixes is served as it is.
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
Coding choose_representation(Request &r, StrView name, OpenFile &file, kh_file_info &info)
{
	const RequestHead &head = r.head;
	if (!head.has_accept_encoding || has_coding_suffix(name) ||
	    !accepts_any_variant(head.accept_encoding))
		return Coding::Identity;
	r.vary = true;
	Coding order[kVariantCodings];
	kh_size n = preferred_codings(head.accept_encoding, order);
	for (kh_size i = 0; i < n; i++)
		if (open_variant(r, order[i], file, info))
			return order[i];
	return Coding::Identity;
}

// The representation chosen: conditions and ranges (RFC 9110 sections
// 13.2.1 and 14.2) on @v, whose file, info and type are set.
__attribute__((noinline)) void conditions_and_ranges(Request &r, Verdict &v)
{
	const RequestHead &head = r.head;
	bool coded = v.coding != Coding::Identity;
	// A variant is another representation: its own ETag (with the coding
	// in it) and Last-Modified, and conditions and ranges apply to it.
	v.validators = Validators{
		v.info.mtime_sec,
		StrView(r.etag, format_etag(v.info.mtime_sec, v.info.size, r.etag,
					    coded ? coding_name(v.coding) : StrView()))};
	kh_s64 now = kh_now_seconds();

	// Preconditions apply only to what would otherwise be a 200 (RFC 9110
	// section 13.2.1), so they come after every error check.
	switch (evaluate_preconditions(head, v.validators, now)) {
	case Precondition::NotModified:
		v.kind = Verdict::Kind::NotModified;
		v.file.reset(nullptr);
		return;
	case Precondition::Failed:
		return v.answer(412);
	case Precondition::Proceed:
		break;
	}

	// RFC 9110 section 14.2: range handling is defined for GET only; a
	// server MUST ignore Range on other methods, HEAD included.
	if (head.method == Method::Get && head.has_range && !head.range_repeated &&
	    if_range_holds(head, v.validators, now))
		v.range = parse_byte_range(head.range, v.info.size);
	if (v.range.kind == RangeKind::Unsatisfiable) {
		v.answer(416);
		v.has_complete_length = true;
		return;
	}
	// Several ranges (multipart/byteranges) are userspace's.
	if (v.range.kind == RangeKind::Multiple) {
		Decision d = r.decide(Cause::MultipleRanges);
		if (d.action != Action::Proceed)
			return refused(v, d);
		v.range = ByteRange{}; // the whole file, which RFC 9110 allows
	}
	v.kind = Verdict::Kind::Serve;
}

} // namespace

void find_static_file(Request &r, Verdict &v)
{
	const khttpd_session_params &p = r.params;
	RequestPath path;
	// With virtual hosts the host's directory goes in front of the path:
	// the path is decoded behind the room it may take.
	kh_size skip = p.vhosts ? kHostMax + 1 : 0;
	if (kh_u16 st = resolve_request_path(r.head.target, r.scratch.path + skip,
					     r.scratch.path_size - skip, path))
		return refused(v, r.decide(Cause::BadRequest, st));
	if (p.dynamic && matches_dynamic(StrView::from_cstr(p.dynamic, ~kh_size{0}),
					 r.head.target, path.rel)) {
		Decision d = r.decide(Cause::Dynamic);
		if (d.action != Action::Proceed)
			return refused(v, d);
	}
	if (has_hidden_segment(path.rel))
		return refused(v, r.decide(Cause::Hidden));
	kh_size n = path.rel.size();
	if (p.vhosts) {
		kh_u16 st = select_host_dir(r, path, n);
		if (st == 503)
			return v.answer(503);
		if (st == 403)
			return refused(v, r.decide(Cause::Denied));
		if (st)
			return refused(v, r.decide(Cause::BadRequest, st));
	}
	if (!compose_path(r, path, n))
		return refused(v, r.decide(Cause::Missing));

	int err = kh_file_open(r.root, r.scratch.path, v.file.out(), &v.info);
	if (err == -KH_ENOMEM)
		return v.answer(503);
	if (err == -KH_EACCES)
		return refused(v, r.decide(Cause::Denied));
	if (err)
		return refused(v, r.decide(Cause::Missing));
	if ((v.info.mode & KH_S_IFMT) == KH_S_IFDIR && !path.trailing_slash) {
		v.file.reset(nullptr);
		v.kind = Verdict::Kind::Redirect;
		v.path = path;
		return;
	}
	if (!v.file)
		return refused(v, r.decide(Cause::NotRegular));
	if (!mode_has(v.info.mode, p.perm_required))
		return refused(v, r.decide(Cause::ModeMissing));
	if (v.info.mode & p.perm_forbid)
		return refused(v, r.decide(Cause::ModeForbidden));

	StrView name = StrView::from_cstr(r.scratch.path, r.scratch.path_size);
	v.type = content_type(name, r.type); // the original's name, not a variant's
	if (is_script_type(v.type))
		return refused(v, r.decide(Cause::Dynamic));
	if (v.type.empty()) {
		Decision d = r.decide(Cause::UnknownType);
		if (d.action != Action::Proceed)
			return refused(v, d);
		v.type = kUnknownType;
	}
	v.coding = choose_representation(r, name, v.file, v.info);
	conditions_and_ranges(r, v);
}

} // namespace khttpd

namespace khttpd {

bool write_file_head(ResponseWriter &w, const Verdict &v, kh_u64 length, const ReplyStyle &style)
{
	bool partial = v.range.kind == RangeKind::Single;
	common_headers(w, partial ? 206 : 200, style);
	w.header("Content-Type", v.type);
	if (v.coding != Coding::Identity)
		w.header("Content-Encoding", coding_name(v.coding));
	w.header("Content-Length", length)
		.date_header("Last-Modified", v.info.mtime_sec)
		.header("ETag", v.validators.etag)
		.header("Accept-Ranges", "bytes");
	if (style.vary)
		w.header("Vary", "Accept-Encoding");
	if (partial) {
		w.raw("Content-Range: bytes ").number(v.range.first).raw("-").number(v.range.last);
		w.raw("/").number(v.info.size).raw("\r\n");
	}
	w.end_head();
	return w.ok();
}

} // namespace khttpd
