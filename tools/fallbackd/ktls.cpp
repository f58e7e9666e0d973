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
#include <mutex>
#include <string>
#include <vector>

#include "tls_context.h"
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

// HKDF in expand-only mode, one context per digest, made once and kept:
// a fresh EVP_KDF_CTX fetches the KDF and the digest by name, which costs
// several times the derivation (each connection handed to the kernel
// derives twice; docs/tls.md). Used from any thread, one at a time.
class HkdfExpander {
public:
	bool expand(const EVP_MD *md, std::span<const uint8_t> secret,
		    std::span<const uint8_t> info, std::span<uint8_t> out)
	{
		std::lock_guard<std::mutex> lock(mutex_);
		EVP_KDF_CTX *ctx = context_for(md);
		if (!ctx)
			return false;
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
							  const_cast<uint8_t *>(secret.data()),
							  secret.size()),
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
							  const_cast<uint8_t *>(info.data()),
							  info.size()),
			OSSL_PARAM_construct_end(),
		};
		bool ok = EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
		// The kept context holds no secret between uses (OpenSSL
		// clears the one replaced).
		static uint8_t none[1];
		OSSL_PARAM wipe[] = {
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, none, sizeof(none)),
			OSSL_PARAM_construct_end(),
		};
		EVP_KDF_CTX_set_params(ctx, wipe);
		return ok;
	}

private:
	EVP_KDF_CTX *context_for(const EVP_MD *md)
	{
		const char *name = EVP_MD_get0_name(md);
		if (!name)
			return nullptr;
		for (const Kept &k : kept_)
			if (k.digest == name)
				return k.ctx.get();
		std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
		std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(kdf ? EVP_KDF_CTX_new(kdf.get())
							       : nullptr);
		int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
			OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
							 const_cast<char *>(name), 0),
			OSSL_PARAM_construct_end(),
		};
		if (!ctx || EVP_KDF_CTX_set_params(ctx.get(), params) != 1)
			return nullptr;
		kept_.push_back(Kept{name, std::move(ctx)});
		return kept_.back().ctx.get();
	}

	struct Kept {
		std::string digest;
		std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx;
	};
	std::mutex mutex_;
	std::vector<Kept> kept_; // SHA-256 and SHA-384: two at most
};

