// SPDX-License-Identifier: GPL-2.0
// libFuzzer target for the request path of the khttpd core: the parser,
// path resolution, Range / date / ETag / precondition handling, and whole
// sessions through the fake kapi. Build and run: tests/fuzz/run.sh.
//
// Input: byte 0 is a separator, byte 1 picks settings, the rest is what
// the client sends; each separator byte in it ends one kh_conn_recv chunk
// (the separator itself is not sent).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byte_range.h"
#include "content_coding.h"
#include "etag.h"
#include "fake_kapi.h"
#include "http_date.h"
#include "http_request.h"
#include "khttpd/core.h"
#include "preconditions.h"
#include "request_path.h"

using namespace khttpd;

namespace {

constexpr kh_s64 kNow = 1750000000;
constexpr kh_s64 kMtime = 1000000000;
constexpr size_t kMaxInput = 1 << 16;

// Big objects live here, not on the stack; set up again for every input.
kh_conn g_conn;
kh_root g_root;
char g_stream[kMaxInput];
kh_size g_chunks[kMaxInput];
alignas(8) char g_scratch[kMaxInput];
char g_block[2 * 8192];
char g_spare[2 * 8192];

[[noreturn]] void fail(const char *what, const char *detail = "")
{
	fprintf(stderr, "fuzz invariant broken: %s %s\n", what, detail);
	abort();
}

#define CHECK(cond)                              \
	do {                                     \
		if (!(cond))                     \
			fail(#cond);             \
	} while (0)

StrView find_field(StrView head, StrView name)
{
	// "\r\n<name>: <value>\r\n" within a response head.
	for (kh_size i = 0; i + name.size() + 4 <= head.size(); i++) {
		if (head[i] != '\n' || !head.substr(i + 1).starts_with(name) ||
		    !head.substr(i + 1 + name.size()).starts_with(": "))
			continue;
		StrView rest = head.substr(i + 1 + name.size() + 2);
		kh_size end = rest.find('\r');
		return end == StrView::npos ? StrView() : rest.substr(0, end);
	}
	return StrView();
}

bool to_u64(StrView s, kh_u64 &v)
{
	if (s.empty() || s.size() > 20)
		return false;
	v = 0;
	for (char c : s) {
		if (!is_digit(c))
			return false;
		v = v * 10 + static_cast<kh_u64>(c - '0');
	}
	return true;
}

// Walks the server's output response by response: each starts with a
// status line, a head ends with an empty line, and a body (unless the next
// response or the end follows at once: HEAD, 304) is Content-Length bytes.
// 206 heads carry a Content-Range that agrees with Content-Length.
void check_output(StrView out, bool overflow)
{
	kh_size pos = 0;
	while (pos < out.size()) {
		StrView rest = out.substr(pos);
		if (!rest.starts_with("HTTP/1.1 "))
			fail("response does not start with \"HTTP/1.1 \"");
		kh_size end = StrView::npos;
		for (kh_size i = 0; i + 3 < rest.size(); i++) {
			if (rest[i] == '\r' && rest[i + 1] == '\n' && rest[i + 2] == '\r' &&
			    rest[i + 3] == '\n') {
				end = i + 4;
				break;
			}
		}
		if (end == StrView::npos) {
			CHECK(overflow); // only a cut-off recording may end mid-head
			return;
		}
		StrView head = rest.substr(0, end);
		kh_u64 clen = 0;
		bool has_len = to_u64(find_field(head, "Content-Length"), clen);
		StrView status = head.substr(9, 3);
		if (status == "304")
			CHECK(!has_len && find_field(head, "Content-Type").empty());
		else
			CHECK(has_len);
		if (status == "206") {
			StrView cr = find_field(head, "Content-Range");
			CHECK(cr.starts_with("bytes "));
			kh_size dash = cr.find('-'), slash = cr.find('/');
			CHECK(dash != StrView::npos && slash != StrView::npos && dash < slash);
			kh_u64 a, b, n;
			CHECK(to_u64(cr.substr(6, dash - 6), a));
			CHECK(to_u64(cr.substr(dash + 1, slash - dash - 1), b));
			CHECK(to_u64(cr.substr(slash + 1), n));
			CHECK(a <= b && b < n && b - a + 1 == clen);
		}
		if (status == "416")
			CHECK(find_field(head, "Content-Range").starts_with("bytes */"));
		// A coded answer always says it varies, and carries a coded tag.
		StrView ce = find_field(head, "Content-Encoding");
		if (!ce.empty()) {
			CHECK(ce == "gzip" || ce == "br" || ce == "zstd");
			CHECK(find_field(head, "Vary") == "Accept-Encoding");
			StrView tag = find_field(head, "ETag");
			// ... "-<coding>" DQUOTE
			CHECK(tag.size() > ce.size() + 2 && tag[tag.size() - ce.size() - 2] == '-' &&
			      tag.substr(tag.size() - ce.size() - 1, ce.size()) == ce);
		}
		pos += end;
		StrView after = out.substr(pos);
		if (after.empty() || after.starts_with("HTTP/1.1 "))
			continue; // no body: HEAD, 304, or an empty file
		if (clen > after.size()) {
			CHECK(overflow);
			return;
		}
		pos += clen;
	}
}

void setup_root()
{
	fake::root_init(&g_root);
	fake::root_add(&g_root, "", nullptr, 4096, KH_S_IFDIR | 0755, kMtime);
	fake::root_add_text(&g_root, "index.html", "<h1>home</h1>\n", KH_S_IFREG | 0644, kMtime);
	fake::root_add_text(&g_root, "digits.txt", "0123456789", KH_S_IFREG | 0644, kMtime);
	fake::root_add(&g_root, "empty.css", "", 0, KH_S_IFREG | 0644, kMtime);
	fake::root_add_text(&g_root, "old.txt", "from 1960", KH_S_IFREG | 0644, -315619200);
	fake::root_add_text(&g_root, "secret.txt", "s3cr3t", KH_S_IFREG | 0600, kMtime);
	fake::root_add(&g_root, "sub", nullptr, 4096, KH_S_IFDIR | 0755, kMtime);
	fake::root_add_text(&g_root, "sub/index.html", "<h1>sub</h1>\n", KH_S_IFREG | 0644,
			    kMtime);
	fake::root_add(&g_root, "denied.txt", nullptr, 0, KH_S_IFREG | 0644, kMtime, -KH_EACCES);
	fake::root_add(&g_root, "fifo", nullptr, 0, 0010644, kMtime);
	// Precompressed variants: fresh, stale, unreadable, not a file.
	fake::root_add_text(&g_root, "digits.txt.gz", "GZdigits", KH_S_IFREG | 0644, kMtime + 5);
	fake::root_add_text(&g_root, "digits.txt.br", "BR", KH_S_IFREG | 0644, kMtime);
	fake::root_add_text(&g_root, "digits.txt.zst", "ZSTD-old", KH_S_IFREG | 0644, kMtime - 1);
	fake::root_add(&g_root, "index.html.br", "", 0, KH_S_IFREG | 0644, kMtime);
	fake::root_add_text(&g_root, "index.html.gz", "x", KH_S_IFREG | 0600, kMtime);
	fake::root_add(&g_root, "sub/index.html.zst", nullptr, 0, KH_S_IFDIR | 0755, kMtime);
	fake::root_add_text(&g_root, "sub/index.html.gz", "GZsub", KH_S_IFREG | 0755, kMtime);
	fake::root_add(&g_root, "old.txt.gz", nullptr, 0, KH_S_IFREG | 0644, kMtime, -KH_EACCES);
	fake::root_add_text(&g_root, "a.gz", "\x1f\x8b", KH_S_IFREG | 0644, kMtime);
	fake::root_add_text(&g_root, "a.gz.gz", "never", KH_S_IFREG | 0644, kMtime);
	// Virtual hosts (vhosts=1): a host of its own and the default.
	fake::root_add(&g_root, "h.example", nullptr, 4096, KH_S_IFDIR | 0755, kMtime);
	fake::root_add_text(&g_root, "h.example/index.html", "<h1>h</h1>\n", KH_S_IFREG | 0644,
			    kMtime);
	fake::root_add(&g_root, "_default", nullptr, 4096, KH_S_IFDIR | 0755, kMtime);
}

// The pieces directly, on one request head.
void check_pieces(StrView data)
{
	RequestHead head;
	ParseResult r = parse_request_head(data, head);
	CHECK(r.head_len <= data.size());
	if (r.status == ParseStatus::Error)
		CHECK(r.error_status == 400 || r.error_status == 505);
	if (r.status != ParseStatus::Done)
		CHECK(may_hold_head_end(data, 0) || r.status == ParseStatus::Incomplete);
	if (r.status == ParseStatus::Done) {
		CHECK(may_hold_head_end(data, 0));
		RequestPath path;
		if (resolve_request_path(head.target, g_scratch, sizeof(g_scratch), path) == 0) {
			CHECK(path.rel.size() <= head.target.size());
			has_hidden_segment(path.rel);
		}
	}

	// Range against assorted sizes, on the head's Range or all the bytes.
	StrView range = head.has_range ? head.range : data;
	const kh_u64 sizes[] = {0, 1, 2, 10, 1000, ~0ULL >> 1, ~0ULL - 1, ~0ULL};
	for (kh_u64 size : sizes) {
		ByteRange br = parse_byte_range(range, size);
		switch (br.kind) {
		case RangeKind::Single:
			CHECK(size > 0 && br.first <= br.last && br.last < size);
			CHECK(br.length() >= 1 && br.length() <= size);
			break;
		case RangeKind::Ignored:
			CHECK(size == 0);
			break;
		default:
			break;
		}
	}

	// Accept-Encoding, on the head's or all the bytes: weights in range,
	// at most one lookup per coding, best first, never below identity.
	AcceptEncoding ae = head.accept_encoding;
	if (!head.has_accept_encoding)
		add_accept_encoding(data, ae);
	Coding order[kVariantCodings];
	kh_size nc = preferred_codings(ae, order);
	CHECK(nc <= kVariantCodings);
	CHECK((nc > 0) <= accepts_any_variant(ae));
	for (kh_size i = 0; i < nc; i++) {
		kh_u16 w = accept_weight(ae, order[i]);
		CHECK(w > 0 && w <= 1000);
		CHECK(static_cast<kh_u8>(order[i]) < kVariantCodings);
		if (i > 0) {
			kh_u16 prev = accept_weight(ae, order[i - 1]);
			CHECK(prev > w || (prev == w && order[i - 1] < order[i]));
		}
	}
	CHECK(accept_weight(ae, Coding::Identity) <= 1000);
	has_coding_suffix(data);

	// Dates: any parsed date lies within years 0..9999 (+ a leap second).
	kh_s64 t;
	StrView dates[] = {head.if_modified_since, head.if_unmodified_since, head.if_range,
			   data};
	for (StrView d : dates)
		if (parse_http_date(d, kNow, t))
			CHECK(t >= -62167219200LL && t <= 253402300800LL);

	// Validators, preconditions, If-Range.
	char tag[kEtagMax];
	kh_s64 mtime = kMtime;
	if (data.size() > 8) // any 64-bit value, negative ones too
		mtime = static_cast<kh_s64>(static_cast<kh_u64>(static_cast<kh_u8>(data[1])) << 56 |
					    static_cast<kh_u8>(data[2]));
	kh_size n = format_etag(mtime, data.size(), tag);
	CHECK(n <= kEtagMax);
	Validators v{mtime, StrView(tag, n)};
	evaluate_preconditions(head, v, kNow);
	if_range_holds(head, v, kNow);
	etag_list_matches(data, v.etag, EtagCompare::Weak);
	etag_list_matches(data, v.etag, EtagCompare::Strong);
	// The current tag always matches itself, weakly and strongly.
	CHECK(etag_list_matches(v.etag, v.etag, EtagCompare::Strong));
	// A variant's tag is valid and never matches the identity tag.
	char coded[kEtagCodedMax];
	kh_size cn = format_etag(mtime, data.size(), coded, coding_name(Coding::Gzip));
	CHECK(cn <= kEtagCodedMax);
	CHECK(etag_list_matches(StrView(coded, cn), StrView(coded, cn), EtagCompare::Strong));
	CHECK(!etag_list_matches(StrView(coded, cn), v.etag, EtagCompare::Weak));
}

void run_session(const uint8_t *in, size_t len)
{
	if (len < 2)
		return;
	uint8_t sep = in[0], cfg = in[1];
	kh_size n = 0;
	int nchunks = 0;
	kh_size piece = 0;
	for (size_t i = 2; i < len; i++) {
		if (in[i] == sep) {
			if (piece)
				g_chunks[nchunks++] = piece;
			piece = 0;
			continue;
		}
		g_stream[n++] = static_cast<char>(in[i]);
		piece++;
	}
	if (piece)
		g_chunks[nchunks++] = piece;

	constexpr kh_size kHeads[] = {48, 200, 1024, 8192};
	kh_size max_head = kHeads[cfg & 3];
	khttpd_session_params params{};
	params.index_name = (cfg & 4) ? "index.html" : "";
	params.max_requests = (cfg >> 3) & 3;
	params.perm_required = 0004;
	params.perm_forbid = (cfg & 32) ? 0111 : 0;
	fake::set_now((cfg & 64) ? kNow : kMtime);

	CHECK(khttpd_conn_buffers_size(max_head) <= sizeof(g_block));
	CHECK(khttpd_conn_buffers_size(max_head) <= sizeof(g_spare));
	CHECK(khttpd_worker_scratch_size(max_head) <= sizeof(g_scratch));

	setup_root();
	fake::conn_init(&g_conn, g_stream, n, 0);
	g_conn.chunks = g_chunks;
	g_conn.nchunks = nchunks;
	if (cfg & 128)
		g_conn.end_result = -KH_EAGAIN;
	// The separator's bits also shape the socket: short sends, a full
	// send buffer now and then, a daemon that takes hand-overs, the
	// dynamic list, the unknown-type policy and inline bodies.
	g_conn.send_cap = (sep % 5) * 7;
	g_conn.send_eagain_every = (sep >> 4) & 3 ? ((sep >> 4) & 3) + 1 : 0;
	g_conn.handover_result = (sep & 0x80) ? 0 : -KH_ENOENT;
	params.dynamic = (sep & 0x40) ? ".. cgi-bin ?" : nullptr;
	params.sloppy_mime = (sep & 0x08) != 0;
	params.nodaemon_503 = (sep & 0x04) != 0;
	params.inline_body_max = (sep & 0x02) ? 8192 : 0; // small bodies behind the head
	params.vhosts = (sep & 0x01) != 0;
	fake::serve(&g_conn, &g_root, &params, max_head, g_block, g_spare, g_scratch);

	CHECK(fake::open_files(&g_root) == 0);
	// Every lookup stayed a relative, normalised path, whatever the host.
	if (g_root.lookups) {
		StrView last = StrView::from_cstr(g_root.last_path, sizeof(g_root.last_path));
		CHECK(last.empty() || last[0] != '/');
		for (kh_size from = 0; from <= last.size();) {
			kh_size end = last.find('/', from);
			if (end == StrView::npos)
				end = last.size();
			StrView seg = last.substr(from, end - from);
			CHECK(seg != StrView("..") && seg != StrView("."));
			from = end + 1;
		}
	}
	CHECK(g_conn.in_pos <= n);
	// What was handed over is never more than what was received, and it
	// is the stream from some request on: a suffix of what was read.
	if (g_conn.handed_over) {
		CHECK(g_conn.handover_len <= g_conn.in_pos);
		CHECK(fake::mem_eq(g_conn.handover_data,
				   g_stream + g_conn.in_pos - g_conn.handover_len,
				   g_conn.handover_len));
	}
	check_output(StrView(g_conn.out, g_conn.out_len), g_conn.overflow);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > kMaxInput)
		return 0;
	check_pieces(StrView(reinterpret_cast<const char *>(data), size));
	if (size >= 2)
		check_pieces(StrView(reinterpret_cast<const char *>(data) + 2, size - 2));
	run_session(data, size);
	return 0;
}
