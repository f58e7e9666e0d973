// SPDX-License-Identifier: GPL-2.0
// Host driver for counting the C++ core's instructions per request under
// callgrind (tools/bench/profile.sh core). It serves a stream of identical
// GET requests, as wrk sends them, through the real session
// (khttpd_session_step) and the fake kapi (tests/fake), one request per
// step, as a keep-alive client that waits for each answer sends them.
//
// Usage: profile_core [REQUESTS] [FILE_SIZE] [keepalive|close]
// In close mode every connection carries one request with
// "Connection: close", so the session's set-up and tear-down are counted.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fake_kapi.h"
#include "khttpd/core.h"

int main(int argc, char **argv)
{
	long requests = argc > 1 ? std::atol(argv[1]) : 20000;
	kh_u64 size = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1024;
	bool close_mode = argc > 3 && std::strcmp(argv[3], "close") == 0;
	if (requests <= 0 || size > fake::kOutCap) {
		std::fprintf(stderr, "usage: profile_core [REQUESTS] [FILE_SIZE <= %zu] [keepalive|close]\n",
			     static_cast<size_t>(fake::kOutCap));
		return 2;
	}

	std::string body(size, 'x');
	auto root = std::make_unique<kh_root>();
	fake::root_init(root.get());
	fake::root_add(root.get(), "", nullptr, 4096, KH_S_IFDIR | 0755, 1000000000);
	fake::root_add(root.get(), "f.bin", body.data(), size, KH_S_IFREG | 0644, 1000000000);

	khttpd_session_params params{};
	params.index_name = "index.html";
	params.perm_required = 0004;
	params.dynamic = ".. cgi-bin ?"; // the sysctl's default
	params.sloppy_mime = 1;          // .bin is application/octet-stream either way
	params.inline_body_max = 8192;   // as the module sets it (server.c)

	// What wrk sends (its default headers: Host only; the close script adds
	// Connection: close).
	std::string req = "GET /f.bin HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n";
	if (close_mode)
		req += "Connection: close\r\n";
	req += "\r\n";

	constexpr kh_size kMaxHead = 8192; // the max_header_size default
	std::vector<char> block(khttpd_conn_buffers_size(kMaxHead));
	std::vector<uint64_t> scratch((khttpd_worker_scratch_size(kMaxHead) + 7) / 8);
	khttpd_conn_buffers bufs{};
	khttpd_conn_buffers_init(&bufs, block.data(), kMaxHead);
	khttpd_worker_scratch *ws = khttpd_worker_scratch_init(scratch.data(), kMaxHead);
	std::vector<kh_u64> mem((khttpd_session_size() + 7) / 8);
	auto *s = reinterpret_cast<khttpd_session *>(mem.data());
	auto conn = std::make_unique<kh_conn>();
	fake::conn_init(conn.get(), req.data(), req.size(), 0);
	conn->end_result = -KH_EAGAIN; // after the request: nothing yet
	long served = 0, bad = 0;

	// As the kernel's worker does it: one step per event. A keep-alive
	// client sends its next request when the answer is in, so every step
	// receives one request, answers it and finds the socket empty.
	if (!close_mode)
		khttpd_session_init(s, conn.get());
	for (long i = 0; i < requests; i++) {
		if (close_mode)
			khttpd_session_init(s, conn.get());
		conn->in_pos = 0;
		conn->out_len = 0;
		khttpd_step st = khttpd_session_step(s, root.get(), &params, &bufs, ws);
		if (st != (close_mode ? KHTTPD_STEP_CLOSE : KHTTPD_STEP_READ) ||
		    conn->out_len < size)
			bad++;
		if (close_mode)
			khttpd_session_destroy(s);
	}
	if (!close_mode)
		khttpd_session_destroy(s);
	served = root->opens - bad;
	std::printf("profile_core: %ld requests of a %llu-byte file (%s), %ld answered, "
		    "%d files left open\n",
		    requests, static_cast<unsigned long long>(size),
		    close_mode ? "close" : "keep-alive", served, fake::open_files(root.get()));
	return fake::open_files(root.get()) == 0 && served == requests ? 0 : 1;
}
