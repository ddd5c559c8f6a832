#include "model/config.h"

#include "base/file_util.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

TEST(ConfigTest, SmallPresetMatchesTheReleasedDiscriminatorConfig) {
  auto released = ReadConfig("data/models/electra-small-discriminator/config.json");
  ASSERT_TRUE(released.ok()) << released.status();
  auto preset = DiscriminatorPreset("small", 30522);
  ASSERT_TRUE(preset.ok());
  EXPECT_EQ(released->hidden_size, preset->hidden_size);
  EXPECT_EQ(released->embedding_size, preset->embedding_size);
  EXPECT_EQ(released->num_hidden_layers, preset->num_hidden_layers);
  EXPECT_EQ(released->num_attention_heads, preset->num_attention_heads);
  EXPECT_EQ(released->intermediate_size, preset->intermediate_size);
  EXPECT_EQ(released->vocab_size, 30522);
  EXPECT_EQ(released->max_position_embeddings, 512);
}

TEST(ConfigTest, GeneratorIsAQuarterForSmallAThirdForBase) {
  auto small = *DiscriminatorPreset("small", 30522);
  ElectraConfig g = GeneratorConfig(small, DefaultGeneratorFraction("small"));
  EXPECT_EQ(g.hidden_size, 64);
  EXPECT_EQ(g.num_attention_heads, 1);
  EXPECT_EQ(g.intermediate_size, 256);
  EXPECT_EQ(g.num_hidden_layers, 12);
  EXPECT_EQ(g.embedding_size, 128);
  auto base = *DiscriminatorPreset("base", 30522);
  ElectraConfig gb = GeneratorConfig(base, DefaultGeneratorFraction("base"));
  EXPECT_EQ(gb.hidden_size, 256);
  EXPECT_EQ(gb.num_attention_heads, 4);
  auto large = *DiscriminatorPreset("large", 30522);
  EXPECT_EQ(GeneratorConfig(large, 0.25).hidden_size, 256);
  EXPECT_FALSE(DiscriminatorPreset("huge", 10).ok());
}

TEST(ConfigTest, JsonRoundTrip) {
  auto c = *DiscriminatorPreset("tiny", 1000);
  c.hidden_dropout_prob = 0.0;
  auto back = ConfigFromJson(ConfigToJson(c), "test");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(*back == c);
  EXPECT_NE(ConfigToJson(c).find("\"model_type\": \"electra\""), std::string::npos);
}

TEST(ConfigTest, BadConfigsNameTheProblem) {
  EXPECT_NE(ConfigFromJson("{", "c.json").status().message().find("c.json: not a JSON object"),
            std::string::npos);
  EXPECT_NE(ConfigFromJson(R"({"model_type": "bert"})", "c.json").status().message().find("not \"electra\""),
            std::string::npos);
  EXPECT_NE(ConfigFromJson(R"({"vocab_size": 10})", "c.json").status().message().find("missing \"hidden_size\""),
            std::string::npos);
  auto bad_heads = ConfigFromJson(
      R"({"vocab_size": 10, "hidden_size": 10, "num_hidden_layers": 1, "num_attention_heads": 3, "intermediate_size": 4})",
      "c.json");
  EXPECT_NE(bad_heads.status().message().find("not a multiple of num_attention_heads"), std::string::npos);
  EXPECT_TRUE(absl::IsNotFound(ReadConfig("no/such/config.json").status()));
}

}  // namespace
}  // namespace electra
