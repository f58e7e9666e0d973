// SPDX-License-Identifier: GPL-2.0
// The command-line parser and the default backend port.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "khttpd/fallback.h"
#include "options.h"

namespace fallbackd {
namespace {

ParseResult parse(std::vector<const char *> args)
{
	args.insert(args.begin(), "khttpd-fallbackd");
	return parse_options(static_cast<int>(args.size()), args.data());
}

TEST(Options, Defaults)
{
	ParseResult r = parse({});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_FALSE(r.options.backend_given);
	EXPECT_TRUE(r.options.proxy_protocol);
	EXPECT_EQ(r.options.control_path, KHTTPD_FALLBACK_CONTROL);
	EXPECT_EQ(r.options.socket_fd, -1);
	EXPECT_EQ(r.options.max_connections, 4096u);
	EXPECT_EQ(r.options.idle_timeout, 60u);
	EXPECT_EQ(r.options.max_per_client, 64u);
	EXPECT_FALSE(r.options.verbose);
}

TEST(Options, EveryOption)
{
	ParseResult r = parse({"--backend", "10.0.0.5:8081", "--no-proxy-protocol", "--socket-fd",
			       "7", "--max-connections", "12", "--verbose", "--idle-timeout", "5",
			       "--max-per-client", "3"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_TRUE(r.options.backend_given);
	EXPECT_EQ(r.options.backend.host, "10.0.0.5");
	EXPECT_EQ(r.options.backend.port, 8081);
	EXPECT_FALSE(r.options.backend.ipv6_literal);
	EXPECT_FALSE(r.options.proxy_protocol);
	EXPECT_EQ(r.options.socket_fd, 7);
	EXPECT_EQ(r.options.max_connections, 12u);
	EXPECT_EQ(r.options.idle_timeout, 5u);
	EXPECT_EQ(r.options.max_per_client, 3u);
	EXPECT_TRUE(r.options.verbose);
}

TEST(Options, EqualsForm)
{
	ParseResult r = parse({"--backend=[::1]:8080", "--control=/tmp/ctl", "--max-connections=1"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_EQ(r.options.backend.host, "::1");
	EXPECT_EQ(r.options.backend.port, 8080);
	EXPECT_TRUE(r.options.backend.ipv6_literal);
	EXPECT_EQ(r.options.control_path, "/tmp/ctl");
	EXPECT_EQ(r.options.max_connections, 1u);
}

TEST(Options, IdleTimeoutAndPerClientLimits)
{
	ParseResult r = parse({"--idle-timeout=0", "--max-per-client=0"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_EQ(r.options.idle_timeout, 0u); // never
	EXPECT_EQ(r.options.max_per_client, 0u); // no cap
	r = parse({"--idle-timeout", "86400", "--max-per-client", "1000000"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_EQ(r.options.idle_timeout, 86400u);
	EXPECT_EQ(r.options.max_per_client, 1000000u);
}

TEST(Options, HelpAndVersion)
{
	EXPECT_EQ(parse({"--help"}).outcome, ParseOutcome::kHelp);
	EXPECT_EQ(parse({"-h"}).outcome, ParseOutcome::kHelp);
	EXPECT_EQ(parse({"--verbose", "--help"}).outcome, ParseOutcome::kHelp);
	EXPECT_EQ(parse({"--version"}).outcome, ParseOutcome::kVersion);
	EXPECT_NE(version_text().find("khttpd-fallbackd "), std::string::npos);
}

TEST(Options, HelpMentionsEveryOption)
{
	std::string help = usage_text();
	for (const char *name : {"--backend", "--no-proxy-protocol", "--control", "--socket-fd",
				 "--max-connections", "--max-per-client", "--idle-timeout",
				 "--verbose", "--help", "--version", KHTTPD_FALLBACK_CONTROL,
				 "--access-log", "--no-access-log", kDefaultAccessLog,
				 "--log-format", "vhost_combined",
				 kAccessLogSource, "SIGUSR1",
				 kClientPortPath, "8080", "4096", "default 64", "default 60"})
		EXPECT_NE(help.find(name), std::string::npos) << name;
}

struct BadCase {
	std::vector<const char *> args;
	const char *message_part;
};

TEST(Options, Errors)
{
	const BadCase cases[] = {
		{{"--bogus"}, "unknown option '--bogus'"},
		{{"-x"}, "unknown option '-x'"},
		{{"extra"}, "unexpected argument 'extra'"},
		{{"--", "extra"}, "unexpected argument 'extra'"},
		{{"--backend"}, "needs a value"},
		{{"--backend", "localhost"}, "expected HOST:PORT"},
		{{"--backend", "127.0.0.1:0"}, "1 to 65535"},
		{{"--backend", "127.0.0.1:65536"}, "1 to 65535"},
		{{"--backend", "127.0.0.1:80x"}, "1 to 65535"},
		{{"--backend", "127.0.0.1:"}, "1 to 65535"},
		{{"--backend", ":80"}, "empty host"},
		{{"--backend", "::1:80"}, "brackets"},
		{{"--backend", "[::1]80"}, "':PORT'"},
		{{"--backend", "[::1:80"}, "']'"},
		{{"--backend", "[127.0.0.1]:80"}, "IPv6"},
		{{"--socket-fd", "-1"}, "file descriptor"},
		{{"--socket-fd", "abc"}, "file descriptor"},
		{{"--max-connections", "0"}, "from 1 to"},
		{{"--max-connections", "1000001"}, "from 1 to"},
		{{"--max-connections", ""}, "from 1 to"},
		{{"--control", ""}, "needs a path"},
		{{"--idle-timeout"}, "needs a value"},
		{{"--idle-timeout", ""}, "expected seconds from 0 (never) to 86400"},
		{{"--idle-timeout", "-1"}, "expected seconds from 0 (never) to 86400"},
		{{"--idle-timeout", "86401"}, "expected seconds from 0 (never) to 86400"},
		{{"--idle-timeout", "1.5"}, "--idle-timeout '1.5'"},
		{{"--idle-timeout", "60s"}, "--idle-timeout '60s'"},
		{{"--idle-timeout", "99999999999"}, "to 86400"},
		{{"--max-per-client", ""}, "expected a number from 0 (no cap) to 1000000"},
		{{"--max-per-client", "-3"}, "expected a number from 0 (no cap) to 1000000"},
		{{"--max-per-client", "1000001"}, "--max-per-client '1000001'"},
		{{"--max-per-client", "ten"}, "--max-per-client 'ten'"},
		{{"--verbose=yes"}, "takes no value"},
		{{"--control", "/x", "--socket-fd", "3"}, "exclude each other"},
		{{"--access-log"}, "needs a value"},
		{{"--access-log", ""}, "expected an absolute path"},
		{{"--access-log", "logs/access.log"}, "expected an absolute path"},
		{{"--access-log", "/a", "--no-access-log"}, "exclude each other"},
		{{"--no-access-log=1"}, "takes no value"},
		{{"--access-log-source", ""}, "needs a path"},
		{{"--log-format"}, "needs a value"},
		{{"--log-format", ""}, "--log-format '': expected combined or vhost_combined"},
		{{"--log-format", "common"}, "--log-format 'common': expected combined or vhost_combined"},
		{{"--log-format=Combined"}, "expected combined or vhost_combined"},
		{{"--log-format", "vhost"}, "expected combined or vhost_combined"},
		{{"--log-format", "vhost_combined", "--no-access-log"}, "exclude each other"},
	};
	for (const BadCase &c : cases) {
		ParseResult r = parse(c.args);
		std::string joined;
		for (const char *a : c.args)
			joined += std::string(a) + " ";
		EXPECT_EQ(r.outcome, ParseOutcome::kError) << joined;
		EXPECT_NE(r.error.find(c.message_part), std::string::npos)
			<< joined << "-> " << r.error;
	}
}

TEST(Options, AccessLog)
{
	ParseResult r = parse({});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_EQ(r.options.access_log, "/var/log/khttpd/access.log");
	EXPECT_EQ(r.options.access_log_source, "/proc/net/khttpd/access_log");
	EXPECT_TRUE(r.options.access_log_enabled());

	r = parse({"--access-log", "/srv/log/a.log", "--access-log-source=/tmp/fifo"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_EQ(r.options.access_log, "/srv/log/a.log");
	EXPECT_EQ(r.options.access_log_source, "/tmp/fifo");
	EXPECT_TRUE(r.options.access_log_enabled());

	r = parse({"--no-access-log"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_FALSE(r.options.access_log_enabled());

	// Tests (--socket-fd) never write to /var/log by default.
	r = parse({"--socket-fd", "3"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_FALSE(r.options.access_log_enabled());
	r = parse({"--socket-fd", "3", "--access-log=/tmp/a.log"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_TRUE(r.options.access_log_enabled());
}

TEST(Options, LogFormat)
{
	ParseResult r = parse({});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_EQ(r.options.log_format, LogFormat::kCombined);
	r = parse({"--log-format", "vhost_combined"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_EQ(r.options.log_format, LogFormat::kVhostCombined);
	r = parse({"--log-format=combined"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_EQ(r.options.log_format, LogFormat::kCombined);
	r = parse({"--log-format=vhost_combined", "--log-format", "combined"}); // the last wins
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_EQ(r.options.log_format, LogFormat::kCombined);
	r = parse({"--log-format", "vhost_combined", "--access-log", "/srv/a.log"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	EXPECT_EQ(r.options.log_format, LogFormat::kVhostCombined);
}

TEST(Options, LastValueWins)
{
	ParseResult r = parse({"--max-connections", "5", "--max-connections", "6"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun);
	EXPECT_EQ(r.options.max_connections, 6u);
}

class ClientPortFile : public ::testing::Test {
protected:
	void SetUp() override
	{
		char tmpl[] = "/tmp/fallbackd-clientport-XXXXXX";
		int fd = mkstemp(tmpl);
		ASSERT_GE(fd, 0);
		close(fd);
		path_ = tmpl;
	}
	void TearDown() override { unlink(path_.c_str()); }
	void write_file(const char *text)
	{
		FILE *f = fopen(path_.c_str(), "w");
		ASSERT_NE(f, nullptr);
		fputs(text, f);
		fclose(f);
	}
	std::string path_;
};

TEST_F(ClientPortFile, ReadsThePort)
{
	write_file("8081\n");
	std::string warning;
	EXPECT_EQ(default_backend_port(path_.c_str(), warning), 8081);
	EXPECT_TRUE(warning.empty());
}

TEST_F(ClientPortFile, GarbageFallsBackTo8080WithAWarning)
{
	for (const char *text : {"", "0\n", "65536\n", "http\n", "-1\n"}) {
		write_file(text);
		std::string warning;
		EXPECT_EQ(default_backend_port(path_.c_str(), warning), 8080) << text;
		EXPECT_NE(warning.find("port"), std::string::npos) << text;
	}
}

TEST_F(ClientPortFile, MissingFileIs8080Silently)
{
	std::string warning;
	unlink(path_.c_str());
	EXPECT_EQ(default_backend_port(path_.c_str(), warning), 8080);
	EXPECT_TRUE(warning.empty());
}

TEST(Options, TlsCertificatePairsInOrder)
{
	ParseResult r = parse({"--tls-cert", "/etc/a.pem", "--tls-key", "/etc/a.key", "--tls-cert=/etc/b.pem",
			       "--tls-key=/etc/b.key", "--tls-backend", "127.0.0.1:8443"});
	ASSERT_EQ(r.outcome, ParseOutcome::kRun) << r.error;
	ASSERT_EQ(r.options.tls_certificates.size(), 2u);
	EXPECT_EQ(r.options.tls_certificates[0].cert, "/etc/a.pem");
	EXPECT_EQ(r.options.tls_certificates[0].key, "/etc/a.key");
	EXPECT_EQ(r.options.tls_certificates[1].cert, "/etc/b.pem");
	EXPECT_EQ(r.options.tls_certificates[1].key, "/etc/b.key");
	EXPECT_TRUE(r.options.tls_backend_given);
	EXPECT_EQ(r.options.tls_backend.port, 8443);

	r = parse({});
	EXPECT_TRUE(r.options.tls_certificates.empty());
	EXPECT_FALSE(r.options.tls_backend_given);
	EXPECT_TRUE(r.options.test_adopt_control.empty());
}

TEST(Options, TlsErrors)
{
	struct Case {
		std::vector<const char *> args;
		const char *message_part;
	} cases[] = {
		{{"--tls-cert", "/a.pem"}, "come in pairs: 1 certificate(s), 0 key(s)"},
		{{"--tls-key", "/a.key"}, "come in pairs: 0 certificate(s), 1 key(s)"},
		{{"--tls-cert", "/a.pem", "--tls-key", "/a.key", "--tls-cert", "/b.pem"}, "come in pairs"},
		{{"--tls-cert", "", "--tls-key", "/a.key"}, "--tls-cert needs a file name"},
		{{"--tls-cert"}, "needs a value"},
		{{"--tls-backend", "nowhere"}, "--tls-backend 'nowhere'"},
		{{"--test-adopt-control", "/dev/null"}, "needs --socket-fd"},
	};
	for (const Case &c : cases) {
		ParseResult r = parse(c.args);
		EXPECT_EQ(r.outcome, ParseOutcome::kError) << c.message_part;
		EXPECT_NE(r.error.find(c.message_part), std::string::npos) << r.error;
	}
}

} // namespace
} // namespace fallbackd
