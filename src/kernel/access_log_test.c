// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the access log's rings. Included at the end of access_log.c when
 * the kernel has KUnit (docs/testing.md).
 *
 * Most tests use rings of their own, small enough to fill and to wrap, and
 * the same functions the writer and the proc file's read use (add, peek,
 * consume); the `logging` test goes through khttpd_access_log_add() and
 * the module's own rings, which are empty when the suites run at load.
 */
#include <kunit/test.h>
#include <linux/preempt.h>

struct khttpd_log_test_req {
	struct kh_request_log req;
	struct khttpd_client_addr client;
};

static void khttpd_log_test_fill(struct khttpd_log_test_req *t, const char *line,
				 const char *referer, const char *agent, const char *host)
{
	memset(t, 0, sizeof(*t));
	t->req.line = line;
	t->req.line_len = line ? strlen(line) : 0;
	t->req.referer = referer;
	t->req.referer_len = referer ? strlen(referer) : 0;
	t->req.agent = agent;
	t->req.agent_len = agent ? strlen(agent) : 0;
	t->req.host = host;
	t->req.host_len = host ? strlen(host) : 0;
	t->req.status = 200;
	t->req.body_bytes = 1234;
	t->req.bytes = 1500;
	t->req.usec = 567;
	t->client.family = AF_INET;
	t->client.addr[0] = 127;
	t->client.addr[3] = 1;
	t->client.port = 54321;
}

static struct khttpd_log_ring *khttpd_log_test_ring(struct kunit *test, u32 size)
{
	struct khttpd_log_ring *ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	u8 *buf = kunit_kzalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ring);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	khttpd_log_ring_init(ring, buf, size);
	return ring;
}

/* What khttpd_access_log_add() does, on @ring, at a fixed time. */
static bool khttpd_log_test_add(struct khttpd_log_ring *ring, const struct khttpd_log_test_req *t,
				u64 conn_id)
{
	struct khttpd_log_record hdr;
	bool was_empty;

	khttpd_log_header(&hdr, &t->req, &t->client, conn_id, 1700000000123456789ULL);
	return khttpd_log_ring_add(ring, &hdr, &t->req, &was_empty);
}

/* Checks that @rec (@size bytes) is the record of @t, byte for byte. */
static void khttpd_log_test_expect(struct kunit *test, const u8 *rec, size_t size,
				   const struct khttpd_log_test_req *t, u64 conn_id)
{
	struct khttpd_log_record hdr;
	const u8 *p = rec + sizeof(hdr);
	size_t strings;

	KUNIT_ASSERT_GE(test, size, sizeof(hdr));
	memcpy(&hdr, rec, sizeof(hdr));
	strings = hdr.line_len + hdr.referer_len + hdr.agent_len + hdr.host_len;
	KUNIT_ASSERT_EQ(test, (size_t)hdr.size, size);
	KUNIT_EXPECT_EQ(test, (size_t)hdr.size, ALIGN(sizeof(hdr) + strings, 8));
	KUNIT_EXPECT_EQ(test, hdr.version, KHTTPD_LOG_VERSION);
	KUNIT_EXPECT_EQ(test, hdr.family, t->client.family);
	KUNIT_EXPECT_EQ(test, memcmp(hdr.addr, t->client.addr,
				     t->client.family == AF_INET ? 4 : 16), 0);
	KUNIT_EXPECT_EQ(test, hdr.port, t->client.port);
	KUNIT_EXPECT_EQ(test, hdr.status, t->req.status);
	KUNIT_EXPECT_EQ(test, hdr.time_ns, 1700000000123456789ULL);
	KUNIT_EXPECT_EQ(test, hdr.body_bytes, t->req.body_bytes);
	KUNIT_EXPECT_EQ(test, hdr.usec, t->req.usec);
	KUNIT_EXPECT_EQ(test, hdr.conn_id, conn_id);
	KUNIT_EXPECT_EQ(test, hdr.reserved[0] | hdr.reserved[1] | hdr.reserved[2], 0);
	KUNIT_EXPECT_EQ(test, !!(hdr.flags & KHTTPD_LOG_F_ABORTED), !!t->req.aborted);
	KUNIT_ASSERT_LE(test, hdr.line_len, t->req.line_len);
	KUNIT_ASSERT_LE(test, hdr.referer_len, t->req.referer_len);
	KUNIT_ASSERT_LE(test, hdr.agent_len, t->req.agent_len);
	KUNIT_ASSERT_LE(test, hdr.host_len, t->req.host_len);
	KUNIT_EXPECT_EQ(test, memcmp(p, t->req.line, hdr.line_len), 0);
	p += hdr.line_len;
	KUNIT_EXPECT_EQ(test, memcmp(p, t->req.referer, hdr.referer_len), 0);
	p += hdr.referer_len;
	KUNIT_EXPECT_EQ(test, memcmp(p, t->req.agent, hdr.agent_len), 0);
	p += hdr.agent_len;
	KUNIT_EXPECT_EQ(test, memcmp(p, t->req.host, hdr.host_len), 0);
	p += hdr.host_len;
	for (; p < rec + size; p++)
		KUNIT_EXPECT_EQ(test, *p, 0); /* padding */
}

