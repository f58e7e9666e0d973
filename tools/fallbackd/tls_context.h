// SPDX-License-Identifier: GPL-2.0
// The daemon's TLS server settings: its certificates (--tls-cert/--tls-key
// pairs), which one a client's SNI picks, ALPN, protocol versions and
// ciphers. One SSL_CTX per certificate; a session starts on the first (the
// default) and the SNI callback switches it to another.
#ifndef KHTTPD_FALLBACKD_TLS_CONTEXT_H
#define KHTTPD_FALLBACKD_TLS_CONTEXT_H

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fallbackd {

struct SslCtxFree {
	void operator()(SSL_CTX *ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
	void operator()(SSL *ssl) const { SSL_free(ssl); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// One --tls-cert FILE --tls-key FILE pair.
struct TlsCertificateFiles {
	std::string cert; // PEM: the certificate, then its chain
	std::string key;  // PEM private key
};

// A certificate name (a DNS SAN, or the CN) matches @host: equal ignoring
// case, or "*.example.com" for exactly one more label ("a.example.com",
// not "example.com" nor "a.b.example.com").
bool certificate_name_matches(std::string_view pattern, std::string_view host);

// What kernel TLS needs of a TLS 1.3 session that OpenSSL 3.0 does not
// give (ktls.h): both application traffic secrets, caught from the key log
// (CLIENT_TRAFFIC_SECRET_0, SERVER_TRAFFIC_SECRET_0), and how many records
// OpenSSL wrote under the server's (its session tickets): the sequence
// number kernel TLS transmit starts at. Counted from OpenSSL's message
// callback, which sees every record header written.
struct SessionSecrets {
	uint8_t bytes[64] = {}; // the client's
	size_t length = 0;	// 0: not seen (TLS 1.2, or not yet)
	uint8_t server[64] = {};
	size_t server_length = 0;
	uint64_t server_records = 0; // written since server_length was set
	~SessionSecrets();
};

// Counts into *@count each record OpenSSL reads from now on, for a session
// of new_session(); nullptr stops.
void count_records_read(SSL *ssl, uint64_t *count);

// Stops the key log writing into the secret given to new_session().
void detach_session_secrets(SSL *ssl);

class TlsContext {
public:
	struct Certificate {
		SslCtxPtr ctx;
		std::string cert_path;
		std::vector<std::string> names; // lowercase
		bool names_from_cn = false;	// no DNS SAN: the subject's CN
		std::string not_after;		// "Feb 26 12:00:00 2027 GMT"
		bool expired = false;		// loaded all the same, as nginx does
	};

	// Loads and checks every pair (files readable, PEM valid, key matching
	// its certificate). Null with @error saying which file and why.
	// @previous (a reload, SIGHUP): its session ticket keys are carried
	// over, certificate by certificate, so that clients resume across a
	// reload as they do with nginx. An expired certificate is loaded (a
	// client decides; refusing it would leave the older one, also expired).
	static std::unique_ptr<TlsContext> load(const std::vector<TlsCertificateFiles> &files,
						std::string &error,
						const TlsContext *previous = nullptr);

	// "N certificate(s): FILE (NAMES, until DATE), ..." for the logs.
	std::string summary() const;

	~TlsContext();
	TlsContext(const TlsContext &) = delete;
	TlsContext &operator=(const TlsContext &) = delete;

	// A server session on @fd with the default certificate; the key log
	// goes to @secret (which must outlive the handshake). Null on failure.
	SslPtr new_session(int fd, SessionSecrets *secret) const;

	const std::vector<Certificate> &certificates() const { return certs_; }

	// The certificate for SNI @host: the first whose names match, else
	// the default (0).
	size_t choose(std::string_view host) const;

private:
	TlsContext() = default;
	static int on_server_name(SSL *ssl, int *alert, void *arg);

	std::vector<Certificate> certs_;
};

} // namespace fallbackd

#endif
