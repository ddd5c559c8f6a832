#include "train/adamw.h"

#include <cmath>

#include "gtest/gtest.h"

namespace electra {
namespace {

TEST(AdamWTest, LearningRateWarmsUpAndDecaysTogether) {
  EXPECT_EQ(LearningRate(1.0, 0, 100, 10), 0.0);  // the official schedule starts at 0
  EXPECT_NEAR(LearningRate(1.0, 5, 100, 10), 0.5 * 0.95, 1e-12);
  EXPECT_NEAR(LearningRate(1.0, 10, 100, 10), 0.9, 1e-12);
  EXPECT_NEAR(LearningRate(2.0, 50, 100, 10), 1.0, 1e-12);
  EXPECT_EQ(LearningRate(1.0, 100, 100, 10), 0.0);
}

TEST(AdamWTest, WeightDecayExclusions) {
  EXPECT_TRUE(ExcludedFromWeightDecay("discriminator/electra.embeddings.LayerNorm.weight"));
  EXPECT_TRUE(ExcludedFromWeightDecay("generator/generator_lm_head.bias"));
  EXPECT_FALSE(ExcludedFromWeightDecay("discriminator/electra.encoder.layer.0.attention.self.query.weight"));
}

// One update by hand: Adam without bias correction, decoupled decay, clipping at norm 1.
TEST(AdamWTest, StepMatchesTheOfficialFormula) {
  torch::Tensor w = torch::tensor({1.0f, -2.0f}).set_requires_grad(true);
  torch::Tensor b = torch::tensor({0.5f}).set_requires_grad(true);
  std::vector<ParamGroup> groups = DecayGroups({{"w", w}, {"x.bias", b}}, 0.01);
  ASSERT_EQ(groups.size(), 2u);
  FlatAdamW opt(groups, AdamWOptions{});
  opt.ZeroGrad();
  (w * torch::tensor({3.0f, 4.0f})).sum().add(b.sum() * 0).backward();  // grad w = (3, 4), norm 5
  torch::Tensor norm = opt.Step(torch::tensor(0.1f));
  EXPECT_NEAR(norm.item<float>(), 5.0f, 1e-5);
  // clipped g = (0.6, 0.8); m = 0.1 g; v = 0.001 g^2; update = m / (sqrt(v) + 1e-6) + 0.01 w
  for (int i = 0; i < 2; ++i) {
    double g = (i == 0 ? 0.6 : 0.8), p = (i == 0 ? 1.0 : -2.0);
    double update = 0.1 * g / (std::sqrt(0.001 * g * g) + 1e-6) + 0.01 * p;
    EXPECT_NEAR(w[i].item<double>(), p - 0.1 * update, 1e-6) << i;
  }
  EXPECT_FLOAT_EQ(b.item<float>(), 0.5f);  // zero gradient, no decay on biases
}

TEST(AdamWTest, NonFiniteGradientSkipsTheUpdateAndCounts) {
  torch::Tensor w = torch::tensor({1.0f, 2.0f}).set_requires_grad(true);
  FlatAdamW opt(DecayGroups({{"w", w}}, 0.01), AdamWOptions{});
  opt.ZeroGrad();
  (w * 2).sum().backward();
  opt.Step(torch::tensor(0.1f));
  auto before = w.detach().clone();
  auto state_before = opt.StateTensors()[0].second.clone();
  opt.ZeroGrad();
  (w * std::numeric_limits<float>::quiet_NaN()).sum().backward();
  torch::Tensor norm = opt.Step(torch::tensor(0.1f));
  EXPECT_FALSE(std::isfinite(norm.item<float>()));
  EXPECT_TRUE(torch::equal(w.detach(), before));
  EXPECT_TRUE(torch::equal(opt.StateTensors()[0].second, state_before));
  EXPECT_EQ(opt.skipped_steps().item<int64_t>(), 1);
  EXPECT_EQ(opt.consecutive_skipped().item<int64_t>(), 1);
  opt.ZeroGrad();
  (w * 2).sum().backward();
  opt.Step(torch::tensor(0.1f));
  EXPECT_EQ(opt.consecutive_skipped().item<int64_t>(), 0);
  EXPECT_FALSE(torch::equal(w.detach(), before));
}

TEST(AdamWTest, StateRoundTrip) {
  torch::Tensor w = torch::randn({3, 2}).set_requires_grad(true);
  FlatAdamW opt(DecayGroups({{"w", w}}, 0.0), AdamWOptions{});
  opt.ZeroGrad();
  w.pow(2).sum().backward();
  opt.Step(torch::tensor(0.01f));
  std::map<std::string, torch::Tensor> saved;
  for (auto& [k, v] : opt.StateTensors()) saved[k] = v.clone();
  torch::Tensor w2 = torch::randn({3, 2}).set_requires_grad(true);
  FlatAdamW other(DecayGroups({{"w", w2}}, 0.0), AdamWOptions{});
  ASSERT_TRUE(other.LoadState(saved).ok());
  for (auto& [k, v] : other.StateTensors()) EXPECT_TRUE(torch::equal(v, saved[k])) << k;
  saved.erase("m/w");
  EXPECT_FALSE(other.LoadState(saved).ok());
}

}  // namespace
}  // namespace electra
