#include "tokenizer/vocab_trainer.h"

#include <algorithm>

#include "base/file_util.h"
#include "gtest/gtest.h"
#include "tokenizer/bert_tokenizer.h"

namespace electra {
namespace {

TEST(VocabTrainerTest, CountsNormalizedWords) {
  WordCounts counts = CountWords("The cat, the Cät.\nthe", {}, 1);
  EXPECT_EQ(counts["the"], 3);
  EXPECT_EQ(counts["cat"], 2);
  EXPECT_EQ(counts[","], 1);
  EXPECT_EQ(counts["."], 1);
}

TEST(VocabTrainerTest, MergesMostFrequentPairsFirst) {
  WordCounts counts = {{"low", 5}, {"lower", 2}, {"newest", 6}, {"widest", 3}};
  VocabTrainerOptions options;
  options.show_progress = false;
  // Alphabet: every character (d e i l n o r s t w), then the non-initial ones as ##d ##e
  // ##i ##o ##r ##s ##t ##w, as HF's trainer adds them.
  options.vocab_size = 5 + 18 + 3;
  TrainedVocab v = TrainWordPiece(counts, options);
  ASSERT_EQ(v.tokens.size(), 26u);
  EXPECT_EQ(v.alphabet_size, 18);
  EXPECT_EQ(std::vector<std::string>(v.tokens.begin(), v.tokens.begin() + 5),
            (std::vector<std::string>{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}));
  // "##e ##s" and "##s ##t" occur 9 times each (newest, widest); the smaller pair of ids
  // (##e < ##s) wins the tie, then "##es ##t" (9).
  EXPECT_EQ(v.tokens[23], "##es");
  EXPECT_EQ(v.tokens[24], "##est");
  // Then "l ##o" and "##o ##w" tie at 7 ("##w ##e" fell to 2 when "##es" formed); "l" has
  // the smaller id.
  EXPECT_EQ(v.tokens[25], "lo");
}

TEST(VocabTrainerTest, MinFrequencyStopsMerging) {
  WordCounts counts = {{"ab", 3}, {"cd", 1}};
  VocabTrainerOptions options;
  options.show_progress = false;
  options.vocab_size = 100;
  options.min_frequency = 2;
  TrainedVocab v = TrainWordPiece(counts, options);
  EXPECT_NE(std::find(v.tokens.begin(), v.tokens.end(), "ab"), v.tokens.end());
  EXPECT_EQ(std::find(v.tokens.begin(), v.tokens.end(), "cd"), v.tokens.end());
}

TEST(VocabTrainerTest, SameResultWithAnyThreadCount) {
  std::string text;
  for (int i = 0; i < 40000; ++i) text += "word" + std::to_string(i % 997) + " other stuff\n";
  WordCounts one = CountWords(text, {}, 1);
  WordCounts two = CountWords(text, {}, 2);
  EXPECT_EQ(one, two);
  VocabTrainerOptions options;
  options.show_progress = false;
  options.vocab_size = 300;
  EXPECT_EQ(TrainWordPiece(one, options).tokens, TrainWordPiece(two, options).tokens);
}

TEST(VocabTrainerTest, BuildVocabWritesALoadableVocabulary) {
  std::string in = JoinPath(testing::TempDir(), "corpus.txt");
  ASSERT_TRUE(WriteFileAtomically(in, "hello world\nhello there\n").ok());
  BuildVocabOptions options;
  options.inputs = {in};
  options.output = JoinPath(testing::TempDir(), "vocab.txt");
  options.trainer.vocab_size = 40;
  options.trainer.show_progress = false;
  auto result = RunBuildVocab(options);
  ASSERT_TRUE(result.ok()) << result.status();
  auto tokenizer = BertTokenizer::FromFile(options.output, {});
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status();
  std::vector<int32_t> ids = (*tokenizer)->Tokenize("hello world");
  EXPECT_FALSE(ids.empty());
  for (int32_t id : ids) EXPECT_NE(id, (*tokenizer)->vocab().unk_id());
}

TEST(VocabTrainerTest, EmptyAndNonUtf8InputsAreErrors) {
  std::string empty = JoinPath(testing::TempDir(), "empty.txt");
  std::string binary = JoinPath(testing::TempDir(), "binary.txt");
  ASSERT_TRUE(WriteFileAtomically(empty, "  \n\n").ok());
  ASSERT_TRUE(WriteFileAtomically(binary, "ok\n\xff\xfe").ok());
  BuildVocabOptions options;
  options.output = JoinPath(testing::TempDir(), "never.txt");
  options.trainer.show_progress = false;
  options.inputs = {empty};
  auto r = RunBuildVocab(options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no words"), std::string::npos);
  options.inputs = {binary};
  r = RunBuildVocab(options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("binary.txt: not UTF-8 text (invalid byte at offset 3)"),
            std::string::npos)
      << r.status();
  EXPECT_FALSE(PathExists(options.output));
}

}  // namespace
}  // namespace electra
