// SPDX-License-Identifier: GPL-2.0
#include "tls_adoption.h"

#include <openssl/err.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "khttpd/fallback.h"
#include "ktls.h"

namespace fallbackd {
namespace {

AdoptionResult userspace(std::string reason)
{
	AdoptionResult r;
	r.kind = AdoptionResult::kUserspace;
	r.reason = std::move(reason);
	return r;
}

// Moves what OpenSSL decrypted and holds to @out (at most the kernel's
// limit). False if more is held than the kernel takes.
bool drain_decrypted(SSL *ssl, std::string &out)
{
	char buf[16384];
	while (SSL_pending(ssl) > 0) {
		if (out.size() >= KHTTPD_HANDOVER_DATA_MAX)
			return false;
		ERR_clear_error();
		int n = SSL_read(ssl, buf, static_cast<int>(sizeof(buf)));
		if (n <= 0) {
			ERR_clear_error();
			break;
		}
		out.append(buf, static_cast<size_t>(n));
	}
	return out.size() <= KHTTPD_HANDOVER_DATA_MAX;
}

// The ioctl, again after a signal. 0 or errno.
int adopt_ioctl(int control_fd, unsigned long request, void *arg)
{
	int rc;
	do
		rc = ioctl(control_fd, request, arg);
	while (rc < 0 && errno == EINTR);
	return rc == 0 ? 0 : errno;
}

khttpd_adopt adopt_argument(int fd, const std::string &info, const std::string &plaintext)
{
	khttpd_adopt adopt{};
	adopt.fd = fd;
	adopt.flags = 0;
	adopt.data = reinterpret_cast<uintptr_t>(plaintext.data());
	adopt.data_len = static_cast<uint32_t>(plaintext.size());
	adopt.info = reinterpret_cast<uintptr_t>(info.data());
	adopt.info_len = static_cast<uint32_t>(info.size());
	return adopt;
}

// From here the kernel does the records; OpenSSL never reads or writes
// again. Marks the connection as shut down cleanly, without a
// close_notify: SSL_free() drops the session of a connection that was not
// from the cache, and TLS 1.2 session-ID resumption never works.
void leave_to_kernel(SSL *ssl)
{
	SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

// TLS 1.3 with kernel TLS sending and OpenSSL receiving, the first request
// read here (one whole record): the kernel is given the receive side's
// parameters from record 1 on, to set itself when it needs more
// (KHTTPD_IOC_ADOPT_RX_LATER). A Connection: close request then costs no
// receive-side kernel TLS. False: a module without that ioctl (ENOTTY),
// nothing done; else @r is the outcome.
bool try_rx_later(SSL *ssl, int fd, uint16_t suite, const SessionSecrets &secret,
		  const std::string &info, const AdoptionSettings &settings, AdoptionResult &r)
{
	CryptoInfo rx;
	if (int err = tls13_receive_info(suite, std::span(secret.bytes, secret.length), 1, rx);
	    err != 0) {
		r.kind = AdoptionResult::kUserspace;
		r.reason = std::string("kernel TLS receive: ") + strerror(err);
		return true;
	}
	khttpd_adopt_rx_later later{};
	later.adopt = adopt_argument(fd, info, r.plaintext);
	later.rx_info = reinterpret_cast<uintptr_t>(rx.data());
	later.rx_info_len = static_cast<uint32_t>(rx.length);
	int err = adopt_ioctl(settings.control_fd, KHTTPD_IOC_ADOPT_RX_LATER, &later);
	if (err == 0) {
		leave_to_kernel(ssl);
		r.kind = AdoptionResult::kAdopted;
		r.conn_id = later.adopt.conn_id;
		return true;
	}
	if (err == ENOTTY)
		return false;
	// OpenSSL still has the receive side: it serves the connection, the
	// request it read going first.
	r.kind = AdoptionResult::kUserspace;
	r.reason = std::string("adoption refused: ") + strerrorname_np(err);
	return true;
}

} // namespace

bool wants_first_request(SSL *ssl, const AdoptionSettings &settings)
{
	return settings.rx_later && settings.control_fd >= 0 && !settings.without_kernel_tls &&
	       SSL_version(ssl) == TLS1_3_VERSION && BIO_get_ktls_send(SSL_get_wbio(ssl)) &&
	       !BIO_get_ktls_recv(SSL_get_rbio(ssl));
}

void read_first_request(SSL *ssl, FirstRequest &first)
{
	char buf[16384]; // a record's plaintext, at most
	count_records_read(ssl, &first.records);
	ERR_clear_error();
	int n = SSL_read(ssl, buf, static_cast<int>(sizeof(buf)));
	int err = n > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl, n);
	ERR_clear_error();
	count_records_read(ssl, nullptr);
	bool held = SSL_has_pending(ssl);
	bool wait = err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE;
	if (n > 0)
		first.plaintext.append(buf, static_cast<size_t>(n));
	if (n > 0 && first.records == 1 && !held)
		first.state = FirstRequest::kOneRecord;
	else if (n <= 0 && wait && !held && first.records == 0)
		first.state = FirstRequest::kNothing;
	else if (n <= 0 && wait && first.records == 1 && first.plaintext.empty())
		first.state = FirstRequest::kPartial; // its header came, not all its body
	else
		first.state = FirstRequest::kOther;
}

AdoptionResult try_adoption(SSL *ssl, int fd, const SessionSecrets &secret,
			    const std::string &info, const AdoptionSettings &settings,
			    FirstRequest &first)
{
	if (settings.control_fd < 0)
		return userspace("adoption off (no control file)");
	bool test_mode = settings.without_kernel_tls;
	bool tx = BIO_get_ktls_send(SSL_get_wbio(ssl));
	bool rx = BIO_get_ktls_recv(SSL_get_rbio(ssl));
	bool rx_set_here = false;
	AdoptionResult r;
	if (first.state == FirstRequest::kOther || first.state == FirstRequest::kPartial) {
		r = userspace("first request not in one whole record");
		r.plaintext = std::move(first.plaintext);
		return r;
	}
	if (!tx && !rx && !test_mode && settings.kernel_tls) {
		// An OpenSSL built without kernel TLS: both ways here.
		if (SSL_has_pending(ssl))
			return userspace("OpenSSL read past the handshake");
		std::string why;
		bool broken;
		if (enable_kernel_tls(ssl, fd, secret, why, broken) != 0) {
			r = userspace("kernel TLS: " + why);
			if (broken)
				r.kind = AdoptionResult::kBroken;
			return r;
		}
		tx = rx = rx_set_here = true;
	}
	if (!tx && !test_mode) {
		if (!settings.kernel_tls)
			return userspace("no kernel TLS (tls.ko not available)");
		return userspace(std::string("kernel TLS transmit not on (") +
				 SSL_get_version(ssl) + ", " +
				 SSL_CIPHER_get_name(SSL_get_current_cipher(ssl)) + ")");
	}
	if (!rx && !test_mode) {
		if (SSL_version(ssl) != TLS1_3_VERSION)
			return userspace("kernel TLS receive not on (TLS 1.2)");
		// The record sequence is right only if OpenSSL has read no
		// record protected by the client's application key but those
		// counted: nothing decrypted and nothing buffered before
		// (read-ahead is off).
		if (SSL_has_pending(ssl))
			return userspace("OpenSSL read past the handshake");
		if (secret.length == 0)
			return userspace("no client traffic secret from the key log");
		uint16_t suite = SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(ssl));
		uint64_t records_read = 0;
		if (first.state == FirstRequest::kOneRecord) {
			r.plaintext = std::move(first.plaintext);
			if (try_rx_later(ssl, fd, suite, secret, info, settings, r))
				return r;
			records_read = 1; // r.plaintext goes with KHTTPD_IOC_ADOPT
		}
		if (int err = enable_tls13_receive(fd, suite, std::span(secret.bytes, secret.length),
						   records_read);
		    err != 0) {
			AdoptionResult u = userspace(std::string("kernel TLS receive: ") +
						     strerror(err));
			u.plaintext = std::move(r.plaintext);
			return u;
		}
		rx_set_here = true;
	}

	if (!rx_set_here && !drain_decrypted(ssl, r.plaintext))
		return userspace("more plaintext read than the kernel takes");
	if (!test_mode)
		leave_to_kernel(ssl);
	khttpd_adopt adopt = adopt_argument(fd, info, r.plaintext);
	int err = adopt_ioctl(settings.control_fd, KHTTPD_IOC_ADOPT, &adopt);
	if (err == 0) {
		r.kind = AdoptionResult::kAdopted;
		r.conn_id = adopt.conn_id;
		return r;
	}
	r.reason = std::string("adoption refused: ") + strerrorname_np(err);
	// Kernel TLS on both ways: OpenSSL cannot read past our TLS_RX, and
	// need not: splice relays plaintext, the kernel does the records.
	r.kind = (tx && rx) || rx_set_here ? AdoptionResult::kKernelTls : AdoptionResult::kUserspace;
	return r;
}

} // namespace fallbackd
