// SPDX-License-Identifier: GPL-2.0
// khttpd_kunit.ko's own copy of the core: src/core/etag.cpp.
#include "../../src/core/etag.cpp"
