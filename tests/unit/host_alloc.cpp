// SPDX-License-Identifier: GPL-2.0
// Host-only kh_alloc/kh_free for the unit tests (the kernel module and the
// KUnit module provide their own, with kmalloc).
#include <cstdlib>

#include "khttpd/kapi.h"

extern "C" void *kh_alloc(kh_size size)
{
	return std::malloc(size);
}

extern "C" void kh_free(void *ptr)
{
	std::free(ptr);
}
