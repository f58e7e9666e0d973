// SPDX-License-Identifier: GPL-2.0
// The access-log drain thread, in process: records written to a FIFO that
// plays /proc/net/khttpd/access_log, lines read back from the text log.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "access_log_drain.h"
#include "access_log_records.h"

namespace fallbackd::test {
namespace {

using namespace std::chrono_literals;

class AccessLogDrainTest : public ::testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_FALSE(dir_.path().empty());
		setenv("TZ", "UTC0", 1);
		tzset();
		config_.log_path = dir_ / "access.log";
		config_.source_path = dir_ / "records";
		config_.retry = 200ms;
		config_.batch = 50ms;
	}

	void make_fifo() { ASSERT_EQ(mkfifo(config_.source_path.c_str(), 0600), 0); }

	void start()
	{
		drain_ = std::make_unique<AccessLogDrain>(config_);
		std::string error;
		ASSERT_TRUE(drain_->start(error)) << error;
	}

	// The line format_log_line() gives for a default record with @path.
	static std::string line_for(const std::string &path, int status = 200)
	{
		return "192.0.2.1 - - [28/Nov/2026:04:00:00 +0000] \"GET " + path + " HTTP/1.1\" " +
		       std::to_string(status) + " 612 \"http://example.com/\" \"curl/7.88.1\" 1234\n";
	}
	static std::string record_for(const std::string &path, int status = 200)
	{
		RecordSpec s;
		s.line = "GET " + path + " HTTP/1.1";
		s.status = static_cast<uint16_t>(status);
		return encode_record(s);
	}

	TempDir dir_;
	AccessLogConfig config_;
	std::unique_ptr<AccessLogDrain> drain_;
};

TEST_F(AccessLogDrainTest, RecordsBecomeLines)
{
	make_fifo();
	start();
	UniqueFd w = open_fifo_writer(config_.source_path);
	ASSERT_TRUE(w.valid());
	std::string bytes, expected;
	for (int i = 0; i < 200; i++) {
		bytes += record_for("/f" + std::to_string(i), i % 2 ? 200 : 404);
		expected += line_for("/f" + std::to_string(i), i % 2 ? 200 : 404);
	}
	ASSERT_TRUE(write_fifo(w.get(), bytes));
	EXPECT_EQ(wait_lines(config_.log_path, 200), expected);
	drain_->stop();
	EXPECT_EQ(drain_->lines_written(), 200u);
	EXPECT_EQ(drain_->malformed(), 0u);
}

