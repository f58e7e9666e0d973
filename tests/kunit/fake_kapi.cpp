// SPDX-License-Identifier: GPL-2.0
// The fake kapi (tests/fake), compiled into khttpd_kunit.ko.
#include "../fake/fake_kapi.cpp"
