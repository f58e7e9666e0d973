// SPDX-License-Identifier: GPL-2.0
// Rates from two samples.
#include "rates.h"

#include <gtest/gtest.h>

namespace khttpdctl {
namespace {

Status sample(std::uint64_t requests, std::uint64_t bytes, std::uint64_t accepts,
	      std::uint64_t handovers)
{
	Status s;
	s.requests = requests;
	s.bytes_sent = bytes;
	s.accepts = accepts;
	s.handovers = handovers;
	return s;
}

TEST(Rates, DifferenceOverTime)
{
	Rates r = compute_rates(sample(100, 1000, 10, 1), sample(350, 9000, 30, 5), 2.0);
	EXPECT_DOUBLE_EQ(r.seconds, 2.0);
	EXPECT_DOUBLE_EQ(*r.requests, 125.0);
	EXPECT_DOUBLE_EQ(*r.bytes, 4000.0);
	EXPECT_DOUBLE_EQ(*r.accepts, 10.0);
	EXPECT_DOUBLE_EQ(*r.handovers, 2.0);
}

TEST(Rates, NothingMovedIsZero)
{
	Rates r = compute_rates(sample(5, 5, 5, 5), sample(5, 5, 5, 5), 0.5);
	EXPECT_DOUBLE_EQ(*r.requests, 0.0);
	EXPECT_DOUBLE_EQ(*r.bytes, 0.0);
}

TEST(Rates, ACounterThatWentDownHasNoRate)
{
	// The module was reloaded between the samples.
	Rates r = compute_rates(sample(500, 9000, 10, 1), sample(20, 100, 30, 5), 1.0);
	EXPECT_FALSE(r.requests);
	EXPECT_FALSE(r.bytes);
	EXPECT_DOUBLE_EQ(*r.accepts, 20.0);
}

TEST(Rates, MissingCountersAndNoTimeHaveNoRate)
{
	Status a = sample(1, 1, 1, 1), b;
	b.requests = 3;
	Rates r = compute_rates(a, b, 1.0);
	EXPECT_DOUBLE_EQ(*r.requests, 2.0);
	EXPECT_FALSE(r.bytes);
	EXPECT_FALSE(compute_rates(a, a, 0.0).requests);
}

TEST(Rates, HugeCountersDoNotOverflow)
{
	Rates r = compute_rates(sample(0, 0, 0, 0), sample(UINT64_MAX, UINT64_MAX, 0, 0), 1.0);
	EXPECT_DOUBLE_EQ(*r.requests, static_cast<double>(UINT64_MAX));
}

} // namespace
} // namespace khttpdctl