HkdfExpander &hkdf_expander()
{
	// Never destroyed: nothing may depend on the order of exit-time
	// destructors and OpenSSL's own clean-up.
	static HkdfExpander *expander = new HkdfExpander;
	return *expander;
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
	return hkdf_expander().expand(md, secret, info, out);
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

namespace {

// One direction's record protection: the key, the IV (TLS 1.3 and
// ChaCha20: all 12 bytes; TLS 1.2 AES-GCM: the 4-byte implicit part) and
// the sequence number of the next record.
struct DirectionKeys {
	uint8_t key[32] = {};
	size_t key_length = 0;
	uint8_t iv[12] = {};
	uint64_t seq = 0;
	~DirectionKeys() { OPENSSL_cleanse(key, sizeof(key)); }
};

// A crypto_info's common part: version, cipher, the record sequence.
template <typename Info>
void fill_common(Info &info, uint16_t version, uint16_t cipher_type, uint64_t seq)
{
	memset(&info, 0, sizeof(info));
	info.info.version = version;
	info.info.cipher_type = cipher_type;
	for (int i = 0; i < 8; i++)
		info.rec_seq[i] = static_cast<uint8_t>(seq >> (56 - 8 * i));
}

template <typename Info>
Info &fill_gcm(Info &info, uint16_t version, uint16_t cipher_type, const DirectionKeys &k)
{
	fill_common(info, version, cipher_type, k.seq);
	memcpy(info.salt, k.iv, sizeof(info.salt));
	if (version == TLS_1_3_VERSION)
		memcpy(info.iv, k.iv + sizeof(info.salt), sizeof(info.iv));
	else // TLS 1.2: the explicit nonce, which OpenSSL and the kernel
	     // both take from the sequence number
		memcpy(info.iv, info.rec_seq, sizeof(info.iv));
	memcpy(info.key, k.key, sizeof(info.key));
	return info;
}

// @out for one direction of @version with cipher @nid: 0, or
// EPROTONOSUPPORT for a cipher the kernel cannot take.
int fill_direction(uint16_t version, int nid, const DirectionKeys &k, CryptoInfo &out)
{
	switch (nid) {
	case NID_aes_128_gcm:
		fill_gcm(out.u.gcm128, version, TLS_CIPHER_AES_GCM_128, k);
		out.length = sizeof(out.u.gcm128);
		return 0;
	case NID_aes_256_gcm:
		fill_gcm(out.u.gcm256, version, TLS_CIPHER_AES_GCM_256, k);
		out.length = sizeof(out.u.gcm256);
		return 0;
	case NID_chacha20_poly1305: {
		auto &info = out.u.chacha;
		fill_common(info, version, TLS_CIPHER_CHACHA20_POLY1305, k.seq);
		memcpy(info.iv, k.iv, sizeof(info.iv));
		memcpy(info.key, k.key, sizeof(info.key));
		out.length = sizeof(info);
		return 0;
	}
	default:
		return EPROTONOSUPPORT;
	}
}

int set_info(int fd, int direction, const CryptoInfo &info)
{
	return setsockopt(fd, SOL_TLS, direction, info.data(), info.length) == 0 ? 0 : errno;
}

int set_direction(int fd, int direction, uint16_t version, int nid, const DirectionKeys &k)
{
	CryptoInfo info;
	if (int err = fill_direction(version, nid, k, info); err != 0)
		return err;
	return set_info(fd, direction, info);
}

// TLS 1.2's key block (RFC 5246 section 6.3) into @out.
bool tls12_key_block(SSL *ssl, const EVP_MD *md, std::span<uint8_t> out)
{
	uint8_t master[SSL_MAX_MASTER_KEY_LENGTH];
	size_t master_length = SSL_SESSION_get_master_key(SSL_get_session(ssl), master,
							  sizeof(master));
	static constexpr char kLabel[] = "key expansion";
	uint8_t seed[sizeof(kLabel) - 1 + 2 * SSL3_RANDOM_SIZE];
	memcpy(seed, kLabel, sizeof(kLabel) - 1);
	if (master_length == 0 ||
	    SSL_get_server_random(ssl, seed + sizeof(kLabel) - 1, SSL3_RANDOM_SIZE) !=
		    SSL3_RANDOM_SIZE ||
	    SSL_get_client_random(ssl, seed + sizeof(kLabel) - 1 + SSL3_RANDOM_SIZE,
				  SSL3_RANDOM_SIZE) != SSL3_RANDOM_SIZE)
		return false;
	std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr));
	std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(kdf ? EVP_KDF_CTX_new(kdf.get()) : nullptr);
	bool ok = false;
	if (ctx) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
							 const_cast<char *>(EVP_MD_get0_name(md)), 0),
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, master,
							  master_length),
			OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof(seed)),
			OSSL_PARAM_construct_end(),
		};
		ok = EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1;
	}
	OPENSSL_cleanse(master, sizeof(master));
	return ok;
}

size_t key_length_of(int nid)
{
	switch (nid) {
	case NID_aes_128_gcm: return 16;
	case NID_aes_256_gcm: return 32;
	case NID_chacha20_poly1305: return 32;
	default: return 0;
	}
}

} // namespace

CryptoInfo::~CryptoInfo()
{
	OPENSSL_cleanse(&u, sizeof(u));
}

int tls13_receive_info(uint16_t suite, std::span<const uint8_t> secret, uint64_t seq,
		       CryptoInfo &out)
{
	int nid;
	const EVP_MD *md;
	switch (suite) {
	case 0x1301: nid = NID_aes_128_gcm; md = EVP_sha256(); break; // TLS_AES_128_GCM_SHA256
	case 0x1302: nid = NID_aes_256_gcm; md = EVP_sha384(); break; // TLS_AES_256_GCM_SHA384
	case 0x1303: nid = NID_chacha20_poly1305; md = EVP_sha256(); break;
	default: return EPROTONOSUPPORT;
	}
	TrafficKeys keys;
	DirectionKeys rx;
	rx.key_length = key_length_of(nid);
	rx.seq = seq;
	if (!derive_traffic_keys(md, secret, rx.key_length, keys))
		return EINVAL;
	memcpy(rx.key, keys.key, rx.key_length);
	memcpy(rx.iv, keys.iv, sizeof(rx.iv));
	return fill_direction(TLS_1_3_VERSION, nid, rx, out);
}

