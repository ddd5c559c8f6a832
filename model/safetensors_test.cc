#include "model/safetensors.h"

#include <cstring>

#include "base/file_util.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

// A file built byte by byte from the specification: u64 header length, JSON, raw data.
std::string HandMade() {
  std::string header =
      R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
      R"("b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},)"
      R"("c":{"dtype":"BF16","shape":[2],"data_offsets":[22,26]}})";
  std::string out;
  uint64_t len = header.size();
  out.append(reinterpret_cast<const char*>(&len), 8);
  out += header;
  float a[4] = {1.0f, -2.5f, 3.25f, 0.0f};
  out.append(reinterpret_cast<const char*>(a), 16);
  uint16_t b[3] = {0x3C00, 0xC000, 0x3800};  // F16: 1.0, -2.0, 0.5
  out.append(reinterpret_cast<const char*>(b), 6);
  uint16_t c[2] = {0x3F80, 0x4040};  // BF16: 1.0, 3.0
  out.append(reinterpret_cast<const char*>(c), 4);
  return out;
}

TEST(SafetensorsTest, ReadsAHandMadeFile) {
  auto f = SafetensorsFile::Parse(HandMade(), "hand.safetensors");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->metadata().at("format"), "pt");
  EXPECT_EQ(f->entries().size(), 3u);
  auto a = *f->Load("a");
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_TRUE(torch::equal(a, torch::tensor({{1.0f, -2.5f}, {3.25f, 0.0f}})));
  auto b = *f->Load("b");
  EXPECT_EQ(b.scalar_type(), torch::kFloat16);
  EXPECT_TRUE(torch::equal(b.to(torch::kFloat32), torch::tensor({1.0f, -2.0f, 0.5f})));
  auto c = *f->Load("c");
  EXPECT_EQ(c.scalar_type(), torch::kBFloat16);
  EXPECT_TRUE(torch::equal(c.to(torch::kFloat32), torch::tensor({1.0f, 3.0f})));
  EXPECT_TRUE(absl::IsNotFound(f->Load("d").status()));
}

TEST(SafetensorsTest, WriterOutputIsReadBackAndAligned) {
  std::vector<std::pair<std::string, torch::Tensor>> t = {
      {"w", torch::arange(6, torch::kFloat32).view({2, 3})},
      {"h", torch::tensor({0.5f, 1.5f}).to(torch::kFloat16)},
      {"bf", torch::tensor({2.0f}).to(torch::kBFloat16)},
      {"step", torch::tensor({int64_t{7}})}};
  auto bytes = SerializeSafetensors(t, {{"k", "v"}});
  ASSERT_TRUE(bytes.ok());
  uint64_t len;
  std::memcpy(&len, bytes->data(), 8);
  EXPECT_EQ(len % 8, 0u);
  auto f = SafetensorsFile::Parse(*bytes, "mem");
  ASSERT_TRUE(f.ok()) << f.status();
  for (const auto& [name, tensor] : t) EXPECT_TRUE(torch::equal(*f->Load(name), tensor)) << name;
  EXPECT_EQ(f->metadata().at("k"), "v");
  std::string path = JoinPath(testing::TempDir(), "w.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, t).ok());
  EXPECT_TRUE(SafetensorsFile::Read(path).ok());
}

TEST(SafetensorsTest, DamagedFilesAreErrorsNamingFileAndTensor) {
  std::string good = HandMade();
  auto err = [](const std::string& bytes) { return std::string(SafetensorsFile::Parse(bytes, "x.st").status().message()); };
  EXPECT_NE(err(good.substr(0, 5)).find("x.st: truncated safetensors file"), std::string::npos);
  EXPECT_NE(err(good.substr(0, 40)).find("the header claims"), std::string::npos);
  EXPECT_NE(err(good.substr(0, good.size() - 1)).find("tensor 'c': bytes [22, 26) lie outside"), std::string::npos);
  std::string bad_json = good;
  bad_json[8] = '[';
  EXPECT_NE(err(bad_json).find("not a JSON object"), std::string::npos);
  std::string bad_dtype = good;
  bad_dtype.replace(bad_dtype.find("BF16"), 4, "XX16");
  EXPECT_NE(err(bad_dtype).find("tensor 'c': unsupported dtype XX16"), std::string::npos);
  std::string bad_size = good;
  bad_size.replace(bad_size.find("[2,2]"), 5, "[2,3]");
  EXPECT_NE(err(bad_size).find("tensor 'a': 16 bytes stored but shape and F32 need 24"), std::string::npos);
  EXPECT_TRUE(absl::IsNotFound(SafetensorsFile::Read("no/such.safetensors").status()));
}

}  // namespace
}  // namespace electra
