// SPDX-License-Identifier: GPL-2.0
// khttpd_kunit.ko's own copy of the core: src/core/dynamic_list.cpp.
#include "../../src/core/dynamic_list.cpp"
