// SPDX-License-Identifier: GPL-2.0
#include "ktls.h"

#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "unique_fd.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

namespace fallbackd {
namespace {

constexpr uint8_t kContentAlert = 21;
constexpr uint8_t kContentHandshake = 22;

struct KdfFree {
	void operator()(EVP_KDF *k) const { EVP_KDF_free(k); }
};
struct KdfCtxFree {
	void operator()(EVP_KDF_CTX *c) const { EVP_KDF_CTX_free(c); }
};

// Fills one of <linux/tls.h>'s crypto_info structures for TLS 1.3, record
// sequence 0. For AES-GCM the kernel wants the 12-byte IV split as the
// 4-byte "salt" and an 8-byte "iv"; ChaCha20-Poly1305 takes all 12 as iv.
template <typename Info>
void fill_gcm(Info &info, uint16_t cipher_type, const TrafficKeys &k)
{
	memset(&info, 0, sizeof(info));
	info.info.version = TLS_1_3_VERSION;
	info.info.cipher_type = cipher_type;
	static_assert(sizeof(info.salt) + sizeof(info.iv) == sizeof(k.iv));
	memcpy(info.salt, k.iv, sizeof(info.salt));
	memcpy(info.iv, k.iv + sizeof(info.salt), sizeof(info.iv));
	memcpy(info.key, k.key, sizeof(info.key));
}

} // namespace

bool hkdf_expand_label(const EVP_MD *md, std::span<const uint8_t> secret, std::string_view label,
		       std::span<const uint8_t> context, std::span<uint8_t> out)
{
	// struct HkdfLabel { uint16 length; opaque label<7..255>;
	//                    opaque context<0..255>; }
	static constexpr std::string_view kPrefix = "tls13 ";
	if (out.size() > 0xffff || kPrefix.size() + label.size() > 255 || context.size() > 255)
		return false;
	std::vector<uint8_t> info;
	info.push_back(static_cast<uint8_t>(out.size() >> 8));
	info.push_back(static_cast<uint8_t>(out.size() & 0xff));
	info.push_back(static_cast<uint8_t>(kPrefix.size() + label.size()));
	info.insert(info.end(), kPrefix.begin(), kPrefix.end());
	info.insert(info.end(), label.begin(), label.end());
	info.push_back(static_cast<uint8_t>(context.size()));
	info.insert(info.end(), context.begin(), context.end());

	// HKDF in expand-only mode: the secret is already a PRK.
	std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
	if (!kdf)
		return false;
	std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
	if (!ctx)
		return false;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						 const_cast<char *>(EVP_MD_get0_name(md)), 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						  const_cast<uint8_t *>(secret.data()),
						  secret.size()),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()),
		OSSL_PARAM_construct_end(),
	};
	return EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1;
}

TrafficKeys::~TrafficKeys()
{
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(iv, sizeof(iv));
}

bool derive_traffic_keys(const EVP_MD *md, std::span<const uint8_t> secret, size_t key_length,
			 TrafficKeys &out)
{
	if (key_length > sizeof(out.key))
		return false;
	out.key_length = key_length;
	return hkdf_expand_label(md, secret, "key", {}, std::span(out.key, key_length)) &&
	       hkdf_expand_label(md, secret, "iv", {}, std::span(out.iv, sizeof(out.iv)));
}

