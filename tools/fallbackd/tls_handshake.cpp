// SPDX-License-Identifier: GPL-2.0
#include "tls_handshake.h"

#include <openssl/err.h>
#include <sys/epoll.h>

#include <cerrno>

#include "fd_util.h"

namespace fallbackd {

std::string take_openssl_error(const char *fallback)
{
	unsigned long e = ERR_get_error();
	ERR_clear_error();
	if (e == 0)
		return fallback;
	const char *reason = ERR_reason_error_string(e);
	if (reason)
		return reason;
	char buf[256];
	ERR_error_string_n(e, buf, sizeof(buf));
	return buf;
}

TlsHandshake::TlsHandshake(UniqueFd client, std::shared_ptr<const TlsContext> context,
			   const AdoptionSettings &adoption)
	: client_(std::move(client)), context_(std::move(context)), adoption_(adoption)
{
	ssl_ = context_->new_session(client_.get(), &secret_);
}

TlsHandshake::~TlsHandshake()
{
	// No SSL_shutdown(): a handshake that did not finish has no session
	// to close, and one taken over has its SSL moved out already.
	if (ssl_)
		detach_session_secrets(ssl_.get());
}

ClientConnection::Status TlsHandshake::on_event(bool, uint32_t epoll_events, bool &more_work)
{
	if (epoll_events & EPOLLERR) {
		more_work = false;
		error_ = socket_error(client_.get());
		if (error_ != 0) {
			problem_ = "client socket";
			return Status::kFailed;
		}
	}
	return pump(more_work);
}

ClientConnection::Status TlsHandshake::pump(bool &more_work)
{
	more_work = false;
	if (handshake_done_) {
		read_first_request(ssl_.get(), first_);
		return first_.state == FirstRequest::kPartial ? Status::kActive
							      : Status::kHandshakeDone;
	}
	ERR_clear_error();
	errno = 0;
	int rc = SSL_do_handshake(ssl_.get());
	if (rc == 1) {
		handshake_done_ = true;
		if (!wants_first_request(ssl_.get(), adoption_))
			return Status::kHandshakeDone;
		read_first_request(ssl_.get(), first_);
		return first_.state == FirstRequest::kPartial ? Status::kActive
							      : Status::kHandshakeDone;
	}
	switch (SSL_get_error(ssl_.get(), rc)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return Status::kActive;
	case SSL_ERROR_SYSCALL:
		error_ = errno;
		problem_ = error_ ? "TLS handshake"
				  : "TLS handshake: the client closed the connection";
		ERR_clear_error();
		return Status::kFailed;
	default:
		problem_ = "TLS handshake: " + take_openssl_error("failed");
		return Status::kFailed;
	}
}

TlsFacts TlsHandshake::facts() const
{
	TlsFacts f;
	SSL *s = ssl_.get();
	f.version = SSL_get_version(s);
	if (const SSL_CIPHER *c = SSL_get_current_cipher(s))
		f.cipher = SSL_CIPHER_get_name(c);
	if (const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name))
		f.server_name = name;
	const unsigned char *alpn = nullptr;
	unsigned int alpn_len = 0;
	SSL_get0_alpn_selected(s, &alpn, &alpn_len);
	if (alpn)
		f.alpn.assign(reinterpret_cast<const char *>(alpn), alpn_len);
	return f;
}

SslPtr TlsHandshake::take_ssl()
{
	if (ssl_)
		detach_session_secrets(ssl_.get());
	return std::move(ssl_);
}

} // namespace fallbackd
