// SPDX-License-Identifier: GPL-2.0
// HTTPS through the real daemon binary: KHTTPD_HANDOVER_TLS hand-overs
// (the ClientHello still in the socket), handshakes with OpenSSL clients,
// requests relayed with the TLS TLVs, hostile handshakes, the adoption
// ioctl (faked by the preload: this host has no tls.ko, so without the
// fake every connection is served in userspace) and KHTTPD_HANDOVER_F_TLS
// hand-overs of adopted connections.
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>

#include <chrono>
#include <map>
#include <thread>

#include <openssl/ssl.h>

#include "daemon_fixture.h"
#include "tls_info.h"
#include "tls_test_support.h"

#ifndef FAKE_KHTTPD_PRELOAD
#error "FAKE_KHTTPD_PRELOAD must name the preload library"
#endif

namespace fallbackd::test {
namespace {

using Clock = std::chrono::steady_clock;

const char kRequest[] = "GET /cgi-bin/env HTTP/1.1\r\nHost: www.example.test\r\n\r\n";
const char kResponse[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

// The TLVs of a PROXY header, by type; PP2_TYPE_SSL's sub-TLVs too.
struct Tlvs {
	std::map<uint8_t, std::string> top;
	std::map<uint8_t, std::string> ssl;
	uint8_t ssl_client = 0;
};

Tlvs parse_tlvs(std::string_view s)
{
	Tlvs t;
	auto walk = [](std::string_view b, std::map<uint8_t, std::string> &out) {
		while (b.size() >= 3) {
			size_t len = static_cast<uint8_t>(b[1]) << 8 | static_cast<uint8_t>(b[2]);
			if (b.size() < 3 + len)
				break;
			out[static_cast<uint8_t>(b[0])] = std::string(b.substr(3, len));
			b.remove_prefix(3 + len);
		}
	};
	walk(s, t.top);
	if (auto it = t.top.find(kPp2TypeSsl); it != t.top.end() && it->second.size() >= 5) {
		t.ssl_client = static_cast<uint8_t>(it->second[0]);
		walk(std::string_view(it->second).substr(5), t.ssl);
	}
	return t;
}

// Reads (and drops) until the daemon closed the connection: an end of file,
// or a reset (closing with unread input resets).
bool closed_by_daemon(int fd, int timeout_ms = kTimeoutMs)
{
	auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
	char buf[4096];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return false;
		if (n > 0)
			continue;
		int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
						    deadline - Clock::now())
						    .count());
		pollfd p{fd, POLLIN, 0};
		if (left <= 0 || poll(&p, 1, left) == 0)
			return false;
	}
}

class TlsDaemonTest : public DaemonTest {
protected:
	void SetUp() override
	{
		DaemonTest::SetUp();
		pki_ = test_pki();
		ASSERT_NE(pki_, nullptr);
	}

	std::vector<std::string> cert_args() const
	{
		return {"--tls-cert", pki_->path("default.pem"), "--tls-key", pki_->path("default.key"),
			"--tls-cert", pki_->path("example.pem"), "--tls-key", pki_->path("example.key")};
	}

	void start_tls(std::vector<std::string> extra = {})
	{
		std::vector<std::string> args = cert_args();
		args.insert(args.end(), extra.begin(), extra.end());
		start(args);
	}

	// A client connection handed over as the kernel does on tls_port.
	UniqueFd hand_over_tls(uint64_t conn_id = 1)
	{
		ClientPair p = make_client_pair(front_);
		EXPECT_TRUE(p.client.valid() && p.server.valid());
		HandoverSpec spec;
		spec.reason = KHTTPD_HANDOVER_TLS;
		spec.conn_id = conn_id;
		spec.fds = {p.server.get()};
		EXPECT_TRUE(send_handover(daemon_.module_fd(), spec));
		return std::move(p.client);
	}

	// Accepts the backend connection from @listener and checks that it
	// starts with the PROXY header for @client; returns its TLVs, then
	// reads @data.
	UniqueFd accept_with_tlvs(const Listener &listener, int client, Tlvs &tlvs,
				  const std::string &data)
	{
		UniqueFd b = accept_one(listener);
		EXPECT_TRUE(b.valid()) << "the daemon did not connect to the backend";
		if (!b)
			return b;
		std::string plain = expected_proxy_v2(local_of(client), peer_of(client));
		std::string head;
		EXPECT_TRUE(read_exactly(b.get(), 16, head));
		size_t len = static_cast<uint8_t>(head[14]) << 8 | static_cast<uint8_t>(head[15]);
		std::string rest;
		EXPECT_TRUE(read_exactly(b.get(), len, rest));
		std::string whole = head + rest;
		size_t addr_end = plain.size();
		EXPECT_GE(whole.size(), addr_end);
		// Everything but the length field is the plain header's.
		EXPECT_EQ(whole.substr(0, 14), plain.substr(0, 14));
		EXPECT_EQ(whole.substr(16, addr_end - 16), plain.substr(16));
		tlvs = parse_tlvs(std::string_view(whole).substr(addr_end));
		std::string got;
		EXPECT_TRUE(read_exactly(b.get(), data.size(), got));
		EXPECT_EQ(got, data);
		return b;
	}

