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
