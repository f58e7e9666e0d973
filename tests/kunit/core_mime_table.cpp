// SPDX-License-Identifier: GPL-2.0
// khttpd_kunit.ko's own copy of the core: src/core/mime_table.cpp.
#include "../../src/core/mime_table.cpp"
