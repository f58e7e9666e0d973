// SPDX-License-Identifier: GPL-2.0
#include "tls_context.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace fallbackd {
namespace {

// TLS 1.2: forward secrecy (ECDHE) and AEAD only: no CBC, no RSA key
// exchange, no DHE (slow, and its parameters are one more thing to get
// right). Mozilla's "intermediate" list without the DHE entries. Every one
// of them kernel TLS can take (AES-GCM, ChaCha20-Poly1305).
constexpr char kTls12Ciphers[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
				 "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
				 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// TLS 1.3: the three suites kernel TLS offloads (no CCM).
constexpr char kTls13Suites[] =
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// Sessions resumed by ID must come from the same "application".
constexpr unsigned char kSessionIdContext[] = "khttpd-fallbackd";

constexpr char kSecretLabel[] = "CLIENT_TRAFFIC_SECRET_0 ";
constexpr char kServerSecretLabel[] = "SERVER_TRAFFIC_SECRET_0 ";

int g_secret_slot = -1; // SSL ex_data index of a SessionSecrets

std::string openssl_error()
{
	unsigned long e = ERR_get_error();
	ERR_clear_error();
	if (e == 0)
		return "unknown OpenSSL error";
	char buf[256];
	ERR_error_string_n(e, buf, sizeof(buf));
	return buf;
}

std::string lowercase(std::string_view s)
{
	std::string out(s);
	for (char &c : out)
		c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
	return out;
}

bool iequals(std::string_view a, std::string_view b)
{
	if (a.size() != b.size())
		return false;
	for (size_t i = 0; i < a.size(); i++)
		if (tolower(static_cast<unsigned char>(a[i])) !=
		    tolower(static_cast<unsigned char>(b[i])))
			return false;
	return true;
}

int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

// "CLIENT_TRAFFIC_SECRET_0 <client random> <secret>", in hex (NSS key log
// format). Every other line (handshake secrets, later generations after a
// KeyUpdate) is of no use here.
// Reads the hex secret at the end of a key log line (after the client
// random) into @out; its length, 0 if malformed.
size_t parse_secret(const char *rest, uint8_t *out, size_t size)
{
	const char *hex = strchr(rest, ' ');
	if (!hex)
		return 0;
	hex++;
	size_t digits = strlen(hex);
	if (digits % 2 != 0 || digits / 2 > size)
		return 0;
	for (size_t i = 0; i < digits / 2; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		out[i] = static_cast<uint8_t>(hi << 4 | lo);
	}
	return digits / 2;
}

void on_key_log(const SSL *ssl, const char *line)
{
	if (g_secret_slot < 0)
		return;
	auto *secret = static_cast<SessionSecrets *>(SSL_get_ex_data(ssl, g_secret_slot));
	if (!secret)
		return;
	if (strncmp(line, kSecretLabel, sizeof(kSecretLabel) - 1) == 0) {
		secret->length = parse_secret(line + sizeof(kSecretLabel) - 1, secret->bytes,
					      sizeof(secret->bytes));
	} else if (strncmp(line, kServerSecretLabel, sizeof(kServerSecretLabel) - 1) == 0) {
		// Logged when the key is made, after the server's Finished
		// went out under the handshake key and before anything is
		// written under this one: the record count starts here.
		secret->server_length = parse_secret(line + sizeof(kServerSecretLabel) - 1,
						     secret->server, sizeof(secret->server));
		secret->server_records = 0;
	}
}

// Every record OpenSSL writes or reads passes here with its header
// (SSL3_RT_HEADER): those written under the server's application key are
// counted, and those read while count_records_read() asks.
void on_message(int write_p, int, int content_type, const void *, size_t, SSL *ssl, void *arg)
{
	if (content_type != SSL3_RT_HEADER)
		return;
	if (!write_p) {
		if (arg)
			++*static_cast<uint64_t *>(arg);
		return;
	}
	if (g_secret_slot < 0)
		return;
	auto *secret = static_cast<SessionSecrets *>(SSL_get_ex_data(ssl, g_secret_slot));
	if (secret && secret->server_length)
		secret->server_records++;
}

// ALPN: http/1.1 is all there is behind us. A client that offers ALPN but
// not http/1.1 (h2 only, say) gets a fatal no_application_protocol alert,
// as RFC 7301 section 3.2 asks and as nginx does since 1.21.4: going on
// without ALPN would let an h2-only client speak HTTP/2 to an HTTP/1.1
// server, which fails later and less clearly.
int on_alpn(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
	    unsigned int inlen, void *)
{
	static const unsigned char kOurs[] = "\x08http/1.1";
	unsigned char *chosen = nullptr;
	unsigned char chosen_len = 0;
	if (SSL_select_next_proto(&chosen, &chosen_len, kOurs, sizeof(kOurs) - 1, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	*out = chosen;
	*outlen = chosen_len;
	return SSL_TLSEXT_ERR_OK;
}

bool readable(const std::string &path, const char *what, std::string &error)
{
	if (access(path.c_str(), R_OK) == 0)
		return true;
	error = std::string(what) + " " + path + ": " + strerror(errno);
	return false;
}

// The DNS SANs of @cert, or its CN if it has none.
void read_names(X509 *cert, TlsContext::Certificate &c)
{
	auto *sans = static_cast<GENERAL_NAMES *>(
		X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
	if (sans) {
		for (int i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
			const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
			if (gn->type != GEN_DNS)
				continue;
			const ASN1_IA5STRING *s = gn->d.dNSName;
			c.names.push_back(lowercase(std::string_view(
				reinterpret_cast<const char *>(ASN1_STRING_get0_data(s)),
				static_cast<size_t>(ASN1_STRING_length(s)))));
		}
		GENERAL_NAMES_free(sans);
	}
	if (!c.names.empty())
		return;
	X509_NAME *subject = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
	if (i < 0)
		return;
	const ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
	c.names.push_back(lowercase(std::string_view(
		reinterpret_cast<const char *>(ASN1_STRING_get0_data(cn)),
		static_cast<size_t>(ASN1_STRING_length(cn)))));
	c.names_from_cn = true;
}

void read_validity(X509 *cert, TlsContext::Certificate &c)
{
	const ASN1_TIME *end = X509_get0_notAfter(cert);
	c.expired = X509_cmp_current_time(end) < 0;
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return;
	if (ASN1_TIME_print(bio, end) == 1) {
		char *data = nullptr;
		long n = BIO_get_mem_data(bio, &data);
		if (n > 0)
			c.not_after.assign(data, static_cast<size_t>(n));
	}
	BIO_free(bio);
}

// The ticket keys (name, HMAC and AES keys) OpenSSL made at random for
// @from, into @to: a ticket issued before a reload still decrypts after.
bool copy_ticket_keys(SSL_CTX *from, SSL_CTX *to)
{
	unsigned char keys[80];
	long n = SSL_CTX_get_tlsext_ticket_keys(from, keys, sizeof(keys));
	bool ok = n == 1 && SSL_CTX_set_tlsext_ticket_keys(to, keys, sizeof(keys)) == 1;
	OPENSSL_cleanse(keys, sizeof(keys));
	return ok;
}

} // namespace

std::string TlsContext::summary() const
{
	std::string out = std::to_string(certs_.size()) + " certificate(s): ";
	for (size_t i = 0; i < certs_.size(); i++) {
		const Certificate &c = certs_[i];
		out += (i ? "; " : "") + c.cert_path + " (";
		for (size_t j = 0; j < c.names.size(); j++)
			out += (j ? ", " : "") + c.names[j];
		out += c.names.empty() ? "no names" : "";
		out += (c.expired ? ", EXPIRED " : ", until ") + c.not_after + ")";
	}
	return out;
}

void detach_session_secrets(SSL *ssl)
{
	if (g_secret_slot >= 0)
		SSL_set_ex_data(ssl, g_secret_slot, nullptr);
}

SessionSecrets::~SessionSecrets()
{
	OPENSSL_cleanse(bytes, sizeof(bytes));
	OPENSSL_cleanse(server, sizeof(server));
}

bool certificate_name_matches(std::string_view pattern, std::string_view host)
{
	if (!host.empty() && host.back() == '.')
		host.remove_suffix(1); // "example.com." is example.com
	if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
		std::string_view suffix = pattern.substr(1); // ".example.com"
		if (host.size() <= suffix.size())
			return false;
		std::string_view label = host.substr(0, host.size() - suffix.size());
		return label.find('.') == std::string_view::npos &&
		       iequals(host.substr(label.size()), suffix);
	}
	return iequals(pattern, host);
}

std::unique_ptr<TlsContext> TlsContext::load(const std::vector<TlsCertificateFiles> &files,
					     std::string &error, const TlsContext *previous)
{
	if (g_secret_slot < 0)
		g_secret_slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
	std::unique_ptr<TlsContext> tc(new TlsContext());
	for (const TlsCertificateFiles &f : files) {
		if (!readable(f.cert, "--tls-cert", error) || !readable(f.key, "--tls-key", error))
			return nullptr;
		Certificate c;
		c.cert_path = f.cert;
		c.ctx.reset(SSL_CTX_new(TLS_server_method()));
		SSL_CTX *ctx = c.ctx.get();
		if (!ctx) {
			error = "SSL_CTX_new: " + openssl_error();
			return nullptr;
		}
		if (SSL_CTX_use_certificate_chain_file(ctx, f.cert.c_str()) != 1) {
			error = "--tls-cert " + f.cert + ": " + openssl_error();
			return nullptr;
		}
		// OpenSSL checks the key against the certificate as it loads it.
		if (SSL_CTX_use_PrivateKey_file(ctx, f.key.c_str(), SSL_FILETYPE_PEM) != 1 &&
		    ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
			error = "--tls-key " + f.key + ": " + openssl_error();
			return nullptr;
		}
		if (SSL_CTX_check_private_key(ctx) != 1) {
			ERR_clear_error();
			error = "--tls-key " + f.key + " does not match the certificate in " + f.cert;
			return nullptr;
		}
		if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
		    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1 ||
		    SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1 ||
		    SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1 ||
		    SSL_CTX_set_session_id_context(ctx, kSessionIdContext,
						   sizeof(kSessionIdContext) - 1) != 1) {
			error = "TLS settings: " + openssl_error();
			return nullptr;
		}
		// SSL_OP_ENABLE_KTLS: OpenSSL turns kernel TLS on itself
		// where it can (ktls.h says where it cannot). No
		// renegotiation: kernel TLS cannot follow one, and clients
		// have no need for it. A TCP close without close_notify
		// ends the client's stream (HTTP has its own lengths; the
		// backend sees a truncated body as such), as browsers do it
		// often. Session tickets stay on (OpenSSL's
		// default): their keys are made per SSL_CTX, at random, so a
		// restart of the daemon ends resumption, nothing worse.
		SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS | SSL_OP_NO_RENEGOTIATION |
						 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
						 SSL_OP_IGNORE_UNEXPECTED_EOF);
		// Partial writes: the TLS relay writes what the socket takes.
		// Read-ahead stays off (the default): OpenSSL must not read
		// past the handshake before the kernel takes over receiving.
		SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
					      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
					      SSL_MODE_RELEASE_BUFFERS);
		SSL_CTX_set_alpn_select_cb(ctx, on_alpn, nullptr);
		SSL_CTX_set_keylog_callback(ctx, on_key_log);
		SSL_CTX_set_tlsext_servername_callback(ctx, on_server_name);
		SSL_CTX_set_tlsext_servername_arg(ctx, tc.get());
		read_names(SSL_CTX_get0_certificate(ctx), c);
		read_validity(SSL_CTX_get0_certificate(ctx), c);
		size_t i = tc->certs_.size();
		if (previous && i < previous->certs_.size() &&
		    !copy_ticket_keys(previous->certs_[i].ctx.get(), ctx)) {
			error = "session ticket keys: " + openssl_error();
			return nullptr;
		}
		tc->certs_.push_back(std::move(c));
	}
	if (tc->certs_.empty()) {
		error = "no certificate";
		return nullptr;
	}
	return tc;
}

