// SPDX-License-Identifier: GPL-2.0
// For the HTTPS tests: a throwaway CA and server certificates made with the
// openssl command in a temporary directory, and a small blocking TLS client
// (OpenSSL) with deadlines.
#ifndef KHTTPD_FALLBACKD_TLS_TEST_SUPPORT_H
#define KHTTPD_FALLBACKD_TLS_TEST_SUPPORT_H

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

namespace fallbackd::test {

// Made once per test program, removed at exit.
//   default.pem   DNS:default.test            (the daemon's default)
//   example.pem   DNS:*.example.test, DNS:www.other.test
//   cnonly.pem    CN=cnonly.test, no SAN
// each with its .key; other.key matches none of them.
struct TestPki {
	std::string dir;
	std::string ca; // ca.pem
	std::string path(const std::string &name) const { return dir + "/" + name; }
};
// Null (and a test failure) if the openssl command fails.
const TestPki *test_pki();

struct TlsClientOptions {
	std::string sni;		// empty: none
	std::vector<std::string> alpn;	// empty: no ALPN
	int version = 0;		// TLS1_2_VERSION, TLS1_3_VERSION; 0: either
	SSL_SESSION *resume = nullptr;	// a session to resume (not owned)
};

class TlsClient {
public:
	TlsClient();
	~TlsClient();
	TlsClient(const TlsClient &) = delete;
	TlsClient &operator=(const TlsClient &) = delete;

	// Handshakes over @fd (a connected TCP socket; it is made blocking
	// with send/receive timeouts). False with @error (the OpenSSL reason).
	bool connect(int fd, const TlsClientOptions &options, std::string &error);

	std::string version() const; // "TLSv1.3"
	bool resumed() const { return SSL_session_reused(ssl_) == 1; }
	// The session to resume later (TLS 1.3: after a read, which takes
	// the server's tickets); the caller frees it.
	SSL_SESSION *session() const { return SSL_get1_session(ssl_); }
	std::string alpn() const;    // "" if none
	// The DNS names (or the CN) of the server's certificate.
	std::vector<std::string> peer_names() const;

	bool write_all(const std::string &data);
	// Reads until @n bytes arrived (false on close/error/timeout).
	bool read_exactly(size_t n, std::string &out);
	// Reads until the server's close_notify: true if it came (after any
	// data, appended to @out), false on a TCP close without it or error.
	bool read_to_close_notify(std::string &out);

	// One read with a @timeout_ms receive timeout: what came.
	enum class ReadOutcome { kData, kCloseNotify, kNothing, kClosedOrError };
	ReadOutcome read_once(std::string &out, int timeout_ms);

	int fd() const { return SSL_get_fd(ssl_); }
	// Sends close_notify (the client's end of its stream).
	bool shutdown();

private:
	SSL_CTX *ctx_ = nullptr;
	SSL *ssl_ = nullptr;
};

} // namespace fallbackd::test

#endif
