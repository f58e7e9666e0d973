// SPDX-License-Identifier: GPL-2.0
// The deadline rule (include/khttpd/deadline.h) that the kernel layer
// applies after every step of a connection: the rule itself, row by row,
// and the hostile clients it is there for, replayed against a model of
// conn.c's bookkeeping in virtual time.
#include <gtest/gtest.h>

#include "khttpd/deadline.h"

namespace {

constexpr kh_u64 kHeader = 20, kSend = 60, kIdle = 60; // seconds, the defaults

TEST(Deadline, TimerAfterAStep)
{
	struct Row {
		khttpd_step step;
		bool idle;
		kh_u64 sent_total;
		khttpd_timer want;
	} rows[] = {
		// Output pending: the send timer, whatever came before.
		{KHTTPD_STEP_WRITE, false, 0, KHTTPD_TIMER_SEND},
		{KHTTPD_STEP_WRITE, false, 100, KHTTPD_TIMER_SEND},
		{KHTTPD_STEP_YIELD, false, 100, KHTTPD_TIMER_SEND},
		// A head begun, or the first one not yet in: the head timer.
		{KHTTPD_STEP_READ, false, 0, KHTTPD_TIMER_HEAD},
		{KHTTPD_STEP_READ, false, 500, KHTTPD_TIMER_HEAD},
		{KHTTPD_STEP_READ, true, 0, KHTTPD_TIMER_HEAD},
		// Answered, nothing pending: the keep-alive wait.
		{KHTTPD_STEP_READ, true, 500, KHTTPD_TIMER_IDLE},
	};
	for (const Row &r : rows)
		EXPECT_EQ(khttpd_timer_after_step(r.step, r.idle, r.sent_total), r.want)
			<< r.step << " idle " << r.idle << " sent " << r.sent_total;
}

TEST(Deadline, OnlyANewTimerOrBytesSentRestartIt)
{
	for (int from = 0; from < KHTTPD_NR_TIMERS; from++)
		for (int to = 0; to < KHTTPD_NR_TIMERS; to++)
			for (bool sent : {false, true})
				EXPECT_EQ(khttpd_timer_restarts(static_cast<khttpd_timer>(from),
								static_cast<khttpd_timer>(to), sent),
					  from != to || sent)
					<< from << " -> " << to << " sent " << sent;
}

// conn.c's bookkeeping for one connection, in seconds of virtual time.
class Conn {
public:
	// A connection accepted at @now: its first head is awaited.
	explicit Conn(kh_u64 now) : deadline_(now + kHeader) {}

	// A step at @now that returned @step, left the session @idle, and
	// sent @sent bytes (of @total so far).
	void step(kh_u64 now, khttpd_step step, bool idle, kh_u64 sent)
	{
		total_ += sent;
		khttpd_timer t = khttpd_timer_after_step(step, idle, total_);
		if (khttpd_timer_restarts(timer_, t, sent != 0)) {
			timer_ = t;
			deadline_ = now + timeout(t);
		}
	}
	bool expired(kh_u64 now) const { return now >= deadline_; }
	khttpd_timer timer() const { return timer_; }
	kh_u64 deadline() const { return deadline_; }

private:
	static kh_u64 timeout(khttpd_timer t)
	{
		return t == KHTTPD_TIMER_HEAD ? kHeader : t == KHTTPD_TIMER_SEND ? kSend : kIdle;
	}
	khttpd_timer timer_ = KHTTPD_TIMER_HEAD;
	kh_u64 deadline_;
	kh_u64 total_ = 0;
};

// Slowloris: a head one byte every 2 s. Every byte is an event and a step,
// but none moves the deadline: the connection is closed header_timeout
// after its accept.
TEST(Deadline, SlowlorisIsClosedAfterTheHeaderTimeout)
{
	Conn c(0);
	kh_u64 t = 0;
	for (; !c.expired(t); t += 2)
		c.step(t, KHTTPD_STEP_READ, false, 0);
	EXPECT_EQ(t, kHeader);
}

// The same after a first answer: the head timer starts when the answer
// has gone and the next head's first byte is in, and bytes trickling in
// do not move it.
TEST(Deadline, SlowNextHeadOnAKeepAliveConnection)
{
	Conn c(0);
	c.step(1, KHTTPD_STEP_READ, true, 300); // a whole request, answered
	EXPECT_EQ(c.timer(), KHTTPD_TIMER_IDLE);
	EXPECT_EQ(c.deadline(), 1 + kIdle);
	c.step(30, KHTTPD_STEP_READ, false, 0); // the next head's first byte
	EXPECT_EQ(c.timer(), KHTTPD_TIMER_HEAD);
	kh_u64 t = 30;
	for (; !c.expired(t); t += 2)
		c.step(t, KHTTPD_STEP_READ, false, 0);
	EXPECT_EQ(t, 30 + kHeader);
}

// A client that asks for a large file and reads nothing, or makes events
// (a byte sent now and then, window probes) without reading: nothing
// leaves after the first send buffer, so the deadline stays where the
// last progress put it.
TEST(Deadline, StalledReaderIsClosedAfterTheSendTimeout)
{
	Conn c(0);
	c.step(1, KHTTPD_STEP_WRITE, false, 65536); // the send buffer filled
	kh_u64 t = 1;
	for (; !c.expired(t); t += 2)
		c.step(t, KHTTPD_STEP_WRITE, false, 0); // an event, nothing sent
	EXPECT_EQ(t, 1 + kSend);
}

// A slow reader that does read: every step that sends moves the deadline,
// so it is served for as long as it keeps taking bytes.
TEST(Deadline, SlowButSteadyReaderIsServed)
{
	Conn c(0);
	for (kh_u64 t = 1; t < 10 * kSend; t += kSend - 1) {
		c.step(t, KHTTPD_STEP_WRITE, false, 1460);
		EXPECT_FALSE(c.expired(t + kSend - 2));
	}
}

// Pipelined requests answered in a step that then waits for more: the
// next head's deadline starts from that answer, not from the first byte
// of a head that came long before.
TEST(Deadline, BytesSentRestartTheHeadTimer)
{
	Conn c(0);
	c.step(15, KHTTPD_STEP_READ, false, 400); // answered one, half of the next in
	EXPECT_EQ(c.timer(), KHTTPD_TIMER_HEAD);
	EXPECT_EQ(c.deadline(), 15 + kHeader);
}

} // namespace