	// A whole request through the daemon's userspace TLS relay.
	void request_round_trip(TlsClient &c, int client_fd, const std::string &version)
	{
		ASSERT_TRUE(c.write_all(kRequest));
		Tlvs tlvs;
		UniqueFd backend = accept_with_tlvs(backend_, client_fd, tlvs, kRequest);
		ASSERT_TRUE(backend.valid());
		EXPECT_EQ(tlvs.ssl_client, kPp2ClientSsl);
		EXPECT_EQ(tlvs.ssl[kPp2SubtypeSslVersion], version);
		EXPECT_FALSE(tlvs.ssl[kPp2SubtypeSslCipher].empty());
		ASSERT_TRUE(write_all(backend.get(), kResponse));
		backend.reset(); // the backend's end: the client gets close_notify
		std::string got;
		EXPECT_TRUE(c.read_to_close_notify(got)) << "no close_notify after the answer";
		EXPECT_EQ(got, kResponse);
	}

	const TestPki *pki_ = nullptr;
};

TEST_F(TlsDaemonTest, Tls13RequestRelayedWithTlvs)
{
	start_tls({"--verbose"});
	UniqueFd client = hand_over_tls(31);
	TlsClient c;
	std::string error;
	ASSERT_TRUE(c.connect(client.get(), {"www.example.test", {"http/1.1"}, TLS1_3_VERSION}, error))
		<< error;
	EXPECT_EQ(c.version(), "TLSv1.3");
	EXPECT_EQ(c.alpn(), "http/1.1");

	ASSERT_TRUE(c.write_all(kRequest));
	Tlvs tlvs;
	UniqueFd backend = accept_with_tlvs(backend_, client.get(), tlvs, kRequest);
	ASSERT_TRUE(backend.valid());
	EXPECT_EQ(tlvs.top[kPp2TypeAuthority], "www.example.test");
	EXPECT_EQ(tlvs.top[kPp2TypeAlpn], "http/1.1");
	EXPECT_EQ(tlvs.ssl_client, kPp2ClientSsl);
	EXPECT_EQ(tlvs.ssl[kPp2SubtypeSslVersion], "TLSv1.3");
	EXPECT_EQ(tlvs.ssl[kPp2SubtypeSslCipher].rfind("TLS_", 0), 0u);

	// More from the client follows the request; the answer comes back.
	ASSERT_TRUE(c.write_all("body"));
	std::string got;
	ASSERT_TRUE(read_exactly(backend.get(), 4, got));
	EXPECT_EQ(got, "body");
	ASSERT_TRUE(write_all(backend.get(), kResponse));
	backend.reset();
	got.clear();
	EXPECT_TRUE(c.read_to_close_notify(got));
	EXPECT_EQ(got, kResponse);
	client.reset();
	finish();
	std::string log = daemon_.output();
	EXPECT_NE(log.find("tls userspace: adoption off (no control file)"), std::string::npos) << log;
	EXPECT_NE(log.find("1 handshakes, 0 failed or timed out, 0 tls adopted, 1 tls userspace"),
		  std::string::npos)
		<< log;
}

// IPv6 addresses (36 bytes) and the longest TLVs still fit Apache's 232
// bytes: a long SNI is left out rather than the header refused.
TEST_F(TlsDaemonTest, Ipv6ClientLongSniFitsApachesLimit)
{
	Listener front6 = listen_on("::1");
	if (!front6.fd.valid())
		GTEST_SKIP() << "no IPv6 loopback";
	start_tls();
	ClientPair p = make_client_pair(front6);
	ASSERT_TRUE(p.server.valid());
	HandoverSpec spec;
	spec.reason = KHTTPD_HANDOVER_TLS;
	spec.fds = {p.server.get()};
	ASSERT_TRUE(send_handover(daemon_.module_fd(), spec));
	p.server.reset();
	TlsClient c;
	std::string error;
	const std::string sni = std::string(150, 'x') + ".example.test";
	ASSERT_TRUE(c.connect(p.client.get(), {sni, {"http/1.1"}, TLS1_3_VERSION}, error)) << error;
	ASSERT_TRUE(c.write_all(kRequest));
	UniqueFd b = accept_one(backend_);
	ASSERT_TRUE(b.valid());
	std::string head, rest;
	ASSERT_TRUE(read_exactly(b.get(), 16, head));
	EXPECT_EQ(head[13], '\x21'); // TCP over IPv6
	size_t len = static_cast<uint8_t>(head[14]) << 8 | static_cast<uint8_t>(head[15]);
	EXPECT_LE(16 + len, 232u);
	ASSERT_TRUE(read_exactly(b.get(), len, rest));
	Tlvs tlvs = parse_tlvs(std::string_view(rest).substr(36));
	EXPECT_EQ(tlvs.top.count(kPp2TypeAuthority), 0u);
	EXPECT_EQ(tlvs.top[kPp2TypeAlpn], "http/1.1");
	EXPECT_EQ(tlvs.ssl[kPp2SubtypeSslVersion], "TLSv1.3");
}

