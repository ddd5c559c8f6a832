#include "train/checkpoint.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/file_util.h"
#include "corpus/file_manifest.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
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

TEST(CheckpointTest, TrainSecondsAndFlopsRoundTripAndDefaultToZeroInOldStates) {
  TrainingState s;
  s.step = 7;
  s.train_seconds = 123.5;
  s.train_flops = 4.25e15;
  auto back = TrainingStateFromJson(TrainingStateToJson(s), "state");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_DOUBLE_EQ(back->train_seconds, 123.5);
  EXPECT_DOUBLE_EQ(back->train_flops, 4.25e15);
  nlohmann::json j = nlohmann::json::parse(TrainingStateToJson(s));
  j.erase("train_seconds");  // a checkpoint written before the clock and the FLOPs were recorded
  j.erase("train_flops");
  back = TrainingStateFromJson(j.dump(), "state");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_DOUBLE_EQ(back->train_seconds, 0);
  EXPECT_DOUBLE_EQ(back->train_flops, 0);
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

// Changes one byte so that only a checksum can tell: a bit of tensor data in safetensors files,
// the last digit of a number in JSON files (the JSON still parses).
void FlipUndetectably(const std::string& path) {
  std::string bytes = *ReadFile(path);
  if (absl::EndsWith(path, ".json")) {
    size_t i = bytes.find_last_of("0123456789");
    ASSERT_NE(i, std::string::npos) << path;
    bytes[i] = bytes[i] == '9' ? '8' : bytes[i] + 1;
  } else {
    bytes.back() ^= 0x01;
  }
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok());
}

class ChecksummedCheckpointTest : public testing::Test {
 protected:
  void SetUp() override {
    dc_ = *DiscriminatorPreset("tiny", 30);
    dc_.max_position_embeddings = 8;
    d_ = Discriminator(dc_);
    g_ = Generator(GeneratorConfig(dc_, 0.5), d_->electra->embeddings);
    vocab_ = JoinPath(testing::TempDir(), "vocab.txt");
    ASSERT_TRUE(WriteFileAtomically(vocab_, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n").ok());
  }
  std::string Save(const std::string& name) {
    std::string dir = JoinPath(testing::TempDir(), name);
    RemoveAll(dir).IgnoreError();
    EXPECT_TRUE(MakeDirectories(dir).ok());
    CheckpointContents c = Contents(d_, g_, dc_, 3);
    c.vocab_path = vocab_;
    EXPECT_TRUE(SaveCheckpoint(dir, c).ok());
    return ListCheckpoints(dir)[0].second;
  }
  ElectraConfig dc_;
  Discriminator d_{nullptr};
  Generator g_{nullptr};
  std::string vocab_;
};

TEST_F(ChecksummedCheckpointTest, ManifestListsEveryFileWithItsDigest) {
  std::string dir = Save("ck_manifest");
  auto m = FileManifest::ReadFrom(dir);
  ASSERT_TRUE(m.ok()) << m.status();
  std::set<std::string> listed;
  for (const auto& [path, digest] : m->files()) {
    listed.insert(path);
    EXPECT_EQ(digest, DigestOf(*ReadFile(JoinPath(dir, path)))) << path;
  }
  std::set<std::string> expected = {"optimizer.safetensors", "rng.safetensors", "training_state.json"};
  for (const char* sub : {"discriminator/", "generator/"}) {
    for (const char* f : {"model.safetensors", "config.json", "vocab.txt", "tokenizer_config.json", "manifest.json"}) {
      expected.insert(std::string(sub) + f);
    }
    // Each model directory verifies on its own, as when copied out of the checkpoint.
    auto alone = VerifyDirectory(JoinPath(dir, sub));
    ASSERT_TRUE(alone.ok()) << alone.status();
    EXPECT_EQ(alone->files, 4);
  }
  EXPECT_EQ(listed, expected);
  auto state = ValidateCheckpoint(dir);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->manifest, "manifest.json");
}

TEST_F(ChecksummedCheckpointTest, OneChangedByteInAnyFileIsFoundAndNamed) {
  for (const char* f : {"discriminator/model.safetensors", "generator/model.safetensors", "optimizer.safetensors",
                        "rng.safetensors", "training_state.json", "discriminator/config.json",
                        "generator/config.json", "discriminator/vocab.txt", "generator/manifest.json"}) {
    std::string dir = Save("ck_flip");
    FlipUndetectably(JoinPath(dir, f));
    auto state = ValidateCheckpoint(dir);
    ASSERT_FALSE(state.ok()) << f;
    EXPECT_EQ(state.status().code(), absl::StatusCode::kDataLoss) << f;
    EXPECT_NE(state.status().message().find(JoinPath(dir, f) + ": CRC32C 0x"), absl::string_view::npos)
        << state.status();
    EXPECT_NE(state.status().message().find("but its manifest records 0x"), absl::string_view::npos);
  }
}

TEST_F(ChecksummedCheckpointTest, TruncatedFileIsNamedWithBothSizes) {
  std::string dir = Save("ck_cut");
  std::string path = JoinPath(dir, "rng.safetensors");
  std::string bytes = *ReadFile(path);
  ASSERT_TRUE(WriteFileAtomically(path, bytes.substr(0, 10)).ok());
  auto state = ValidateCheckpoint(dir);
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.status().message().find(absl::StrCat(path, " is 10 bytes but its manifest records ", bytes.size())),
            absl::string_view::npos)
      << state.status();
}

TEST_F(ChecksummedCheckpointTest, OldCheckpointWithoutManifestStillValidates) {
  std::string dir = Save("ck_old");
  // What a checkpoint of format version 1 looked like before manifests.
  for (const char* sub : {"", "discriminator/", "generator/"}) {
    ASSERT_TRUE(RemoveAll(JoinPath(dir, std::string(sub) + "manifest.json")).ok());
  }
  std::string state_path = JoinPath(dir, "training_state.json");
  nlohmann::json j = nlohmann::json::parse(*ReadFile(state_path));
  j.erase("manifest");
  ASSERT_TRUE(WriteFileAtomically(state_path, j.dump(2)).ok());
  auto state = ValidateCheckpoint(dir);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->manifest, "");
  EXPECT_EQ(state->step, 3);
  // Structure is still checked.
  std::string opt = JoinPath(dir, "optimizer.safetensors");
  std::string bytes = *ReadFile(opt);
  ASSERT_TRUE(WriteFileAtomically(opt, bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(ValidateCheckpoint(dir).ok());
}

TEST_F(ChecksummedCheckpointTest, DeletedOrDamagedManifestIsAnError) {
  std::string dir = Save("ck_nomanifest");
  ASSERT_TRUE(RemoveAll(JoinPath(dir, "manifest.json")).ok());
  auto state = ValidateCheckpoint(dir);
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.status().message().find("manifest.json is missing but training_state.json says it was written"),
            absl::string_view::npos)
      << state.status();
  dir = Save("ck_badmanifest");
  ASSERT_TRUE(WriteFileAtomically(JoinPath(dir, "manifest.json"), "{\"files\": [").ok());
  EXPECT_EQ(ValidateCheckpoint(dir).status().code(), absl::StatusCode::kDataLoss);
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
