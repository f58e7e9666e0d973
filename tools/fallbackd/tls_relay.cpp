// SPDX-License-Identifier: GPL-2.0
#include "tls_relay.h"

#include <openssl/err.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "fd_util.h"
#include "tls_handshake.h" // take_openssl_error

namespace fallbackd {
namespace {

// Rounds of (backend -> client, client -> backend) per pump() call.
constexpr int kRoundsPerPump = 16;

bool would_block(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK;
}

} // namespace

TlsRelay::TlsRelay(UniqueFd client, SslPtr ssl, UniqueFd backend, bool connected,
		   std::string preamble)
	: client_(std::move(client)), ssl_(std::move(ssl)), backend_(std::move(backend)),
	  connected_(connected), preamble_(std::move(preamble))
{
}

TlsRelay::~TlsRelay()
{
	// A relay that ends early (an error, the idle timeout, the daemon
	// stopping) still tells the client, if it can, that nothing was cut
	// off by an attacker: one non-blocking try.
	if (ssl_ && client_ && !client_closed_) {
		ERR_clear_error();
		SSL_shutdown(ssl_.get());
		ERR_clear_error();
	}
}

bool TlsRelay::fail(int err, std::string context)
{
	error_ = err;
	context_ = std::move(context);
	return false;
}

// A failed SSL_read/SSL_write/SSL_shutdown: WANT_* is no failure.
bool TlsRelay::fail_ssl(int rc, const char *what)
{
	int saved = errno;
	switch (SSL_get_error(ssl_.get(), rc)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return true;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		client_closed_ = true; // the socket is broken: no close_notify
		return fail(saved ? saved : ECONNRESET, what);
	default:
		client_closed_ = true; // OpenSSL sent its alert, if any
		return fail(0, std::string(what) + ": " + take_openssl_error("TLS error"));
	}
}

bool TlsRelay::finish_connect()
{
	int err = socket_error(backend_.get());
	if (err == 0) {
		connected_ = true;
		activity_++;
		return true;
	}
	unreachable_ = true;
	return fail(err, "connecting to the backend");
}

bool TlsRelay::send_preamble(bool &progress)
{
	while (preamble_sent_ < preamble_.size()) {
		ssize_t n = send(backend_.get(), preamble_.data() + preamble_sent_,
				 preamble_.size() - preamble_sent_, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (would_block(errno))
				return true;
			return fail(errno, "writing to the backend");
		}
		preamble_sent_ += static_cast<size_t>(n);
		progress = true;
	}
	if (!preamble_.empty()) {
		std::string().swap(preamble_);
		preamble_sent_ = 0;
	}
	return true;
}

bool TlsRelay::client_to_backend(bool may_write, bool &progress)
{
	if (!client_eof_ && up_.empty()) {
		ERR_clear_error();
		errno = 0;
		int n = SSL_read(ssl_.get(), up_.bytes.get(), static_cast<int>(kBufferSize));
		if (n > 0) {
			up_.start = 0;
			up_.end = static_cast<size_t>(n);
			progress = true;
		} else if (SSL_get_error(ssl_.get(), n) == SSL_ERROR_ZERO_RETURN) {
			client_eof_ = true; // close_notify, or FIN (IGNORE_UNEXPECTED_EOF)
			progress = true;
		} else if (!fail_ssl(n, "reading from the client (TLS)")) {
			return false;
		}
	}
	if (!may_write)
		return true;
	while (!up_.empty()) {
		ssize_t n = send(backend_.get(), up_.bytes.get() + up_.start, up_.end - up_.start,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && would_block(errno))
			break;
		if (n < 0)
			return fail(errno, "writing to the backend");
		up_.start += static_cast<size_t>(n);
		up_.delivered += static_cast<uint64_t>(n);
		progress = true;
	}
	if (client_eof_ && up_.empty() && !backend_shut_) {
		if (shutdown(backend_.get(), SHUT_WR) != 0 && errno != ENOTCONN)
			return fail(errno, "writing to the backend");
		backend_shut_ = true;
		progress = true;
	}
	return true;
}

bool TlsRelay::backend_to_client(bool &progress)
{
	if (!backend_eof_ && down_.empty()) {
		ssize_t n = recv(backend_.get(), down_.bytes.get(), kBufferSize, MSG_DONTWAIT);
		if (n > 0) {
			down_.start = 0;
			down_.end = static_cast<size_t>(n);
			progress = true;
		} else if (n == 0) {
			backend_eof_ = true;
			progress = true;
		} else if (errno == EINTR) {
			progress = true;
		} else if (!would_block(errno)) {
			return fail(errno, "reading from the backend");
		}
	}
	// The same pointer and length again after a WANT_WRITE, as SSL_write
	// asks: the buffer does not change until it is written.
	while (!down_.empty() && !client_closed_) {
		ERR_clear_error();
		errno = 0;
		int n = SSL_write(ssl_.get(), down_.bytes.get() + down_.start,
				  static_cast<int>(down_.end - down_.start));
		if (n <= 0)
			return fail_ssl(n, "writing to the client (TLS)");
		down_.start += static_cast<size_t>(n);
		down_.delivered += static_cast<uint64_t>(n);
		progress = true;
	}
	if (backend_eof_ && down_.empty() && !client_closed_) {
		ERR_clear_error();
		errno = 0;
		int rc = SSL_shutdown(ssl_.get());
		if (rc < 0)
			return fail_ssl(rc, "closing the TLS session");
		client_closed_ = true;
		shutdown(client_.get(), SHUT_WR);
		progress = true;
	}
	return true;
}

ClientConnection::Status TlsRelay::on_event(bool on_backend, uint32_t epoll_events,
					     bool &more_work)
{
	more_work = false;
	if (!connected_) {
		if (!on_backend)
			return Status::kActive; // the client waits for the backend
		if (!finish_connect())
			return Status::kBackendUnreachable;
	} else if (epoll_events & EPOLLERR) {
		int err = socket_error(on_backend ? backend_.get() : client_.get());
		if (err != 0) {
			if (!on_backend)
				client_closed_ = true;
			fail(err, on_backend ? "backend socket" : "client socket");
			return Status::kFailed;
		}
	}
	return pump(more_work);
}

ClientConnection::Status TlsRelay::pump(bool &more_work)
{
	more_work = false;
	if (!connected_)
		return unreachable_ ? Status::kBackendUnreachable : Status::kActive;
	for (int round = 0; round < kRoundsPerPump; round++) {
		bool progress = false;
		if (!send_preamble(progress))
			return Status::kFailed;
		if (!backend_to_client(progress) || !client_to_backend(preamble_.empty(), progress))
			return Status::kFailed;
		if (client_eof_ && backend_shut_ && backend_eof_ && client_closed_)
			return Status::kFinished;
		if (!progress)
			return Status::kActive;
		activity_++;
	}
	more_work = true;
	return Status::kActive;
}

void TlsRelay::refuse(ErrorReply reply)
{
	client_closed_ = true; // done below
	tls_answer_and_close(ssl_.get(), std::move(client_), reply);
}

void tls_answer_and_close(SSL *ssl, UniqueFd client, ErrorReply reply)
{
	std::string_view text = error_reply_text(reply);
	ERR_clear_error();
	// Best effort, non-blocking: the answer is small.
	if (SSL_write(ssl, text.data(), static_cast<int>(text.size())) > 0)
		SSL_shutdown(ssl);
	ERR_clear_error();
	shutdown(client.get(), SHUT_WR);
	// ~UniqueFd closes it.
}

} // namespace fallbackd
