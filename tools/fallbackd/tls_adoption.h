// SPDX-License-Identifier: GPL-2.0
// After a handshake: give the connection back to khttpd.ko (the fast path)
// or say why the daemon has to serve it.
//
// The kernel takes a connection (KHTTPD_IOC_ADOPT) with kernel TLS on
// both ways. An OpenSSL built with kernel TLS turned it on where it could
// (TLS 1.2 both ways, TLS 1.3 sending); with one without, both ways are
// set here (ktls.h). Then the plaintext OpenSSL already decrypted goes
// along with the ioctl, and the info (tls_info.h) the kernel returns with
// each later hand-over.
//
// TLS 1.3 with sending on and receiving not: if the client's first request
// has come, OpenSSL reads it (one record) and the kernel gets it with the
// receive side's parameters from record 1 on, to set when it needs more
// (KHTTPD_IOC_ADOPT_RX_LATER); a Connection: close request never needs
// it. Else receiving is set here from record 0, as before.
#ifndef KHTTPD_FALLBACKD_TLS_ADOPTION_H
#define KHTTPD_FALLBACKD_TLS_ADOPTION_H

#include <openssl/ssl.h>

#include <cstdint>
#include <string>

#include "tls_context.h"

namespace fallbackd {

struct AdoptionSettings {
	int control_fd = -1; // an open control file; -1: adoption is off
	bool kernel_tls = false; // tls.ko was found at start-up
	// For tests on hosts without tls.ko: ask for adoption even without
	// kernel TLS (the test's fake KHTTPD_IOC_ADOPT answers).
	bool without_kernel_tls = false;
	// TLS 1.3: read the first request here and leave the receive side's
	// kernel TLS to the kernel (KHTTPD_IOC_ADOPT_RX_LATER).
	bool rx_later = true;
};

struct AdoptionResult {
	enum Kind {
		kAdopted,   // the kernel has it: close our descriptor, no TLS shutdown
		kKernelTls, // not adopted, kernel TLS on both ways: relay plaintext
			    // with splice (OpenSSL may no longer read this socket)
		kUserspace, // not adopted: serve it through OpenSSL
		kBroken,    // kernel TLS on one way only: neither can serve it, close
	} kind = kUserspace;
	std::string reason;    // why not adopted (for "tls userspace: <reason>")
	std::string plaintext; // already read from the client: goes first
	uint64_t conn_id = 0;  // kAdopted: the kernel's number for it
};

// The client's first request, read by OpenSSL right after a TLS 1.3
// handshake when kernel TLS is on for sending and not for receiving (the
// case KHTTPD_IOC_ADOPT_RX_LATER is for), as nginx reads its requests.
struct FirstRequest {
	enum State {
		kNotRead,   // not tried (another case, or rx_later off)
		kNothing,   // no record had come: nothing read, nothing held
		kPartial,   // part of one record: wait for the rest
		kOneRecord, // one whole record of plaintext, nothing held behind it
		kOther,     // anything else: OpenSSL keeps the receive side
	} state = kNotRead;
	std::string plaintext;
	uint64_t records = 0; // records OpenSSL took from the socket
};

// Whether the first request is to be read here for @ssl (after its
// handshake) under @settings.
bool wants_first_request(SSL *ssl, const AdoptionSettings &settings);

// One SSL_read() towards @first (at most one record: read-ahead is off);
// again after kPartial when the socket has more.
void read_first_request(SSL *ssl, FirstRequest &first);

// @first: what read_first_request() found, if it was called.
AdoptionResult try_adoption(SSL *ssl, int fd, const SessionSecrets &secret,
			    const std::string &info, const AdoptionSettings &settings,
			    FirstRequest &first);

} // namespace fallbackd

#endif
