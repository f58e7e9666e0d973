// SPDX-License-Identifier: GPL-2.0
// ktls_probe: the daemon's kernel TLS code against a real tls.ko (a VM
// guest: the build host has none). For TLS 1.2 and 1.3 and each of the
// three AEAD ciphers, over loopback TCP:
//   - a server session from the daemon's TlsContext finishes a handshake
//     with an OpenSSL client; what OpenSSL turned on by itself is printed
//     (SSL_OP_ENABLE_KTLS: TLS_TX, TLS_RX),
//   - try_adoption() with /dev/null as the control file (the ioctl fails
//     with ENOTTY) must leave kernel TLS on both ways: kKernelTls,
//   - then the kernel must decrypt what the client sends (read()) and
//     encrypt what we write (the client's SSL_read()),
//   - then the splice relay (relay.cpp, as for a request handed back on an
//     adopted connection) carries a request to a plain TCP "backend" and
//     its answer back, sends close_notify when the backend closes
//     (SSL_read() returns 0 with SSL_ERROR_ZERO_RETURN) and takes the
//     client's close_notify (splice() fails, the alert is read) as the end
//     of the client's stream.
// Prints TAP-like "ok - ..." / "not ok - ..." lines; exit 0 if all passed.
// Usage: ktls_probe DIR (a writable directory for the test certificate)
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "fd_util.h"
#include "ktls.h"
#include "relay.h"
#include "tls_adoption.h"
#include "tls_context.h"
#include "tls_handshake.h"
#include "tls_info.h"
#include "unique_fd.h"

using namespace fallbackd;

namespace {

int g_failed = 0;

void report(bool ok, const std::string &what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what.c_str());
	fflush(stdout);
	if (!ok)
		g_failed++;
}