int enable_tls13_receive(int fd, uint16_t suite, std::span<const uint8_t> secret)
{
	TrafficKeys keys;
	int rc;
	switch (suite) {
	case 0x1301: { // TLS_AES_128_GCM_SHA256
		if (!derive_traffic_keys(EVP_sha256(), secret, TLS_CIPHER_AES_GCM_128_KEY_SIZE, keys))
			return EINVAL;
		tls12_crypto_info_aes_gcm_128 info;
		fill_gcm(info, TLS_CIPHER_AES_GCM_128, keys);
		rc = setsockopt(fd, SOL_TLS, TLS_RX, &info, sizeof(info));
		OPENSSL_cleanse(&info, sizeof(info));
		break;
	}
	case 0x1302: { // TLS_AES_256_GCM_SHA384
		if (!derive_traffic_keys(EVP_sha384(), secret, TLS_CIPHER_AES_GCM_256_KEY_SIZE, keys))
			return EINVAL;
		tls12_crypto_info_aes_gcm_256 info;
		fill_gcm(info, TLS_CIPHER_AES_GCM_256, keys);
		rc = setsockopt(fd, SOL_TLS, TLS_RX, &info, sizeof(info));
		OPENSSL_cleanse(&info, sizeof(info));
		break;
	}
	case 0x1303: { // TLS_CHACHA20_POLY1305_SHA256
		if (!derive_traffic_keys(EVP_sha256(), secret,
					 TLS_CIPHER_CHACHA20_POLY1305_KEY_SIZE, keys))
			return EINVAL;
		tls12_crypto_info_chacha20_poly1305 info;
		memset(&info, 0, sizeof(info));
		info.info.version = TLS_1_3_VERSION;
		info.info.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
		static_assert(sizeof(info.iv) == sizeof(keys.iv));
		memcpy(info.iv, keys.iv, sizeof(info.iv));
		memcpy(info.key, keys.key, sizeof(info.key));
		rc = setsockopt(fd, SOL_TLS, TLS_RX, &info, sizeof(info));
		OPENSSL_cleanse(&info, sizeof(info));
		break;
	}
	default:
		return EPROTONOSUPPORT;
	}
	return rc == 0 ? 0 : errno;
}

bool kernel_tls_available(std::string &detail)
{
	UniqueFd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	if (!s) {
		detail = std::string("socket: ") + strerror(errno);
		return false;
	}
	if (setsockopt(s.get(), IPPROTO_TCP, TCP_ULP, "tls", 3) == 0 || errno == ENOTCONN) {
		detail = "tls.ko loaded";
		return true;
	}
	int err = errno;
	detail = err == ENOENT ? "no tls.ko (TCP_ULP \"tls\": ENOENT)"
			       : std::string("TCP_ULP \"tls\": ") + strerror(err);
	return false;
}

bool socket_has_ktls(int fd)
{
	char name[16] = {};
	socklen_t len = sizeof(name);
	if (getsockopt(fd, IPPROTO_TCP, TCP_ULP, name, &len) != 0)
		return false;
	return strncmp(name, "tls", sizeof(name)) == 0;
}

KtlsRecord read_ktls_control_record(int fd)
{
	KtlsRecord rec;
	uint8_t payload[512];
	union {
		cmsghdr align;
		unsigned char bytes[CMSG_SPACE(sizeof(unsigned char))];
	} control;
	memset(&control, 0, sizeof(control));
	iovec iov{payload, sizeof(payload)};
	msghdr msg{};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.bytes;
	msg.msg_controllen = sizeof(control.bytes);
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return rec;
	for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_TLS && c->cmsg_type == TLS_GET_RECORD_TYPE)
			rec.type = *CMSG_DATA(c);
	}
	if (rec.type == kContentAlert) {
		rec.kind = KtlsRecord::kAlert;
		if (n >= 2) {
			rec.alert_level = payload[0];
			rec.alert_description = payload[1];
		}
	} else if (rec.type == kContentHandshake) {
		rec.kind = KtlsRecord::kHandshake;
	} else {
		rec.kind = KtlsRecord::kOther;
	}
	return rec;
}

bool send_ktls_close_notify(int fd)
{
	uint8_t alert[2] = {1, 0}; // warning, close_notify
	union {
		cmsghdr align;
		unsigned char bytes[CMSG_SPACE(sizeof(unsigned char))];
	} control;
	memset(&control, 0, sizeof(control));
	iovec iov{alert, sizeof(alert)};
	msghdr msg{};
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.bytes;
	msg.msg_controllen = sizeof(control.bytes);
	cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_TLS;
	c->cmsg_type = TLS_SET_RECORD_TYPE;
	c->cmsg_len = CMSG_LEN(sizeof(unsigned char));
	*CMSG_DATA(c) = kContentAlert;
	return sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof(alert));
}

void answer_and_close_ktls(UniqueFd client, ErrorReply reply)
{
	std::string_view text = error_reply_text(reply);
	send(client.get(), text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
	send_ktls_close_notify(client.get());
	shutdown(client.get(), SHUT_WR);
	// ~UniqueFd closes it.
}

} // namespace fallbackd