/* Takes the oldest record out of @ring into @buf; returns its size. */
static size_t khttpd_log_test_take(struct khttpd_log_ring *ring, u8 *buf, size_t room)
{
	size_t next, n = khttpd_log_ring_peek(ring, buf, room, &next);
	struct khttpd_log_record hdr;

	if (n) {
		memcpy(&hdr, buf, sizeof(hdr));
		n = hdr.size; /* just the first one */
		khttpd_log_ring_consume(ring, n);
	}
	return n;
}

static void khttpd_log_test_roundtrip(struct kunit *test)
{
	struct khttpd_log_ring *ring = khttpd_log_test_ring(test, 4096);
	struct khttpd_log_test_req a, b;
	u8 *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	size_t next, n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	khttpd_log_test_fill(&a, "GET /index.html HTTP/1.1", "http://example.org/",
			     "curl/7.88.1", "example.org");
	khttpd_log_test_fill(&b, "HEAD /x HTTP/1.0", NULL, NULL, NULL); /* all "-" */
	b.req.status = 404;
	b.req.aborted = 1;
	KUNIT_ASSERT_TRUE(test, khttpd_log_test_add(ring, &a, 7));
	KUNIT_ASSERT_TRUE(test, khttpd_log_test_add(ring, &b, 8));
	n = khttpd_log_ring_peek(ring, buf, 4096, &next);
	KUNIT_EXPECT_EQ(test, next, (size_t)0);
	KUNIT_ASSERT_EQ(test, n, (size_t)ring->used);
	khttpd_log_test_expect(test, buf, ALIGN(sizeof(struct khttpd_log_record) + 24 + 19 + 11 +
						11, 8), &a, 7);
	khttpd_log_test_expect(test, buf + 144, n - 144, &b, 8);
	KUNIT_EXPECT_EQ(test, ((struct khttpd_log_record *)(buf + 144))->flags,
			(u8)KHTTPD_LOG_F_ABORTED);
	/* Peeking takes nothing away; consuming does. */
	KUNIT_EXPECT_EQ(test, khttpd_log_ring_peek(ring, buf, 4096, &next), n);
	khttpd_log_ring_consume(ring, n);
	KUNIT_EXPECT_EQ(test, ring->used, 0U);
	KUNIT_EXPECT_EQ(test, khttpd_log_ring_peek(ring, buf, 4096, &next), (size_t)0);
	KUNIT_EXPECT_EQ(test, ring->records, 2ULL);
	KUNIT_EXPECT_EQ(test, ring->drops, 0ULL);

	/* A reader's room smaller than the record: nothing, and its size. */
	KUNIT_ASSERT_TRUE(test, khttpd_log_test_add(ring, &a, 9));
	KUNIT_EXPECT_EQ(test, khttpd_log_ring_peek(ring, buf, 143, &next), (size_t)0);
	KUNIT_EXPECT_EQ(test, next, (size_t)144);
	KUNIT_EXPECT_EQ(test, khttpd_log_ring_peek(ring, buf, 144, &next), (size_t)144);
	KUNIT_EXPECT_EQ(test, next, (size_t)0);
}

