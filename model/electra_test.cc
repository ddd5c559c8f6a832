#include "model/electra.h"

#include "base/file_util.h"
#include "gtest/gtest.h"
#include "model/model_dir.h"
#include "model/safetensors.h"

namespace electra {
namespace {

ElectraConfig Tiny(int vocab = 100) {
  ElectraConfig c = *DiscriminatorPreset("tiny", vocab);
  c.embedding_size = 32;  // E != H: embeddings_project exists
  c.max_position_embeddings = 64;
  return c;
}

TEST(ElectraTest, SmallHasThePublishedParameterCountAndHfNames) {
  torch::manual_seed(0);
  Discriminator d(*DiscriminatorPreset("small", 30522));
  // embeddings 30522*128 + 512*128 + 2*128 + 2*128; project 128*256 + 256;
  // 12 layers of 4*(256*256+256) + 2*512 + (256*1024+1024) + (1024*256+256); head 256*256+256 + 256+1
  int64_t expected = (30522 + 512 + 2) * 128 + 256 + (128 * 256 + 256) +
                     12 * (4 * (256 * 256 + 256) + 2 * 512 + (256 * 1024 + 1024) + (1024 * 256 + 256)) +
                     (256 * 256 + 256) + (256 + 1);
  EXPECT_EQ(CountParameters(*d), expected);
  EXPECT_EQ(expected, 13549057);  // "about 13.5M", as google/electra-small-discriminator
  auto names = d->named_parameters();
  for (const char* key : {"electra.embeddings.word_embeddings.weight", "electra.embeddings.LayerNorm.weight",
                          "electra.embeddings_project.weight", "electra.encoder.layer.11.attention.self.query.weight",
                          "electra.encoder.layer.0.attention.output.LayerNorm.bias",
                          "electra.encoder.layer.3.intermediate.dense.weight", "electra.encoder.layer.3.output.dense.bias",
                          "discriminator_predictions.dense.weight", "discriminator_predictions.dense_prediction.bias"}) {
    EXPECT_NE(names.find(key), nullptr) << key;
  }
}

TEST(ElectraTest, GeneratorSharesEmbeddingsAndTiesItsOutputLayer) {
  ElectraConfig dc = Tiny();
  Discriminator d(dc);
  Generator g(GeneratorConfig(dc, 0.5), d->electra->embeddings);
  EXPECT_EQ(g->electra->embeddings->word_embeddings->weight.data_ptr(),
            d->electra->embeddings->word_embeddings->weight.data_ptr());
  EXPECT_NE(g->named_parameters().find("generator_lm_head.bias"), nullptr);
  EXPECT_EQ(g->named_parameters().find("generator_lm_head.weight"), nullptr);
  auto ids = torch::randint(0, 100, {3, 10}, torch::kLong);
  auto mask = torch::ones({3, 10}, torch::kLong);
  auto types = torch::zeros({3, 10}, torch::kLong);
  EXPECT_EQ(g(ids, mask, types).sizes(), (std::vector<int64_t>{3, 10, 100}));
  EXPECT_EQ(d(ids, mask, types).sizes(), (std::vector<int64_t>{3, 10}));
  // Logits of selected positions equal the full logits there.
  g->eval();
  auto hidden = g->Hidden(ids, mask, types);
  auto full = g->Logits(hidden);
  auto some = g->Logits(hidden.index({torch::tensor({0, 2}), torch::tensor({4, 7})}));
  EXPECT_TRUE(torch::allclose(some[1], full[2][7], 1e-5, 1e-6));
}

TEST(ElectraTest, PaddingDoesNotChangeRealPositionsInEval) {
  torch::manual_seed(1);
  Discriminator d(Tiny());
  d->eval();
  auto ids = torch::randint(1, 100, {1, 6}, torch::kLong);
  auto padded = torch::cat({ids, torch::zeros({1, 4}, torch::kLong)}, 1);
  auto mask = torch::cat({torch::ones({1, 6}, torch::kLong), torch::zeros({1, 4}, torch::kLong)}, 1);
  auto a = d(ids, torch::ones({1, 6}, torch::kLong), torch::zeros({1, 6}, torch::kLong));
  auto b = d(padded, mask, torch::zeros({1, 10}, torch::kLong));
  EXPECT_TRUE(torch::allclose(a, b.slice(1, 0, 6), 1e-5, 1e-5));
}

TEST(ElectraTest, InitializationFollowsTheOfficialRecipe) {
  torch::manual_seed(2);
  Discriminator d(*DiscriminatorPreset("small", 30522));
  InitializeWeights(*d, 0.02, InitStyle::kTruncatedNormal);
  auto w = d->electra->embeddings->word_embeddings->weight;
  EXPECT_NEAR(w.std().item<double>(), 0.0176, 0.001);  // truncated at 2 std: 0.02 * 0.88
  EXPECT_LE(w.abs().max().item<double>(), 0.04 + 1e-6);
  EXPECT_EQ(d->discriminator_predictions->dense->bias.abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(d->electra->embeddings->LayerNorm->weight, torch::ones({128})));
}

TEST(ElectraTest, ModelDirectoryRoundTripAndLoadErrors) {
  torch::manual_seed(3);
  ElectraConfig c = Tiny();
  Discriminator d(c);
  std::string dir = JoinPath(testing::TempDir(), "disc");
  ASSERT_TRUE(SaveModelDir(dir, c, *d).ok());
  EXPECT_TRUE(PathExists(dir + "/config.json"));
  Discriminator e(*ReadModelConfig(dir));
  ASSERT_TRUE(LoadModelDir(dir, *e).ok());
  for (const auto& p : d->named_parameters()) EXPECT_TRUE(torch::equal(p.value(), e->named_parameters()[p.key()]));

  // A classifier takes the backbone; the discriminator head is ignored, its own head is fresh.
  Classifier cls(c, 2, 0.1);
  LoadOptions o;
  o.ignore_prefixes = {"discriminator_predictions."};
  o.allow_missing_prefixes = {"classifier."};
  EXPECT_TRUE(LoadModelDir(dir, *cls, o).ok());

  // Missing, unexpected, mis-shaped.
  Classifier strict(c, 2, 0.1);
  auto extra = LoadModelDir(dir, *strict, LoadOptions{{}, {"classifier."}, ""});
  EXPECT_NE(extra.message().find("unexpected tensor(s), e.g. 'discriminator_predictions."), std::string::npos) << extra;
  ElectraConfig deeper = c;
  deeper.num_hidden_layers = 3;
  Discriminator three(deeper);
  auto missing = LoadModelDir(dir, *three);
  EXPECT_NE(missing.message().find("missing tensor(s), e.g. 'electra.encoder.layer.2."), std::string::npos) << missing;
  ElectraConfig wider = c;
  wider.intermediate_size = 128;
  Discriminator w(wider);
  auto shape = LoadModelDir(dir, *w);
  EXPECT_NE(shape.message().find("has shape [256] but the model expects [128]"), std::string::npos) << shape;
  // A truncated weights file.
  std::string bytes = *ReadFile(dir + "/model.safetensors");
  ASSERT_TRUE(WriteFileAtomically(dir + "/model.safetensors", bytes.substr(0, bytes.size() / 2)).ok());
  auto cut = LoadModelDir(dir, *e);
  EXPECT_NE(cut.message().find("model.safetensors"), std::string::npos);
  EXPECT_EQ(cut.code(), absl::StatusCode::kDataLoss) << cut;
}

}  // namespace
}  // namespace electra
