#include "base/file_util.h"

#include <fstream>

#include "gtest/gtest.h"

namespace electra {
namespace {

std::string TempPath(const std::string& name) { return JoinPath(testing::TempDir(), name); }

TEST(FileUtilTest, ReadFileReturnsContents) {
  std::string path = TempPath("read.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "hello\nworld").ok());
  auto data = ReadFile(path);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "hello\nworld");
}

TEST(FileUtilTest, ReadMissingFileNamesIt) {
  auto data = ReadFile(TempPath("missing.txt"));
  ASSERT_FALSE(data.ok());
  EXPECT_TRUE(absl::IsNotFound(data.status()));
  EXPECT_NE(data.status().message().find("missing.txt"), std::string::npos);
}

TEST(FileUtilTest, UncommittedAtomicFileLeavesNothing) {
  std::string path = TempPath("atomic.txt");
  {
    auto f = AtomicFile::Create(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->Append("partial").ok());
  }
  EXPECT_FALSE(PathExists(path));
  auto names = ListDirectory(testing::TempDir());
  ASSERT_TRUE(names.ok());
  for (const auto& n : *names) EXPECT_EQ(n.find("atomic.txt"), std::string::npos) << n;
}

TEST(FileUtilTest, AtomicWriteReplacesOldContentsOnlyOnCommit) {
  std::string path = TempPath("replace.txt");
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  auto f = AtomicFile::Create(path);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f->Append("new").ok());
  EXPECT_EQ(*ReadFile(path), "old");
  ASSERT_TRUE(f->Commit().ok());
  EXPECT_EQ(*ReadFile(path), "new");
}

TEST(FileUtilTest, ExpandFileListGlobsAndSorts) {
  std::string dir = TempPath("glob");
  ASSERT_TRUE(MakeDirectories(dir).ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/b.txt", "").ok());
  ASSERT_TRUE(WriteFileAtomically(dir + "/a.txt", "").ok());
  auto files = ExpandFileList(dir + "/*.txt," + dir + "/a.txt");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, (std::vector<std::string>{dir + "/a.txt", dir + "/b.txt"}));
  EXPECT_TRUE(absl::IsNotFound(ExpandFileList(dir + "/*.none").status()));
  EXPECT_TRUE(absl::IsNotFound(ExpandFileList(dir + "/nope.txt").status()));
}

}  // namespace
}  // namespace electra