static void khttpd_log_test_truncation(struct kunit *test)
{
	struct khttpd_log_ring *ring = khttpd_log_test_ring(test, 16384);
	u8 *buf = kunit_kzalloc(test, KHTTPD_LOG_RECORD_MAX, GFP_KERNEL);
	char *line = kunit_kzalloc(test, 3001, GFP_KERNEL);
	char *referer = kunit_kzalloc(test, 1025, GFP_KERNEL);
	char *agent = kunit_kzalloc(test, 5000, GFP_KERNEL);
	char *host = kunit_kzalloc(test, 258, GFP_KERNEL);
	struct khttpd_log_test_req t;
	struct khttpd_log_record hdr;
	size_t n;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, line);
	KUNIT_ASSERT_NOT_NULL(test, referer);
	KUNIT_ASSERT_NOT_NULL(test, agent);
	KUNIT_ASSERT_NOT_NULL(test, host);
	for (n = 0; n < 3000; n++)
		line[n] = 'a' + n % 26;
	memset(referer, 'r', 1024); /* exactly the limit: not cut */
	memset(agent, 'u', 4999);
	memset(host, 'h', 256 + 1);
	khttpd_log_test_fill(&t, line, referer, agent, host);
	KUNIT_ASSERT_TRUE(test, khttpd_log_test_add(ring, &t, 1));
	n = khttpd_log_test_take(ring, buf, KHTTPD_LOG_RECORD_MAX);
	memcpy(&hdr, buf, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, hdr.line_len, KHTTPD_LOG_LINE_MAX);
	KUNIT_EXPECT_EQ(test, hdr.referer_len, KHTTPD_LOG_REFERER_MAX);
	KUNIT_EXPECT_EQ(test, hdr.agent_len, KHTTPD_LOG_AGENT_MAX);
	KUNIT_EXPECT_EQ(test, hdr.host_len, KHTTPD_LOG_HOST_MAX);
	KUNIT_EXPECT_EQ(test, hdr.flags, (u8)(KHTTPD_LOG_F_LINE_CUT | KHTTPD_LOG_F_AGENT_CUT |
					      KHTTPD_LOG_F_HOST_CUT));
	/* The largest record there is, and it is what the header says. */
	KUNIT_EXPECT_EQ(test, n, (size_t)KHTTPD_LOG_RECORD_MAX);
	khttpd_log_test_expect(test, buf, n, &t, 1);
}

static void khttpd_log_test_wrap(struct kunit *test)
{
	/* 176-byte records in 520 bytes: every start offset comes round,
	 * and records straddle the end at all sorts of places. */
	struct khttpd_log_ring *ring = khttpd_log_test_ring(test, 520);
	u8 buf[176];
	char line[101];
	struct khttpd_log_test_req t;
	unsigned int i, wrapped = 0;

	memset(line, 0, sizeof(line));
	for (i = 0; i < 100; i++)
		line[i] = ' ' + i;
	khttpd_log_test_fill(&t, line, NULL, NULL, NULL);
	for (i = 0; i < 200; i++) {
		u32 head = ring->head;

		t.req.usec = i;
		KUNIT_ASSERT_TRUE(test, khttpd_log_test_add(ring, &t, i));
		if (head + 176 > ring->size)
			wrapped++;
		KUNIT_ASSERT_TRUE(test, khttpd_log_test_add(ring, &t, i + 1000));
		KUNIT_ASSERT_EQ(test, khttpd_log_test_take(ring, buf, sizeof(buf)), sizeof(buf));
		khttpd_log_test_expect(test, buf, sizeof(buf), &t, i);
		KUNIT_ASSERT_EQ(test, khttpd_log_test_take(ring, buf, sizeof(buf)), sizeof(buf));
		khttpd_log_test_expect(test, buf, sizeof(buf), &t, i + 1000);
	}
	KUNIT_EXPECT_GT(test, wrapped, 10U);
	KUNIT_EXPECT_EQ(test, ring->used, 0U);
	KUNIT_EXPECT_EQ(test, ring->drops, 0ULL);
}

static void khttpd_log_test_full(struct kunit *test)
{
	struct khttpd_log_ring *ring = khttpd_log_test_ring(test, 1024);
	char line[101];
	u8 buf[176];
	struct khttpd_log_test_req t;
	unsigned int i, added = 0;

	memset(line, 'x', 100);
	line[100] = 0;
	khttpd_log_test_fill(&t, line, NULL, NULL, NULL); /* 176 bytes */
	/* In atomic context: a writer that slept or waited for room would
	 * splat (CONFIG_DEBUG_ATOMIC_SLEEP) or hang here. */
	preempt_disable();
	for (i = 0; i < 10; i++)
		added += khttpd_log_test_add(ring, &t, i);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, added, 5U); /* 5 * 176 = 880; a 6th needs 1056 */
	KUNIT_EXPECT_EQ(test, ring->records, 5ULL);
	KUNIT_EXPECT_EQ(test, ring->drops, 5ULL);
	KUNIT_EXPECT_EQ(test, ring->used, 880U);
	/* The oldest records survive; room taken out is room to write. */
	KUNIT_ASSERT_EQ(test, khttpd_log_test_take(ring, buf, sizeof(buf)), sizeof(buf));
	khttpd_log_test_expect(test, buf, sizeof(buf), &t, 0);
	KUNIT_EXPECT_TRUE(test, khttpd_log_test_add(ring, &t, 99));
	KUNIT_EXPECT_FALSE(test, khttpd_log_test_add(ring, &t, 100));
	KUNIT_EXPECT_EQ(test, ring->drops, 6ULL);
	for (i = 1; i < 5; i++) {
		KUNIT_ASSERT_EQ(test, khttpd_log_test_take(ring, buf, sizeof(buf)), sizeof(buf));
		khttpd_log_test_expect(test, buf, sizeof(buf), &t, i);
	}
	KUNIT_ASSERT_EQ(test, khttpd_log_test_take(ring, buf, sizeof(buf)), sizeof(buf));
	khttpd_log_test_expect(test, buf, sizeof(buf), &t, 99);
	KUNIT_EXPECT_EQ(test, ring->used, 0U);
}

