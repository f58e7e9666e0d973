// SPDX-License-Identifier: GPL-2.0
// A TLS connection the daemon serves itself: SSL_read() from the client,
// plain TCP to the backend, and back through SSL_write(). For connections
// khttpd.ko could not adopt (no kernel TLS, a refused adoption).
//
// Bounded like the splice relay: one fixed buffer per direction, one TLS
// record's worth (16 KiB). A direction reads again only once its buffer is
// empty, so a slow reader on one side slows the writer on the other down
// through TCP flow control. The backend gets the preamble (the PROXY header
// with the TLS TLVs, and any plaintext read before) first.
//
// Ends: the client's close_notify (or its TCP FIN, accepted as the end of
// its stream) becomes shutdown(SHUT_WR) towards the backend; the backend's
// end of file becomes SSL_shutdown() (close_notify) towards the client.
// Alerts end the connection; a TLS 1.3 KeyUpdate is OpenSSL's business.
#ifndef KHTTPD_FALLBACKD_TLS_RELAY_H
#define KHTTPD_FALLBACKD_TLS_RELAY_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "client_connection.h"
#include "tls_context.h"
#include "unique_fd.h"

namespace fallbackd {

class TlsRelay final : public ClientConnection {
public:
	// @client is non-blocking, @ssl its finished session. @backend is
	// connected, or connecting (@connected false).
	TlsRelay(UniqueFd client, SslPtr ssl, UniqueFd backend, bool connected,
		 std::string preamble);
	~TlsRelay() override;

	int client_fd() const override { return client_.get(); }
	int backend_fd() const override { return backend_.get(); }
	Status on_event(bool on_backend, uint32_t epoll_events, bool &more_work) override;
	Status pump(bool &more_work) override;
	int error() const override { return error_; }
	const char *error_context() const override { return context_.c_str(); }
	uint64_t bytes_up() const override { return up_.delivered; }
	uint64_t bytes_down() const override { return down_.delivered; }
	uint64_t activity() const override { return activity_; }
	bool connected() const override { return connected_; }
	void refuse(ErrorReply reply) override;

private:
	static constexpr size_t kBufferSize = 16384; // one TLS record

	struct Buffer {
		std::unique_ptr<char[]> bytes{new char[kBufferSize]};
		size_t start = 0, end = 0;
		uint64_t delivered = 0;
		bool empty() const { return start == end; }
	};

	bool fail(int err, std::string context);
	bool fail_ssl(int rc, const char *what);
	bool finish_connect();
	bool send_preamble(bool &progress);
	bool client_to_backend(bool may_write, bool &progress);
	bool backend_to_client(bool &progress);

	UniqueFd client_;
	SslPtr ssl_;
	UniqueFd backend_;
	bool connected_;
	bool unreachable_ = false;
	std::string preamble_;
	size_t preamble_sent_ = 0;
	Buffer up_;   // client -> backend
	Buffer down_; // backend -> client
	bool client_eof_ = false;    // close_notify or FIN from the client
	bool backend_shut_ = false;  // shutdown(backend, SHUT_WR) done
	bool backend_eof_ = false;   // end of file from the backend
	bool client_closed_ = false; // our close_notify is out
	int error_ = 0;
	std::string context_;
	uint64_t activity_ = 0;
};

// Answers @reply inside the TLS session, sends close_notify and closes:
// for a finished handshake whose backend cannot be reached.
void tls_answer_and_close(SSL *ssl, UniqueFd client, ErrorReply reply);

} // namespace fallbackd

#endif
