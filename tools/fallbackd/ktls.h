// SPDX-License-Identifier: GPL-2.0
// Kernel TLS (tls.ko) on a client socket: what OpenSSL does not do for us.
//
// An OpenSSL built without kernel TLS (no enable-ktls; Debian 12's 3.0.19
// was one) ignores SSL_OP_ENABLE_KTLS, and enable_kernel_tls() below sets
// both directions of TLS 1.2 and 1.3 from the session's secrets. An
// OpenSSL 3.0 built with it (Debian 12's 3.0.22) turns kernel TLS on for
// both directions of TLS 1.2, but for TLS 1.3 only for sending: its
// tls13_change_cipher_state() skips kTLS unless the key is an application
// write key (ssl/tls13_enc.c, "if (!(which & SSL3_CC_WRITE) ... goto
// skip_ktls"; receive support came with OpenSSL 3.2's record layer). So for
// TLS 1.3 the receive side comes from here: the client's application
// traffic secret (from the key log callback), key and IV by
// HKDF-Expand-Label (RFC 8446 section 7.3), from the record sequence of
// the first record OpenSSL has not read: read-ahead stays off, and nothing
// may be pending in OpenSSL (see tls_adoption.cpp). It is set here, or
// given to the kernel to set when it needs it (KHTTPD_IOC_ADOPT_RX_LATER).
#ifndef KHTTPD_FALLBACKD_KTLS_H
#define KHTTPD_FALLBACKD_KTLS_H

#include <linux/tls.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "error_reply.h"
#include "unique_fd.h"

namespace fallbackd {

// HKDF-Expand-Label(Secret, Label, Context, Length) of RFC 8446 section
// 7.1, with "tls13 " put before @label. False if OpenSSL fails.
bool hkdf_expand_label(const EVP_MD *md, std::span<const uint8_t> secret, std::string_view label,
		       std::span<const uint8_t> context, std::span<uint8_t> out);

// The record protection key and IV derived from a traffic secret.
struct TrafficKeys {
	uint8_t key[32] = {};
	size_t key_length = 0;
	uint8_t iv[12] = {};
	~TrafficKeys(); // wipes the key
};
bool derive_traffic_keys(const EVP_MD *md, std::span<const uint8_t> secret, size_t key_length,
			 TrafficKeys &out);

// One direction's kernel TLS parameters, as setsockopt(SOL_TLS, TLS_TX or
// TLS_RX) takes them; the keys are wiped with it.
struct CryptoInfo {
	union {
		tls12_crypto_info_aes_gcm_128 gcm128;
		tls12_crypto_info_aes_gcm_256 gcm256;
		tls12_crypto_info_chacha20_poly1305 chacha;
	} u = {};
	size_t length = 0;
	const void *data() const { return &u; }
	~CryptoInfo();
};

// The client's direction of TLS 1.3 cipher suite @suite (IANA number:
// 0x1301 AES-128-GCM, 0x1302 AES-256-GCM, 0x1303 CHACHA20-POLY1305) from its
// traffic @secret, from record @seq on. Returns 0 or an errno value:
// EPROTONOSUPPORT for a suite the kernel cannot take.
int tls13_receive_info(uint16_t suite, std::span<const uint8_t> secret, uint64_t seq,
		       CryptoInfo &out);

// Turns on kernel TLS receive on @fd (TCP_ULP "tls" already attached, as
// OpenSSL's TLS_TX leaves it) from tls13_receive_info(). Returns 0 or an
// errno value.
int enable_tls13_receive(int fd, uint16_t suite, std::span<const uint8_t> secret,
			 uint64_t seq = 0);

struct SessionSecrets;

// Kernel TLS on for both directions of @fd, set here from the session's
// secrets: Debian's OpenSSL 3.0 is built without kernel TLS, so
// SSL_OP_ENABLE_KTLS does nothing there. Valid only right after the
// handshake, with nothing read past it (SSL_has_pending() false):
//   TLS 1.3: keys by HKDF-Expand-Label from the application traffic
//   secrets; receive from record 0, transmit from the number of records
//   OpenSSL wrote under the server's key (its session tickets);
//   TLS 1.2: the key block (PRF of the master secret, "key expansion"),
//   record 1 both ways (each side's Finished was record 0).
// AES-128-GCM, AES-256-GCM and CHACHA20-POLY1305 only. Returns 0, or an
// errno value with @why saying what failed; @broken then says whether one
// direction was on already (neither OpenSSL nor the kernel can serve the
// connection any more: close it).
int enable_kernel_tls(SSL *ssl, int fd, const SessionSecrets &secrets, std::string &why,
		      bool &broken);

// Whether tls.ko can be had: attaching the "tls" ULP to an unconnected TCP
// socket loads the module on demand and then fails with ENOTCONN; without
// the module it fails with ENOENT. @detail says what was seen.
bool kernel_tls_available(std::string &detail);

// The TCP_ULP of @fd is "tls".
bool socket_has_ktls(int fd);

// The non-data record at the head of a kTLS socket's receive queue (what
// made read() fail with EIO), consumed.
struct KtlsRecord {
	enum Kind { kNone, kAlert, kHandshake, kOther } kind = kNone;
	uint8_t type = 0;	     // the TLS content type
	uint8_t alert_level = 0;     // kAlert: 1 warning, 2 fatal
	uint8_t alert_description = 0; // kAlert: 0 close_notify
};
KtlsRecord read_ktls_control_record(int fd);

// Sends a close_notify alert on a socket with kernel TLS transmit on
// (sendmsg with a TLS_SET_RECORD_TYPE control message). Without waiting:
// false if it could not be queued.
bool send_ktls_close_notify(int fd);

// answer_and_close() for a socket with kernel TLS on: @reply (encrypted by
// the kernel), then close_notify, then the close.
void answer_and_close_ktls(UniqueFd client, ErrorReply reply);

} // namespace fallbackd

#endif