/* Takes every record out of the module's rings; returns how many. */
static unsigned int khttpd_log_test_drain_all(u8 *buf)
{
	unsigned int count = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		while (khttpd_log_test_take(per_cpu_ptr(khttpd_log.rings, cpu), buf,
					    KHTTPD_LOG_RECORD_MAX))
			count++;
	return count;
}

static void khttpd_log_test_logging(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, KHTTPD_LOG_RECORD_MAX, GFP_KERNEL);
	int saved = READ_ONCE(khttpd_logging);
	struct khttpd_log_test_req t;
	u64 records0, drops0, records, drops;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	if (test_bit(0, &khttpd_log.busy))
		kunit_skip(test, "/proc/net/khttpd/access_log is open");
	khttpd_log_test_fill(&t, "GET / HTTP/1.1", NULL, "k", "h");
	khttpd_log_test_drain_all(buf);
	khttpd_access_log_counts(&records0, &drops0);

	WRITE_ONCE(khttpd_logging, 0);
	preempt_disable(); /* the serving path never sleeps */
	khttpd_access_log_add(&t.req, &t.client, 1);
	preempt_enable();
	khttpd_access_log_counts(&records, &drops);
	KUNIT_EXPECT_EQ(test, records, records0);
	KUNIT_EXPECT_EQ(test, drops, drops0);
	KUNIT_EXPECT_FALSE(test, khttpd_log_pending());

	WRITE_ONCE(khttpd_logging, 1);
	preempt_disable();
	khttpd_access_log_add(&t.req, &t.client, 2);
	preempt_enable();
	khttpd_access_log_counts(&records, &drops);
	KUNIT_EXPECT_EQ(test, records, records0 + 1);
	KUNIT_EXPECT_EQ(test, drops, drops0);
	KUNIT_EXPECT_TRUE(test, khttpd_log_pending());
	KUNIT_EXPECT_EQ(test, khttpd_log_test_drain_all(buf), 1U);
	KUNIT_EXPECT_EQ(test, ((struct khttpd_log_record *)buf)->conn_id, 2ULL);
	/* Real time, not a made-up one: after 2023 (1.7e18 ns). */
	KUNIT_EXPECT_GT(test, ((struct khttpd_log_record *)buf)->time_ns, 1700000000ULL * 1000000000);
	WRITE_ONCE(khttpd_logging, saved);
}

static void khttpd_log_test_addresses(struct kunit *test)
{
	static const u8 v6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }; /* ::1 */
	static const u8 doc[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xde, 0xad, 0xbe, 0xef,
				    1, 2, 3, 4, 5, 6, 7, 8 };
	struct khttpd_log_ring *ring = khttpd_log_test_ring(test, 4096);
	struct khttpd_log_test_req t;
	struct khttpd_log_record hdr;
	u8 buf[256];

	khttpd_log_test_fill(&t, "GET / HTTP/1.1", NULL, NULL, NULL);
	t.client.family = AF_INET6;
	memcpy(t.client.addr, v6, 16);
	t.client.port = 1;
	KUNIT_ASSERT_TRUE(test, khttpd_log_test_add(ring, &t, 1));
	memcpy(t.client.addr, doc, 16);
	t.client.port = 65535;
	KUNIT_ASSERT_TRUE(test, khttpd_log_test_add(ring, &t, 2));
	/* AF_INET: the 12 bytes after the address are zero whatever the
	 * caller left there. */
	t.client.family = AF_INET;
	KUNIT_ASSERT_TRUE(test, khttpd_log_test_add(ring, &t, 3));

	KUNIT_ASSERT_GT(test, khttpd_log_test_take(ring, buf, sizeof(buf)), (size_t)0);
	memcpy(&hdr, buf, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, hdr.family, (u8)AF_INET6);
	KUNIT_EXPECT_EQ(test, memcmp(hdr.addr, v6, 16), 0);
	KUNIT_EXPECT_EQ(test, hdr.port, 1);
	KUNIT_ASSERT_GT(test, khttpd_log_test_take(ring, buf, sizeof(buf)), (size_t)0);
	memcpy(&hdr, buf, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, hdr.family, (u8)AF_INET6);
	KUNIT_EXPECT_EQ(test, memcmp(hdr.addr, doc, 16), 0);
	KUNIT_EXPECT_EQ(test, hdr.port, 65535);
	KUNIT_ASSERT_GT(test, khttpd_log_test_take(ring, buf, sizeof(buf)), (size_t)0);
	memcpy(&hdr, buf, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, hdr.family, (u8)AF_INET);
	KUNIT_EXPECT_EQ(test, memcmp(hdr.addr, doc, 4), 0);
	KUNIT_EXPECT_PTR_EQ(test, memchr_inv(hdr.addr + 4, 0, 12), NULL);
}

