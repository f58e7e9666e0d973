// SPDX-License-Identifier: GPL-2.0
// The real khttpd-fallbackd binary: its command line and exit codes.
#include "daemon_fixture.h"
#include "tls_test_support.h"

namespace fallbackd::test {
namespace {

class DaemonCommandLine : public ::testing::Test {
protected:
	int run(const std::vector<std::string> &args)
	{
		EXPECT_TRUE(daemon_.start_plain(args));
		return daemon_.wait_exit();
	}
	void TearDown() override
	{
		if (HasFailure())
			std::cerr << "--- daemon output ---\n" << daemon_.output() << "---\n";
	}
	DaemonProcess daemon_;
};

TEST_F(DaemonCommandLine, HelpExitsZero)
{
	EXPECT_EQ(run({"--help"}), 0);
	std::string out = daemon_.output();
	EXPECT_EQ(out.rfind("Usage: khttpd-fallbackd", 0), 0u) << out;
	for (const char *opt : {"--backend", "--no-proxy-protocol", "--control", "--socket-fd",
				"--max-connections", "--max-per-client", "--idle-timeout", "--verbose",
				"--access-log", "--no-access-log", "--log-format", "SIGUSR1", "--help",
				"--version", "--tls-cert", "--tls-key", "--tls-backend"})
		EXPECT_NE(out.find(opt), std::string::npos) << opt;
}

TEST_F(DaemonCommandLine, VersionExitsZero)
{
	EXPECT_EQ(run({"--version"}), 0);
	EXPECT_EQ(daemon_.output().rfind("khttpd-fallbackd ", 0), 0u) << daemon_.output();
}

TEST_F(DaemonCommandLine, UnknownOptionExitsTwo)
{
	EXPECT_EQ(run({"--frobnicate"}), 2);
	EXPECT_NE(daemon_.output().find("unknown option '--frobnicate'"), std::string::npos)
		<< daemon_.output();
}

TEST_F(DaemonCommandLine, BadValuesExitTwo)
{
	for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
		     {"--backend", "nowhere"},
		     {"--max-connections", "0"},
		     {"--idle-timeout", "forever"},
		     {"--idle-timeout", "86401"},
		     {"--max-per-client", "-1"},
		     {"--socket-fd"},
		     {"--backend", "no-such-host.invalid:80"},
		     {"--access-log", "relative.log"},
		     {"--access-log", "/tmp/a.log", "--no-access-log"},
		     {"--log-format", "apache"},
		     {"--log-format"},
	     }) {
		DaemonProcess d;
		ASSERT_TRUE(d.start_plain(args));
		EXPECT_EQ(d.wait_exit(), 2) << args[0] << ": " << d.output();
		EXPECT_NE(d.output().find("khttpd-fallbackd"), std::string::npos) << d.output();
	}
}

TEST_F(DaemonCommandLine, SocketFdThatIsNotSeqpacketExitsTwo)
{
	// The child's fd 1 is a memfd, not a socket.
	EXPECT_EQ(run({"--socket-fd", "1", "--backend", "127.0.0.1:1"}), 2);
	EXPECT_NE(daemon_.output().find("--socket-fd 1"), std::string::npos) << daemon_.output();
}

TEST_F(DaemonCommandLine, MissingControlFileExitsOne)
{
	EXPECT_EQ(run({"--control", "/nonexistent/khttpd/fallback", "--backend", "127.0.0.1:1"}), 1);
	EXPECT_NE(daemon_.output().find("is khttpd.ko loaded? are you root?"), std::string::npos)
		<< daemon_.output();
}

TEST_F(DaemonCommandLine, ControlFileThatIsNotKhttpdExitsOne)
{
	// /dev/null opens fine but knows no KHTTPD_IOC_SERVE (ENOTTY).
	EXPECT_EQ(run({"--control", "/dev/null", "--backend", "127.0.0.1:1"}), 1);
	EXPECT_NE(daemon_.output().find("ENOTTY"), std::string::npos) << daemon_.output();
}


TEST_F(DaemonCommandLine, BadCertificatesExitTwoSayingWhich)
{
	const TestPki *pki = test_pki();
	ASSERT_NE(pki, nullptr);
	struct Case {
		std::vector<std::string> args;
		std::string message;
	} cases[] = {
		{{"--tls-cert", pki->path("nope.pem"), "--tls-key", pki->path("default.key")},
		 "--tls-cert " + pki->path("nope.pem") + ": No such file or directory"},
		{{"--tls-cert", pki->path("default.pem"), "--tls-key", pki->path("nope.key")},
		 "--tls-key " + pki->path("nope.key") + ": No such file or directory"},
		{{"--tls-cert", pki->path("default.pem"), "--tls-key", pki->path("other.key")},
		 "does not match the certificate in " + pki->path("default.pem")},
	};
	for (const Case &c : cases) {
		std::vector<std::string> args = c.args;
		args.insert(args.end(), {"--backend", "127.0.0.1:1"});
		DaemonProcess d;
		ASSERT_TRUE(d.start_plain(args));
		EXPECT_EQ(d.wait_exit(), 2) << d.output();
		EXPECT_NE(d.output().find(c.message), std::string::npos) << d.output();
	}
}

TEST_F(DaemonCommandLine, StartupNamesTheCertificatesAndKernelTls)
{
	const TestPki *pki = test_pki();
	ASSERT_NE(pki, nullptr);
	ASSERT_TRUE(daemon_.start({"--backend", "127.0.0.1:1", "--tls-cert", pki->path("default.pem"),
				   "--tls-key", pki->path("default.key"), "--tls-cert",
				   pki->path("example.pem"), "--tls-key", pki->path("example.key")}));
	daemon_.close_module_end();
	EXPECT_EQ(daemon_.wait_exit(), 0);
	std::string out = daemon_.output();
	EXPECT_NE(out.find("TLS certificate " + pki->path("default.pem") + " (default): default.test"),
		  std::string::npos)
		<< out;
	EXPECT_NE(out.find("TLS certificate " + pki->path("example.pem") +
			   ": *.example.test, www.other.test"),
		  std::string::npos)
		<< out;
	EXPECT_NE(out.find("TLS: kernel TLS "), std::string::npos) << out;
}

} // namespace
} // namespace fallbackd::test