TEST_F(AccessLogDrainTest, CreatesTheDirectoryAndTheFileWithTheirModes)
{
	config_.log_path = dir_ / "khttpd/access.log";
	make_fifo();
	mode_t old = umask(022);
	start();
	UniqueFd w = open_fifo_writer(config_.source_path);
	umask(old);
	ASSERT_TRUE(w.valid());
	ASSERT_TRUE(write_fifo(w.get(), record_for("/x")));
	EXPECT_EQ(wait_lines(config_.log_path, 1), line_for("/x"));
	struct stat st {};
	ASSERT_EQ(stat((dir_ / "khttpd").c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0750u);
	ASSERT_EQ(stat(config_.log_path.c_str(), &st), 0);
	EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_F(AccessLogDrainTest, AppendsToAnExistingLog)
{
	FILE *f = fopen(config_.log_path.c_str(), "w");
	ASSERT_NE(f, nullptr);
	fputs("old line\n", f);
	fclose(f);
	make_fifo();
	start();
	UniqueFd w = open_fifo_writer(config_.source_path);
	ASSERT_TRUE(write_fifo(w.get(), record_for("/new")));
	EXPECT_EQ(wait_lines(config_.log_path, 2), "old line\n" + line_for("/new"));
}

TEST_F(AccessLogDrainTest, MalformedRecordsAreSkippedAndCounted)
{
	make_fifo();
	start();
	UniqueFd w = open_fifo_writer(config_.source_path);
	std::string bad_version = record_for("/v");
	reinterpret_cast<khttpd_log_record *>(bad_version.data())->version = 9;
	std::string bad_lengths = record_for("/l");
	reinterpret_cast<khttpd_log_record *>(bad_lengths.data())->agent_len = 3;
	ASSERT_TRUE(write_fifo(w.get(), record_for("/1") + bad_version + record_for("/2") +
					       bad_lengths + record_for("/3")));
	EXPECT_EQ(wait_lines(config_.log_path, 3), line_for("/1") + line_for("/2") + line_for("/3"));
	drain_->stop();
	EXPECT_EQ(drain_->malformed(), 2u);
}

TEST_F(AccessLogDrainTest, ARecordSplitAcrossReadsIsPutBackTogether)
{
	make_fifo();
	start();
	UniqueFd w = open_fifo_writer(config_.source_path);
	RecordSpec big;
	big.agent = std::string(KHTTPD_LOG_AGENT_MAX, 'a');
	big.line = std::string(KHTTPD_LOG_LINE_MAX, 'l');
	std::string bytes = record_for("/1") + encode_record(big);
	ASSERT_TRUE(write_fifo(w.get(), bytes.substr(0, 100)));
	std::this_thread::sleep_for(150ms); // the drain reads the first part alone
	ASSERT_TRUE(write_fifo(w.get(), bytes.substr(100)));
	std::string text = wait_lines(config_.log_path, 2);
	EXPECT_EQ(line_count(text), 2u);
	EXPECT_EQ(text.substr(0, line_for("/1").size()), line_for("/1"));
	drain_->stop();
	EXPECT_EQ(drain_->malformed(), 0u);
}

TEST_F(AccessLogDrainTest, StopWritesWhatIsWaiting)
{
	// After records were read, the thread pauses (batch) before it looks
	// again; stop() cuts the pause short and still writes the rest.
	config_.batch = 5000ms;
	make_fifo();
	start();
	UniqueFd w = open_fifo_writer(config_.source_path);
	ASSERT_TRUE(write_fifo(w.get(), record_for("/1")));
	ASSERT_EQ(wait_lines(config_.log_path, 1), line_for("/1"));
	ASSERT_TRUE(write_fifo(w.get(), record_for("/2") + record_for("/3")));
	auto before = std::chrono::steady_clock::now();
	drain_->stop();
	EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
	EXPECT_EQ(read_file(config_.log_path), line_for("/1") + line_for("/2") + line_for("/3"));
}

TEST_F(AccessLogDrainTest, ReopenAfterRename)
{
	make_fifo();
	start();
	UniqueFd w = open_fifo_writer(config_.source_path);
	ASSERT_TRUE(write_fifo(w.get(), record_for("/before")));
	ASSERT_EQ(wait_lines(config_.log_path, 1), line_for("/before"));
	std::string rotated = dir_ / "access.log.1";
	ASSERT_EQ(rename(config_.log_path.c_str(), rotated.c_str()), 0);
	// Before the reopen, lines still go to the renamed file.
	ASSERT_TRUE(write_fifo(w.get(), record_for("/renamed")));
	EXPECT_EQ(wait_lines(rotated, 2), line_for("/before") + line_for("/renamed"));
	drain_->reopen();
	// The reopen comes before the next records are written.
	std::this_thread::sleep_for(100ms);
	ASSERT_TRUE(write_fifo(w.get(), record_for("/after")));
	EXPECT_EQ(wait_lines(config_.log_path, 1), line_for("/after"));
	EXPECT_EQ(read_file(rotated), line_for("/before") + line_for("/renamed"));
}

TEST_F(AccessLogDrainTest, MissingSourceIsRetried)
{
	start();
	std::this_thread::sleep_for(300ms); // at least one failed attempt
	EXPECT_EQ(access(config_.log_path.c_str(), F_OK), 0); // the log is open already
	make_fifo();
	UniqueFd w = open_fifo_writer(config_.source_path);
	ASSERT_TRUE(w.valid()) << "the drain never opened the source once it existed";
	ASSERT_TRUE(write_fifo(w.get(), record_for("/late")));
	EXPECT_EQ(wait_lines(config_.log_path, 1), line_for("/late"));
}

TEST_F(AccessLogDrainTest, LostSourceIsOpenedAgain)
{
	// The module unloaded: the source fails (here: ends), and later a
	// new one is there.
	make_fifo();
	start();
	{
		UniqueFd w = open_fifo_writer(config_.source_path);
		ASSERT_TRUE(write_fifo(w.get(), record_for("/1")));
		ASSERT_EQ(wait_lines(config_.log_path, 1), line_for("/1"));
		// Gone before the drain sees the end, so it cannot open the
		// old one again.
		ASSERT_EQ(unlink(config_.source_path.c_str()), 0);
	} // the writer goes: end of file for the drain
	make_fifo();
	UniqueFd w = open_fifo_writer(config_.source_path);
	ASSERT_TRUE(w.valid()) << "the drain did not open the new source";
	ASSERT_TRUE(write_fifo(w.get(), record_for("/2")));
	EXPECT_EQ(wait_lines(config_.log_path, 2), line_for("/1") + line_for("/2"));
}

TEST_F(AccessLogDrainTest, LogThatCannotBeOpenedIsRetried)
{
	// Its directory's parent is missing: only the last directory is made.
	config_.log_path = dir_ / "a/b/access.log";
	make_fifo();
	start();
	std::this_thread::sleep_for(300ms);
	EXPECT_NE(access(config_.log_path.c_str(), F_OK), 0);
	ASSERT_EQ(mkdir((dir_ / "a").c_str(), 0700), 0);
	UniqueFd w = open_fifo_writer(config_.source_path);
	ASSERT_TRUE(w.valid());
	ASSERT_TRUE(write_fifo(w.get(), record_for("/x")));
	EXPECT_EQ(wait_lines(config_.log_path, 1), line_for("/x"));
}

} // namespace
} // namespace fallbackd::test
