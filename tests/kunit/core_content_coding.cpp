// SPDX-License-Identifier: GPL-2.0
// khttpd_kunit.ko's own copy of the core: src/core/content_coding.cpp.
#include "../../src/core/content_coding.cpp"
