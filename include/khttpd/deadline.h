/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which deadline a connection runs under, and when it starts again: the
 * rule as pure functions, shared by the kernel layer (src/kernel/conn.c)
 * and its host unit test (tests/unit/test_deadline.cpp). As HTTP.sys's
 * timers:
 *
 *   HEAD  a request head must arrive whole within header_timeout of its
 *         first byte (of the accept, for a connection's first request),
 *         however slowly it trickles in (slowloris);
 *   SEND  an answer being sent must make progress within send_timeout:
 *         only bytes that actually left move it, so a client that never
 *         reads, or makes events without reading, is closed;
 *   IDLE  the wait for the next request (keepalive_timeout), from the end
 *         of the last answer;
 *   LINGER a closing connection drains what the client still sends, for
 *         a short while (set by the kernel layer, not by this rule).
 */
#ifndef KHTTPD_DEADLINE_H
#define KHTTPD_DEADLINE_H

#include "core.h"

enum khttpd_timer {
	KHTTPD_TIMER_HEAD,   /* a request head to arrive (header_timeout) */
	KHTTPD_TIMER_SEND,   /* the answer to leave; moves only with progress
			      * (send_timeout) */
	KHTTPD_TIMER_IDLE,   /* the next request (keepalive_timeout) */
	KHTTPD_TIMER_LINGER, /* a lingering close (at most 2 s) */
	KHTTPD_NR_TIMERS,
};

/*
 * The timer after a step that returned @step (READ, WRITE or YIELD), of a
 * session that is @idle (khttpd_session_idle) and has sent @sent_total
 * bytes so far (khttpd_session_bytes_sent). Output pending: SEND. Waiting
 * for input with a request begun, or none answered yet: HEAD. Nothing
 * pending: IDLE.
 */
static inline enum khttpd_timer khttpd_timer_after_step(enum khttpd_step step, bool idle,
							 kh_u64 sent_total)
{
	if (step == KHTTPD_STEP_WRITE || step == KHTTPD_STEP_YIELD)
		return KHTTPD_TIMER_SEND;
	if (!idle || !sent_total)
		return KHTTPD_TIMER_HEAD;
	return KHTTPD_TIMER_IDLE;
}

/*
 * Whether the deadline starts again after a step that moved the
 * connection from timer @from to @to and @sent_now bytes: a new timer
 * starts, and so does any timer of a step that sent bytes (progress for
 * SEND; for HEAD, bytes sent mean an answer went out and the head waited
 * for is the next request's). Nothing else moves a deadline: not bytes
 * received, not events.
 */
static inline bool khttpd_timer_restarts(enum khttpd_timer from, enum khttpd_timer to,
					 bool sent_now)
{
	return from != to || sent_now;
}

#endif /* KHTTPD_DEADLINE_H */
