// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: what the kernel decides on its own about HTTPS connections, on a
 * real loopback TCP connection: the first byte sniffed without being
 * consumed, the 400 for plain HTTP, and an adoption refused for a socket
 * without kernel TLS on both ways. Included at the end of tls.c when the
 * kernel has KUnit (docs/testing.md). The debug kernel has no CONFIG_TLS:
 * serving over kernel TLS is tests/vm/tls.sh's, on Debian's kernels.
 */
#include <kunit/test.h>
#include <linux/delay.h>

#include "../../tests/kunit/kunit_fs.h"

struct khttpd_tls_test {
	struct socket *listener, *client, *server;
};

static int khttpd_tls_test_init(struct kunit *test)
{
	struct khttpd_tls_test *t;
	int err;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	err = khttpd_kunit_tcp_pair(&t->listener, &t->client, &t->server);
	if (err)
		kunit_skip(test, "no loopback TCP connection (error %d)", err);
	return 0;
}

static void khttpd_tls_test_exit(struct kunit *test)
{
	struct khttpd_tls_test *t = test->priv;

	if (!t)
		return;
	if (t->server)
		sock_release(t->server);
	if (t->client)
		sock_release(t->client);
	if (t->listener)
		sock_release(t->listener);
}

static void khttpd_tls_test_send(struct kunit *test, struct socket *sock, const void *buf,
				 size_t len)
{
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };

	KUNIT_ASSERT_EQ(test, kernel_sendmsg(sock, &msg, &iov, 1, len), (int)len);
}

/* Sniffs @sock until it says something else than "wait", for 2 s at most. */
static enum khttpd_sniff khttpd_tls_test_sniff(struct socket *sock)
{
	enum khttpd_sniff r = KHTTPD_SNIFF_WAIT;
	int i;

	for (i = 0; i < 200 && r == KHTTPD_SNIFF_WAIT; i++) {
		r = khttpd_tls_sniff(sock);
		if (r == KHTTPD_SNIFF_WAIT)
			msleep(10);
	}
	return r;
}

static void khttpd_tls_test_sniff_wait(struct kunit *test)
{
	struct khttpd_tls_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, khttpd_tls_sniff(t->server), KHTTPD_SNIFF_WAIT);
}

/* A handshake record: TLS, and the byte is still there for the daemon. */
static void khttpd_tls_test_sniff_handshake(struct kunit *test)
{
	static const u8 hello[] = { 0x16, 0x03, 0x01, 0x00, 0x01, 0x01 };
	struct khttpd_tls_test *t = test->priv;
	u8 got[sizeof(hello)] = {};
	struct kvec iov = { .iov_base = got, .iov_len = sizeof(got) };
	struct msghdr msg = {};

	khttpd_tls_test_send(test, t->client, hello, sizeof(hello));
	KUNIT_EXPECT_EQ(test, khttpd_tls_test_sniff(t->server), KHTTPD_SNIFF_TLS);
	KUNIT_EXPECT_EQ(test, khttpd_tls_sniff(t->server), KHTTPD_SNIFF_TLS);
	KUNIT_ASSERT_EQ(test, kernel_recvmsg(t->server, &msg, &iov, 1, sizeof(got), MSG_DONTWAIT),
			(int)sizeof(hello));
	KUNIT_EXPECT_MEMEQ(test, got, hello, sizeof(hello));
}

/* Plain HTTP on the TLS port: nginx's 400, then the close is the caller's. */
static void khttpd_tls_test_sniff_plain(struct kunit *test)
{
	static const char want[] = "HTTP/1.1 400 Bad Request\r\n";
	struct khttpd_tls_test *t = test->priv;
	char got[512] = {};
	struct kvec iov = { .iov_base = got, .iov_len = sizeof(got) - 1 };
	struct msghdr msg = {};
	int n;

	khttpd_tls_test_send(test, t->client, "GET / HTTP/1.1\r\n\r\n", 18);
	KUNIT_EXPECT_EQ(test, khttpd_tls_test_sniff(t->server), KHTTPD_SNIFF_PLAIN);
	khttpd_tls_send_plain_400(t->server);
	n = kernel_recvmsg(t->client, &msg, &iov, 1, sizeof(got) - 1, 0);
	KUNIT_ASSERT_GT(test, n, (int)sizeof(want) - 1);
	KUNIT_EXPECT_MEMEQ(test, got, want, sizeof(want) - 1);
	KUNIT_EXPECT_NOT_NULL(test, strstr(got, "\r\n\r\nThe plain HTTP request was sent to HTTPS port"));
	/* Content-Length says what follows the head, exactly. */
	KUNIT_EXPECT_EQ(test, (int)strlen(strstr(got, "\r\n\r\n") + 4), 47);
}

static void khttpd_tls_test_sniff_gone(struct kunit *test)
{
	struct khttpd_tls_test *t = test->priv;

	kernel_sock_shutdown(t->client, SHUT_WR);
	KUNIT_EXPECT_EQ(test, khttpd_tls_test_sniff(t->server), KHTTPD_SNIFF_GONE);
}