/*
 * Many records of many sizes through a small ring, written faster than
 * they are read: every record either comes out intact and in order, or
 * was counted as dropped; none is torn, lost or duplicated.
 */
static void khttpd_log_test_many(struct kunit *test)
{
	struct khttpd_log_ring *ring = khttpd_log_test_ring(test, 2048);
	char *text = kunit_kzalloc(test, 1201, GFP_KERNEL); /* NUL-terminated */
	u8 *buf = kunit_kzalloc(test, 2048, GFP_KERNEL);
	struct khttpd_log_test_req t;
	unsigned int i, out = 0, kept = 0;
	u64 last = 0;

	KUNIT_ASSERT_NOT_NULL(test, text);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 1200; i++)
		text[i] = 'A' + i % 53;
	for (i = 1; i <= 3000; i++) {
		khttpd_log_test_fill(&t, text + i % 7, NULL, NULL, NULL);
		/* Lengths from 0 to 600: records of 72 to 672 bytes. */
		t.req.line_len = (i * 37) % 601;
		t.req.agent = text + i % 11;
		t.req.agent_len = i % 5 ? 0 : (i * 13) % 300;
		t.req.usec = i;
		kept += khttpd_log_test_add(ring, &t, i);
		/* Read one record in three writes (room for the largest, 971). */
		while (i % 3 == 0 || i == 3000) {
			struct khttpd_log_record hdr;
			size_t n = khttpd_log_test_take(ring, buf, 1024);
			unsigned int j;

			if (!n)
				break;
			memcpy(&hdr, buf, sizeof(hdr));
			KUNIT_ASSERT_GT(test, hdr.conn_id, last);
			last = hdr.conn_id;
			j = hdr.conn_id;
			khttpd_log_test_fill(&t, text + j % 7, NULL, NULL, NULL);
			t.req.line_len = (j * 37) % 601;
			t.req.agent = text + j % 11;
			t.req.agent_len = j % 5 ? 0 : (j * 13) % 300;
			t.req.usec = j;
			khttpd_log_test_expect(test, buf, n, &t, j);
			out++;
			if (i != 3000)
				break;
		}
	}
	KUNIT_EXPECT_EQ(test, out, kept);
	KUNIT_EXPECT_EQ(test, ring->records, (u64)kept);
	KUNIT_EXPECT_EQ(test, ring->drops, (u64)(3000 - kept));
	KUNIT_EXPECT_GT(test, ring->drops, 0ULL);  /* it did fill */
	KUNIT_EXPECT_GE(test, kept, 1000U);
	KUNIT_EXPECT_EQ(test, ring->used, 0U);
}

static struct kunit_case khttpd_log_test_cases[] = {
	KUNIT_CASE(khttpd_log_test_roundtrip),
	KUNIT_CASE(khttpd_log_test_truncation),
	KUNIT_CASE(khttpd_log_test_wrap),
	KUNIT_CASE(khttpd_log_test_full),
	KUNIT_CASE(khttpd_log_test_logging),
	KUNIT_CASE(khttpd_log_test_addresses),
	KUNIT_CASE(khttpd_log_test_many),
	{}
};

static struct kunit_suite khttpd_log_test_suite = {
	.name = "khttpd_access_log",
	.test_cases = khttpd_log_test_cases,
};

kunit_test_suite(khttpd_log_test_suite);
