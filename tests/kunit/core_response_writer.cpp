// SPDX-License-Identifier: GPL-2.0
// khttpd_kunit.ko's own copy of the core: src/core/response_writer.cpp.
#include "../../src/core/response_writer.cpp"
