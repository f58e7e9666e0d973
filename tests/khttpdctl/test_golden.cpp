// SPDX-License-Identifier: GPL-2.0
// The binary's output for each recorded tree against the golden files in
// data/TREE/expected/ (status.txt, status.json, metrics.prom). After an
// intended change: KHTTPDCTL_UPDATE_GOLDEN=1 ctest ..., then read the diff.
#include "test_support.h"

#include <gtest/gtest.h>

namespace khttpdctl {
namespace {

class Golden : public ::testing::TestWithParam<const char*> {};

TEST_P(Golden, StatusText)
{
	test::CtlRun r = test::run_ctl({"--proc", test::data_dir(GetParam()) + "/proc", "status",
				      "--no-rates"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	EXPECT_EQ(r.err, "");
	test::expect_golden(GetParam(), "status.txt", r.out);
}

TEST_P(Golden, StatusJson)
{
	test::CtlRun r = test::run_ctl({"status", "--json", "--no-rates", "--proc",
				      test::data_dir(GetParam()) + "/proc"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	test::expect_golden(GetParam(), "status.json", r.out);
}

TEST_P(Golden, Metrics)
{
	test::CtlRun r = test::run_ctl({"--proc", test::data_dir(GetParam()) + "/proc", "metrics"});
	EXPECT_EQ(r.exit_code, 0) << r.err;
	test::expect_golden(GetParam(), "metrics.prom", r.out);
}

INSTANTIATE_TEST_SUITE_P(Trees, Golden,
			 ::testing::Values("running-4-workers", "running-1-worker-no-daemon",
					   "stopped", "future-and-garbage"),
			 [](const auto& info) {
				 std::string n = info.param;
				 for (char& c : n)
					 if (c == '-')
						 c = '_';
				 return n;
			 });

} // namespace
} // namespace khttpdctl
