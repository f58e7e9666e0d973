// SPDX-License-Identifier: GPL-2.0
// The HTTPS parts in-process: certificate names and SNI choice, loading
// certificates, HKDF-Expand-Label against RFC 8448, the PROXY TLVs and the
// adoption info, and hand-over messages with KHTTPD_HANDOVER_F_TLS.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>

#include "handover_channel.h"
#include "ktls.h"
#include "proxy_protocol.h"
#include "test_support.h"
#include "tls_context.h"
#include "tls_info.h"
#include "tls_test_support.h"

namespace fallbackd {
namespace {

std::vector<uint8_t> unhex(std::string_view hex)
{
	std::vector<uint8_t> out;
	for (size_t i = 0; i + 1 < hex.size(); i += 2)
		out.push_back(static_cast<uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
	return out;
}

std::string hex(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	std::string s;
	for (size_t i = 0; i < n; i++) {
		s.push_back(digits[p[i] >> 4]);
		s.push_back(digits[p[i] & 15]);
	}
	return s;
}

TEST(CertificateNames, ExactAndWildcard)
{
	EXPECT_TRUE(certificate_name_matches("www.example.com", "www.example.com"));
	EXPECT_TRUE(certificate_name_matches("www.example.com", "WWW.Example.COM"));
	EXPECT_TRUE(certificate_name_matches("www.example.com", "www.example.com."));
	EXPECT_FALSE(certificate_name_matches("www.example.com", "example.com"));
	EXPECT_TRUE(certificate_name_matches("*.example.com", "a.example.com"));
	EXPECT_TRUE(certificate_name_matches("*.example.com", "A.EXAMPLE.com"));
	EXPECT_FALSE(certificate_name_matches("*.example.com", "example.com"));
	EXPECT_FALSE(certificate_name_matches("*.example.com", ".example.com"));
	EXPECT_FALSE(certificate_name_matches("*.example.com", "a.b.example.com"));
	EXPECT_FALSE(certificate_name_matches("*.example.com", "a.example.org"));
	EXPECT_FALSE(certificate_name_matches("*.example.com", "aexample.com"));
}

// RFC 8448 section 3 (TLS_AES_128_GCM_SHA256): traffic secrets and the
// keys and IVs derived from them.
TEST(Hkdf, Rfc8448TrafficKeys)
{
	struct Case {
		const char *secret, *key, *iv;
	} cases[] = {
		{"b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38", // server handshake
		 "3fce516009c21727d0f2e4e86ee403bc", "5d313eb2671276ee13000b30"},
		{"b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21", // client handshake
		 "dbfaa693d1762c5b666af5d950258d01", "5bd3c71b836e0b76bb73265f"},
		{"a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643", // server application
		 "9f02283b6c9c07efc26bb9f2ac92e356", "cf782b88dd83549aadf1e984"},
		{"9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5", // client application
		 "17422dda596ed5d9acd890e3c63f5051", "5b78923dee08579033e523d9"},
	};
	for (const Case &c : cases) {
		std::vector<uint8_t> secret = unhex(c.secret);
		TrafficKeys keys;
		ASSERT_TRUE(derive_traffic_keys(EVP_sha256(), secret, 16, keys));
		EXPECT_EQ(hex(keys.key, keys.key_length), c.key);
		EXPECT_EQ(hex(keys.iv, sizeof(keys.iv)), c.iv);
	}
}

// HKDF-Expand-Label keeps one context per digest: SHA-256 and SHA-384 in
// turn give what a fresh HKDF of each gives, and a tls13_receive_info()
// made from them says the record sequence it was given.
TEST(Hkdf, KeptContextsPerDigest)
{
	auto fresh = [](const EVP_MD *md, const std::vector<uint8_t> &secret, const char *label,
			size_t n) {
		std::string full = std::string("tls13 ") + label;
		std::vector<uint8_t> info = {uint8_t(n >> 8), uint8_t(n), uint8_t(full.size())};
		info.insert(info.end(), full.begin(), full.end());
		info.push_back(0); // empty context
		EVP_KDF *kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
		EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
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
		std::vector<uint8_t> out(n);
		EXPECT_EQ(EVP_KDF_derive(ctx, out.data(), out.size(), params), 1);
		EVP_KDF_CTX_free(ctx);
		EVP_KDF_free(kdf);
		return hex(out.data(), out.size());
	};
	std::vector<uint8_t> s256(32, 0x5a), s384(48, 0xa5);
	for (int round = 0; round < 2; round++) {
		for (const EVP_MD *md : {EVP_sha256(), EVP_sha384()}) {
			const std::vector<uint8_t> &secret = md == EVP_sha256() ? s256 : s384;
			TrafficKeys keys;
			ASSERT_TRUE(derive_traffic_keys(md, secret, 32, keys));
			EXPECT_EQ(hex(keys.key, 32), fresh(md, secret, "key", 32));
			EXPECT_EQ(hex(keys.iv, sizeof(keys.iv)), fresh(md, secret, "iv", 12));
		}
	}
	CryptoInfo rx;
	ASSERT_EQ(tls13_receive_info(0x1302, s384, 0x0102030405060708ull, rx), 0);
	EXPECT_EQ(rx.length, sizeof(rx.u.gcm256));
	EXPECT_EQ(rx.u.gcm256.info.version, TLS_1_3_VERSION);
	EXPECT_EQ(rx.u.gcm256.info.cipher_type, TLS_CIPHER_AES_GCM_256);
	EXPECT_EQ(hex(rx.u.gcm256.rec_seq, 8), "0102030405060708");
	EXPECT_EQ(hex(rx.u.gcm256.key, 32), fresh(EVP_sha384(), s384, "key", 32));
	EXPECT_EQ(tls13_receive_info(0x1304, s256, 0, rx), EPROTONOSUPPORT); // CCM
}

TEST(TlsInfo, TlvsAndAdoptionInfoRoundTrip)
{
	TlsFacts f{"TLSv1.3", "TLS_AES_128_GCM_SHA256", "www.example.test", "http/1.1"};
	std::string tlvs = encode_tls_tlvs(f);
	ASSERT_TRUE(tlvs_well_formed(tlvs));
	// PP2_TYPE_SSL first: client SSL, verify 0, version, cipher.
	std::string ssl = std::string("\x01", 1) + std::string(4, '\0') + std::string("\x21\x00\x07", 3) +
			  "TLSv1.3" + std::string("\x23\x00\x16", 3) + "TLS_AES_128_GCM_SHA256";
	std::string expected = std::string("\x20", 1) + char(ssl.size() >> 8) + char(ssl.size()) + ssl +
			       std::string("\x01\x00\x08", 3) + "http/1.1" +
			       std::string("\x02\x00\x10", 3) + "www.example.test";
	EXPECT_EQ(tlvs, expected);

	std::string info = encode_adopt_info(tlvs);
	EXPECT_EQ(info[0], '\x01');
	std::string_view back;
	std::string problem;
	ASSERT_TRUE(decode_adopt_info(info, back, problem)) << problem;
	EXPECT_EQ(back, tlvs);
	EXPECT_FALSE(decode_adopt_info("", back, problem));
	EXPECT_FALSE(decode_adopt_info(std::string("\x02", 1) + tlvs, back, problem));
	EXPECT_FALSE(decode_adopt_info(info.substr(0, info.size() - 1), back, problem));
}

TEST(TlsInfo, LongServerNameLeftOutToFitApache)
{
	TlsFacts f{"TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384", std::string(200, 'a') + ".test",
		   "http/1.1"};
	std::string tlvs = encode_tls_tlvs(f);
	EXPECT_LE(tlvs.size(), kProxyTlvBudget);
	EXPECT_EQ(tlvs.find("aaaa"), std::string::npos);
	EXPECT_NE(tlvs.find("http/1.1"), std::string::npos);
	EXPECT_TRUE(tlvs_well_formed(tlvs));
	EXPECT_FALSE(tlvs_well_formed(std::string("\x20\x00\x05" "ab", 5)));
	EXPECT_FALSE(tlvs_well_formed(std::string("\x20\x00", 2)));
}

TEST(TlsInfo, ProxyHeaderCountsTheTlvs)
{
	SocketAddress a;
	sockaddr_in sin{};
	sin.sin_family = AF_INET;
	sin.sin_port = htons(1234);
	sin.sin_addr.s_addr = htonl(0x7f000001);
	memcpy(&a.storage, &sin, sizeof(sin));
	a.length = sizeof(sin);
	std::string tlvs = encode_tls_tlvs({"TLSv1.3", "TLS_AES_256_GCM_SHA384", "", ""});
	std::string h = encode_proxy_v2_with_tlvs(a, a, tlvs);
	ASSERT_EQ(h.size(), 28 + tlvs.size());
	EXPECT_EQ((static_cast<uint8_t>(h[14]) << 8 | static_cast<uint8_t>(h[15])), 12 + tlvs.size());
	EXPECT_EQ(h.substr(28), tlvs);
	EXPECT_EQ(encode_proxy_v2_with_tlvs(a, a, "").size(), 28u);
}

TEST(TlsContextLoad, CertificatesAndSniChoice)
{
	const test::TestPki *pki = test::test_pki();
	ASSERT_NE(pki, nullptr);
	std::string error;
	auto tc = TlsContext::load({{pki->path("default.pem"), pki->path("default.key")},
				    {pki->path("example.pem"), pki->path("example.key")},
				    {pki->path("cnonly.pem"), pki->path("cnonly.key")}},
				   error);
	ASSERT_TRUE(tc) << error;
	const auto &certs = tc->certificates();
	ASSERT_EQ(certs.size(), 3u);
	EXPECT_EQ(certs[0].names, std::vector<std::string>{"default.test"});
	EXPECT_EQ(certs[1].names, (std::vector<std::string>{"*.example.test", "www.other.test"}));
	EXPECT_EQ(certs[2].names, std::vector<std::string>{"cnonly.test"});
	EXPECT_TRUE(certs[2].names_from_cn);
	EXPECT_FALSE(certs[1].names_from_cn);
	EXPECT_EQ(tc->choose("default.test"), 0u);
	EXPECT_EQ(tc->choose("a.example.test"), 1u);
	EXPECT_EQ(tc->choose("WWW.OTHER.TEST"), 1u);
	EXPECT_EQ(tc->choose("cnonly.test"), 2u);
	EXPECT_EQ(tc->choose("a.b.example.test"), 0u);
	EXPECT_EQ(tc->choose("unknown.test"), 0u);
}

// A reload (SIGHUP) carries the ticket keys over; the log line names each
// certificate's file, names and notAfter.
TEST(TlsContextLoad, ReloadKeepsTicketKeysAndSummarizes)
{
	const test::TestPki *pki = test::test_pki();
	ASSERT_NE(pki, nullptr);
	std::string error;
	std::vector<TlsCertificateFiles> files = {
		{pki->path("default.pem"), pki->path("default.key")},
		{pki->path("example.pem"), pki->path("example.key")}};
	auto first = TlsContext::load(files, error);
	ASSERT_TRUE(first) << error;
	auto fresh = TlsContext::load(files, error);
	auto reloaded = TlsContext::load(files, error, first.get());
	ASSERT_TRUE(fresh && reloaded) << error;
	auto keys = [](const TlsContext &tc, size_t i) {
		std::string k(80, '\0');
		EXPECT_EQ(SSL_CTX_get_tlsext_ticket_keys(tc.certificates()[i].ctx.get(), k.data(),
							 k.size()),
			  1);
		return k;
	};
	for (size_t i = 0; i < 2; i++) {
		EXPECT_EQ(keys(*reloaded, i), keys(*first, i)) << i;
		EXPECT_NE(keys(*fresh, i), keys(*first, i)) << i;
	}
	std::string s = reloaded->summary();
	EXPECT_EQ(s.rfind("2 certificate(s): " + pki->path("default.pem") + " (default.test, until ",
			  0),
		  0u)
		<< s;
	EXPECT_NE(s.find("; " + pki->path("example.pem") + " (*.example.test, www.other.test, until "),
		  std::string::npos)
		<< s;
	EXPECT_NE(s.find(" GMT)"), std::string::npos) << s;
	EXPECT_EQ(s.find("EXPIRED"), std::string::npos) << s;
}

TEST(TlsContextLoad, ClearErrors)
{
	const test::TestPki *pki = test::test_pki();
	ASSERT_NE(pki, nullptr);
	std::string error;
	EXPECT_FALSE(TlsContext::load({{pki->path("missing.pem"), pki->path("default.key")}}, error));
	EXPECT_NE(error.find("--tls-cert " + pki->path("missing.pem") + ": No such file"),
		  std::string::npos)
		<< error;
	EXPECT_FALSE(TlsContext::load({{pki->path("default.pem"), pki->path("other.key")}}, error));
	EXPECT_NE(error.find("does not match the certificate"), std::string::npos) << error;
	EXPECT_FALSE(TlsContext::load({{pki->path("default.key"), pki->path("default.key")}}, error));
	EXPECT_NE(error.find("--tls-cert"), std::string::npos) << error;
}

class TlsHandoverMessage : public ::testing::Test {
protected:
	void SetUp() override
	{
		int sv[2];
		ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		module_.reset(sv[0]);
		channel_ = std::make_unique<HandoverChannel>(UniqueFd(sv[1]));
		front_ = test::listen_on("127.0.0.1");
		pair_ = test::make_client_pair(front_);
		ASSERT_TRUE(pair_.server.valid());
	}
	UniqueFd module_;
	std::unique_ptr<HandoverChannel> channel_;
	test::Listener front_;
	test::ClientPair pair_;
	Handover h_;
	std::string problem_;
};

TEST_F(TlsHandoverMessage, InfoThenData)
{
	test::HandoverSpec spec;
	spec.flags = KHTTPD_HANDOVER_F_TLS;
	spec.info = encode_adopt_info(encode_tls_tlvs({"TLSv1.3", "TLS_AES_128_GCM_SHA256", "x", ""}));
	spec.data = "GET /cgi-bin/x HTTP/1.1\r\n\r\n";
	spec.fds = {pair_.server.get()};
	ASSERT_TRUE(test::send_handover(module_.get(), spec));
	ASSERT_EQ(channel_->receive(h_, problem_), ReceiveStatus::kMessage) << problem_;
	EXPECT_EQ(h_.header.flags, KHTTPD_HANDOVER_F_TLS);
	EXPECT_EQ(h_.info, spec.info);
	EXPECT_EQ(h_.data, spec.data);
}

TEST_F(TlsHandoverMessage, BadInfoLengthsRejected)
{
	struct Bad {
		uint16_t flags;
		std::string info;
		std::optional<uint16_t> info_len;
		const char *problem;
	} cases[] = {
		{0, "x", std::nullopt, "without KHTTPD_HANDOVER_F_TLS"},
		{KHTTPD_HANDOVER_F_TLS, std::string(KHTTPD_ADOPT_INFO_MAX + 1, 'x'), std::nullopt,
		 "above the maximum"},
		{KHTTPD_HANDOVER_F_TLS, "abc", 5, "arrived after the header"},
	};
	for (const Bad &b : cases) {
		test::HandoverSpec spec;
		spec.flags = b.flags;
		spec.info = b.info;
		spec.info_len = b.info_len;
		spec.data = "GET / HTTP/1.1\r\n\r\n";
		spec.fds = {pair_.server.get()};
		ASSERT_TRUE(test::send_handover(module_.get(), spec));
		ASSERT_EQ(channel_->receive(h_, problem_), ReceiveStatus::kRejected) << b.problem;
		EXPECT_NE(problem_.find(b.problem), std::string::npos) << problem_;
	}
}

} // namespace
} // namespace fallbackd
