// SPDX-License-Identifier: GPL-2.0
#include "tls_info.h"

namespace fallbackd {
namespace {

void append_tlv(std::string &out, uint8_t type, std::string_view value)
{
	out.push_back(static_cast<char>(type));
	out.push_back(static_cast<char>(value.size() >> 8));
	out.push_back(static_cast<char>(value.size() & 0xff));
	out.append(value);
}

constexpr size_t kTlvHeader = 3;

} // namespace

std::string encode_tls_tlvs(const TlsFacts &facts)
{
	// PP2_TYPE_SSL: client (1 byte), verify (4 bytes: 0, no client
	// certificate to verify), then sub-TLVs.
	std::string ssl;
	ssl.push_back(static_cast<char>(kPp2ClientSsl));
	ssl.append(4, '\0');
	if (!facts.version.empty() && facts.version.size() <= 32)
		append_tlv(ssl, kPp2SubtypeSslVersion, facts.version);
	if (!facts.cipher.empty() && facts.cipher.size() <= 64)
		append_tlv(ssl, kPp2SubtypeSslCipher, facts.cipher);

	std::string out;
	append_tlv(out, kPp2TypeSsl, ssl);
	if (!facts.alpn.empty() && out.size() + kTlvHeader + facts.alpn.size() <= kProxyTlvBudget)
		append_tlv(out, kPp2TypeAlpn, facts.alpn);
	if (!facts.server_name.empty() &&
	    out.size() + kTlvHeader + facts.server_name.size() <= kProxyTlvBudget)
		append_tlv(out, kPp2TypeAuthority, facts.server_name);
	return out;
}

bool tlvs_well_formed(std::string_view tlvs)
{
	while (!tlvs.empty()) {
		if (tlvs.size() < kTlvHeader)
			return false;
		size_t len = static_cast<size_t>(static_cast<uint8_t>(tlvs[1])) << 8 |
			     static_cast<uint8_t>(tlvs[2]);
		if (tlvs.size() < kTlvHeader + len)
			return false;
		tlvs.remove_prefix(kTlvHeader + len);
	}
	return true;
}

std::string encode_adopt_info(std::string_view tlvs)
{
	std::string info;
	info.push_back(static_cast<char>(kAdoptInfoVersion));
	info.append(tlvs);
	return info;
}

bool decode_adopt_info(std::string_view info, std::string_view &tlvs, std::string &problem)
{
	if (info.empty()) {
		problem = "empty adoption info";
		return false;
	}
	if (static_cast<uint8_t>(info[0]) != kAdoptInfoVersion) {
		problem = "adoption info version " +
			  std::to_string(static_cast<uint8_t>(info[0])) + ", expected " +
			  std::to_string(kAdoptInfoVersion);
		return false;
	}
	info.remove_prefix(1);
	if (info.size() > kProxyTlvBudget || !tlvs_well_formed(info)) {
		problem = "adoption info holds no valid TLVs";
		return false;
	}
	tlvs = info;
	return true;
}

} // namespace fallbackd