int enable_tls13_receive(int fd, uint16_t suite, std::span<const uint8_t> secret, uint64_t seq)
{
	CryptoInfo info;
	if (int err = tls13_receive_info(suite, secret, seq, info); err != 0)
		return err;
	return set_info(fd, TLS_RX, info);
}

int enable_kernel_tls(SSL *ssl, int fd, const SessionSecrets &secrets, std::string &why,
		      bool &broken)
{
	broken = false;
	const SSL_CIPHER *cipher = SSL_get_current_cipher(ssl);
	int nid = cipher ? SSL_CIPHER_get_cipher_nid(cipher) : NID_undef;
	const EVP_MD *md = cipher ? SSL_CIPHER_get_handshake_digest(cipher) : nullptr;
	size_t key_length = key_length_of(nid);
	if (!key_length || !md) {
		why = std::string("cipher ") + (cipher ? SSL_CIPHER_get_name(cipher) : "?") +
		      " not for kernel TLS";
		return EPROTONOSUPPORT;
	}
	DirectionKeys tx, rx;
	tx.key_length = rx.key_length = key_length;
	uint16_t version;
	if (SSL_version(ssl) == TLS1_3_VERSION) {
		version = TLS_1_3_VERSION;
		TrafficKeys c, s;
		if (!secrets.length || !secrets.server_length) {
			why = "no traffic secrets from the key log";
			return EINVAL;
		}
		if (!derive_traffic_keys(md, std::span(secrets.bytes, secrets.length), key_length, c) ||
		    !derive_traffic_keys(md, std::span(secrets.server, secrets.server_length),
					 key_length, s)) {
			why = "deriving the traffic keys";
			return EINVAL;
		}
		memcpy(rx.key, c.key, key_length);
		memcpy(rx.iv, c.iv, sizeof(rx.iv));
		memcpy(tx.key, s.key, key_length);
		memcpy(tx.iv, s.iv, sizeof(tx.iv));
		rx.seq = 0;
		tx.seq = secrets.server_records;
	} else if (SSL_version(ssl) == TLS1_2_VERSION) {
		version = TLS_1_2_VERSION;
		size_t iv_length = nid == NID_chacha20_poly1305 ? 12 : 4;
		uint8_t block[2 * 32 + 2 * 12];
		if (!tls12_key_block(ssl, md, std::span(block, 2 * (key_length + iv_length)))) {
			OPENSSL_cleanse(block, sizeof(block));
			why = "deriving the key block";
			return EINVAL;
		}
		// client key, server key, client IV, server IV
		memcpy(rx.key, block, key_length);
		memcpy(tx.key, block + key_length, key_length);
		memcpy(rx.iv, block + 2 * key_length, iv_length);
		memcpy(tx.iv, block + 2 * key_length + iv_length, iv_length);
		OPENSSL_cleanse(block, sizeof(block));
		rx.seq = tx.seq = 1;
	} else {
		why = "not TLS 1.2 or 1.3";
		return EPROTONOSUPPORT;
	}
	if (setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", 3) != 0 && errno != EEXIST) {
		int err = errno;
		why = std::string("TCP_ULP tls: ") + strerror(err);
		return err;
	}
	if (int err = set_direction(fd, TLS_TX, version, nid, tx); err != 0) {
		why = std::string("TLS_TX: ") + strerror(err);
		return err;
	}
	if (int err = set_direction(fd, TLS_RX, version, nid, rx); err != 0) {
		why = std::string("TLS_RX: ") + strerror(err);
		broken = true;
		return err;
	}
	return 0;
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
