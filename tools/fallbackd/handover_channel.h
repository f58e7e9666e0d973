// SPDX-License-Identifier: GPL-2.0
// The daemon's end of the hand-over socketpair: receives and validates the
// module's messages (include/khttpd/fallback.h).
#ifndef KHTTPD_FALLBACKD_HANDOVER_CHANNEL_H
#define KHTTPD_FALLBACKD_HANDOVER_CHANNEL_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "khttpd/fallback.h"
#include "unique_fd.h"

namespace fallbackd {

// One handed-over connection.
struct Handover {
	khttpd_handover header{};
	// KHTTPD_HANDOVER_F_TLS: the adoption info the daemon gave the kernel
	// (tls_info.h); empty otherwise. Points into the channel's buffer.
	std::string_view info;
	// The bytes the kernel read and did not answer; points into the
	// channel's buffer, valid until its next receive().
	std::string_view data;
	UniqueFd client; // connected TCP socket, close-on-exec
};

enum class ReceiveStatus {
	kMessage,  // a valid message: the Handover is filled in
	kNone,	   // nothing to read now (EAGAIN)
	kEnd,	   // the other end is closed and everything was read
	kRejected, // a malformed message: dropped, its descriptors closed
	kError,	   // recvmsg failed; errno says why
};

class HandoverChannel {
public:
	explicit HandoverChannel(UniqueFd fd);

	int fd() const { return fd_.get(); }

	// Receives one message without blocking (the socket itself may be
	// blocking). kRejected sets @problem to a one-line reason.
	ReceiveStatus receive(Handover &out, std::string &problem);

private:
	UniqueFd fd_;
	// Room for the largest message that can be valid: a header of up to
	// 65535 bytes (header_len is 16 bits), KHTTPD_ADOPT_INFO_MAX and
	// KHTTPD_HANDOVER_DATA_MAX.
	std::vector<uint8_t> buffer_;
};

// Describes a handover reason for logs ("dynamic", "missing", ...).
const char *handover_reason_name(uint32_t reason);

} // namespace fallbackd

#endif
