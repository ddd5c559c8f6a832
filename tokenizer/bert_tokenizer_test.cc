#include "tokenizer/bert_tokenizer.h"

#include "gtest/gtest.h"

namespace electra {
namespace {

std::unique_ptr<BertTokenizer> Make(bool lowercase = true) {
  auto vocab = Vocab::FromTokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", ",",
                                  "world", "!", "cafe", "café", "東", "京", "un", "##aff",
                                  "##able", "Hello"},
                                 "test");
  NormalizerOptions options;
  options.lowercase = options.strip_accents = lowercase;
  return *BertTokenizer::Create(*vocab, options);
}

TEST(BertTokenizerTest, NormalizesSplitsAndMatches) {
  auto t = Make();
  EXPECT_EQ(t->Tokenize("Hello, WORLD!"), (std::vector<int32_t>{5, 6, 7, 8}));
  EXPECT_EQ(t->Tokenize("  Café\tunaffable "), (std::vector<int32_t>{9, 13, 14, 15}));
  EXPECT_EQ(t->Tokenize("東京"), (std::vector<int32_t>{11, 12}));
  EXPECT_EQ(t->Tokenize("zzz"), (std::vector<int32_t>{1}));
  EXPECT_EQ(t->Tokenize(""), (std::vector<int32_t>{}));
}

TEST(BertTokenizerTest, CasedKeepsCaseAndAccents) {
  auto t = Make(false);
  EXPECT_EQ(t->Tokenize("Hello café"), (std::vector<int32_t>{16, 10}));
}

TEST(BertTokenizerTest, ControlCharactersVanishInsideWords) {
  auto t = Make();
  EXPECT_EQ(t->Tokenize("hel\x01lo wor\xe2\x80\x8bld"), (std::vector<int32_t>{5, 7}));
  EXPECT_EQ(t->Tokenize("hel\xfflo"), (std::vector<int32_t>{5}));  // invalid byte -> U+FFFD -> dropped
}

TEST(BertTokenizerTest, EncodeSingleAddsSpecialsAndPads) {
  auto t = Make();
  Encoding e = t->EncodeSingle({5, 7, 8}, 6, true);
  EXPECT_EQ(e.ids, (std::vector<int32_t>{2, 5, 7, 8, 3, 0}));
  EXPECT_EQ(e.type_ids, (std::vector<int32_t>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(e.mask, (std::vector<int32_t>{1, 1, 1, 1, 1, 0}));
  Encoding cut = t->EncodeSingle({5, 7, 8, 9, 10}, 4, false);
  EXPECT_EQ(cut.ids, (std::vector<int32_t>{2, 5, 7, 3}));
}

TEST(BertTokenizerTest, EncodePairTypesAndLongestFirstTruncation) {
  auto t = Make();
  Encoding e = t->EncodePair({5}, {7, 8}, 8, true);
  EXPECT_EQ(e.ids, (std::vector<int32_t>{2, 5, 3, 7, 8, 3, 0, 0}));
  EXPECT_EQ(e.type_ids, (std::vector<int32_t>{0, 0, 0, 1, 1, 1, 0, 0}));
  EXPECT_EQ(e.mask, (std::vector<int32_t>{1, 1, 1, 1, 1, 1, 0, 0}));
  std::vector<int32_t> a = {10, 11, 12, 13, 14, 15}, b = {20, 21};
  TruncatePair(&a, &b, 5);  // the longer one loses tokens from its end
  EXPECT_EQ(a, (std::vector<int32_t>{10, 11, 12}));
  EXPECT_EQ(b, (std::vector<int32_t>{20, 21}));
  std::vector<int32_t> c = {1, 2, 3, 4}, d = {5, 6, 7, 8};
  TruncatePair(&c, &d, 5);  // ties take from the second segment first
  EXPECT_EQ(c, (std::vector<int32_t>{1, 2, 3}));
  EXPECT_EQ(d, (std::vector<int32_t>{5, 6}));
}

}  // namespace
}  // namespace electra
