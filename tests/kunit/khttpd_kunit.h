/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the KUnit C glue (khttpd_kunit.c) and the C++ test bodies
 * (kunit_tests.cpp). The C++ side never sees a kernel header: it gets the
 * test as an opaque struct kunit * and reports through the C shims.
 */
#ifndef KHTTPD_KUNIT_H
#define KHTTPD_KUNIT_H

#ifdef __cplusplus
extern "C" {
#endif

struct kunit;

/* Fails the test with "@file:@line: @expr" unless @ok. */
void khttpd_kunit_expect(struct kunit *test, bool ok, const char *expr,
			 const char *file, int line);
/* As above, also printing @got and @want (byte strings). */
void khttpd_kunit_expect_bytes(struct kunit *test, bool ok, const char *got,
			       unsigned long got_len, const char *want,
			       unsigned long want_len, const char *expr,
			       const char *file, int line);

#define KHTTPD_KUNIT_CASES(X)                 \
	X(khttpd_kunit_parser_get)            \
	X(khttpd_kunit_parser_errors)         \
	X(khttpd_kunit_parser_every_prefix)   \
	X(khttpd_kunit_path_decode)           \
	X(khttpd_kunit_path_traversal)        \
	X(khttpd_kunit_date)                  \
	X(khttpd_kunit_mime)                  \
	X(khttpd_kunit_mime_table)            \
	X(khttpd_kunit_mime_table_big)        \
	X(khttpd_kunit_writer_overflow)       \
	X(khttpd_kunit_session_get)           \
	X(khttpd_kunit_session_head)          \
	X(khttpd_kunit_session_not_found)     \
	X(khttpd_kunit_session_forbidden)     \
	X(khttpd_kunit_session_redirect)      \
	X(khttpd_kunit_session_keep_alive)    \
	X(khttpd_kunit_session_split)         \
	X(khttpd_kunit_session_bad_requests)  \
	X(khttpd_kunit_session_partial_sends) \
	X(khttpd_kunit_session_handover)      \
	X(khttpd_kunit_date_parse)            \
	X(khttpd_kunit_etag)                  \
	X(khttpd_kunit_range_overflow)        \
	X(khttpd_kunit_preconditions)         \
	X(khttpd_kunit_session_range)         \
	X(khttpd_kunit_session_conditional)   \
	X(khttpd_kunit_accept_encoding)       \
	X(khttpd_kunit_session_variant)       \
	X(khttpd_kunit_session_variant_stale)

#define KHTTPD_KUNIT_DECLARE(name) void name(struct kunit *test);
KHTTPD_KUNIT_CASES(KHTTPD_KUNIT_DECLARE)
#undef KHTTPD_KUNIT_DECLARE

#ifdef __cplusplus
}
#endif

#endif /* KHTTPD_KUNIT_H */
