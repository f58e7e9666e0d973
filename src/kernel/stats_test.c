// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the counters (stats.c) and the status file's text. Included at the
 * end of stats.c when the kernel has KUnit (docs/testing.md).
 *
 * The tests count into a per-CPU block of their own, as a namespace's
 * instance has (net.h).
 */
#include <kunit/test.h>
#include <linux/ctype.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/slab.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "server_internal.h" /* khttpd_client_addr_of() */

struct khttpd_stats_test {
	struct khttpd_stats __percpu *mine;
};

static int khttpd_stats_test_init(struct kunit *test)
{
	struct khttpd_stats_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->mine = alloc_percpu(struct khttpd_stats);
	KUNIT_ASSERT_NOT_NULL(test, t->mine);
	test->priv = t;
	return 0;
}

static void khttpd_stats_test_exit(struct kunit *test)
{
	struct khttpd_stats_test *t = test->priv;

	if (!t)
		return;
	free_percpu(t->mine);
}

/* Every possible CPU's block counts, gauges' negative deltas included. */
static void khttpd_stats_test_sum(struct kunit *test)
{
	struct khttpd_stats_test *t = test->priv;
	struct khttpd_stats sum;
	unsigned int n = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct khttpd_stats *s = per_cpu_ptr(t->mine, cpu);

		s->accepts = 1;
		s->bytes_sent = 1000 + cpu;
		s->responses[1] = 2;
		s->handovers[KHTTPD_HANDOVER_BODY] = 3;
		s->timeouts[KHTTPD_TIMER_IDLE] = 4;
		/* A connection opened on one CPU and moved on another. */
		s->conns[KHTTPD_TIMER_HEAD] = n % 2 ? -1 : 2;
		n++;
	}
	khttpd_stats_sum(t->mine, &sum);
	KUNIT_EXPECT_EQ(test, sum.accepts, (u64)n);
	KUNIT_EXPECT_EQ(test, sum.responses[1], 2ULL * n);
	KUNIT_EXPECT_EQ(test, sum.handovers[KHTTPD_HANDOVER_BODY], 3ULL * n);
	KUNIT_EXPECT_EQ(test, sum.timeouts[KHTTPD_TIMER_IDLE], 4ULL * n);
	KUNIT_EXPECT_EQ(test, sum.conns[KHTTPD_TIMER_HEAD], (s64)(n / 2 + 2 * (n % 2)));
	KUNIT_EXPECT_EQ(test, sum.handled, 0ULL);
	KUNIT_EXPECT_EQ(test, sum.conns[KHTTPD_TIMER_SEND], 0LL);
}

/* What kh_conn_request_done() and a taken hand-over count. */
static void khttpd_stats_test_requests(struct kunit *test)
{
	struct khttpd_stats_test *t = test->priv;
	struct khttpd_stats sum;

	khttpd_stats_response(t->mine, 200, 100);
	khttpd_stats_response(t->mine, 206, 10);
	khttpd_stats_response(t->mine, 304, 1);
	khttpd_stats_response(t->mine, 404, 5);
	khttpd_stats_response(t->mine, 503, 7);
	khttpd_stats_response(t->mine, 101, 0);
	khttpd_stats_response(t->mine, 0, 0);   /* no status: a request, no class */
	khttpd_stats_response(t->mine, 600, 0);
	khttpd_stats_handover(t->mine, KHTTPD_HANDOVER_DYNAMIC);
	khttpd_stats_handover(t->mine, KHTTPD_HANDOVER_BODY);
	khttpd_stats_handover(t->mine, KHTTPD_HANDOVER_TLS + 1); /* unknown: slot 0 */
	khttpd_stats_sum(t->mine, &sum);
	KUNIT_EXPECT_EQ(test, sum.requests, 11ULL);
	KUNIT_EXPECT_EQ(test, sum.responses[0], 1ULL);
	KUNIT_EXPECT_EQ(test, sum.responses[1], 2ULL);
	KUNIT_EXPECT_EQ(test, sum.responses[2], 1ULL);
	KUNIT_EXPECT_EQ(test, sum.responses[3], 1ULL);
	KUNIT_EXPECT_EQ(test, sum.responses[4], 1ULL);
	KUNIT_EXPECT_EQ(test, sum.bytes_sent, 123ULL);
	KUNIT_EXPECT_EQ(test, sum.handovers[KHTTPD_HANDOVER_DYNAMIC], 1ULL);
	KUNIT_EXPECT_EQ(test, sum.handovers[KHTTPD_HANDOVER_BODY], 1ULL);
	KUNIT_EXPECT_EQ(test, sum.handovers[0], 1ULL);
}

