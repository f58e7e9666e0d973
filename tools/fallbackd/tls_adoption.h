// SPDX-License-Identifier: GPL-2.0
// After a handshake: give the connection back to khttpd.ko (the fast path)
// or say why the daemon has to serve it.
//
// The kernel takes a connection (KHTTPD_IOC_ADOPT) only with kernel TLS on
// both ways. An OpenSSL built with kernel TLS turned it on where it could
// (TLS 1.2 both ways, TLS 1.3 sending) and TLS 1.3 receiving is set here;
// with Debian's, which has none, both ways are set here (ktls.h). Then the plaintext
// OpenSSL already decrypted goes along with the ioctl, and the info
// (tls_info.h) the kernel returns with each later hand-over.
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

AdoptionResult try_adoption(SSL *ssl, int fd, const SessionSecrets &secret,
			    const std::string &info, const AdoptionSettings &settings);

} // namespace fallbackd

#endif
