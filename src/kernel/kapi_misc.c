// SPDX-License-Identifier: GPL-2.0
/*
 * Time and memory for the core.
 */
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "handover.h"
#include "kapi_kernel.h"
#include "server_internal.h"

kh_s64 kh_now_seconds(void)
{
	return ktime_get_real_seconds();
}

void *kh_alloc(kh_size size)
{
	return kmalloc(size, GFP_KERNEL);
}

void kh_free(void *ptr)
{
	kfree(ptr);
}

bool kh_conn_daemon_ready(struct kh_conn *conn)
{
	return khttpd_fallback_daemon(khttpd_kc_server(conn)->fb) != 0;
}
