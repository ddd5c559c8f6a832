#include "train/checkpoint.h"

#include "base/file_util.h"
#include "gtest/gtest.h"
#include "model/electra.h"
#include "train/metrics_log.h"

namespace electra {
namespace {

CheckpointContents Contents(Discriminator& d, Generator& g, const ElectraConfig& dc, int64_t step) {
  CheckpointContents c;
  c.discriminator_config = dc;
  c.generator_config = GeneratorConfig(dc, 0.5);
  c.discriminator = d.get();
  c.generator = g.get();
  c.optimizer = {{"m/x", torch::zeros({2})}};
  c.rng = {{"cpu", torch::zeros({4}, torch::kUInt8)}};
  c.state.step = step;
  c.state.next_batch = step;
  c.state.total_steps = 64;
  return c;
}

TEST(CheckpointTest, SaveListValidatePruneAndFallback) {
  ElectraConfig dc = *DiscriminatorPreset("tiny", 30);
  dc.max_position_embeddings = 8;
  Discriminator d(dc);
  Generator g(GeneratorConfig(dc, 0.5), d->electra->embeddings);
  std::string dir = JoinPath(testing::TempDir(), "ckpt");
  ASSERT_TRUE(MakeDirectories(dir).ok());
  for (int64_t step : {2, 4, 6, 8, 10}) ASSERT_TRUE(SaveCheckpoint(dir, Contents(d, g, dc, step)).ok());
  auto all = ListCheckpoints(dir);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].first, 10);
  auto state = ValidateCheckpoint(all[0].second);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->step, 10);
  EXPECT_TRUE(PathExists(all[0].second + "/discriminator/config.json"));

  // Keep 2 newest plus the milestones of 64 steps (4, 8, 16, 32, 64).
  ASSERT_TRUE(PruneCheckpoints(dir, 2, 64).ok());
  std::vector<int64_t> left;
  for (auto& [s, p] : ListCheckpoints(dir)) left.push_back(s);
  EXPECT_EQ(left, (std::vector<int64_t>{10, 8, 4}));
  // Pruned checkpoints are gone entirely: nothing half-deleted under any name.
  EXPECT_EQ(ListDirectory(dir)->size(), 3u);

  // A checkpoint that a killed process was deleting (renamed away first, so never half-deleted
  // under its final name) is not listed, and the next prune removes it.
  std::string dying = dir + "/step-00000006.tmp-1-deleting";
  ASSERT_TRUE(MakeDirectories(dying + "/discriminator").ok());
  ASSERT_TRUE(WriteFileAtomically(dying + "/DONE", "step 6\n").ok());
  EXPECT_EQ(ListCheckpoints(dir).size(), 3u);
  ASSERT_TRUE(PruneCheckpoints(dir, 2, 64).ok());
  EXPECT_FALSE(PathExists(dying));
  EXPECT_EQ(ListDirectory(dir)->size(), 3u);

  // Saving a step that already exists replaces it whole.
  ASSERT_TRUE(SaveCheckpoint(dir, Contents(d, g, dc, 10)).ok());
  EXPECT_EQ(ListDirectory(dir)->size(), 3u);
  EXPECT_TRUE(ValidateCheckpoint(ListCheckpoints(dir)[0].second).ok());

  // A truncated file makes a checkpoint invalid; one without DONE is not listed.
  std::string newest = ListCheckpoints(dir)[0].second;
  std::string bytes = *ReadFile(newest + "/optimizer.safetensors");
  ASSERT_TRUE(WriteFileAtomically(newest + "/optimizer.safetensors", bytes.substr(0, bytes.size() - 3)).ok());
  EXPECT_FALSE(ValidateCheckpoint(newest).ok());
  ASSERT_TRUE(RemoveAll(ListCheckpoints(dir)[1].second + "/DONE").ok());
  EXPECT_EQ(ListCheckpoints(dir).size(), 2u);
}

TEST(CheckpointTest, FailedWriteKeepsPreviousCheckpointsAndLeavesNoTemporary) {
  ElectraConfig dc = *DiscriminatorPreset("tiny", 30);
  Discriminator d(dc);
  Generator g(GeneratorConfig(dc, 0.5), d->electra->embeddings);
  std::string dir = JoinPath(testing::TempDir(), "ckpt_fail");
  ASSERT_TRUE(MakeDirectories(dir).ok());
  ASSERT_TRUE(SaveCheckpoint(dir, Contents(d, g, dc, 1)).ok());
  CheckpointContents bad = Contents(d, g, dc, 2);
  bad.optimizer = {{"m/x", torch::zeros({2}, torch::kComplexFloat)}};  // not storable
  auto s = SaveCheckpoint(dir, bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("previous checkpoints are untouched"), std::string::npos);
  EXPECT_EQ(ListCheckpoints(dir).size(), 1u);
  EXPECT_TRUE(ValidateCheckpoint(ListCheckpoints(dir)[0].second).ok());
  auto names = *ListDirectory(dir);
  EXPECT_EQ(names.size(), 1u);
}

TEST(MetricsLogTest, EventsReadBackAsTensorBoardScalars) {
  std::string dir = JoinPath(testing::TempDir(), "logs");
  auto log = MetricsLog::Open(dir);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_TRUE((*log)->Write(10, {{"loss", 2.5}, {"lr", 1e-4}}).ok());
  ASSERT_TRUE((*log)->Write(20, {{"loss", 1.5}, {"lr", 2e-4}}).ok());
  auto scalars = ReadEventScalars((*log)->events_path());
  ASSERT_TRUE(scalars.ok()) << scalars.status();
  ASSERT_EQ((*scalars)["loss"].size(), 2u);
  EXPECT_EQ((*scalars)["loss"][1].first, 20);
  EXPECT_FLOAT_EQ((*scalars)["loss"][1].second, 1.5f);
  std::string jsonl = *ReadFile(dir + "/metrics.jsonl");
  EXPECT_NE(jsonl.find("\"step\": 20"), std::string::npos);
  EXPECT_NE(jsonl.find("\"loss\": 1.5"), std::string::npos);
}

}  // namespace
}  // namespace electra