TEST_F(TlsDaemonTest, Tls12Request)
{
	start_tls();
	UniqueFd client = hand_over_tls();
	TlsClient c;
	std::string error;
	ASSERT_TRUE(c.connect(client.get(), {"", {}, TLS1_2_VERSION}, error)) << error;
	EXPECT_EQ(c.version(), "TLSv1.2");
	EXPECT_EQ(c.alpn(), "");
	request_round_trip(c, client.get(), "TLSv1.2");
	client.reset();
	finish();
}

// Megabytes both ways, one after the other (one SSL object is not for two
// threads): the fixed buffers and flow control move everything intact.
TEST_F(TlsDaemonTest, MegabytesBothWays)
{
	start_tls();
	UniqueFd client = hand_over_tls();
	TlsClient c;
	std::string error;
	ASSERT_TRUE(c.connect(client.get(), {"", {}, 0}, error)) << error;
	ASSERT_TRUE(c.write_all("PUT / HTTP/1.1\r\n\r\n"));
	Tlvs tlvs;
	UniqueFd backend = accept_with_tlvs(backend_, client.get(), tlvs, "PUT / HTTP/1.1\r\n\r\n");
	ASSERT_TRUE(backend.valid());
	const std::string up = pattern(4 << 20, 11), down = pattern(4 << 20, 12);
	std::string got_up;
	std::thread reader([&] { read_exactly(backend.get(), up.size(), got_up, 60000); });
	bool wrote = c.write_all(up);
	reader.join();
	ASSERT_TRUE(wrote);
	EXPECT_TRUE(got_up == up) << got_up.size() << " bytes arrived";
	std::thread writer([&] { write_all(backend.get(), down, 60000); });
	std::string got_down;
	bool read = c.read_exactly(down.size(), got_down);
	writer.join();
	ASSERT_TRUE(read);
	EXPECT_TRUE(got_down == down) << got_down.size() << " bytes arrived";
	// The client ends first (close_notify): the backend sees its end of
	// file, answers, closes; the client gets the answer and close_notify.
	ASSERT_TRUE(c.shutdown());
	std::string rest;
	EXPECT_TRUE(read_to_eof(backend.get(), rest));
	EXPECT_EQ(rest, "");
	ASSERT_TRUE(write_all(backend.get(), kResponse));
	backend.reset();
	std::string tail;
	EXPECT_TRUE(c.read_to_close_notify(tail));
	EXPECT_EQ(tail, kResponse);
	client.reset();
	finish();
}