/* The status text: docs/observability.md's names, in its order. */
static void khttpd_stats_test_format(struct kunit *test)
{
	static const char *const names[] = {
		"version", "state", "uptime_seconds", "port", "threads", "generation",
		"daemon_pid", "connections_active", "connections_reading",
		"connections_writing", "connections_waiting", "connections_lingering",
		"retiring_connections", "accepts", "handled",
		"requests", "responses_1xx", "responses_2xx", "responses_3xx",
		"responses_4xx", "responses_5xx", "bytes_sent", "filecache_hits",
		"filecache_misses", "filecache_entries", "handovers", "handover_method",
		"handover_dynamic", "handover_missing", "handover_forbidden",
		"handover_mime", "handover_range", "handover_oversize",
		"handover_malformed", "handover_body", "handover_tls", "handovers_refused",
		"refused_max_connections", "refused_per_ip", "refused_nomem",
		"timeouts_header", "timeouts_send", "timeouts_keepalive",
		"worker_wakeups", "connection_steps", "cold_reads", "tls_adopted",
		"tls_refused", "tls_plain_http", "log_records", "log_drops",
	};
	struct khttpd_status_extra x = {
		.srv = { .running = true, .uptime = 5, .port = 8080, .threads = 2,
			 .fc_entries = 7, .generation = 3, .retiring_conns = 1 },
		.daemon_pid = 42, .handovers_refused = 3, .log_records = 9, .log_drops = 1,
	};
	struct khttpd_stats s = {
		.accepts = 10, .handled = 8, .requests = 6, .bytes_sent = 999,
		.responses = { 0, 4, 1, 1, 0 },
		.conns = { [KHTTPD_TIMER_HEAD] = -1, [KHTTPD_TIMER_SEND] = 1,
			   [KHTTPD_TIMER_IDLE] = 2, [KHTTPD_TIMER_LINGER] = 1 },
		.timeouts = { [KHTTPD_TIMER_SEND] = 2 },
	};
	struct seq_file m = { .size = PAGE_SIZE };
	char *p, *line;
	unsigned int i = 0;

	s.handovers[KHTTPD_HANDOVER_MISSING] = 2;
	s.handovers[0] = 1;
	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	khttpd_status_print(&m, &s, &x);
	KUNIT_ASSERT_LT(test, m.count, m.size);
	p = m.buf;
	while ((line = strsep(&p, "\n")) && *line) {
		char *value = strchr(line, ' ');

		KUNIT_ASSERT_NOT_NULL(test, value);
		*value++ = '\0';
		KUNIT_ASSERT_LT(test, i, ARRAY_SIZE(names));
		KUNIT_EXPECT_STREQ(test, line, names[i]);
		/* One space, then a number (or the state's word). */
		KUNIT_EXPECT_TRUE_MSG(test, isdigit(*value) || !strcmp(line, "state"),
				      "%s %s", line, value);
		if (!strcmp(line, "state"))
			KUNIT_EXPECT_STREQ(test, value, "running");
		if (!strcmp(line, "connections_active")) /* reading -1 shows as 0 */
			KUNIT_EXPECT_STREQ(test, value, "4");
		if (!strcmp(line, "connections_reading"))
			KUNIT_EXPECT_STREQ(test, value, "0");
		if (!strcmp(line, "handovers"))
			KUNIT_EXPECT_STREQ(test, value, "3");
		if (!strcmp(line, "handover_missing"))
			KUNIT_EXPECT_STREQ(test, value, "2");
		if (!strcmp(line, "timeouts_send"))
			KUNIT_EXPECT_STREQ(test, value, "2");
		if (!strcmp(line, "filecache_entries"))
			KUNIT_EXPECT_STREQ(test, value, "7");
		if (!strcmp(line, "port"))
			KUNIT_EXPECT_STREQ(test, value, "8080");
		if (!strcmp(line, "generation"))
			KUNIT_EXPECT_STREQ(test, value, "3");
		if (!strcmp(line, "retiring_connections"))
			KUNIT_EXPECT_STREQ(test, value, "1");
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, (unsigned int)ARRAY_SIZE(names));
}

static struct socket *khttpd_stats_test_sock(struct kunit *test, int family)
{
	struct socket *sock;
	int err = sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP, &sock);

	if (err == -EAFNOSUPPORT)
		kunit_skip(test, "no address family %d", family);
	KUNIT_ASSERT_EQ(test, err, 0);
	return sock;
}

/* The client's address as logged: an IPv4-mapped one as plain IPv4. */
static void khttpd_stats_test_client_addr(struct kunit *test)
{
	static const u8 v4[4] = { 10, 0, 0, 1 };
	static const u8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct khttpd_client_addr a;
	struct socket *sock;

	sock = khttpd_stats_test_sock(test, PF_INET);
	sock->sk->sk_daddr = htonl(0x0a000001);
	inet_sk(sock->sk)->inet_dport = htons(40000);
	khttpd_client_addr_of(sock->sk, &a);
	sock_release(sock);
	KUNIT_EXPECT_EQ(test, a.family, AF_INET);
	KUNIT_EXPECT_MEMEQ(test, a.addr, v4, 4);
	KUNIT_EXPECT_EQ(test, a.port, 40000);
#if IS_ENABLED(CONFIG_IPV6)
	sock = khttpd_stats_test_sock(test, PF_INET6);
	ipv6_addr_set_v4mapped(htonl(0x0a000001), &sock->sk->sk_v6_daddr);
	inet_sk(sock->sk)->inet_dport = htons(80);
	khttpd_client_addr_of(sock->sk, &a);
	KUNIT_EXPECT_EQ(test, a.family, AF_INET);
	KUNIT_EXPECT_MEMEQ(test, a.addr, v4, 4);
	KUNIT_EXPECT_EQ(test, a.port, 80);
	memcpy(sock->sk->sk_v6_daddr.s6_addr, v6, 16);
	khttpd_client_addr_of(sock->sk, &a);
	sock_release(sock);
	KUNIT_EXPECT_EQ(test, a.family, AF_INET6);
	KUNIT_EXPECT_MEMEQ(test, a.addr, v6, 16);
#endif
}

static struct kunit_case khttpd_stats_test_cases[] = {
	KUNIT_CASE(khttpd_stats_test_sum),
	KUNIT_CASE(khttpd_stats_test_requests),
	KUNIT_CASE(khttpd_stats_test_format),
	KUNIT_CASE(khttpd_stats_test_client_addr),
	{}
};

static struct kunit_suite khttpd_stats_test_suite = {
	.name = "khttpd_stats",
	.init = khttpd_stats_test_init,
	.exit = khttpd_stats_test_exit,
	.test_cases = khttpd_stats_test_cases,
};

kunit_test_suite(khttpd_stats_test_suite);
