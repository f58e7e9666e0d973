/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the freestanding C++ test cases (core_cases.cpp) and their runner
 * (test_core_cases.cpp, GoogleTest). The cases see no test framework: they
 * get an opaque struct core_case * and report through the two functions
 * below.
 */
#ifndef KHTTPD_TESTS_CORE_CASES_H
#define KHTTPD_TESTS_CORE_CASES_H

#ifdef __cplusplus
extern "C" {
#endif

struct core_case;

/* Fails the test with "@file:@line: @expr" unless @ok. */
void core_case_expect(struct core_case *test, bool ok, const char *expr,
			 const char *file, int line);
/* As above, also printing @got and @want (byte strings). */
void core_case_expect_bytes(struct core_case *test, bool ok, const char *got,
			       unsigned long got_len, const char *want,
			       unsigned long want_len, const char *expr,
			       const char *file, int line);

#define CORE_CASES(X)                 \
	X(core_case_parser_get)            \
	X(core_case_parser_errors)         \
	X(core_case_parser_every_prefix)   \
	X(core_case_path_decode)           \
	X(core_case_path_traversal)        \
	X(core_case_date)                  \
	X(core_case_mime)                  \
	X(core_case_mime_table)            \
	X(core_case_mime_table_big)        \
	X(core_case_writer_overflow)       \
	X(core_case_session_get)           \
	X(core_case_session_head)          \
	X(core_case_session_not_found)     \
	X(core_case_session_forbidden)     \
	X(core_case_session_redirect)      \
	X(core_case_session_keep_alive)    \
	X(core_case_session_split)         \
	X(core_case_session_bad_requests)  \
	X(core_case_session_partial_sends) \
	X(core_case_session_handover)      \
	X(core_case_date_parse)            \
	X(core_case_etag)                  \
	X(core_case_range_overflow)        \
	X(core_case_preconditions)         \
	X(core_case_session_range)         \
	X(core_case_session_conditional)   \
	X(core_case_accept_encoding)       \
	X(core_case_session_variant)       \
	X(core_case_session_variant_stale)

#define CORE_CASE_DECLARE(name) void name(struct core_case *test);
CORE_CASES(CORE_CASE_DECLARE)
#undef CORE_CASE_DECLARE

#ifdef __cplusplus
}
#endif

#endif /* KHTTPD_TESTS_CORE_CASES_H */
