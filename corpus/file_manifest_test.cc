#include "corpus/file_manifest.h"

#include <string>

#include "base/file_util.h"
#include "corpus/crc32c.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

std::string Dir(const std::string& name) {
  std::string dir = JoinPath(testing::TempDir(), name);
  RemoveAll(dir).IgnoreError();
  EXPECT_TRUE(MakeDirectories(JoinPath(dir, "sub")).ok());
  return dir;
}

// A directory of two files and their manifest, written as a checkpoint writes them.
FileManifest WriteSample(const std::string& dir) {
  FileManifest m;
  EXPECT_TRUE(WriteRecorded(dir, "a.bin", std::string(3000, 'x') + "tail", &m).ok());
  EXPECT_TRUE(WriteRecorded(dir, "sub/b.json", "{\"k\": 1}\n", &m).ok());
  EXPECT_TRUE(WriteManifest(dir, m).ok());
  return m;
}

TEST(FileManifestTest, DigestIsSizeAndPlainCrc32c) {
  FileDigest d = DigestOf("123456789");
  EXPECT_EQ(d.size, 9u);
  EXPECT_EQ(d.crc32c, 0xe3069283u);  // the standard check value, unmasked
  EXPECT_EQ(CrcString(d.crc32c), "0xe3069283");
}

TEST(FileManifestTest, JsonRoundTripsInOrder) {
  FileManifest m;
  m.Add("z.txt", {5, 7});
  m.Add("a/b.safetensors", {1ull << 40, 0x0000abcd});
  m.Add("z.txt", {6, 1});  // replaces
  std::string json = m.ToJson();
  EXPECT_NE(json.find("\"crc32c\": \"0000abcd\""), std::string::npos) << json;
  auto back = FileManifest::Parse(json, "m.json");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->files().size(), 2u);
  EXPECT_EQ(back->files()[0].first, "z.txt");
  EXPECT_EQ(back->files()[0].second, (FileDigest{6, 1}));
  EXPECT_EQ(back->files()[1].second, (FileDigest{1ull << 40, 0x0000abcd}));
  EXPECT_EQ(back->total_bytes(), (1ull << 40) + 6);
}

TEST(FileManifestTest, AddAllPrefixesPaths) {
  FileManifest inner, outer;
  inner.Add("model.safetensors", {10, 2});
  outer.AddAll("discriminator/", inner);
  ASSERT_NE(outer.Find("discriminator/model.safetensors"), nullptr);
  EXPECT_EQ(outer.Find("model.safetensors"), nullptr);
}

