// SPDX-License-Identifier: GPL-2.0
/*
 * Connection limits, checked when a connection is accepted, before
 * anything is allocated for it: max_connections (all workers together)
 * and max_connections_per_ip (per client address; an IPv4-mapped IPv6
 * address counts as the IPv4 address). Kernel sockets have no file
 * descriptor, so RLIMIT_NOFILE does not bound them; their memory is
 * charged to no cgroup; the OOM killer cannot kill the workers. These
 * limits are what bounds the memory clients can make the server hold.
 *
 * The per-address counts are a hash table of address -> count under one
 * spinlock, taken only by the workers (process context), once per accept
 * and once per close. An address has an entry only while it has
 * connections, so there are never more entries than max_connections. The
 * hash has a random seed per start: clients choose their addresses (IPv6
 * ones freely) and must not be able to pile them into one bucket.
 */
#include <linux/atomic.h>
#include <linux/bug.h>
#include <linux/in6.h>
#include <linux/jhash.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "server_internal.h"
#include "stats.h"

struct khttpd_peer {
	struct hlist_node node;
	struct in6_addr addr; /* IPv4 as ::ffff:a.b.c.d */
	unsigned int count;   /* its open connections, > 0 */
};

int khttpd_limits_init(struct khttpd_limits *l, int max_conns, int max_per_ip)
{
	unsigned int bits;

	l->max_conns = max_conns;
	l->max_per_ip = max_per_ip;
	l->stats = NULL; /* the server sets its own */
	atomic_set(&l->open, 0);
	spin_lock_init(&l->lock);
	l->peers = NULL;
	if (!max_per_ip)
		return 0;
	/* About four connections per bucket when all are open, 64 to 65536. */
	bits = clamp_t(unsigned int, order_base_2(max_conns), 8, 18) - 2;
	l->peers = kvcalloc(1U << bits, sizeof(*l->peers), GFP_KERNEL);
	if (!l->peers)
		return -ENOMEM;
	l->peer_bits = bits;
	l->seed = get_random_u32();
	return 0;
}

void khttpd_limits_destroy(struct khttpd_limits *l)
{
	unsigned int i;

	/* Every connection released its entry before the workers stopped. */
	for (i = 0; l->peers && i < (1U << l->peer_bits); i++)
		WARN_ON_ONCE(!hlist_empty(&l->peers[i]));
	WARN_ON_ONCE(atomic_read(&l->open));
	kvfree(l->peers);
	l->peers = NULL;
}

/* The client's address; an IPv4 one (or one on an IPv4 socket) mapped. */
static void khttpd_peer_addr(struct sock *sk, struct in6_addr *addr)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		*addr = sk->sk_v6_daddr;
		return;
	}
#endif
	ipv6_addr_set_v4mapped(sk->sk_daddr, addr);
}

/*
 * The same address as the log and the tracepoints record it: an
 * IPv4-mapped one as plain IPv4. Read once, when the connection opens.
 */
void khttpd_client_addr_of(struct sock *sk, struct khttpd_client_addr *client)
{
	struct in6_addr addr;

	khttpd_peer_addr(sk, &addr);
	memset(client, 0, sizeof(*client));
	if (ipv6_addr_v4mapped(&addr)) {
		client->family = AF_INET;
		memcpy(client->addr, &addr.s6_addr32[3], 4);
	} else {
		client->family = AF_INET6;
		memcpy(client->addr, addr.s6_addr, 16);
	}
	client->port = ntohs(inet_sk(sk)->inet_dport);
}

static struct hlist_head *khttpd_peer_bucket(struct khttpd_limits *l,
					     const struct in6_addr *addr)
{
	u32 hash = jhash2((const u32 *)addr->s6_addr32, 4, l->seed);

	return &l->peers[hash & ((1U << l->peer_bits) - 1)];
}