TlsContext::~TlsContext() = default;

size_t TlsContext::choose(std::string_view host) const
{
	for (size_t i = 0; i < certs_.size(); i++)
		for (const std::string &name : certs_[i].names)
			if (certificate_name_matches(name, host))
				return i;
	return 0;
}

int TlsContext::on_server_name(SSL *ssl, int *, void *arg)
{
	const auto *tc = static_cast<const TlsContext *>(arg);
	const char *host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	if (!host)
		return SSL_TLSEXT_ERR_OK; // no SNI: the default certificate
	size_t i = tc->choose(host);
	if (i != 0 && !SSL_set_SSL_CTX(ssl, tc->certs_[i].ctx.get()))
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	// An unknown name gets the default certificate, as a web server's
	// default virtual host does; the client decides what to make of it.
	return SSL_TLSEXT_ERR_OK;
}

void count_records_read(SSL *ssl, uint64_t *count)
{
	SSL_set_msg_callback_arg(ssl, count);
}

SslPtr TlsContext::new_session(int fd, SessionSecrets *secret) const
{
	SslPtr ssl(SSL_new(certs_[0].ctx.get()));
	if (!ssl)
		return ssl;
	if (SSL_set_fd(ssl.get(), fd) != 1 || !SSL_set_ex_data(ssl.get(), g_secret_slot, secret)) {
		ERR_clear_error();
		return SslPtr();
	}
	SSL_set_msg_callback(ssl.get(), on_message);
	SSL_set_accept_state(ssl.get());
	return ssl;
}

} // namespace fallbackd
