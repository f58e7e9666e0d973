// SPDX-License-Identifier: GPL-2.0
// The status file's parser: every line kind, and what it does with lines
// it cannot read (skips and counts them) or does not know (ignores them).
#include "status.h"
#include "test_support.h"

#include <gtest/gtest.h>

namespace khttpdctl {
namespace {

constexpr std::uint64_t kMax = UINT64_MAX;

TEST(StatusParse, EveryLineKindOfTheDocumentedSample)
{
	Status st = parse_status(test::read_file(
		test::data_dir("running-4-workers") + "/proc/net/khttpd/status"));
	EXPECT_EQ(st.malformed_lines, 0u);
	EXPECT_EQ(st.version, 1u);
	EXPECT_EQ(st.state, "running");
	EXPECT_TRUE(st.running());
	EXPECT_EQ(st.uptime_seconds, 812u);
	EXPECT_EQ(st.port, 80u);
	EXPECT_EQ(st.threads, 4u);
	EXPECT_EQ(st.daemon_pid, 1234u);
	EXPECT_EQ(st.connections_active, 12u);
	EXPECT_EQ(st.connections_reading, 3u);
	EXPECT_EQ(st.connections_writing, 2u);
	EXPECT_EQ(st.connections_waiting, 7u);
	EXPECT_EQ(st.connections_lingering, 0u);
	EXPECT_EQ(st.accepts, 1234u);
	EXPECT_EQ(st.handled, 1230u);
	EXPECT_EQ(st.requests, 5678u);
	EXPECT_EQ(st.responses[0], 0u);
	EXPECT_EQ(st.responses[1], 5000u);
	EXPECT_EQ(st.responses[2], 300u);
	EXPECT_EQ(st.responses[3], 78u);
	EXPECT_EQ(st.responses[4], 0u);
	EXPECT_EQ(st.bytes_sent, 123456789u);
	EXPECT_EQ(st.filecache_hits, 5000u);
	EXPECT_EQ(st.filecache_misses, 30u);
	EXPECT_EQ(st.filecache_entries, 25u);
	EXPECT_EQ(st.handovers, 40u);
	ASSERT_EQ(st.handover_reasons.size(), 9u);
	EXPECT_EQ(st.handover_reasons[0].name, "method");
	EXPECT_EQ(st.handover_reasons[1].name, "dynamic");
	EXPECT_EQ(st.handover_reasons[1].value, 30u);
	EXPECT_EQ(st.handover_reasons[8].name, "body");
	EXPECT_EQ(st.handovers_refused, 0u);
	EXPECT_EQ(st.refused_max_connections, 0u);
	EXPECT_EQ(st.refused_per_ip, 4u);
	EXPECT_EQ(st.refused_nomem, 0u);
	EXPECT_EQ(st.timeouts_header, 2u);
	EXPECT_EQ(st.timeouts_send, 0u);
	EXPECT_EQ(st.timeouts_keepalive, 15u);
	EXPECT_EQ(st.log_records, 5638u);
	EXPECT_EQ(st.log_drops, 0u);
	ASSERT_EQ(st.workers.size(), 4u);
	EXPECT_EQ(st.workers[2].id, 2u);
	EXPECT_EQ(st.workers[2].cpu, 0u);
	EXPECT_EQ(st.workers[2].connections, 4u);
	EXPECT_EQ(st.workers[2].requests, 1428u);
}

TEST(StatusParse, EmptyTextLeavesEverythingUnknown)
{
	Status st = parse_status("");
	EXPECT_EQ(st.state, "");
	EXPECT_FALSE(st.running());
	EXPECT_FALSE(st.requests);
	EXPECT_FALSE(st.responses[1]);
	EXPECT_TRUE(st.workers.empty());
	EXPECT_EQ(st.malformed_lines, 0u);
}

TEST(StatusParse, MissingLinesStayUnknownNotZero)
{
	Status st = parse_status("state stopped\nrequests 5\n");
	EXPECT_EQ(st.state, "stopped");
	EXPECT_EQ(st.requests, 5u);
	EXPECT_FALSE(st.accepts);
	EXPECT_FALSE(st.bytes_sent);
	EXPECT_FALSE(st.daemon_pid);
}

TEST(StatusParse, UnknownNamesAreIgnoredNotMalformed)
{
	Status st = parse_status("quic_streams 17\ntls_handshakes 5\nresponses_6xx 1\n"
				 "requests 3\nsome_future_line with two words\n");
	EXPECT_EQ(st.requests, 3u);
	// Only the line of another shape counts as malformed.
	EXPECT_EQ(st.malformed_lines, 1u);
}

TEST(StatusParse, HugeNumbers)
{
	Status st = parse_status("requests 18446744073709551615\n"
				 "accepts 18446744073709551616\n"
				 "handled 99999999999999999999999\n"
				 "bytes_sent 000000000000000000001\n");
	EXPECT_EQ(st.requests, kMax);
	EXPECT_FALSE(st.accepts);    // one above 2^64-1: dropped, not wrapped
	EXPECT_FALSE(st.handled);    // far above
	EXPECT_FALSE(st.bytes_sent); // 21 digits is more than a u64 is written with
	EXPECT_EQ(st.malformed_lines, 3u);
}

TEST(StatusParse, GarbageValuesAreSkippedAndCounted)
{
	Status st = parse_status("requests -1\n"
				 "accepts 0x10\n"
				 "handled 7 extra\n"
				 "bytes_sent\n"
				 "filecache_hits 1.5\n"
				 "filecache_misses +3\n"
				 "state Running!\n"
				 "handover_Bad-Name 9\n"
				 "log_drops 4\n");
	EXPECT_FALSE(st.requests);
	EXPECT_FALSE(st.accepts);
	EXPECT_FALSE(st.handled);
	EXPECT_FALSE(st.bytes_sent);
	EXPECT_FALSE(st.filecache_hits);
	EXPECT_FALSE(st.filecache_misses);
	EXPECT_EQ(st.state, "");
	EXPECT_TRUE(st.handover_reasons.empty());
	EXPECT_EQ(st.log_drops, 4u); // the one good line still counts
	EXPECT_EQ(st.malformed_lines, 8u);
}

TEST(StatusParse, WhitespaceCrLfAndBlankLines)
{
	Status st = parse_status("\n  requests\t12  \r\n\r\nstate running\r\nworker 0 cpu 1 "
				 "connections 2 requests 3\r\n");
	EXPECT_EQ(st.requests, 12u);
	EXPECT_EQ(st.state, "running");
	ASSERT_EQ(st.workers.size(), 1u);
	EXPECT_EQ(st.workers[0].requests, 3u);
	EXPECT_EQ(st.malformed_lines, 0u);
}

TEST(StatusParse, NoFinalNewline)
{
	EXPECT_EQ(parse_status("requests 7").requests, 7u);
}

TEST(StatusParse, WorkerLines)
{
	Status st = parse_status("worker 0 cpu 0 connections 1 requests 5 bytes 999\n" // extra field
				 "worker 1 cpu 1 connections 1 requests five\n"       // bad value
				 "worker x cpu 1\n"                                   // bad number
				 "worker 2 cpu 1 connections\n"                       // odd pair
				 "worker\n"                                           // nothing
				 "worker 3 requests 8\n"                              // fields missing
				 "worker 0 cpu 0 connections 2 requests 6\n");        // repeated: last wins
	EXPECT_EQ(st.malformed_lines, 4u);
	ASSERT_EQ(st.workers.size(), 2u);
	EXPECT_EQ(st.workers[0].id, 0u);
	EXPECT_EQ(st.workers[0].connections, 2u);
	EXPECT_EQ(st.workers[0].requests, 6u);
	EXPECT_EQ(st.workers[1].id, 3u);
	EXPECT_EQ(st.workers[1].requests, 8u);
	EXPECT_FALSE(st.workers[1].cpu);
}

TEST(StatusParse, NewHandoverReasonsAreKeptInOrder)
{
	Status st = parse_status("handover_dynamic 2\nhandover_quic 1\nhandover_dynamic 3\n");
	ASSERT_EQ(st.handover_reasons.size(), 2u);
	EXPECT_EQ(st.handover_reasons[0].name, "dynamic");
	EXPECT_EQ(st.handover_reasons[0].value, 3u); // repeated: last wins
	EXPECT_EQ(st.handover_reasons[1].name, "quic");
}

TEST(StatusParse, ResponsesNeedAClassFromOneToFive)
{
	Status st = parse_status("responses_0xx 1\nresponses_6xx 1\nresponses_2xxx 1\n"
				 "responses_5xx 4\n");
	for (int i = 0; i < 4; ++i)
		EXPECT_FALSE(st.responses[i]) << i;
	EXPECT_EQ(st.responses[4], 4u);
}

TEST(StatusParse, RecordedFutureAndGarbageTree)
{
	Status st = parse_status(test::read_file(
		test::data_dir("future-and-garbage") + "/proc/net/khttpd/status"));
	EXPECT_EQ(st.connections_active, kMax);
	EXPECT_FALSE(st.connections_reading);
	EXPECT_EQ(st.workers.size(), 2u);
	EXPECT_GE(st.malformed_lines, 9u);
}

TEST(ParseU64, Bounds)
{
	EXPECT_EQ(parse_u64("0"), 0u);
	EXPECT_EQ(parse_u64("18446744073709551615"), kMax);
	EXPECT_FALSE(parse_u64("18446744073709551616"));
	EXPECT_FALSE(parse_u64(""));
	EXPECT_FALSE(parse_u64(" 1"));
	EXPECT_FALSE(parse_u64("1 "));
	EXPECT_FALSE(parse_u64("-0"));
}

} // namespace
} // namespace khttpdctl
