#include "model/fast_dropout.h"

#include <ATen/Parallel.h>

#include "gtest/gtest.h"

namespace electra {
namespace {

TEST(FastDropoutTest, KeepsOneMinusPAndScalesTheKept) {
  for (double p : {0.1, 0.5}) {
    torch::Tensor m = DropoutMask(1 << 20, p, 12345, torch::kFloat32);
    torch::Tensor kept = m > 0;
    double fraction = kept.to(torch::kFloat64).mean().item<double>();
    EXPECT_NEAR(fraction, 1 - p, 0.002) << p;  // 1M draws: std ~0.0005
    EXPECT_TRUE(torch::allclose(m.masked_select(kept), torch::full({1}, 1 / (1 - p))));
    // Neighbours are independent: both dropped about p^2 of the time (a hash with no mixing of
    // the index would drop runs).
    torch::Tensor dropped = (m == 0).to(torch::kFloat64);
    double both = (dropped.narrow(0, 0, (1 << 20) - 1) * dropped.narrow(0, 1, (1 << 20) - 1)).mean().item<double>();
    EXPECT_NEAR(both, p * p, 0.003) << p;
  }
}

TEST(FastDropoutTest, DeterministicForAKeyAndIndependentOfThreads) {
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  torch::Tensor one = DropoutMask(300000, 0.1, 7, torch::kFloat32);
  at::set_num_threads(2);
  torch::Tensor two = DropoutMask(300000, 0.1, 7, torch::kFloat32);
  at::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one, two));
  EXPECT_FALSE(torch::equal(one, DropoutMask(300000, 0.1, 8, torch::kFloat32)));
  // The same for bf16 (scale rounded to bf16).
  torch::Tensor b = DropoutMask(300000, 0.1, 7, torch::kBFloat16);
  EXPECT_TRUE(torch::equal(b > 0, one > 0));
}

TEST(FastDropoutTest, FollowsTheSeedAndTheGradientIsTheMask) {
  torch::manual_seed(3);
  torch::Tensor x = torch::randn({64, 33}, torch::requires_grad());
  torch::manual_seed(11);
  torch::Tensor y = FastDropout(x, 0.25, true);
  torch::manual_seed(11);
  torch::Tensor again = FastDropout(x, 0.25, true);
  EXPECT_TRUE(torch::equal(y, again));  // the key comes from the seeded default generator
  torch::Tensor next = FastDropout(x, 0.25, true);
  EXPECT_FALSE(torch::equal(y, next));  // ... and advances it
  y.sum().backward();
  torch::Tensor kept = y.detach() != 0;
  EXPECT_TRUE(torch::allclose(x.grad(), kept.to(torch::kFloat32) / 0.75));
  EXPECT_TRUE(torch::allclose(y.detach().masked_select(kept), x.detach().masked_select(kept) / 0.75));
  // Off in eval, for p = 0, and on non-contiguous inputs it follows the logical layout.
  EXPECT_TRUE(FastDropout(x, 0.25, false).is_same(x));
  EXPECT_TRUE(FastDropout(x, 0.0, true).is_same(x));
  torch::Tensor t = x.detach().t();
  torch::manual_seed(5);
  torch::Tensor yt = FastDropout(t, 0.25, true);
  torch::manual_seed(5);
  torch::Tensor yc = FastDropout(t.contiguous(), 0.25, true);
  EXPECT_TRUE(torch::equal(yt, yc));
}

}  // namespace
}  // namespace electra