TEST(FileManifestTest, ParseRejectsMalformedUnknownAndUnsafe) {
  auto bad = [](const std::string& files) {
    return FileManifest::Parse(
        "{\"format\": \"electra-cpp manifest\", \"format_version\": 1, \"checksum\": \"crc32c\", \"files\": [" +
            files + "]}",
        "m.json");
  };
  EXPECT_TRUE(bad("{\"path\": \"a\", \"size\": 1, \"crc32c\": \"0000000a\"}").ok());
  EXPECT_EQ(bad("{\"path\": \"../etc/passwd\", \"size\": 1, \"crc32c\": \"0000000a\"}").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_FALSE(bad("{\"path\": \"/abs\", \"size\": 1, \"crc32c\": \"0000000a\"}").ok());
  EXPECT_FALSE(bad("{\"path\": \"a/../b\", \"size\": 1, \"crc32c\": \"0000000a\"}").ok());
  EXPECT_FALSE(bad("{\"path\": \"a/./b\", \"size\": 1, \"crc32c\": \"0000000a\"}").ok());
  // Dots inside a name are fine (the fuzzer's first oracle got this wrong).
  EXPECT_TRUE(bad("{\"path\": \"config..safetensors\", \"size\": 1, \"crc32c\": \"0000000a\"}").ok());
  EXPECT_FALSE(bad("{\"path\": \"a//b\", \"size\": 1, \"crc32c\": \"0000000a\"}").ok());
  EXPECT_FALSE(bad("{\"path\": \"a\", \"size\": -1, \"crc32c\": \"0000000a\"}").ok());
  EXPECT_FALSE(bad("{\"path\": \"a\", \"size\": 1, \"crc32c\": \"0x00000a\"}").ok());
  EXPECT_FALSE(bad("{\"path\": \"a\", \"size\": 1, \"crc32c\": \"a\"}").ok());
  EXPECT_FALSE(bad("{\"path\": \"a\", \"size\": 1, \"crc32c\": \"0000000a\"},"
                   "{\"path\": \"a\", \"size\": 1, \"crc32c\": \"0000000a\"}")
                   .ok());
  absl::Status missing = bad("{\"path\": \"a\"}").status();
  EXPECT_NE(missing.message().find("m.json: files[0]"), absl::string_view::npos) << missing;
  EXPECT_EQ(FileManifest::Parse("{\"format\": \"electra-cpp manifest\", \"format_version\": 2, "
                                "\"checksum\": \"crc32c\", \"files\": []}",
                                "m.json")
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(FileManifest::Parse("{\"files\": []}", "m.json").ok());
  EXPECT_FALSE(FileManifest::Parse("{\"format\": \"electra-cpp manif", "m.json").ok());
  // Fields of the wrong type are errors, not exceptions (found by fuzz/manifest_fuzz.cc).
  EXPECT_EQ(FileManifest::Parse("{\"format\": []}", "m.json").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(FileManifest::Parse("{\"format\": \"electra-cpp manifest\", \"format_version\": 1, "
                                   "\"checksum\": 7, \"files\": []}",
                                   "m.json")
                   .ok());
}

TEST(FileManifestTest, WrittenDirectoryVerifies) {
  std::string dir = Dir("manifest_ok");
  FileManifest m = WriteSample(dir);
  // The recorded digests are those of the files on disk.
  EXPECT_EQ(*m.Find("a.bin"), DigestOf(*ReadFile(JoinPath(dir, "a.bin"))));
  auto back = FileManifest::ReadFrom(dir);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->files(), m.files());
  auto summary = VerifyDirectory(dir);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_TRUE(summary->has_manifest);
  EXPECT_EQ(summary->files, 2);
  EXPECT_EQ(summary->bytes, m.total_bytes());
}

TEST(FileManifestTest, WriteManifestReturnsTheDigestOfItsBytes) {
  std::string dir = Dir("manifest_digest");
  FileManifest m;
  m.Add("x", {1, 2});
  auto digest = WriteManifest(dir, m);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, DigestOf(*ReadFile(JoinPath(dir, kManifestName))));
}

TEST(FileManifestTest, EveryFlippedByteIsFoundAndNamed) {
  std::string dir = Dir("manifest_flip");
  WriteSample(dir);
  std::string path = JoinPath(dir, "a.bin");
  std::string original = *ReadFile(path);
  for (size_t offset : {size_t{0}, size_t{1500}, original.size() - 1}) {
    std::string damaged = original;
    damaged[offset] ^= 0x01;
    ASSERT_TRUE(WriteFileAtomically(path, damaged).ok());
    auto s = VerifyDirectory(dir);
    ASSERT_FALSE(s.ok()) << "offset " << offset;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_NE(s.status().message().find("a.bin: CRC32C 0x"), absl::string_view::npos) << s.status();
    EXPECT_NE(s.status().message().find(CrcString(crc32c::Value(original.data(), original.size()))),
              absl::string_view::npos)
        << s.status();
    // CheckDigest on bytes in memory says the same.
    EXPECT_FALSE(CheckDigest(path, damaged, DigestOf(original)).ok());
  }
  ASSERT_TRUE(WriteFileAtomically(path, original).ok());
  EXPECT_TRUE(VerifyDirectory(dir).ok());
  EXPECT_TRUE(CheckDigest(path, original, DigestOf(original)).ok());
}

TEST(FileManifestTest, TruncatedExtendedAndMissingFilesAreNamed) {
  std::string dir = Dir("manifest_cut");
  FileManifest m = WriteSample(dir);
  std::string path = JoinPath(dir, "sub/b.json");
  std::string original = *ReadFile(path);
  ASSERT_TRUE(WriteFileAtomically(path, original.substr(0, 3)).ok());
  auto s = VerifyDirectory(dir);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("sub/b.json is 3 bytes but its manifest records 9 bytes"),
            absl::string_view::npos)
      << s.status();
  ASSERT_TRUE(WriteFileAtomically(path, original + "x").ok());
  EXPECT_NE(VerifyDirectory(dir).status().message().find("is 10 bytes"), absl::string_view::npos);
  ASSERT_TRUE(RemoveAll(path).ok());
  EXPECT_NE(VerifyDirectory(dir).status().message().find("sub/b.json is missing"), absl::string_view::npos);
}

TEST(FileManifestTest, DirectoryWithoutManifestIsNotVerifiedButFine) {
  std::string dir = Dir("manifest_none");
  ASSERT_TRUE(WriteFileAtomically(JoinPath(dir, "config.json"), "{}").ok());
  auto summary = VerifyDirectory(dir);
  ASSERT_TRUE(summary.ok());
  EXPECT_FALSE(summary->has_manifest);
  EXPECT_EQ(FileManifest::ReadFrom(dir).status().code(), absl::StatusCode::kNotFound);
}

TEST(FileManifestTest, DamagedManifestIsAnError) {
  std::string dir = Dir("manifest_damaged");
  WriteSample(dir);
  std::string path = JoinPath(dir, kManifestName);
  std::string text = *ReadFile(path);
  ASSERT_TRUE(WriteFileAtomically(path, text.substr(0, text.size() / 2)).ok());
  auto s = VerifyDirectory(dir);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("manifest.json: not a JSON object"), absl::string_view::npos) << s.status();
}

}  // namespace
}  // namespace electra
