/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-width types shared by the C kernel layer and the C++ core.
 *
 * Built only from compiler-provided macros, so this header compiles
 * unchanged in the kernel (no libc, no libstdc++) and on the host.
 */
#ifndef KHTTPD_TYPES_H
#define KHTTPD_TYPES_H

typedef __UINT8_TYPE__ kh_u8;
typedef __UINT16_TYPE__ kh_u16;
typedef __UINT32_TYPE__ kh_u32;
typedef __UINT64_TYPE__ kh_u64;
typedef __INT32_TYPE__ kh_s32;
typedef __INT64_TYPE__ kh_s64;
typedef __SIZE_TYPE__ kh_size;

/* Linux errno values the core needs to tell apart (same on host and kernel). */
#define KH_ENOENT 2
#define KH_EINTR 4
#define KH_EIO 5
#define KH_EAGAIN 11
#define KH_ENOMEM 12
#define KH_EACCES 13
#define KH_EXDEV 18
#define KH_ENOTDIR 20
#define KH_EISDIR 21
#define KH_EINVAL 22
#define KH_EPIPE 32
#define KH_ENAMETOOLONG 36
#define KH_ELOOP 40
#define KH_ECONNRESET 104

/*
 * Longest Content-Type ("type/subtype") in bytes, for every MIME table: the
 * built-in one (src/core/mime.h), those loaded at run time
 * (khttpd/mime_table.h) and kh_mime_type()'s answer (khttpd/kapi.h).
 */
#define KH_MIME_TYPE_MAX 127

/* File type bits of kh_file_info.mode (POSIX S_IFMT values). */
#define KH_S_IFMT 0170000
#define KH_S_IFREG 0100000
#define KH_S_IFDIR 0040000

#endif /* KHTTPD_TYPES_H */
