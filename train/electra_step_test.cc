#include "train/electra_step.h"

#include "gtest/gtest.h"

namespace electra {
namespace {

TEST(ElectraStepTest, GumbelMaxFollowsTheSoftmax) {
  torch::manual_seed(0);
  auto logits = torch::tensor({{{0.0f, std::log(3.0f)}}}).expand({1, 20000, 2}).contiguous();  // p = (1/4, 3/4)
  auto sampled = SampleTokens(logits, torch::rand({1, 20000, 2}), 1.0);
  EXPECT_NEAR(sampled.to(torch::kFloat32).mean().item<double>(), 0.75, 0.015);
}

// pretrain_helpers.scatter_update: a position named by several used slots gets floor(sum /
// count) of their samples; unused slots (weight 0, position 0) change nothing.
TEST(ElectraStepTest, ReplaceTokensAveragesDuplicatePositionsAsTheOfficialScatter) {
  auto ids = torch::tensor({{101, 10, 11, 12, 102}, {101, 20, 21, 22, 102}}, torch::kInt64);
  auto positions = torch::tensor({{1, 3, 1}, {2, 0, 0}}, torch::kInt64);
  auto weights = torch::tensor({{1.0f, 1.0f, 1.0f}, {1.0f, 0.0f, 0.0f}});
  auto sampled = torch::tensor({{7, 30, 12}, {5, 99, 98}}, torch::kInt64);
  auto fake = ReplaceTokens(ids, positions, weights, sampled);
  auto want = torch::tensor({{101, 9, 11, 30, 102}, {101, 20, 5, 22, 102}}, torch::kInt64);  // (7 + 12) / 2 = 9
  EXPECT_TRUE(torch::equal(fake, want)) << fake;
}

TEST(ElectraStepTest, LabelsMarkReplacedTokensOnlyAndLossesAreFinite) {
  torch::manual_seed(1);
  ElectraConfig dc = *DiscriminatorPreset("tiny", 50);
  dc.max_position_embeddings = 16;
  Discriminator d(dc);
  Generator g(GeneratorConfig(dc, 0.5), d->electra->embeddings);
  StreamBatch sb;
  for (int i = 0; i < 4; ++i) {
    PretrainingExample e;
    for (int t = 0; t < 16; ++t) {
      e.input_ids.push_back(t == 0 ? 1 : (t == 11 ? 2 : (t < 12 ? 5 + (t * 7 + i) % 40 : 0)));
      e.input_mask.push_back(t < 12);
      e.segment_ids.push_back(0);
    }
    sb.examples.push_back(e);
    sb.positions.push_back(i);
  }
  MaskingOptions mo;
  mo.cls_id = 1;
  mo.sep_id = 2;
  mo.mask_id = 3;
  mo.max_predictions = 2;
  DeviceBatch b = ToDevice(MaskBatch(sb, mo), torch::kCPU);
  StepStats s = ElectraForward(g, d, b, torch::rand({4, 2, 50}), ObjectiveOptions{});
  EXPECT_TRUE(std::isfinite(s.gen_sum.item<double>()));
  EXPECT_TRUE(std::isfinite(s.disc_sum.item<double>()));
  EXPECT_EQ(s.gen_count.item<double>(), 8.0);
  EXPECT_EQ(s.disc_count.item<double>(), 48.0);
  EXPECT_LE(s.replaced.item<double>(), 8.0);  // only masked positions can be replaced
  EXPECT_EQ(s.true_pos.item<double>() + s.false_neg.item<double>(), s.replaced.item<double>());
  // Gradients reach both towers and the shared embeddings.
  (s.gen_sum + 50 * s.disc_sum).backward();
  EXPECT_GT(d->discriminator_predictions->dense->weight.grad().abs().sum().item<double>(), 0);
  EXPECT_GT(g->generator_predictions->dense->weight.grad().abs().sum().item<double>(), 0);
  EXPECT_GT(d->electra->embeddings->word_embeddings->weight.grad().abs().sum().item<double>(), 0);
}

}  // namespace
}  // namespace electra
