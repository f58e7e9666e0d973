// SPDX-License-Identifier: GPL-2.0
// The real binary's access log: --access-log with records from a FIFO
// (--access-log-source), SIGUSR1 after logrotate's rename, SIGTERM.
#include <sys/stat.h>

#include "access_log_records.h"
#include "daemon_fixture.h"

namespace fallbackd::test {
namespace {

class DaemonAccessLog : public DaemonTest {
protected:
	void SetUp() override
	{
		DaemonTest::SetUp();
		ASSERT_FALSE(dir_.path().empty());
		log_ = dir_ / "khttpd/access.log";
		fifo_ = dir_ / "records";
		ASSERT_EQ(mkfifo(fifo_.c_str(), 0600), 0);
		daemon_.set_env("TZ", "UTC0");
	}

	static std::string record_for(const std::string &path)
	{
		RecordSpec s;
		s.line = "GET " + path + " HTTP/1.1";
		return encode_record(s);
	}
	static std::string line_for(const std::string &path)
	{
		return "192.0.2.1 - - [28/Nov/2026:04:00:00 +0000] \"GET " + path +
		       " HTTP/1.1\" 200 612 \"http://example.com/\" \"curl/7.88.1\" 1234\n";
	}

	// The daemon blocks SIGUSR1 before it says it starts; before that the
	// signal would kill it.
	bool started()
	{
		return wait_for_text([this] { return daemon_.output(); }, "starting");
	}

	TempDir dir_;
	std::string log_;
	std::string fifo_;
};

TEST_F(DaemonAccessLog, WritesTheLogAndReopensItOnSigusr1)
{
	start({"--access-log", log_, "--access-log-source", fifo_});
	ASSERT_TRUE(started());
	UniqueFd w = open_fifo_writer(fifo_);
	ASSERT_TRUE(w.valid()) << "the daemon did not open the source";
	ASSERT_TRUE(write_fifo(w.get(), record_for("/1") + record_for("/2")));
	ASSERT_EQ(wait_lines(log_, 2), line_for("/1") + line_for("/2"));

	// logrotate: rename, then the postrotate's SIGUSR1.
	std::string rotated = log_ + ".1";
	ASSERT_EQ(rename(log_.c_str(), rotated.c_str()), 0);
	ASSERT_EQ(kill(daemon_.pid(), SIGUSR1), 0);
	// The reopen is asynchronous: wait for the new file before writing.
	for (int i = 0; i < 1000 && access(log_.c_str(), F_OK) != 0; i++)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	ASSERT_TRUE(write_fifo(w.get(), record_for("/3")));
	EXPECT_EQ(wait_lines(log_, 1), line_for("/3"));
	EXPECT_EQ(read_file(rotated), line_for("/1") + line_for("/2"));
	EXPECT_EQ(daemon_.wait_exit(300), -1) << "SIGUSR1 must not stop the daemon";

	ASSERT_EQ(kill(daemon_.pid(), SIGTERM), 0);
	EXPECT_EQ(daemon_.wait_exit(), 0);
	std::string out = daemon_.output();
	EXPECT_NE(out.find("reopening the access log"), std::string::npos) << out;
	EXPECT_NE(out.find("access log " + log_ + " (combined)"), std::string::npos) << out;
}

TEST_F(DaemonAccessLog, VhostCombinedPutsTheHostFirst)
{
	start({"--access-log", log_, "--access-log-source", fifo_, "--log-format",
	       "vhost_combined"});
	ASSERT_TRUE(started());
	UniqueFd w = open_fifo_writer(fifo_);
	ASSERT_TRUE(w.valid()) << "the daemon did not open the source";
	RecordSpec none;
	none.line = "GET /2 HTTP/1.0";
	none.host = "";
	ASSERT_TRUE(write_fifo(w.get(), record_for("/1") + encode_record(none)));
	EXPECT_EQ(wait_lines(log_, 2),
		  "example.com " + line_for("/1") +
			  "- 192.0.2.1 - - [28/Nov/2026:04:00:00 +0000] \"GET /2 HTTP/1.0\" 200 612 "
			  "\"http://example.com/\" \"curl/7.88.1\" 1234\n");
	ASSERT_EQ(kill(daemon_.pid(), SIGTERM), 0);
	EXPECT_EQ(daemon_.wait_exit(), 0);
	std::string out = daemon_.output();
	EXPECT_NE(out.find("access log " + log_ + " (vhost_combined)"), std::string::npos) << out;
}

TEST_F(DaemonAccessLog, MissingSourceIsReportedOnce)
{
	std::string missing = dir_ / "no-such-source";
	start({"--access-log", log_, "--access-log-source", missing});
	std::this_thread::sleep_for(std::chrono::milliseconds(4500)); // two retries or more
	ASSERT_EQ(kill(daemon_.pid(), SIGTERM), 0);
	EXPECT_EQ(daemon_.wait_exit(), 0);
	std::string out = daemon_.output();
	EXPECT_EQ(count_of(out, "no-such-source does not exist"), 1u) << out;
}

TEST_F(DaemonAccessLog, OffWithSocketFdUnlessGiven)
{
	start();
	ASSERT_TRUE(started());
	ASSERT_EQ(kill(daemon_.pid(), SIGUSR1), 0);
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	ASSERT_EQ(kill(daemon_.pid(), SIGTERM), 0);
	EXPECT_EQ(daemon_.wait_exit(), 0);
	std::string out = daemon_.output();
	EXPECT_NE(out.find("access log off"), std::string::npos) << out;
	EXPECT_NE(out.find("SIGUSR1 ignored"), std::string::npos) << out;
}

} // namespace
} // namespace fallbackd::test
