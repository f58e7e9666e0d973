/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Why the kernel handed a request to userspace: shared by the C++ core (which
 * decides), the module and the daemon (khttpd/fallback.h). Plain C, no
 * includes, so the core can use it without seeing a kernel header.
 */
#ifndef KHTTPD_HANDOVER_REASON_H
#define KHTTPD_HANDOVER_REASON_H

/* Why the kernel did not answer the request itself (for logs). */
enum khttpd_handover_reason {
	KHTTPD_HANDOVER_METHOD = 1,    /* not GET or HEAD */
	KHTTPD_HANDOVER_DYNAMIC = 2,   /* target matches the `dynamic` list */
	KHTTPD_HANDOVER_MISSING = 3,   /* no such file */
	KHTTPD_HANDOVER_FORBIDDEN = 4, /* permissions, dotfile, not a regular file */
	KHTTPD_HANDOVER_MIME = 5,      /* unknown type, sloppymime = 0 */
	KHTTPD_HANDOVER_RANGE = 6,     /* several byte ranges */
	KHTTPD_HANDOVER_OVERSIZE = 7,  /* request head above max_header_size */
	KHTTPD_HANDOVER_MALFORMED = 8, /* a request the kernel's parser refuses */
	KHTTPD_HANDOVER_BODY = 9,      /* GET/HEAD with a request body */
	KHTTPD_HANDOVER_TLS = 10,      /* a TLS ClientHello on tls_port */
};

#endif /* KHTTPD_HANDOVER_REASON_H */
