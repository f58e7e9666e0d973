// SPDX-License-Identifier: GPL-2.0
// Fake kapi for unit tests; see fake_kapi.h. kh_alloc/kh_free are not
// here: the host links tests/unit/host_alloc.cpp, the KUnit module its C.
#include "fake_kapi.h"

namespace fake {
namespace {

kh_s64 g_now = 784111777; // Sun, 06 Nov 1994 08:49:37 GMT
const khttpd_mime_table *g_mime_table; // nullptr: the built-in table

void zero(void *p, kh_size n)
{
	auto *b = static_cast<volatile char *>(p);
	for (kh_size i = 0; i < n; i++)
		b[i] = 0;
}

bool cstr_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

} // namespace

// kh_clock_us(): a clock that moves by g_clock_step per reading.
kh_u64 g_clock_start = 1000000;
kh_u64 g_clock_step = 10;
kh_u64 g_clock_calls;

kh_size cstr_len(const char *s)
{
	kh_size n = 0;
	while (s[n])
		n++;
	return n;
}

bool mem_eq(const char *a, const char *b, kh_size n)
{
	for (kh_size i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

void conn_init(kh_conn *c, const char *in, kh_size in_len, kh_size chunk)
{
	zero(c, sizeof(*c));
	c->in = in;
	c->in_len = in_len;
	c->chunk = chunk;
	c->handover_result = -KH_ENOENT;
}

int serve(kh_conn *c, kh_root *root, const khttpd_session_params *params,
	  kh_size max_head, char *block, char *spare, char *scratch)
{
	// The session's state, in kh_alloc'd memory (kernel stacks are small).
	auto *s = static_cast<khttpd_session *>(kh_alloc(khttpd_session_size()));
	if (!s)
		return -KH_ENOMEM;
	khttpd_conn_buffers bufs{};
	khttpd_conn_buffers_init(&bufs, block, max_head);
	khttpd_worker_scratch *ws = khttpd_worker_scratch_init(scratch, max_head);
	khttpd_session_init(s, c);
	int result = KHTTPD_STEP_CLOSE;
	// Every step makes progress on a scripted connection (input is
	// consumed or output produced), so this bound only stops a bug.
	for (int steps = 0; steps < 100000; steps++) {
		result = khttpd_session_step(s, root, params, &bufs, ws);
		c->steps_read += result == KHTTPD_STEP_READ;
		c->steps_write += result == KHTTPD_STEP_WRITE;
		c->steps_yield += result == KHTTPD_STEP_YIELD;
		if (result == KHTTPD_STEP_CLOSE || result == KHTTPD_STEP_HANDOVER)
			break;
		// Input used up and the "socket" says nothing more comes yet:
		// the kernel would time the connection out here.
		if (result == KHTTPD_STEP_READ && c->in_pos == c->in_len &&
		    c->end_result == -KH_EAGAIN)
			break;
		if (khttpd_session_idle(s)) {
			char *t = block;
			block = spare;
			spare = t;
			for (kh_size i = 0; i < khttpd_conn_buffers_size(max_head); i++)
				block[i] = static_cast<char>(0xa5); // stale bytes
			khttpd_conn_buffers_init(&bufs, block, max_head);
		}
	}
	khttpd_session_destroy(s);
	kh_free(s);
	return result;
}

void root_init(kh_root *r)
{
	zero(r, sizeof(*r));
}

bool root_add(kh_root *r, const char *path, const char *data, kh_u64 size,
	      kh_u32 mode, kh_s64 mtime, int open_err)
{
	if (r->nfiles == kMaxFiles)
		return false;
	r->files[r->nfiles++] = File{path, data, size, mode, mtime, open_err, 0};
	return true;
}

bool root_add_text(kh_root *r, const char *path, const char *data, kh_u32 mode,
		   kh_s64 mtime)
{
	return root_add(r, path, data, cstr_len(data), mode, mtime);
}

int open_files(const kh_root *r)
{
	return r->opens - r->closes;
}

void set_now(kh_s64 t)
{
	g_now = t;
}

void set_clock_us(kh_u64 start, kh_u64 step)
{
	g_clock_start = start;
	g_clock_step = step;
	g_clock_calls = 0;
}

void set_mime_table(const khttpd_mime_table *t)
{
	g_mime_table = t;
}

} // namespace fake

namespace {

void record(kh_conn *c, const char *p, kh_size n)
{
	for (kh_size i = 0; i < n; i++) {
		if (c->out_len == fake::kOutCap) {
			c->overflow = true;
			return;
		}
		c->out[c->out_len++] = p[i];
	}
}

// How much of @len one send may take: 0 = no space now.
kh_size send_room(kh_conn *c, kh_u64 len)
{
	c->send_attempts++;
	if (c->send_eagain_every && c->send_attempts % c->send_eagain_every == 0)
		return 0;
	if (c->send_cap && len > c->send_cap)
		return c->send_cap;
	return static_cast<kh_size>(len);
}

} // namespace

extern "C" long kh_conn_recv(kh_conn *c, void *buf, kh_size len)
{
	c->recv_calls++;
	kh_size left = c->in_len - c->in_pos;
	if (left == 0)
		return c->end_result;
	kh_size n = left < len ? left : len;
	kh_size limit = c->in_pos == 0 && c->first_chunk ? c->first_chunk : c->chunk;
	if (c->chunks && c->chunk_idx < c->nchunks)
		limit = c->chunks[c->chunk_idx++];
	if (limit && n > limit)
		n = limit;
	auto *dst = static_cast<char *>(buf);
	for (kh_size i = 0; i < n; i++)
		dst[i] = c->in[c->in_pos + i];
	c->in_pos += n;
	return static_cast<long>(n);
}

extern "C" long kh_conn_send(kh_conn *c, const void *buf, kh_size len, int more)
{
	c->send_calls++;
	if (c->send_err)
		return c->send_err;
	kh_size n = send_room(c, len);
	if (!n)
		return -KH_EAGAIN;
	c->last_more = more;
	record(c, static_cast<const char *>(buf), n);
	return static_cast<long>(n);
}

extern "C" long kh_conn_send_file(kh_conn *c, kh_file *file, kh_u64 offset, kh_u64 len,
				  int more)
{
	c->send_file_calls++;
	if (c->send_err)
		return c->send_err;
	if (!file || !file->used || len == 0)
		return -KH_EINVAL;
	if (offset > file->f->size || len > file->f->size - offset)
		return -KH_EIO;
	kh_size n = send_room(c, len);
	if (!n)
		return -KH_EAGAIN;
	c->last_more = n < len || more;
	record(c, file->f->data + offset, n);
	return static_cast<long>(n);
}

extern "C" long kh_file_read(kh_file *file, kh_u64 offset, void *buf, kh_size len)
{
	if (!file || !file->used)
		return -KH_EINVAL;
	kh_root *r = file->root;
	r->reads++;
	kh_u64 size = file->f->size;
	if (offset >= size)
		return 0;
	kh_u64 n = size - offset < len ? size - offset : len;
	if (r->short_read_by)
		n = n > static_cast<kh_u64>(r->short_read_by) ? n - r->short_read_by : 0;
	auto *dst = static_cast<char *>(buf);
	for (kh_u64 i = 0; i < n; i++)
		dst[i] = file->f->data[offset + i];
	return static_cast<long>(n);
}

extern "C" bool kh_conn_daemon_ready(kh_conn *c)
{
	return c->handover_result != -KH_ENOENT;
}

namespace {

void copy_field(char (&to)[fake::kRecordFieldCap], const char *from, kh_size len)
{
	kh_size i = 0;
	for (; from && i < len && i + 1 < fake::kRecordFieldCap; i++)
		to[i] = from[i];
	to[i] = '\0';
}

void add_record(kh_conn *c, const kh_request_log *log)
{
	int i = c->nrecords++;
	if (i >= fake::kMaxRecords)
		return;
	fake::Record &r = c->records[i];
	r.status = log->status;
	r.handover_reason = log->handover_reason;
	r.aborted = log->aborted;
	r.bytes = log->bytes;
	r.body_bytes = log->body_bytes;
	r.usec = log->usec;
	copy_field(r.line, log->line, log->line_len);
	copy_field(r.referer, log->referer, log->referer_len);
	copy_field(r.agent, log->agent, log->agent_len);
	copy_field(r.host, log->host, log->host_len);
}

} // namespace

extern "C" void kh_conn_request_done(kh_conn *c, const kh_request_log *log)
{
	add_record(c, log);
}

extern "C" kh_u64 kh_clock_us(void)
{
	return fake::g_clock_start + fake::g_clock_step * ++fake::g_clock_calls;
}

extern "C" int kh_conn_hand_over(kh_conn *c, const void *data, kh_size len, kh_u32 reason,
				 kh_u32 served, const kh_request_log *log)
{
	c->handover_calls++;
	if (c->handover_result)
		return c->handover_result;
	if (c->handed_over || len > fake::kHandoverCap)
		return -KH_EINVAL;
	c->handed_over = true;
	c->handover_reason = reason;
	c->handover_served = served;
	const auto *p = static_cast<const char *>(data);
	for (kh_size i = 0; i < len; i++)
		c->handover_data[i] = p[i];
	c->handover_len = len;
	add_record(c, log);
	return 0;
}

extern "C" int kh_file_open(kh_root *r, const char *path, kh_file **file,
			    kh_file_info *info)
{
	r->lookups++;
	kh_size i = 0;
	for (; i + 1 < fake::kPathCap && path[i]; i++)
		r->last_path[i] = path[i];
	r->last_path[i] = '\0';
	*file = nullptr;
	for (int k = 0; k < r->nfiles; k++) {
		const fake::File &f = r->files[k];
		if (!fake::cstr_eq(f.path, path))
			continue;
		if (f.open_err)
			return f.open_err;
		info->size = f.size;
		info->mtime_sec = f.mtime;
		info->mtime_nsec = f.mtime_nsec;
		info->mode = f.mode;
		info->ino = static_cast<kh_u64>(k) + 100;
		if ((f.mode & KH_S_IFMT) != KH_S_IFREG)
			return 0;
		for (kh_file &slot : r->open) {
			if (slot.used)
				continue;
			slot.root = r;
			slot.f = &f;
			slot.used = true;
			r->opens++;
			*file = &slot;
			return 0;
		}
		return -KH_ENOMEM;
	}
	return -KH_ENOENT;
}

extern "C" void kh_file_close(kh_file *file)
{
	file->used = false;
	file->root->closes++;
}

extern "C" kh_s64 kh_now_seconds(void)
{
	return fake::g_now;
}

extern "C" kh_size kh_mime_type(const char *name, kh_size name_len, char *out,
				kh_size out_size)
{
	const char *type;
	kh_size n = khttpd_mime_table_lookup(fake::g_mime_table, name, name_len, &type);
	if (n > out_size)
		return 0;
	for (kh_size i = 0; i < n; i++)
		out[i] = type[i];
	return n;
}