void set_timeouts(int fd)
{
	timeval tv{10, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

struct ClientResult {
	bool handshake = false, got_pong = false, got_answer = false, got_close_notify = false;
	std::string error;
};

void run_client(int fd, int version, const char *cipher, ClientResult &r)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_min_proto_version(ctx, version);
	SSL_CTX_set_max_proto_version(ctx, version);
	if (version == TLS1_3_VERSION)
		SSL_CTX_set_ciphersuites(ctx, cipher);
	else
		SSL_CTX_set_cipher_list(ctx, cipher);
	SSL *ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	static const unsigned char alpn[] = "\x08http/1.1";
	SSL_set_alpn_protos(ssl, alpn, sizeof(alpn) - 1);
	if (SSL_connect(ssl) == 1) {
		r.handshake = true;
		const char ping[] = "ping from client";
		SSL_write(ssl, ping, sizeof(ping) - 1);
		char buf[256];
		int n = SSL_read(ssl, buf, sizeof(buf));
		r.got_pong = n > 0 && std::string(buf, static_cast<size_t>(n)) == "pong from kernel";
		const char request[] = "request through splice";
		SSL_write(ssl, request, sizeof(request) - 1);
		n = SSL_read(ssl, buf, sizeof(buf));
		r.got_answer = n > 0 && std::string(buf, static_cast<size_t>(n)) == "answer through splice";
		n = SSL_read(ssl, buf, sizeof(buf));
		r.got_close_notify = n == 0 && SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN;
		SSL_shutdown(ssl); // our close_notify
	} else {
		char buf[256];
		ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
		r.error = buf;
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
}

void probe(const TlsContext &tc, int version, const char *cipher)
{
	std::string name = std::string(version == TLS1_3_VERSION ? "TLSv1.3 " : "TLSv1.2 ") + cipher;
	UniqueFd listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	sockaddr_in sin{};
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sin);
	bind(listener.get(), reinterpret_cast<sockaddr *>(&sin), sizeof(sin));
	listen(listener.get(), 1);
	getsockname(listener.get(), reinterpret_cast<sockaddr *>(&sin), &len);
	UniqueFd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	connect(client.get(), reinterpret_cast<sockaddr *>(&sin), sizeof(sin));
	UniqueFd server(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
	set_timeouts(client.get());
	set_timeouts(server.get());

	ClientResult cr;
	std::thread t(run_client, client.get(), version, cipher, std::ref(cr));

	SessionSecrets secret;
	SslPtr ssl = tc.new_session(server.get(), &secret);
	int rc = SSL_do_handshake(ssl.get()); // blocking socket
	if (rc != 1) {
		t.join();
		report(false, name + ": handshake: " + take_openssl_error("?") + " / client: " + cr.error);
		return;
	}
	bool tx = BIO_get_ktls_send(SSL_get_wbio(ssl.get()));
	bool rx = BIO_get_ktls_recv(SSL_get_rbio(ssl.get()));
	printf("# %s: OpenSSL turned on kernel TLS: send %s, receive %s\n", name.c_str(),
	       tx ? "yes" : "no", rx ? "yes" : "no");

	UniqueFd devnull(open("/dev/null", O_RDWR | O_CLOEXEC));
	AdoptionSettings settings;
	settings.control_fd = devnull.get();
	settings.kernel_tls = true;
	std::string info = encode_adopt_info("");
	// TLS 1.3 with OpenSSL's kernel TLS for sending: the daemon reads the
	// first request itself and offers KHTTPD_IOC_ADOPT_RX_LATER, which
	// /dev/null refuses (ENOTTY, a module without it): receive is then
	// set from record 1, and the kernel decrypts the relay's request.
	FirstRequest first;
	bool reads_first = wants_first_request(ssl.get(), settings);
	if (reads_first)
		read_first_request(ssl.get(), first); // blocking: the client's ping
	AdoptionResult ar = try_adoption(ssl.get(), server.get(), secret, info, settings, first);
	if (reads_first)
		report(first.state == FirstRequest::kOneRecord && ar.plaintext == "ping from client",
		       name + ": the first request read by OpenSSL, one record, goes along");
	report(ar.kind == AdoptionResult::kKernelTls,
	       name + ": kernel TLS on both ways after try_adoption (" + ar.reason + ")");
	if (ar.kind != AdoptionResult::kKernelTls) {
		shutdown(server.get(), SHUT_RDWR); // the client gives up
		t.join();
		return;
	}
	detach_session_secrets(ssl.get());
	ssl.reset(); // no SSL_shutdown: the kernel does the records

	// The kernel decrypts: plaintext from read().
	std::string got = ar.plaintext;
	char buf[256];
	while (got.size() < 16) {
		ssize_t n = read(server.get(), buf, sizeof(buf));
		if (n <= 0)
			break;
		got.append(buf, static_cast<size_t>(n));
	}
	report(got == "ping from client", name + ": the kernel decrypts the client's record (got '" +
						  got + "', " + strerror(errno) + ")");
	const char pong[] = "pong from kernel";
	report(write(server.get(), pong, sizeof(pong) - 1) == sizeof(pong) - 1,
	       name + ": write() to the kTLS socket");

	// The splice relay between the kTLS socket and a plain backend.
	UniqueFd backend_listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	sin.sin_port = 0;
	len = sizeof(sin);
	bind(backend_listener.get(), reinterpret_cast<sockaddr *>(&sin), sizeof(sin));
	listen(backend_listener.get(), 1);
	getsockname(backend_listener.get(), reinterpret_cast<sockaddr *>(&sin), &len);
	UniqueFd to_backend(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	connect(to_backend.get(), reinterpret_cast<sockaddr *>(&sin), sizeof(sin));
	UniqueFd backend(accept4(backend_listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
	set_timeouts(backend.get());
	Pipe up, down;
	make_pipe(up);
	make_pipe(down);
	set_nonblocking(server.get());
	set_nonblocking(to_backend.get());
	int server_fd = server.get(), to_backend_fd = to_backend.get();
	Relay relay(std::move(server), std::move(to_backend), true, std::move(up), std::move(down),
		    "", true);
	std::string request;
	bool answered = false, backend_eof = false;
	ClientConnection::Status st = ClientConnection::Status::kActive;
	for (int i = 0; i < 1000 && st == ClientConnection::Status::kActive; i++) {
		pollfd p[2] = {{server_fd, POLLIN, 0}, {to_backend_fd, POLLIN, 0}};
		poll(p, 2, 10);
		bool more = false;
		st = relay.pump(more);
		ssize_t got_n = recv(backend.get(), buf, sizeof(buf), MSG_DONTWAIT);
		if (got_n > 0)
			request.append(buf, static_cast<size_t>(got_n));
		else if (got_n == 0)
			backend_eof = true;
		if (!answered && request == "request through splice") {
			const char answer[] = "answer through splice";
			send(backend.get(), answer, sizeof(answer) - 1, MSG_NOSIGNAL);
			shutdown(backend.get(), SHUT_WR);
			answered = true;
		}
	}
	if (!backend_eof && recv(backend.get(), buf, sizeof(buf), 0) == 0)
		backend_eof = true;
	t.join();
	report(request == "request through splice",
	       name + ": splice relay: the request reached the backend");
	report(cr.got_pong, name + ": the client read what the kernel encrypted");
	report(cr.got_answer, name + ": the client read the backend's answer through splice");
	report(cr.got_close_notify, name + ": the client saw our close_notify");
	report(st == ClientConnection::Status::kFinished && backend_eof,
	       name + ": the client's close_notify ended the relay (" + relay.error_context() + " " +
		       strerror(relay.error()) + ")");
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ktls_probe DIR\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	std::string d = argv[1];
	std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
			  "-keyout " + d + "/probe.key -out " + d + "/probe.pem -days 1 "
			  "-subj /CN=probe.test -addext subjectAltName=DNS:probe.test > /dev/null 2>&1";
	if (system(cmd.c_str()) != 0) {
		fprintf(stderr, "ktls_probe: openssl req failed\n");
		return 1;
	}
	std::string detail;
	bool available = kernel_tls_available(detail);
	report(available, "kernel TLS available: " + detail);
	std::string error;
	auto tc = TlsContext::load({{d + "/probe.pem", d + "/probe.key"}}, error);
	if (!tc) {
		fprintf(stderr, "ktls_probe: %s\n", error.c_str());
		return 1;
	}
	for (const char *c : {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
			      "TLS_CHACHA20_POLY1305_SHA256"})
		probe(*tc, TLS1_3_VERSION, c);
	for (const char *c : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
			      "ECDHE-ECDSA-CHACHA20-POLY1305"})
		probe(*tc, TLS1_2_VERSION, c);
	printf("# %d failed\n", g_failed);
	return g_failed == 0 ? 0 : 1;
}
