#include "base/progress.h"

#include <limits>

#include "gtest/gtest.h"

namespace electra {
namespace {

TEST(ProgressTest, WholeAmountsHaveNoDecimals) {
  EXPECT_EQ(Progress::FormatAmount(0), "0");
  EXPECT_EQ(Progress::FormatAmount(384), "384");
  EXPECT_EQ(Progress::FormatAmount(10000), "10000");
}

TEST(ProgressTest, FractionalAmountsKeepOneDecimal) {
  EXPECT_EQ(Progress::FormatAmount(12.34), "12.3");
  EXPECT_EQ(Progress::FormatAmount(0.25), "0.2");  // round-half-even of printf
  EXPECT_EQ(Progress::FormatAmount(std::numeric_limits<double>::infinity()), "inf");
}

TEST(ProgressTest, Durations) {
  EXPECT_EQ(Progress::FormatDuration(3.44), "3.4s");
  EXPECT_EQ(Progress::FormatDuration(123), "2m03s");
  EXPECT_EQ(Progress::FormatDuration(3723), "1h02m03s");
  EXPECT_EQ(Progress::FormatDuration(-1), "?");
}

}  // namespace
}  // namespace electra
