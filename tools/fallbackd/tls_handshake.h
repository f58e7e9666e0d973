// SPDX-License-Identifier: GPL-2.0
// A TLS handshake in progress on a handed-over client socket
// (KHTTPD_HANDOVER_TLS: the ClientHello is still in the socket).
//
// Non-blocking: each readiness event runs SSL_do_handshake() until it wants
// more from the network; then, where KHTTPD_IOC_ADOPT_RX_LATER applies,
// SSL_read() of the client's first request, waiting for the rest of a
// record that came in part. It counts as a relay for --max-connections and
// --max-per-client, and its activity never moves, so --idle-timeout is a
// deadline for the whole handshake: a client that trickles it byte by byte
// is closed as one that sends nothing. Garbage, a plain HTTP request, a
// truncated or abandoned handshake fail here, closing the socket; the
// connection holds nothing but the socket and OpenSSL's session meanwhile.
#ifndef KHTTPD_FALLBACKD_TLS_HANDSHAKE_H
#define KHTTPD_FALLBACKD_TLS_HANDSHAKE_H

#include <memory>
#include <string>

#include "client_connection.h"
#include "tls_adoption.h"
#include "tls_context.h"
#include "tls_info.h"
#include "unique_fd.h"

namespace fallbackd {

class TlsHandshake final : public ClientConnection {
public:
	// @client must be non-blocking. Check ok() after construction.
	// Holds @context: the SNI callback reads it until the handshake ends,
	// even if a reload (SIGHUP) replaced the daemon's meanwhile.
	// @adoption (the daemon's, outliving this) says whether to read the
	// client's first request before kHandshakeDone (tls_adoption.h).
	TlsHandshake(UniqueFd client, std::shared_ptr<const TlsContext> context,
		     const AdoptionSettings &adoption);
	~TlsHandshake() override;

	bool ok() const { return ssl_ != nullptr; }

	int client_fd() const override { return client_.get(); }
	int backend_fd() const override { return -1; }
	Status on_event(bool on_backend, uint32_t epoll_events, bool &more_work) override;
	Status pump(bool &more_work) override;
	int error() const override { return error_; }
	const char *error_context() const override { return problem_.c_str(); }
	uint64_t bytes_up() const override { return 0; }
	uint64_t bytes_down() const override { return 0; }
	uint64_t activity() const override { return 0; }
	bool connected() const override { return true; }
	// Nothing can be said to a client before the handshake: just close.
	void refuse(ErrorReply) override { client_.reset(); }

	// After kHandshakeDone.
	SSL *ssl() const { return ssl_.get(); }
	const SessionSecrets &secrets() const { return secret_; }
	FirstRequest &first_request() { return first_; }
	TlsFacts facts() const;
	// Hands the session and the socket on (the key log no longer writes
	// into this object).
	SslPtr take_ssl();
	UniqueFd take_client() { return std::move(client_); }

private:
	UniqueFd client_;
	std::shared_ptr<const TlsContext> context_; // before ssl_: outlives it
	SessionSecrets secret_; // before ssl_: outlives it
	SslPtr ssl_;
	const AdoptionSettings &adoption_;
	bool handshake_done_ = false;
	FirstRequest first_;
	int error_ = 0;
	std::string problem_;
};

// The OpenSSL error queue's first entry as text ("... http request"),
// cleared; @fallback if it is empty.
std::string take_openssl_error(const char *fallback);

} // namespace fallbackd

#endif
