// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the connection limits' accounting (limits.c). Included at the end
 * of limits.c when the kernel has KUnit (docs/testing.md).
 *
 * The admitted "connections" are unconnected kernel TCP sockets whose peer
 * address the test writes itself: admission only reads that address.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <net/net_namespace.h>

struct khttpd_limits_test {
	struct khttpd_limits l;
	bool inited;
	struct socket *v4, *mapped, *v6; /* 10.0.0.1, ::ffff:10.0.0.1, 2001:db8::1 */
};

static struct socket *khttpd_limits_test_sock(struct kunit *test, int family)
{
	struct socket *sock;
	int err = sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP, &sock);

	if (err == -EAFNOSUPPORT)
		kunit_skip(test, "no address family %d", family);
	KUNIT_ASSERT_EQ(test, err, 0);
	return sock;
}

static int khttpd_limits_test_init(struct kunit *test)
{
	struct khttpd_limits_test *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	t->v4 = khttpd_limits_test_sock(test, PF_INET);
	t->v4->sk->sk_daddr = htonl(0x0a000001);
#if IS_ENABLED(CONFIG_IPV6)
	t->mapped = khttpd_limits_test_sock(test, PF_INET6);
	ipv6_addr_set_v4mapped(htonl(0x0a000001), &t->mapped->sk->sk_v6_daddr);
	t->v6 = khttpd_limits_test_sock(test, PF_INET6);
	t->v6->sk->sk_v6_daddr = (struct in6_addr){ .s6_addr = { 0x20, 0x01, 0x0d, 0xb8,
		[15] = 1 } };
#else
	kunit_skip(test, "no IPv6");
#endif
	return 0;
}

static void khttpd_limits_test_exit(struct kunit *test)
{
	struct khttpd_limits_test *t = test->priv;

	if (!t)
		return;
	if (t->inited)
		khttpd_limits_destroy(&t->l); /* WARNs if an admission leaked */
	if (t->v4)
		sock_release(t->v4);
	if (t->mapped)
		sock_release(t->mapped);
	if (t->v6)
		sock_release(t->v6);
}

static void khttpd_limits_test_start(struct kunit *test, int max, int per_ip)
{
	struct khttpd_limits_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, khttpd_limits_init(&t->l, max, per_ip), 0);
	t->inited = true;
}

/* How many addresses the table holds. */
static unsigned int khttpd_limits_test_entries(struct khttpd_limits *l)
{
	struct khttpd_peer *p;
	unsigned int i, n = 0;

	spin_lock(&l->lock);
	for (i = 0; l->peers && i < (1U << l->peer_bits); i++)
		hlist_for_each_entry(p, &l->peers[i], node)
			n++;
	spin_unlock(&l->lock);
	return n;
}

/* max_connections over all addresses; a release makes room again. */
static void khttpd_limits_test_max(struct kunit *test)
{
	struct khttpd_limits_test *t = test->priv;
	struct khttpd_peer *peer[3];
	int i;

	khttpd_limits_test_start(test, 3, 0);
	KUNIT_EXPECT_NULL(test, t->l.peers); /* no table without a per-address limit */
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, khttpd_limits_admit(&t->l, i ? t->v6 : t->v4, &peer[i]), 0);
		KUNIT_EXPECT_NULL(test, peer[i]);
	}
	KUNIT_EXPECT_EQ(test, khttpd_limits_admit(&t->l, t->v4, &peer[0]), KHTTPD_REFUSED_MAX);
	KUNIT_EXPECT_EQ(test, khttpd_limits_refused(&t->l), 1UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->l.open), 3);
	khttpd_limits_release(&t->l, NULL);
	KUNIT_EXPECT_EQ(test, khttpd_limits_admit(&t->l, t->v4, &peer[0]), 0);
	for (i = 0; i < 3; i++)
		khttpd_limits_release(&t->l, NULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->l.open), 0);
}

/*
 * max_connections_per_ip: an IPv4 address and its IPv4-mapped IPv6 form
 * share one count, another address has its own; an address leaves the
 * table with its last connection.
 */
static void khttpd_limits_test_per_ip(struct kunit *test)
{
	struct khttpd_limits_test *t = test->priv;
	struct khttpd_peer *a, *b, *c, *d;

	khttpd_limits_test_start(test, 100, 2);
	KUNIT_ASSERT_EQ(test, khttpd_limits_admit(&t->l, t->v4, &a), 0);
	KUNIT_ASSERT_EQ(test, khttpd_limits_admit(&t->l, t->mapped, &b), 0);
	KUNIT_EXPECT_PTR_EQ(test, a, b);
	KUNIT_EXPECT_EQ(test, khttpd_limits_admit(&t->l, t->v4, &d), KHTTPD_REFUSED_PER_IP);
	KUNIT_EXPECT_EQ(test, khttpd_limits_admit(&t->l, t->mapped, &d), KHTTPD_REFUSED_PER_IP);
	KUNIT_EXPECT_EQ(test, khttpd_limits_refused(&t->l), 2UL);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->l.open), 2); /* refusals gave theirs back */
	KUNIT_ASSERT_EQ(test, khttpd_limits_admit(&t->l, t->v6, &c), 0);
	KUNIT_EXPECT_PTR_NE(test, a, c);
	KUNIT_EXPECT_EQ(test, khttpd_limits_test_entries(&t->l), 2U);

	khttpd_limits_release(&t->l, a);
	KUNIT_ASSERT_EQ(test, khttpd_limits_admit(&t->l, t->mapped, &d), 0);
	khttpd_limits_release(&t->l, b);
	khttpd_limits_release(&t->l, d);
	KUNIT_EXPECT_EQ(test, khttpd_limits_test_entries(&t->l), 1U);
	khttpd_limits_release(&t->l, c);
	KUNIT_EXPECT_EQ(test, khttpd_limits_test_entries(&t->l), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->l.open), 0);
}

/* The per-address limit never lets the total pass max_connections. */
static void khttpd_limits_test_both(struct kunit *test)
{
	struct khttpd_limits_test *t = test->priv;
	struct khttpd_peer *a, *b, *c;

	khttpd_limits_test_start(test, 2, 5);
	KUNIT_ASSERT_EQ(test, khttpd_limits_admit(&t->l, t->v4, &a), 0);
	KUNIT_ASSERT_EQ(test, khttpd_limits_admit(&t->l, t->v6, &b), 0);
	KUNIT_EXPECT_EQ(test, khttpd_limits_admit(&t->l, t->v4, &c), KHTTPD_REFUSED_MAX);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->l.refused[KHTTPD_REFUSED_MAX]), 1L);
	KUNIT_EXPECT_EQ(test, khttpd_limits_test_entries(&t->l), 2U);
	khttpd_limits_release(&t->l, a);
	khttpd_limits_release(&t->l, b);
	KUNIT_EXPECT_EQ(test, khttpd_limits_test_entries(&t->l), 0U);
}

static struct kunit_case khttpd_limits_test_cases[] = {
	KUNIT_CASE(khttpd_limits_test_max),
	KUNIT_CASE(khttpd_limits_test_per_ip),
	KUNIT_CASE(khttpd_limits_test_both),
	{}
};

static struct kunit_suite khttpd_limits_test_suite = {
	.name = "khttpd_limits",
	.init = khttpd_limits_test_init,
	.exit = khttpd_limits_test_exit,
	.test_cases = khttpd_limits_test_cases,
};

kunit_test_suite(khttpd_limits_test_suite);
