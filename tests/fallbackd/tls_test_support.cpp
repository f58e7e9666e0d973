// SPDX-License-Identifier: GPL-2.0
#include "tls_test_support.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include "test_support.h"

namespace fallbackd::test {
namespace {

std::string g_pki_dir;

void remove_pki()
{
	if (!g_pki_dir.empty())
		std::system(("rm -rf '" + g_pki_dir + "'").c_str());
}

bool run(const std::string &cmd)
{
	return std::system((cmd + " > /dev/null 2>&1").c_str()) == 0;
}

bool make_pki(TestPki &p)
{
	char tmpl[] = "/tmp/fallbackd-pki-XXXXXX";
	if (!mkdtemp(tmpl))
		return false;
	p.dir = tmpl;
	g_pki_dir = p.dir;
	atexit(remove_pki);
	p.ca = p.path("ca.pem");
	const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
	const std::string d = p.dir + "/";
	if (!run("openssl req -x509 " + key + " -keyout " + d + "ca.key -out " + d +
		 "ca.pem -days 2 -subj /CN=khttpd-test-ca"))
		return false;
	// openssl req -x509 -CA (OpenSSL 3.0): a leaf signed by the test CA.
	auto leaf = [&](const std::string &name, const std::string &subject,
			const std::string &san) {
		std::string ext = "-addext basicConstraints=critical,CA:FALSE";
		if (!san.empty())
			ext += " -addext subjectAltName=" + san;
		return run("openssl req -x509 " + key + " -keyout " + d + name + ".key -out " + d +
			   name + ".pem -days 2 -subj " + subject + " -CA " + d + "ca.pem -CAkey " +
			   d + "ca.key " + ext);
	};
	return leaf("default", "/CN=default.test", "DNS:default.test") &&
	       leaf("example", "/CN=example.test", "DNS:*.example.test,DNS:www.other.test") &&
	       leaf("cnonly", "/CN=cnonly.test", "") &&
	       run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + d +
		   "other.key");
}

} // namespace

const TestPki *test_pki()
{
	static TestPki pki;
	static bool made = make_pki(pki);
	EXPECT_TRUE(made) << "cannot make the test certificates with the openssl command";
	return made ? &pki : nullptr;
}

TlsClient::TlsClient() = default;

TlsClient::~TlsClient()
{
	SSL_free(ssl_);
	SSL_CTX_free(ctx_);
}

bool TlsClient::connect(int fd, const TlsClientOptions &o, std::string &error)
{
	const TestPki *pki = test_pki();
	if (!pki) {
		error = "no PKI";
		return false;
	}
	int flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	timeval tv{kTimeoutMs / 1000, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));

	ctx_ = SSL_CTX_new(TLS_client_method());
	SSL_CTX_load_verify_locations(ctx_, pki->ca.c_str(), nullptr);
	SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
	if (o.version) {
		SSL_CTX_set_min_proto_version(ctx_, o.version);
		SSL_CTX_set_max_proto_version(ctx_, o.version);
	}
	ssl_ = SSL_new(ctx_);
	SSL_set_fd(ssl_, fd);
	if (!o.sni.empty())
		SSL_set_tlsext_host_name(ssl_, o.sni.c_str());
	if (o.resume)
		SSL_set_session(ssl_, o.resume);
	if (!o.alpn.empty()) {
		std::string wire;
		for (const std::string &p : o.alpn) {
			wire.push_back(static_cast<char>(p.size()));
			wire += p;
		}
		SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char *>(wire.data()),
				    static_cast<unsigned>(wire.size()));
	}
	ERR_clear_error();
	if (SSL_connect(ssl_) == 1)
		return true;
	unsigned long e = ERR_get_error();
	char buf[256] = "no OpenSSL error (connection closed?)";
	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	error = buf;
	ERR_clear_error();
	return false;
}

std::string TlsClient::version() const
{
	return SSL_get_version(ssl_);
}

std::string TlsClient::alpn() const
{
	const unsigned char *p = nullptr;
	unsigned len = 0;
	SSL_get0_alpn_selected(ssl_, &p, &len);
	return p ? std::string(reinterpret_cast<const char *>(p), len) : std::string();
}

std::vector<std::string> TlsClient::peer_names() const
{
	std::vector<std::string> names;
	X509 *cert = SSL_get1_peer_certificate(ssl_);
	if (!cert)
		return names;
	auto *sans = static_cast<GENERAL_NAMES *>(
		X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
		if (gn->type == GEN_DNS)
			names.emplace_back(reinterpret_cast<const char *>(
						   ASN1_STRING_get0_data(gn->d.dNSName)),
					   ASN1_STRING_length(gn->d.dNSName));
	}
	GENERAL_NAMES_free(sans);
	if (names.empty()) {
		char cn[256] = "";
		X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn,
					  sizeof(cn));
		names.emplace_back(cn);
	}
	X509_free(cert);
	return names;
}

bool TlsClient::write_all(const std::string &data)
{
	size_t done = 0;
	while (done < data.size()) {
		int n = SSL_write(ssl_, data.data() + done, static_cast<int>(data.size() - done));
		if (n <= 0)
			return false;
		done += static_cast<size_t>(n);
	}
	return true;
}

bool TlsClient::read_exactly(size_t n, std::string &out)
{
	out.clear();
	char buf[16384];
	while (out.size() < n) {
		int got = SSL_read(ssl_, buf, static_cast<int>(std::min(sizeof(buf), n - out.size())));
		if (got <= 0)
			return false;
		out.append(buf, static_cast<size_t>(got));
	}
	return true;
}

bool TlsClient::read_to_close_notify(std::string &out)
{
	char buf[16384];
	for (;;) {
		ERR_clear_error();
		int got = SSL_read(ssl_, buf, sizeof(buf));
		if (got > 0) {
			out.append(buf, static_cast<size_t>(got));
			continue;
		}
		bool clean = SSL_get_error(ssl_, got) == SSL_ERROR_ZERO_RETURN;
		ERR_clear_error();
		return clean;
	}
}

bool TlsClient::shutdown()
{
	return SSL_shutdown(ssl_) >= 0;
}

TlsClient::ReadOutcome TlsClient::read_once(std::string &out, int timeout_ms)
{
	int fd = SSL_get_fd(ssl_);
	timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char buf[16384];
	ERR_clear_error();
	errno = 0;
	int got = SSL_read(ssl_, buf, sizeof(buf));
	int err = errno;
	timeval back{kTimeoutMs / 1000, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &back, sizeof(back));
	if (got > 0) {
		out.append(buf, static_cast<size_t>(got));
		return ReadOutcome::kData;
	}
	int e = SSL_get_error(ssl_, got);
	ERR_clear_error();
	if (e == SSL_ERROR_ZERO_RETURN)
		return ReadOutcome::kCloseNotify;
	if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_SYSCALL) && (err == EAGAIN || err == EWOULDBLOCK))
		return ReadOutcome::kNothing;
	return ReadOutcome::kClosedOrError;
}

} // namespace fallbackd::test
