// SPDX-License-Identifier: GPL-2.0
// A fake of include/khttpd/kapi.h for unit tests (host GoogleTest and the
// in-kernel KUnit module). Freestanding C++: no std headers, no allocation;
// every buffer is a fixed array, and objects come from the caller (stack,
// static or kh_alloc) and are set up by the *_init functions.
#pragma once

#include "khttpd/core.h"
#include "khttpd/kapi.h"
#include "khttpd/mime_table.h"

namespace fake {

constexpr kh_size kOutCap = 32768; // bytes of output recorded per connection
constexpr int kMaxFiles = 32;
constexpr int kMaxOpen = 8;
constexpr kh_size kPathCap = 256;
constexpr kh_size kHandoverCap = 8192;
constexpr int kMaxRecords = 32;
constexpr kh_size kRecordFieldCap = 160;

// What kh_conn_request_done (or a taken hand-over) was told of a request.
struct Record {
	kh_u16 status;
	kh_u8 handover_reason;
	kh_u8 aborted;
	kh_u64 bytes;
	kh_u64 body_bytes;
	kh_u64 usec;
	// The strings, cut to kRecordFieldCap - 1 bytes and NUL-terminated.
	char line[kRecordFieldCap];
	char referer[kRecordFieldCap];
	char agent[kRecordFieldCap];
	char host[kRecordFieldCap];
};

// One entry of the fake document root.
struct File {
	const char *path; // relative, as kh_file_open receives it ("" = root)
	const char *data; // contents of a regular file (size bytes)
	kh_u64 size;
	kh_u32 mode;      // KH_S_IFREG / KH_S_IFDIR | permission bits
	kh_s64 mtime;
	int open_err;     // if non-zero, kh_file_open returns it
	kh_u32 mtime_nsec;
};

} // namespace fake

// A scripted client connection.
struct kh_conn {
	const char *in;   // scripted request bytes
	kh_size in_len;
	kh_size in_pos;
	kh_size chunk;    // at most this many bytes per kh_conn_recv (0 = all)
	kh_size first_chunk; // if non-zero, the first recv's limit instead
	long end_result;  // what recv returns once input is used up (0 = closed)
	int recv_calls;

	char out[fake::kOutCap]; // everything sent, head and file bytes
	kh_size out_len;
	bool overflow;    // more than kOutCap bytes were sent
	int send_calls;
	int send_file_calls;
	int send_err;     // if non-zero, sends fail with it
	kh_size send_cap; // at most this many bytes per send (0 = all)
	// If non-zero, every send_eagain_every-th send (head or file) finds
	// no send space and returns -KH_EAGAIN, as a full socket would.
	int send_eagain_every;
	int send_attempts;
	int last_more;    // the @more of the last send

	// fake::serve: how often a step ended waiting for each thing.
	int steps_read;
	int steps_write;
	int steps_yield;

	// kh_conn_hand_over: what it returns, and what it was given.
	int handover_result;   // 0 = taken; default -KH_ENOENT (no daemon)
	int handover_calls;
	bool handed_over;
	kh_u32 handover_reason;
	kh_u32 handover_served;
	char handover_data[fake::kHandoverCap];
	kh_size handover_len;

	// kh_conn_request_done and taken hand-overs' logs, in order (the
	// first kMaxRecords; nrecords counts all).
	fake::Record records[fake::kMaxRecords];
	int nrecords;

	// If set, recv number i returns at most chunks[i] bytes (0: no limit)
	// for the first nchunks receives; chunk/first_chunk apply after that.
	const kh_size *chunks;
	int nchunks;
	int chunk_idx;
};

// An open fake file.
struct kh_file {
	struct kh_root *root;
	const fake::File *f;
	bool used;
};

// The fake document root.
struct kh_root {
	fake::File files[fake::kMaxFiles];
	int nfiles;
	kh_file open[fake::kMaxOpen];
	int opens;    // successful kh_file_open calls that returned a file
	int closes;   // kh_file_close calls
	int lookups;  // all kh_file_open calls
	int reads;    // kh_file_read calls
	int short_read_by; // if non-zero, kh_file_read returns this many bytes fewer (a file that shrank)
	char last_path[fake::kPathCap]; // path of the last kh_file_open
};

namespace fake {

// @in must stay valid while the connection is used.
void conn_init(kh_conn *c, const char *in, kh_size in_len, kh_size chunk);

// Serves the scripted connection @c to its end, as the kernel's event loop
// would: steps the session whenever it waits (the fake socket is always
// ready again), until it closes or is handed over. Between steps in which
// the session is idle it gets other buffers, the way the kernel lends its
// buffers out, so a session that kept a pointer into them would fail.
// @block/@spare: khttpd_conn_buffers_size(@max_head) bytes each; @scratch:
// khttpd_worker_scratch_size(@max_head), aligned to 8. Returns the last step's result.
int serve(kh_conn *c, kh_root *root, const khttpd_session_params *params,
	  kh_size max_head, char *block, char *spare, char *scratch);
void root_init(kh_root *r);
// Adds an entry; @data may be null for directories. False if full.
bool root_add(kh_root *r, const char *path, const char *data, kh_u64 size,
	      kh_u32 mode, kh_s64 mtime, int open_err = 0);
// Regular file whose size is strlen(@data).
bool root_add_text(kh_root *r, const char *path, const char *data, kh_u32 mode,
		   kh_s64 mtime);
// Files currently open (opens - closes).
int open_files(const kh_root *r);

void set_now(kh_s64 t);
// kh_clock_us() returns this plus @step per call made so far.
void set_clock_us(kh_u64 start, kh_u64 step);

// The MIME table kh_mime_type uses; nullptr (the default) = built-in.
void set_mime_table(const khttpd_mime_table *t);

kh_size cstr_len(const char *s);
bool mem_eq(const char *a, const char *b, kh_size n);

} // namespace fake
