/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MIME tables built from text in /etc/mime.types format, by the C++ core
 * (src/core/mime_table.cpp) for the kernel layer (src/kernel/mime_table.c).
 *
 * The text is lines of "type/subtype ext1 ext2 ...": words separated by
 * spaces or tabs, a word starting with '#' begins a comment that runs to
 * the end of the line, blank lines are skipped, a type with no extension is
 * ignored, and a later line overrides an earlier one for the same extension
 * (as nginx does). Checked strictly, since a type ends up in a response
 * header: a type is token "/" token (RFC 9110 tchar) of at most
 * KHTTPD_MIME_TYPE_MAX (127) bytes; an extension is 1..31 tchar bytes, not
 * starting with '.', stored lower case and matched in any case; no NUL or
 * CR anywhere in the text; at most 65536 extensions in all. One malformed line rejects the whole text.
 *
 * A table is immutable and lives in one block of memory that the caller
 * provides (aligned to 8 bytes); the core allocates nothing. The functions
 * neither sleep nor allocate; lookups are a binary search (O(log n)).
 */
#ifndef KHTTPD_MIME_TABLE_H
#define KHTTPD_MIME_TABLE_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct khttpd_mime_table;

#define KHTTPD_MIME_TYPE_MAX KH_MIME_TYPE_MAX /* bytes of a type (types.h) */
#define KHTTPD_MIME_EXT_MAX 31        /* bytes of an extension */
#define KHTTPD_MIME_ENTRIES_MAX 65536 /* extensions in one text */

/*
 * Bytes needed to build a table from @text (@len bytes, no NUL needed).
 * 0 if the text is malformed, with the number of its first bad line (from
 * 1) in *@err_line (if @err_line is not NULL). A text without any entry is
 * valid: it gives a table with no entries.
 */
kh_size khttpd_mime_table_size(const char *text, kh_size len, kh_u32 *err_line);

/*
 * Builds the table for @text in @mem (@size bytes, at least what
 * khttpd_mime_table_size() said, 8-byte aligned). Returns it (it starts at
 * @mem), or NULL if the text is malformed or @mem does not fit.
 */
const struct khttpd_mime_table *khttpd_mime_table_build(const char *text, kh_size len,
							 void *mem, kh_size size);

/* Distinct extensions in @t (NULL: the built-in table). */
kh_u32 khttpd_mime_table_count(const struct khttpd_mime_table *t);

/*
 * The type for file name @name (@name_len bytes; a path is fine) in @t
 * (NULL: the built-in table): points *@type at it and returns its length
 * (at most KHTTPD_MIME_TYPE_MAX), or returns 0 if the name has no
 * extension or an unknown one. The extension is what follows the last '.'
 * of the last path segment, unless that '.' starts the segment.
 */
kh_size khttpd_mime_table_lookup(const struct khttpd_mime_table *t, const char *name,
				 kh_size name_len, const char **type);

#ifdef __cplusplus
}
#endif

#endif /* KHTTPD_MIME_TABLE_H */