/* A connected TCP socket without kernel TLS is not adopted. */
static void khttpd_tls_test_no_ktls(struct kunit *test)
{
	struct khttpd_tls_test *t = test->priv;

	KUNIT_EXPECT_FALSE(test, khttpd_sock_has_ktls(t->server->sk, NULL));
	KUNIT_EXPECT_EQ(test, khttpd_tls_check_sock(khttpd_net(&init_net), t->server, NULL),
			-EINVAL);
	/* Nor a listener. */
	KUNIT_EXPECT_EQ(test, khttpd_tls_check_sock(khttpd_net(&init_net), t->listener, NULL),
			-EINVAL);
}

/*
 * KHTTPD_IOC_ADOPT_RX_LATER: a socket with kernel TLS for sending only is
 * taken with a receive crypto_info of the same version and cipher, and
 * khttpd_tls_rx_on() turns receiving on from it once, wiping the keys; a
 * crypto_info the TLS layer refuses leaves the connection failed for good.
 */
static void khttpd_tls_test_rx_later(struct kunit *test)
{
	struct khttpd_tls_test *t = test->priv;
	struct tls12_crypto_info_aes_gcm_128 info = {
		.info = { .version = TLS_1_3_VERSION, .cipher_type = TLS_CIPHER_AES_GCM_128 },
		.key = { 1, 2, 3 },
	};
	struct tls12_crypto_info_aes_gcm_256 other = {
		.info = { .version = TLS_1_3_VERSION, .cipher_type = TLS_CIPHER_AES_GCM_256 },
	};
	struct socket *sock = t->server;
	struct kh_conn kc = { .sock = sock, .id = 1 };
	struct khttpd_tls *tls;
	static const u8 zero[KHTTPD_ADOPT_RX_INFO_MAX];

	tls = kunit_kzalloc(test, sizeof(*tls), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tls);
	kc.tls = tls;
	KUNIT_ASSERT_EQ(test, sock->ops->setsockopt(sock, SOL_TCP, TCP_ULP,
						    KERNEL_SOCKPTR("tls"), 3), 0);
	KUNIT_ASSERT_EQ(test, sock->ops->setsockopt(sock, SOL_TLS, TLS_TX, KERNEL_SOCKPTR(&info),
						    sizeof(info)), 0);
	/* Sending only: not for KHTTPD_IOC_ADOPT, and for RX_LATER only
	 * with the sending side's cipher. */
	KUNIT_EXPECT_FALSE(test, khttpd_sock_has_ktls(sock->sk, NULL));
	KUNIT_EXPECT_TRUE(test, khttpd_sock_has_ktls(sock->sk, &info.info));
	KUNIT_EXPECT_FALSE(test, khttpd_sock_has_ktls(sock->sk, &other.info));
	KUNIT_EXPECT_EQ(test, khttpd_tls_check_sock(khttpd_net(&init_net), sock, &info.info), 0);

	/* Nothing to set: a no-op. */
	KUNIT_EXPECT_EQ(test, khttpd_tls_rx_on(&kc), 0);
	KUNIT_EXPECT_FALSE(test, khttpd_tls_rx_raw(tls));

	/* Refused by the TLS layer (another cipher than sending's). */
	memcpy(tls->rx_info, &other, sizeof(other));
	tls->rx_info_len = sizeof(other);
	KUNIT_EXPECT_TRUE(test, khttpd_tls_rx_raw(tls));
	KUNIT_EXPECT_EQ(test, khttpd_tls_rx_on(&kc), -EINVAL);
	KUNIT_EXPECT_EQ(test, memcmp(tls->rx_info, zero, sizeof(zero)), 0);
	KUNIT_EXPECT_TRUE(test, khttpd_tls_rx_raw(tls));
	KUNIT_EXPECT_EQ(test, khttpd_tls_rx_on(&kc), -EINVAL); /* for good */
	KUNIT_EXPECT_FALSE(test, khttpd_sock_has_ktls(sock->sk, NULL));

	/* Set from the crypto_info given, once. */
	tls->rx_error = 0;
	memcpy(tls->rx_info, &info, sizeof(info));
	tls->rx_info_len = sizeof(info);
	KUNIT_EXPECT_EQ(test, khttpd_tls_rx_on(&kc), 0);
	KUNIT_EXPECT_FALSE(test, khttpd_tls_rx_raw(tls));
	KUNIT_EXPECT_EQ(test, memcmp(tls->rx_info, zero, sizeof(zero)), 0);
	KUNIT_EXPECT_TRUE(test, khttpd_sock_has_ktls(sock->sk, NULL));
	KUNIT_EXPECT_FALSE(test, khttpd_sock_has_ktls(sock->sk, &info.info));
	KUNIT_EXPECT_EQ(test, khttpd_tls_rx_on(&kc), 0);
}

static struct kunit_case khttpd_tls_test_cases[] = {
	KUNIT_CASE(khttpd_tls_test_sniff_wait),
	KUNIT_CASE(khttpd_tls_test_sniff_handshake),
	KUNIT_CASE(khttpd_tls_test_sniff_plain),
	KUNIT_CASE(khttpd_tls_test_sniff_gone),
	KUNIT_CASE(khttpd_tls_test_no_ktls),
	KUNIT_CASE(khttpd_tls_test_rx_later),
	{}
};

static struct kunit_suite khttpd_tls_test_suite = {
	.name = "khttpd_tls",
	.init = khttpd_tls_test_init,
	.exit = khttpd_tls_test_exit,
	.test_cases = khttpd_tls_test_cases,
};

kunit_test_suite(khttpd_tls_test_suite);