static struct khttpd_peer *khttpd_peer_find(struct hlist_head *bucket,
					    const struct in6_addr *addr)
{
	struct khttpd_peer *p;

	hlist_for_each_entry(p, bucket, node)
		if (ipv6_addr_equal(&p->addr, addr))
			return p;
	return NULL;
}

/*
 * Counts one more connection of @addr's; under l->lock. Returns its entry
 * (@spare if there was none), or NULL (at the limit, or no entry and no
 * @spare). *@used says whether @spare was taken.
 */
static struct khttpd_peer *khttpd_peer_add(struct khttpd_limits *l,
					   const struct in6_addr *addr,
					   struct khttpd_peer *spare, bool *used)
{
	struct hlist_head *bucket = khttpd_peer_bucket(l, addr);
	struct khttpd_peer *p = khttpd_peer_find(bucket, addr);

	*used = false;
	if (p) {
		if (p->count >= l->max_per_ip)
			return NULL;
		p->count++;
		return p;
	}
	if (!spare)
		return NULL;
	spare->addr = *addr;
	spare->count = 1;
	hlist_add_head(&spare->node, bucket);
	*used = true;
	return spare;
}

/* 0 with *@peer set, or the reason @addr may not have one more connection. */
static int khttpd_peer_get(struct khttpd_limits *l, const struct in6_addr *addr,
			   struct khttpd_peer **peer)
{
	struct khttpd_peer *spare = NULL;
	bool used;

	spin_lock(&l->lock);
	*peer = khttpd_peer_add(l, addr, NULL, &used);
	if (!*peer && !khttpd_peer_find(khttpd_peer_bucket(l, addr), addr)) {
		/* A new address: allocate its entry outside the lock. */
		spin_unlock(&l->lock);
		spare = kmalloc(sizeof(*spare), GFP_KERNEL);
		if (!spare)
			return KHTTPD_REFUSED_NOMEM;
		spin_lock(&l->lock);
		*peer = khttpd_peer_add(l, addr, spare, &used);
		if (used)
			spare = NULL;
	}
	spin_unlock(&l->lock);
	kfree(spare);
	return *peer ? 0 : KHTTPD_REFUSED_PER_IP;
}

/* The status file's refusals (the namespace's, since it was made). */
static void khttpd_count_refusal(struct khttpd_limits *l, int why)
{
	if (!l->stats)
		return;
	switch (why) {
	case KHTTPD_REFUSED_MAX:
		khttpd_stat_inc(l->stats, refused_max);
		break;
	case KHTTPD_REFUSED_PER_IP:
		khttpd_stat_inc(l->stats, refused_per_ip);
		break;
	default:
		khttpd_stat_inc(l->stats, refused_nomem);
		break;
	}
}

int khttpd_limits_admit(struct khttpd_limits *l, struct socket *sock,
			struct khttpd_peer **peer)
{
	struct in6_addr addr;
	int why = 0;

	*peer = NULL;
	if (atomic_inc_return(&l->open) > l->max_conns)
		why = KHTTPD_REFUSED_MAX;
	else if (l->max_per_ip) {
		khttpd_peer_addr(sock->sk, &addr);
		why = khttpd_peer_get(l, &addr, peer);
	}
	if (why) {
		atomic_dec(&l->open);
		atomic_long_inc(&l->refused[why]);
		khttpd_count_refusal(l, why);
	}
	return why;
}

void khttpd_limits_release(struct khttpd_limits *l, struct khttpd_peer *peer)
{
	if (peer) {
		spin_lock(&l->lock);
		if (--peer->count)
			peer = NULL; /* still in use */
		else
			hlist_del(&peer->node);
		spin_unlock(&l->lock);
		kfree(peer);
	}
	atomic_dec(&l->open);
}

unsigned long khttpd_limits_refused(struct khttpd_limits *l)
{
	unsigned long sum = 0;
	int i;

	for (i = 0; i < KHTTPD_NR_REFUSED; i++)
		sum += atomic_long_read(&l->refused[i]);
	return sum;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "limits_test.c"
#endif
