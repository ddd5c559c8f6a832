#include "tokenizer/vocab.h"

#include "base/file_util.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

std::string Write(const std::string& name, const std::string& contents) {
  std::string path = JoinPath(testing::TempDir(), name);
  EXPECT_TRUE(WriteFileAtomically(path, contents).ok());
  return path;
}

TEST(VocabTest, LoadsTokensInLineOrder) {
  auto v = Vocab::Load(Write("ok.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n##s  \n"));
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->size(), 7);
  EXPECT_EQ(v->Find("the"), 5);
  EXPECT_EQ(v->Find("##s"), 6);  // trailing whitespace ignored, as HF does
  EXPECT_EQ(v->unk_id(), 1);
  EXPECT_EQ(v->cls_id(), 2);
  EXPECT_EQ(v->mask_id(), 4);
  EXPECT_EQ(v->Find("missing"), -1);
}

TEST(VocabTest, MissingFileIsNotFound) {
  auto v = Vocab::Load(JoinPath(testing::TempDir(), "nope.txt"));
  EXPECT_TRUE(absl::IsNotFound(v.status()));
  EXPECT_NE(v.status().message().find("nope.txt"), std::string::npos);
}

TEST(VocabTest, EmptyFileIsAnError) {
  auto v = Vocab::Load(Write("empty.txt", ""));
  EXPECT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("empty vocabulary"), std::string::npos);
}

TEST(VocabTest, DuplicateTokenNamesBothLines) {
  auto v = Vocab::Load(Write("dup.txt", "[UNK]\na\nb\na\n"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("dup.txt:4: duplicate token 'a' (first on line 2)"),
            std::string::npos)
      << v.status();
}

TEST(VocabTest, MissingUnkIsAnError) {
  auto v = Vocab::Load(Write("nounk.txt", "a\nb\n"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("no [UNK]"), std::string::npos);
}

TEST(VocabTest, BlankLineNamesTheLine) {
  auto v = Vocab::Load(Write("blank.txt", "[UNK]\na\n\nb\n"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("blank.txt:3: empty token"), std::string::npos) << v.status();
}

TEST(VocabTest, InvalidUtf8NamesTheLine) {
  auto v = Vocab::Load(Write("bad.txt", "[UNK]\nab\xff\n"));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("bad.txt:2: token is not valid UTF-8"), std::string::npos);
}

TEST(VocabTest, FingerprintDependsOnOrder) {
  auto a = Vocab::FromTokens({"[UNK]", "a", "b"}, "a");
  auto b = Vocab::FromTokens({"[UNK]", "b", "a"}, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->Fingerprint(), b->Fingerprint());
  EXPECT_EQ(a->Fingerprint(), Vocab::FromTokens({"[UNK]", "a", "b"}, "c")->Fingerprint());
}

}  // namespace
}  // namespace electra
