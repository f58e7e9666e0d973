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

} // namespace

AdoptionResult try_adoption(SSL *ssl, int fd, const SessionSecrets &secret,
			    const std::string &info, const AdoptionSettings &settings)
{
	if (settings.control_fd < 0)
		return userspace("adoption off (no control file)");
	bool test_mode = settings.without_kernel_tls;
	bool tx = BIO_get_ktls_send(SSL_get_wbio(ssl));
	bool rx = BIO_get_ktls_recv(SSL_get_rbio(ssl));
	bool rx_set_here = false;
	if (!tx && !rx && !test_mode && settings.kernel_tls) {
		// An OpenSSL without kernel TLS (Debian's 3.0): both ways here.
		if (SSL_has_pending(ssl))
			return userspace("OpenSSL read past the handshake");
		std::string why;
		bool broken;
		if (enable_kernel_tls(ssl, fd, secret, why, broken) != 0) {
			AdoptionResult r = userspace("kernel TLS: " + why);
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
		// Sequence 0 is right only if OpenSSL has read no record
		// protected by the client's application key: nothing
		// decrypted and nothing buffered (read-ahead is off).
		if (SSL_has_pending(ssl))
			return userspace("OpenSSL read past the handshake");
		if (secret.length == 0)
			return userspace("no client traffic secret from the key log");
		uint16_t suite = SSL_CIPHER_get_protocol_id(SSL_get_current_cipher(ssl));
		if (int err = enable_tls13_receive(fd, suite, std::span(secret.bytes, secret.length));
		    err != 0)
			return userspace(std::string("kernel TLS receive: ") + strerror(err));
		rx_set_here = true;
	}

	AdoptionResult r;
	if (!rx_set_here && !drain_decrypted(ssl, r.plaintext))
		return userspace("more plaintext read than the kernel takes");
	// From here the kernel does the records; OpenSSL never reads or
	// writes again. Mark the connection as shut down cleanly, without a
	// close_notify: SSL_free() drops the session of a connection that was
	// not from the cache, and TLS 1.2 session-ID resumption never works.
	if (!test_mode)
		SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	khttpd_adopt adopt{};
	adopt.fd = fd;
	adopt.flags = 0;
	adopt.data = reinterpret_cast<uintptr_t>(r.plaintext.data());
	adopt.data_len = static_cast<uint32_t>(r.plaintext.size());
	adopt.info = reinterpret_cast<uintptr_t>(info.data());
	adopt.info_len = static_cast<uint32_t>(info.size());
	int rc;
	do
		rc = ioctl(settings.control_fd, KHTTPD_IOC_ADOPT, &adopt);
	while (rc < 0 && errno == EINTR);
	if (rc == 0) {
		r.kind = AdoptionResult::kAdopted;
		r.conn_id = adopt.conn_id;
		return r;
	}
	int err = errno;
	r.reason = std::string("adoption refused: ") + strerrorname_np(err);
	// Kernel TLS on both ways: OpenSSL cannot read past our TLS_RX, and
	// need not: splice relays plaintext, the kernel does the records.
	r.kind = (tx && rx) || rx_set_here ? AdoptionResult::kKernelTls : AdoptionResult::kUserspace;
	return r;
}

} // namespace fallbackd