// The backend does not read: the daemon must stop reading the client (one
// 16 KiB buffer), not decrypt without bound.
TEST_F(TlsDaemonTest, Backpressure)
{
	start_tls();
	UniqueFd client = hand_over_tls();
	TlsClient c;
	std::string error;
	ASSERT_TRUE(c.connect(client.get(), {"", {}, 0}, error)) << error;
	ASSERT_TRUE(c.write_all("PUT / HTTP/1.1\r\n\r\n"));
	Tlvs tlvs;
	UniqueFd backend = accept_with_tlvs(backend_, client.get(), tlvs, "PUT / HTTP/1.1\r\n\r\n");
	ASSERT_TRUE(backend.valid());
	// Writes time out (SO_SNDTIMEO) once every buffer on the way is full.
	timeval tv{1, 0};
	setsockopt(client.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	const size_t limit = 64u << 20;
	const std::string chunk = pattern(1 << 16, 5);
	size_t sent = 0;
	while (sent < limit && c.write_all(chunk))
		sent += chunk.size();
	EXPECT_LT(sent, limit / 2) << "the daemon kept reading from the client";
	// What was written arrives whole once the backend reads.
	std::string got;
	EXPECT_TRUE(read_exactly(backend.get(), std::min<size_t>(sent, 1 << 20), got, 60000));
}

// An F_TLS hand-over whose info this daemon did not write: relayed
// without TLVs, with a warning.
TEST_F(TlsDaemonTest, HandedBackWithForeignInfoGoesWithoutTlvs)
{
	start();
	ClientPair p = make_client_pair(front_);
	ASSERT_TRUE(p.server.valid());
	HandoverSpec spec;
	spec.flags = KHTTPD_HANDOVER_F_TLS;
	spec.info = std::string("\x07garbage", 8);
	spec.data = kRequest;
	spec.fds = {p.server.get()};
	ASSERT_TRUE(send_handover(daemon_.module_fd(), spec));
	p.server.reset();
	Tlvs tlvs;
	UniqueFd backend = accept_with_tlvs(backend_, p.client.get(), tlvs, kRequest);
	ASSERT_TRUE(backend.valid());
	EXPECT_TRUE(tlvs.top.empty());
	backend.reset();
	p.client.reset();
	finish();
	EXPECT_NE(daemon_.output().find("adoption info version 7, expected 1; relayed without TLS TLVs"),
		  std::string::npos)
		<< daemon_.output();
}

TEST_F(TlsDaemonTest, UnreachableBackendGets502InsideTls)
{
	start_tls({"--tls-backend", "127.0.0.1:" + std::to_string(unused_port())});
	UniqueFd client = hand_over_tls();
	TlsClient c;
	std::string error;
	ASSERT_TRUE(c.connect(client.get(), {"", {}, 0}, error)) << error;
	std::string got;
	EXPECT_TRUE(c.read_to_close_notify(got));
	EXPECT_EQ(got.rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u) << got;
	client.reset();
	finish();
}

TEST_F(TlsDaemonTest, IdleTlsRelayIsClosedWithCloseNotify)
{
	start_tls({"--idle-timeout", "1"});
	UniqueFd client = hand_over_tls();
	TlsClient c;
	std::string error;
	ASSERT_TRUE(c.connect(client.get(), {"", {}, 0}, error)) << error;
	ASSERT_TRUE(c.write_all(kRequest));
	Tlvs tlvs;
	UniqueFd backend = accept_with_tlvs(backend_, client.get(), tlvs, kRequest);
	ASSERT_TRUE(backend.valid());
	// Nobody moves a byte: after a second both sides are closed, the
	// client's with a close_notify.
	std::string got;
	EXPECT_TRUE(c.read_to_close_notify(got));
	EXPECT_EQ(got, "");
	EXPECT_TRUE(wait_closed(backend.get()));
	client.reset();
	finish();
}

// Session tickets: a second connection resumes the first one's session,
// with TLS 1.3 and 1.2.
TEST_F(TlsDaemonTest, SessionsResume)
{
	start_tls();
	for (int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
		SSL_SESSION *session = nullptr;
		{
			UniqueFd client = hand_over_tls();
			TlsClient c;
			std::string error;
			ASSERT_TRUE(c.connect(client.get(), {"www.example.test", {}, version}, error))
				<< error;
			request_round_trip(c, client.get(), c.version());
			session = c.session();
			EXPECT_FALSE(c.resumed());
			// Without its own close_notify the client's OpenSSL
			// marks the session not resumable when it is freed.
			c.shutdown();
		}
		ASSERT_NE(session, nullptr);
		EXPECT_TRUE(SSL_SESSION_has_ticket(session)) << version;
		UniqueFd client = hand_over_tls();
		TlsClient c;
		std::string error;
		ASSERT_TRUE(c.connect(client.get(), {"www.example.test", {}, version, session}, error))
			<< error;
		EXPECT_TRUE(c.resumed()) << c.version();
		request_round_trip(c, client.get(), c.version());
		SSL_SESSION_free(session);
	}
}

TEST_F(TlsDaemonTest, SniPicksTheCertificate)
{
	start_tls();
	struct Case {
		const char *sni;
		const char *name;
	} cases[] = {
		{"a.example.test", "*.example.test"}, {"www.other.test", "*.example.test"},
		{"default.test", "default.test"},     {"", "default.test"},
		{"nomatch.test", "default.test"},     {"a.b.example.test", "default.test"},
	};
	for (const Case &k : cases) {
		UniqueFd client = hand_over_tls();
		TlsClient c;
		std::string error;
		ASSERT_TRUE(c.connect(client.get(), {k.sni, {"http/1.1"}, 0}, error)) << k.sni << ": " << error;
		std::vector<std::string> names = c.peer_names();
		ASSERT_FALSE(names.empty());
		EXPECT_EQ(names[0], k.name) << "SNI '" << k.sni << "'";
	}
}

// SIGHUP (certbot's deploy hook, systemctl reload): the daemon loads its
// certificate files again. A handshake the daemon began before the reload
// (its SSL made at the hand-over) finishes with the old certificate; new
// ones get the new; a reload that fails keeps the last good set and says
// why; many reloads leak nothing (ASan's leak check at the daemon's exit).
class TlsReloadTest : public TlsDaemonTest {
protected:
	void SetUp() override
	{
		TlsDaemonTest::SetUp();
		char tmpl[] = "/tmp/fallbackd-reload.XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir_ = tmpl;
	}
	void TearDown() override
	{
		unlink((dir_ + "/site.pem").c_str());
		unlink((dir_ + "/site.key").c_str());
		rmdir(dir_.c_str());
		TlsDaemonTest::TearDown();
	}
	// certbot renewing: new files at the same paths.
	void install(const std::string &pem, const std::string &key)
	{
		ASSERT_EQ(system(("cp " + pki_->path(pem) + " " + dir_ + "/site.pem && cp " +
				  pki_->path(key) + " " + dir_ + "/site.key")
					 .c_str()),
			  0);
	}
	size_t count(const std::string &what) const
	{
		std::string log = daemon_.output();
		size_t n = 0;
		for (size_t at = log.find(what); at != std::string::npos; at = log.find(what, at + 1))
			n++;
		return n;
	}
	// Sends SIGHUP and waits until the daemon logged @what once more.
	void hup_and_wait(const std::string &what)
	{
		size_t before = count(what);
		ASSERT_EQ(kill(daemon_.pid(), SIGHUP), 0);
		auto deadline = Clock::now() + std::chrono::milliseconds(kTimeoutMs);
		while (count(what) == before && Clock::now() < deadline)
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		ASSERT_GT(count(what), before) << "no '" << what << "' after SIGHUP:\n"
					       << daemon_.output();
	}
	std::string served_name(UniqueFd client, const char *sni = "www.example.test")
	{
		TlsClient c;
		std::string error;
		if (!c.connect(client.get(), {sni, {"http/1.1"}, 0}, error))
			return "handshake failed: " + error;
		std::vector<std::string> names = c.peer_names();
		return names.empty() ? "" : names[0];
	}
	std::string dir_;
};

TEST_F(TlsReloadTest, NewHandshakesGetTheNewCertificateOldOnesFinishWithTheOld)
{
	install("default.pem", "default.key");
	start({"--tls-cert", dir_ + "/site.pem", "--tls-key", dir_ + "/site.key"});
	EXPECT_EQ(served_name(hand_over_tls(1)), "default.test");
	// Handed over (its SSL made on the old set), its ClientHello not sent.
	UniqueFd early = hand_over_tls(2);
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	install("example.pem", "example.key");
	hup_and_wait("SIGHUP: TLS reloaded, 1 certificate(s): " + dir_ + "/site.pem (*.example.test, "
		     "www.other.test, until ");
	EXPECT_EQ(served_name(hand_over_tls(3)), "*.example.test");
	// Its SNI callback runs on the old set, freed by now but for this
	// handshake's reference.
	EXPECT_EQ(served_name(std::move(early)), "default.test");
	EXPECT_EQ(served_name(hand_over_tls(4), ""), "*.example.test");
	finish();
}

TEST_F(TlsReloadTest, FailedReloadKeepsTheOldCertificate)
{
	install("example.pem", "example.key");
	start({"--tls-cert", dir_ + "/site.pem", "--tls-key", dir_ + "/site.key"});
	EXPECT_EQ(served_name(hand_over_tls(9)), "*.example.test");
	// A key that is not this certificate's.
	install("default.pem", "example.key");
	hup_and_wait("SIGHUP: TLS reload failed, still serving the certificates loaded before: "
		     "--tls-key " + dir_ + "/site.key does not match the certificate in " + dir_ +
		     "/site.pem");
	EXPECT_EQ(served_name(hand_over_tls(1)), "*.example.test");
	// Not PEM at all.
	ASSERT_EQ(system(("echo garbage > " + dir_ + "/site.key").c_str()), 0);
	hup_and_wait("TLS reload failed, still serving the certificates loaded before: --tls-key " +
		     dir_ + "/site.key: ");
	EXPECT_EQ(served_name(hand_over_tls(2)), "*.example.test");
	// Gone.
	install("example.pem", "example.key");
	unlink((dir_ + "/site.pem").c_str());
	hup_and_wait("TLS reload failed, still serving the certificates loaded before: --tls-cert " +
		     dir_ + "/site.pem: No such file or directory");
	EXPECT_EQ(served_name(hand_over_tls(3)), "*.example.test");
	// Fixed: the next SIGHUP takes it.
	install("default.pem", "default.key");
	hup_and_wait("SIGHUP: TLS reloaded");
	EXPECT_EQ(served_name(hand_over_tls(4)), "default.test");
	finish();
}

TEST_F(TlsReloadTest, ManyReloadsLeakNothingAndSessionsResumeAcross)
{
	install("default.pem", "default.key");
	start({"--tls-cert", dir_ + "/site.pem", "--tls-key", dir_ + "/site.key"});
	SSL_SESSION *session = nullptr;
	{
		UniqueFd client = hand_over_tls(1);
		TlsClient c;
		std::string error;
		ASSERT_TRUE(c.connect(client.get(), {"default.test", {"http/1.1"}, TLS1_2_VERSION},
				      error))
			<< error;
		request_round_trip(c, client.get(), "TLSv1.2");
		session = c.session();
		c.shutdown(); // else the client's OpenSSL will not resume it
	}
	ASSERT_NE(session, nullptr);
	for (int i = 0; i < 20; i++)
		hup_and_wait("SIGHUP: TLS reloaded");
	EXPECT_EQ(count("SIGHUP: TLS reloaded"), 20u);
	// The ticket keys survived the reloads: the TLS 1.2 ticket resumes.
	UniqueFd client = hand_over_tls(2);
	TlsClient c;
	std::string error;
	ASSERT_TRUE(c.connect(client.get(), {"default.test", {"http/1.1"}, TLS1_2_VERSION, session},
			      error))
		<< error;
	EXPECT_TRUE(c.resumed());
	request_round_trip(c, client.get(), "TLSv1.2");
	SSL_SESSION_free(session);
	client.reset();
	finish(); // exit status 0: LeakSanitizer found nothing
}

TEST_F(TlsDaemonTest, SighupWithoutCertificatesIsIgnored)
{
	start();
	idle_fd_count(); // the daemon is in its loop
	ASSERT_EQ(kill(daemon_.pid(), SIGHUP), 0);
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	finish();
	EXPECT_NE(daemon_.output().find("SIGHUP ignored: no --tls-cert to reload"), std::string::npos)
		<< daemon_.output();
}

TEST_F(TlsDaemonTest, AlpnWithoutHttp11IsRefused)
{
	start_tls();
	{
		UniqueFd client = hand_over_tls();
		TlsClient c;
		std::string error;
		EXPECT_FALSE(c.connect(client.get(), {"", {"h2"}, 0}, error));
		EXPECT_NE(error.find("no application protocol"), std::string::npos) << error;
	}
	{
		UniqueFd client = hand_over_tls();
		TlsClient c;
		std::string error;
		ASSERT_TRUE(c.connect(client.get(), {"", {"h2", "http/1.1"}, 0}, error)) << error;
		EXPECT_EQ(c.alpn(), "http/1.1");
	}
}

// Garbage, a plain HTTP request, a truncated ClientHello, a client that
// goes away: each costs its slot until the socket is closed, then nothing.
TEST_F(TlsDaemonTest, HostileHandshakesLeaveNothingBehind)
{
	start_tls({"--verbose"});
	int baseline = idle_fd_count();
	ASSERT_GT(baseline, 0);
	{
		UniqueFd client = hand_over_tls();
		ASSERT_TRUE(write_all(client.get(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
		EXPECT_TRUE(closed_by_daemon(client.get())); // an alert at most before
	}
	{
		UniqueFd client = hand_over_tls();
		ASSERT_TRUE(write_all(client.get(), std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11)));
		shutdown(client.get(), SHUT_WR); // truncated: then the end of file
		EXPECT_TRUE(closed_by_daemon(client.get()));
	}
	{
		UniqueFd client = hand_over_tls();
		ASSERT_TRUE(write_all(client.get(), std::string(300, '\xff')));
		EXPECT_TRUE(closed_by_daemon(client.get()));
	}
	{
		UniqueFd client = hand_over_tls();
		ASSERT_TRUE(write_all(client.get(), std::string("\x16\x03\x01\x02\x00\x01", 6)));
		client.reset(); // vanishes mid-handshake
	}
	EXPECT_TRUE(daemon_.wait_fd_count(baseline)) << daemon_.fd_count() << " descriptors, "
						     << baseline << " before";
	finish();
	std::string log = daemon_.output();
	EXPECT_NE(log.find("http request"), std::string::npos) << log;
	EXPECT_NE(log.find("4 failed or timed out"), std::string::npos) << log;
}

TEST_F(TlsDaemonTest, IdleTimeoutEndsAStalledHandshake)
{
	start_tls({"--idle-timeout", "1"});
	int baseline = idle_fd_count();
	UniqueFd client = hand_over_tls();
	// Half a ClientHello, then silence.
	ASSERT_TRUE(write_all(client.get(), std::string("\x16\x03\x01\x02\x00\x01\x00", 7)));
	auto t0 = Clock::now();
	EXPECT_TRUE(closed_by_daemon(client.get(), 10000));
	auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
	EXPECT_GE(took, 800);
	EXPECT_LT(took, 5000);
	EXPECT_TRUE(daemon_.wait_fd_count(baseline));
	client.reset();
	finish();
	EXPECT_NE(daemon_.output().find("1 failed or timed out"), std::string::npos)
		<< daemon_.output();
}

TEST_F(TlsDaemonTest, HandshakesCountAgainstTheLimits)
{
	start_tls({"--max-per-client", "1"});
	UniqueFd first = hand_over_tls(1);
	UniqueFd second = hand_over_tls(2); // same address: closed at once
	EXPECT_TRUE(wait_closed(second.get()));
	TlsClient c;
	std::string error;
	ASSERT_TRUE(c.connect(first.get(), {"", {}, 0}, error)) << error;
	first.reset();
	finish();
}

TEST_F(TlsDaemonTest, NoCertificateClosesAtOnce)
{
	start();
	UniqueFd client = hand_over_tls(9);
	EXPECT_TRUE(wait_closed(client.get()));
	finish();
	EXPECT_NE(daemon_.output().find("connection 9 from 127.0.0.1"), std::string::npos)
		<< daemon_.output();
	EXPECT_NE(daemon_.output().find("no --tls-cert is given: closed"), std::string::npos)
		<< daemon_.output();
}

// A request of a connection khttpd.ko adopted: F_TLS, the info we gave it,
// then the plaintext. There is no kernel TLS here, so the socket stands in
// with plain TCP: what is tested is the message, the TLVs and where it goes.
TEST_F(TlsDaemonTest, HandedBackRequestGoesToTheTlsBackendWithTlvs)
{
	Listener tls_backend = listen_on("127.0.0.1");
	ASSERT_TRUE(tls_backend.fd.valid());
	start({"--tls-backend", "127.0.0.1:" + port_of(tls_backend)});
	ClientPair p = make_client_pair(front_);
	ASSERT_TRUE(p.server.valid());
	HandoverSpec spec;
	spec.reason = KHTTPD_HANDOVER_DYNAMIC;
	spec.flags = KHTTPD_HANDOVER_F_TLS;
	spec.info = encode_adopt_info(
		encode_tls_tlvs({"TLSv1.3", "TLS_AES_256_GCM_SHA384", "www.example.test", "http/1.1"}));
	spec.data = kRequest;
	spec.requests_served = 3;
	spec.fds = {p.server.get()};
	ASSERT_TRUE(send_handover(daemon_.module_fd(), spec));
	p.server.reset();
	Tlvs tlvs;
	UniqueFd backend = accept_with_tlvs(tls_backend, p.client.get(), tlvs, kRequest);
	ASSERT_TRUE(backend.valid());
	EXPECT_EQ(tlvs.top[kPp2TypeAuthority], "www.example.test");
	EXPECT_EQ(tlvs.top[kPp2TypeAlpn], "http/1.1");
	EXPECT_EQ(tlvs.ssl[kPp2SubtypeSslVersion], "TLSv1.3");
	EXPECT_EQ(tlvs.ssl[kPp2SubtypeSslCipher], "TLS_AES_256_GCM_SHA384");
	ASSERT_TRUE(write_all(backend.get(), kResponse));
	backend.reset();
	std::string got;
	EXPECT_TRUE(read_to_eof(p.client.get(), got));
	EXPECT_EQ(got, kResponse); // no close_notify bytes on a socket without kTLS
	p.client.reset();
	// The normal backend saw nothing.
	EXPECT_FALSE(accept_one(backend_, 100).valid());
	finish();
	EXPECT_NE(daemon_.output().find("has no kernel TLS"), std::string::npos) << daemon_.output();
}

// The fake kernel (the preload's KHTTPD_IOC_ADOPT) plays khttpd.ko's side
// of the adoption: the test receives what the ioctl carried, with the
// client socket, and decides the answer.
class TlsAdoptionTest : public TlsDaemonTest {
protected:
	void SetUp() override
	{
		TlsDaemonTest::SetUp();
		char tmpl[] = "/tmp/fallbackd-adopt-XXXXXX";
		ASSERT_NE(mkdtemp(tmpl), nullptr);
		dir_ = tmpl;
		path_ = dir_ + "/adopt.sock";
		listener_.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
		sockaddr_un addr{};
		addr.sun_family = AF_UNIX;
		strncpy(addr.sun_path, path_.c_str(), sizeof(addr.sun_path) - 1);
		ASSERT_EQ(bind(listener_.get(), reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
		ASSERT_EQ(listen(listener_.get(), 8), 0);
		daemon_.set_env("LD_PRELOAD", FAKE_KHTTPD_PRELOAD);
		daemon_.set_env("FAKE_KHTTPD_ADOPT_SOCKET", path_);
	}

	void TearDown() override
	{
		TlsDaemonTest::TearDown();
		unlink(path_.c_str());
		rmdir(dir_.c_str());
	}

	struct Adoption {
		UniqueFd call;
		khttpd_adopt adopt{};
		std::string info, data;
		UniqueFd socket; // the "kernel's" reference
	};

	bool next_adoption(Adoption &a)
	{
		pollfd p{listener_.get(), POLLIN, 0};
		if (poll(&p, 1, kTimeoutMs) != 1)
			return false;
		a.call.reset(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
		union {
			cmsghdr align;
			char bytes[CMSG_SPACE(sizeof(int))];
		} control{};
		iovec iov{&a.adopt, sizeof(a.adopt)};
		msghdr msg{};
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.bytes;
		msg.msg_controllen = sizeof(control.bytes);
		if (recvmsg(a.call.get(), &msg, MSG_WAITALL | MSG_CMSG_CLOEXEC) != sizeof(a.adopt))
			return false;
		cmsghdr *c = CMSG_FIRSTHDR(&msg);
		if (!c || c->cmsg_type != SCM_RIGHTS)
			return false;
		int fd;
		memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		a.socket.reset(fd);
		return read_exactly(a.call.get(), a.adopt.info_len, a.info) &&
		       read_exactly(a.call.get(), a.adopt.data_len, a.data);
	}

	static void answer(Adoption &a, int err)
	{
		ASSERT_TRUE(write_all(a.call.get(),
				      std::string_view(reinterpret_cast<char *>(&err), sizeof(err))));
		a.call.reset();
	}

	std::string dir_, path_;
	UniqueFd listener_;
};

TEST_F(TlsAdoptionTest, AdoptedConnectionIsLetGoWithoutShutdown)
{
	start_tls({"--verbose", "--test-adopt-control", "/dev/null"});
	int baseline = idle_fd_count();
	UniqueFd client = hand_over_tls(5);
	TlsClient c;
	std::string error;
	ASSERT_TRUE(c.connect(client.get(), {"www.example.test", {"http/1.1"}, TLS1_3_VERSION}, error))
		<< error;
	Adoption a;
	ASSERT_TRUE(next_adoption(a));
	EXPECT_EQ(a.adopt.flags, 0u);
	EXPECT_EQ(a.data, "");
	ASSERT_FALSE(a.info.empty());
	EXPECT_EQ(a.info[0], static_cast<char>(kAdoptInfoVersion));
	EXPECT_LE(a.info.size(), KHTTPD_ADOPT_INFO_MAX);
	Tlvs tlvs = parse_tlvs(std::string_view(a.info).substr(1));
	EXPECT_EQ(tlvs.top[kPp2TypeAuthority], "www.example.test");
	EXPECT_EQ(tlvs.top[kPp2TypeAlpn], "http/1.1");
	EXPECT_EQ(tlvs.ssl[kPp2SubtypeSslVersion], "TLSv1.3");
	// The descriptor is the client's connection.
	sockaddr_storage kernel_peer = peer_of(a.socket.get()), client_local = local_of(client.get());
	EXPECT_EQ(memcmp(&kernel_peer, &client_local, sizeof(sockaddr_in)), 0);
	answer(a, 0);

	// The daemon let go: its descriptors are back to what they were, and
	// no close_notify came (session tickets may).
	EXPECT_TRUE(daemon_.wait_fd_count(baseline)) << daemon_.fd_count() << " vs " << baseline;
	std::string got;
	TlsClient::ReadOutcome r;
	while ((r = c.read_once(got, 300)) == TlsClient::ReadOutcome::kData) {
	}
	EXPECT_EQ(r, TlsClient::ReadOutcome::kNothing) << "the daemon ended the TLS session";
	finish();
	std::string log = daemon_.output();
	EXPECT_NE(log.find("tls adopted by khttpd (its connection 4242"), std::string::npos) << log;
	EXPECT_NE(log.find("1 tls adopted"), std::string::npos) << log;
}

TEST_F(TlsAdoptionTest, RefusedAdoptionIsServedInUserspace)
{
	start_tls({"--test-adopt-control", "/dev/null"});
	UniqueFd client = hand_over_tls(6);
	TlsClient c;
	std::string error;
	ASSERT_TRUE(c.connect(client.get(), {"default.test", {"http/1.1"}, TLS1_3_VERSION}, error))
		<< error;
	Adoption a;
	ASSERT_TRUE(next_adoption(a));
	a.socket.reset();
	answer(a, EAGAIN);
	request_round_trip(c, client.get(), "TLSv1.3");
	client.reset();
	finish();
	std::string log = daemon_.output();
	EXPECT_NE(log.find("tls userspace: adoption refused: EAGAIN"), std::string::npos) << log;
}

} // namespace
} // namespace fallbackd::test
