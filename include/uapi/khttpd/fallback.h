/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The hand-over protocol between khttpd.ko and its userspace daemon
 * (khttpd-fallbackd). Shared by the module (C) and the daemon (C++); it
 * includes only uapi headers, so it compiles in both worlds.
 *
 * Registration:
 *   1. The daemon makes socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv).
 *   2. It opens KHTTPD_FALLBACK_CONTROL (root / CAP_NET_ADMIN only) and,
 *      from a thread of its own, calls ioctl(ctl, KHTTPD_IOC_SERVE, &sv[1]).
 *      That call does not return while the daemon is registered: the thread
 *      is the module's courier. It returns -1 with errno EINTR (a signal),
 *      ESHUTDOWN (the module is stopping or being unloaded; register again
 *      later), EBUSY (another daemon is registered), EPERM, EBADF or
 *      EINVAL (sv[1] is not an AF_UNIX SOCK_SEQPACKET socket).
 *   3. The daemon reads sv[0]. Every handed-over connection arrives as one
 *      SEQPACKET message: a struct khttpd_handover, then data_len bytes,
 *      with exactly one file descriptor in an SCM_RIGHTS control message:
 *      the client's TCP socket, connected, blocking, close-on-exec.
 *
 * The data bytes are what the kernel read from the client and did not
 * answer: the request being handed over (complete head, maybe part of its
 * body) and anything pipelined behind it. They come first; the rest of the
 * stream is read from the socket. Requests the kernel answered on the same
 * connection before the hand-over are not repeated (requests_served counts
 * them). From the hand-over on, the connection belongs to userspace.
 *
 * HTTPS (docs/tls.md):
 *   - A connection on tls_port whose first byte starts a TLS handshake
 *     record arrives with reason KHTTPD_HANDOVER_TLS and data_len 0: the
 *     kernel only peeked, the ClientHello is still in the socket.
 *   - After the handshake, the daemon may give the connection back with
 *     ioctl(ctl, KHTTPD_IOC_ADOPT, &adopt) on any open control file, once
 *     kernel TLS is on for both directions (setsockopt SOL_TLS TLS_TX and
 *     TLS_RX). The kernel then serves it as any other; on success it holds
 *     its own reference and the daemon closes its descriptor without a TLS
 *     shutdown. On failure the connection stays the daemon's: EPERM,
 *     EBADF, ENOTSOCK, EINVAL (not a connected TCP socket of this
 *     namespace, kernel TLS not on for both directions, bad lengths or
 *     flags), ESHUTDOWN (no server running), EAGAIN (a connection limit),
 *     EFAULT, ENOMEM.
 *   - Or, for TLS 1.3 with the client's first request already read by
 *     OpenSSL: ioctl(ctl, KHTTPD_IOC_ADOPT_RX_LATER, &later), kernel TLS on
 *     for sending only. The kernel sets receiving itself, from the
 *     crypto_info given (what setsockopt SOL_TLS TLS_RX takes, its record
 *     sequence the number of records OpenSSL read), the first time it needs
 *     more than the plaintext given: a Connection: close request never
 *     costs the receive side's set-up and its decryption in the kernel. It
 *     wipes the keys once set, or with the connection. The errors are
 *     those of KHTTPD_IOC_ADOPT (EINVAL also for receiving already on, or
 *     a crypto_info whose version or cipher is not the sending side's).
 *   - A later request on it that the kernel does not serve comes back with
 *     KHTTPD_HANDOVER_F_TLS in flags: the socket still has kernel TLS on
 *     (read and write plaintext; a non-data record, such as an alert, makes
 *     read() fail with EIO: use recvmsg() with a TLS_GET_RECORD_TYPE control
 *     message), and after the header come info_len bytes, exactly the info
 *     given to KHTTPD_IOC_ADOPT, then data_len bytes of plaintext.
 */
#ifndef KHTTPD_FALLBACK_H
#define KHTTPD_FALLBACK_H

#include <linux/ioctl.h>
#include <linux/types.h>

#include "handover_reason.h" /* enum khttpd_handover_reason */

#define KHTTPD_FALLBACK_CONTROL "/proc/net/khttpd/fallback"

#define KHTTPD_HANDOVER_MAGIC 0x6b687464u /* "khtd" */
#define KHTTPD_HANDOVER_VERSION 1

/* The largest data_len the module sends (its max_header_size limit). */
#define KHTTPD_HANDOVER_DATA_MAX 65536u

struct khttpd_handover {
	__u32 magic;       /* KHTTPD_HANDOVER_MAGIC */
	__u16 version;     /* KHTTPD_HANDOVER_VERSION */
	__u16 header_len;  /* sizeof(struct khttpd_handover); data follows it */
	__u32 data_len;    /* bytes after the header */
	__u32 reason;      /* enum khttpd_handover_reason */
	__u64 conn_id;     /* the module's number for this connection (logs) */
	__u32 requests_served; /* answered by the kernel before the hand-over */
	__u16 flags;       /* KHTTPD_HANDOVER_F_* */
	__u16 info_len;    /* bytes of adoption info between header and data */
};

/* The socket has kernel TLS on; info_len bytes of adoption info follow. */
#define KHTTPD_HANDOVER_F_TLS 0x0001

/* The most info one adoption may carry. */
#define KHTTPD_ADOPT_INFO_MAX 512u

/* KHTTPD_IOC_ADOPT's argument. */
struct khttpd_adopt {
	__s32 fd;          /* the client's TCP socket, kernel TLS on both ways */
	__u32 flags;       /* 0 */
	__u64 data;        /* pointer: plaintext already read from the client,
			    * parsed before anything the socket gives */
	__u32 data_len;    /* at most KHTTPD_HANDOVER_DATA_MAX */
	__u32 info_len;    /* at most KHTTPD_ADOPT_INFO_MAX */
	__u64 info;        /* pointer: opaque bytes (the daemon's record of the
			    * handshake) returned with every later hand-over */
	__u64 conn_id;     /* out: the kernel's number for the connection */
};

/* The largest crypto_info KHTTPD_IOC_ADOPT_RX_LATER takes (the kernel's
 * struct tls12_crypto_info_* are at most 56 bytes). */
#define KHTTPD_ADOPT_RX_INFO_MAX 64u

/* KHTTPD_IOC_ADOPT_RX_LATER's argument. */
struct khttpd_adopt_rx_later {
	struct khttpd_adopt adopt; /* as for KHTTPD_IOC_ADOPT; kernel TLS
				    * on for sending only */
	__u64 rx_info;     /* pointer: the client's direction, as
			    * setsockopt(SOL_TLS, TLS_RX) takes it */
	__u32 rx_info_len; /* at most KHTTPD_ADOPT_RX_INFO_MAX */
	__u32 reserved;    /* 0 */
};

/* Argument: pointer to an int, the fd of the kernel's end of the socketpair. */
#define KHTTPD_IOC_SERVE _IOW('k', 0x01, int)
/* Gives a TLS connection back to the kernel (see above). */
#define KHTTPD_IOC_ADOPT _IOWR('k', 0x02, struct khttpd_adopt)
/* The same, the receive side's kernel TLS set by the kernel when needed. */
#define KHTTPD_IOC_ADOPT_RX_LATER _IOWR('k', 0x03, struct khttpd_adopt_rx_later)

#endif /* KHTTPD_FALLBACK_H */
