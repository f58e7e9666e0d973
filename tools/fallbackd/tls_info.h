// SPDX-License-Identifier: GPL-2.0
// What the daemon tells the backend about a client's TLS session: PROXY
// protocol v2 TLVs (HAProxy's proxy-protocol.txt, section 2.2.1-2.2.5), and
// the adoption info it gives khttpd.ko to keep for the connection
// (KHTTPD_IOC_ADOPT), which comes back with each of its later hand-overs.
//
// The info's format (ours alone: the kernel keeps it opaque):
//   byte 0      kAdoptInfoVersion (1)
//   bytes 1..   the TLVs exactly as they follow the PROXY header's
//               addresses: type (1 byte), length (2, big-endian), value
// so a request handed back on an adopted connection gets the same TLVs as
// one relayed while the daemon served the connection itself.
#ifndef KHTTPD_FALLBACKD_TLS_INFO_H
#define KHTTPD_FALLBACKD_TLS_INFO_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fallbackd {

inline constexpr uint8_t kPp2TypeAlpn = 0x01;
inline constexpr uint8_t kPp2TypeAuthority = 0x02;
inline constexpr uint8_t kPp2TypeSsl = 0x20;
inline constexpr uint8_t kPp2SubtypeSslVersion = 0x21;
inline constexpr uint8_t kPp2SubtypeSslCipher = 0x23;
inline constexpr uint8_t kPp2ClientSsl = 0x01;

// Apache's mod_remoteip refuses a v2 header longer than its own buffer:
// 16 bytes plus 216 (its address union, sized for two AF_UNIX paths), 232
// in all ("AH10185: RemoteIPProxyProtocol header too long"); nginx has the
// same 232. With IPv6 addresses (36 bytes) that leaves 180 for TLVs, the
// budget for every connection.
inline constexpr size_t kProxyTlvBudget = 232 - 16 - 36;

inline constexpr uint8_t kAdoptInfoVersion = 1;

// The facts of one handshake, as OpenSSL names them.
struct TlsFacts {
	std::string version;	 // "TLSv1.3"
	std::string cipher;	 // "TLS_AES_128_GCM_SHA256"
	std::string server_name; // SNI, empty if none
	std::string alpn;	 // "http/1.1", empty if none
};

// The TLVs for @facts within kProxyTlvBudget: PP2_TYPE_SSL (client SSL,
// verify 0, version and cipher sub-TLVs) first, then PP2_TYPE_ALPN, then
// PP2_TYPE_AUTHORITY (the SNI), each left out if it no longer fits.
std::string encode_tls_tlvs(const TlsFacts &facts);

// True if @tlvs is a sequence of whole TLVs.
bool tlvs_well_formed(std::string_view tlvs);

std::string encode_adopt_info(std::string_view tlvs);
// The TLVs of an adoption info; false (with @problem) if it is not one
// this daemon wrote.
bool decode_adopt_info(std::string_view info, std::string_view &tlvs, std::string &problem);

} // namespace fallbackd

#endif
