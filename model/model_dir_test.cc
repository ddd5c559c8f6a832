#include "model/model_dir.h"

#include "base/file_util.h"
#include "corpus/file_manifest.h"
#include "gtest/gtest.h"
#include "model/electra.h"

namespace electra {
namespace {

std::string Saved(const std::string& name, FileManifest* manifest = nullptr) {
  ElectraConfig c = *DiscriminatorPreset("tiny", 50);
  c.max_position_embeddings = 16;
  Discriminator d(c);
  std::string dir = JoinPath(testing::TempDir(), name);
  RemoveAll(dir).IgnoreError();
  SaveModelOptions options;
  options.extra_files = {{"vocab.txt", "[PAD]\n[UNK]\n"}};
  auto written = SaveModelDir(dir, c, *d, options);
  EXPECT_TRUE(written.ok()) << written.status();
  if (manifest != nullptr) *manifest = *written;
  return dir;
}

void FlipByte(const std::string& path, size_t offset) {
  std::string bytes = *ReadFile(path);
  bytes[offset % bytes.size()] ^= 0x20;
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok());
}

TEST(ModelDirTest, SaveWritesAManifestOfEveryFileFromTheWrittenBytes) {
  FileManifest m;
  std::string dir = Saved("md_manifest", &m);
  std::vector<std::string> names;
  for (const auto& [path, digest] : m.files()) {
    names.push_back(path);
    EXPECT_EQ(digest, DigestOf(*ReadFile(JoinPath(dir, path)))) << path;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"model.safetensors", "config.json", "vocab.txt"}));
  auto on_disk = FileManifest::ReadFrom(dir);
  ASSERT_TRUE(on_disk.ok()) << on_disk.status();
  EXPECT_EQ(on_disk->files(), m.files());
  std::string note = "x";
  EXPECT_TRUE(VerifyModelDir(dir, &note).ok());
  EXPECT_EQ(note, "");
}

TEST(ModelDirTest, FlippedByteInWeightsOrConfigIsNamed) {
  for (const char* file : {"model.safetensors", "config.json", "vocab.txt"}) {
    std::string dir = Saved("md_flip");
    // Past the safetensors header, in the tensor data: the structure still parses, only the CRC tells.
    FlipByte(JoinPath(dir, file), std::string(file) == "model.safetensors" ? 5000 : 3);
    std::string note;
    absl::Status s = VerifyModelDir(dir, &note);
    EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << file;
    EXPECT_NE(s.message().find(std::string(file) + ": CRC32C"), std::string::npos) << s;
  }
}

TEST(ModelDirTest, DirectoriesWithoutManifestLoadWithANoteOnlyInsideOldCheckpoints) {
  std::string dir = Saved("md_hf");
  ASSERT_TRUE(RemoveAll(JoinPath(dir, kManifestName)).ok());
  std::string note;
  EXPECT_TRUE(VerifyModelDir(dir, &note).ok());
  EXPECT_EQ(note, "");  // HF's save_pretrained layout: nothing to say

  std::string step = JoinPath(testing::TempDir(), "md_old/step-00000002");
  ASSERT_TRUE(MakeDirectories(step).ok());
  ASSERT_TRUE(WriteFileAtomically(JoinPath(step, "DONE"), "step 2\n").ok());
  RemoveAll(JoinPath(step, "discriminator")).IgnoreError();
  ASSERT_EQ(rename(dir.c_str(), JoinPath(step, "discriminator").c_str()), 0);
  EXPECT_TRUE(VerifyModelDir(JoinPath(step, "discriminator") + "/", &note).ok());
  EXPECT_NE(note.find("has no manifest.json (a checkpoint written before checksums"), std::string::npos) << note;
  Discriminator d(*ReadModelConfig(JoinPath(step, "discriminator")));
  EXPECT_TRUE(LoadModelDir(JoinPath(step, "discriminator"), *d).ok());
}

}  // namespace
}  // namespace electra
