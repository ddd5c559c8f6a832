#include "tokenizer/wordpiece.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace electra {
namespace {

Vocab MakeVocab(std::vector<std::string> tokens) {
  tokens.insert(tokens.begin(), "[UNK]");
  return *Vocab::FromTokens(tokens, "test");
}

std::vector<std::string> Pieces(const Vocab& v, const FastWordPiece& wp, const std::string& word) {
  std::vector<int32_t> ids;
  wp.Tokenize(word, static_cast<int>(word.size()), &ids);
  std::vector<std::string> out;
  for (int32_t id : ids) out.push_back(v.Token(id));
  return out;
}

// The textbook greedy longest-match-first, for comparison.
std::vector<std::string> NaiveMaxMatch(const Vocab& v, const std::string& word) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < word.size()) {
    size_t end = word.size();
    std::string found;
    while (end > start) {
      std::string sub = (start > 0 ? "##" : "") + word.substr(start, end - start);
      if (v.Find(sub) >= 0) {
        found = sub;
        break;
      }
      --end;
    }
    if (found.empty()) return {"[UNK]"};
    out.push_back(found);
    start = end;
  }
  return out;
}

TEST(FastWordPieceTest, GreedyLongestMatchFirst) {
  Vocab v = MakeVocab({"un", "##aff", "##able", "a", "ab", "##b", "##c", "##bc", "abc"});
  FastWordPiece wp(v);
  EXPECT_EQ(Pieces(v, wp, "unaffable"), (std::vector<std::string>{"un", "##aff", "##able"}));
  EXPECT_EQ(Pieces(v, wp, "abc"), (std::vector<std::string>{"abc"}));
  EXPECT_EQ(Pieces(v, wp, "abbc"), (std::vector<std::string>{"ab", "##bc"}));
  EXPECT_EQ(Pieces(v, wp, "a"), (std::vector<std::string>{"a"}));
}

TEST(FastWordPieceTest, UnmatchableWordIsOneUnk) {
  Vocab v = MakeVocab({"a", "##b"});
  FastWordPiece wp(v);
  EXPECT_EQ(Pieces(v, wp, "abx"), (std::vector<std::string>{"[UNK]"}));
  EXPECT_EQ(Pieces(v, wp, "ba"), (std::vector<std::string>{"[UNK]"}));
}

TEST(FastWordPieceTest, WordsOverHundredCharactersAreUnk) {
  Vocab v = MakeVocab({"a", "##a"});
  FastWordPiece wp(v);
  std::vector<int32_t> ids;
  wp.Tokenize(std::string(100, 'a'), 100, &ids);
  EXPECT_EQ(ids.size(), 100u);
  ids.clear();
  wp.Tokenize(std::string(101, 'a'), 101, &ids);
  EXPECT_EQ(ids, (std::vector<int32_t>{v.unk_id()}));
}

TEST(FastWordPieceTest, AgreesWithNaiveMaxMatchOnRandomWords) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::string> tokens;
    std::uniform_int_distribution<int> len(1, 4), ch(0, 2), coin(0, 1);
    for (int i = 0; i < 25; ++i) {
      std::string t;
      for (int j = len(rng); j > 0; --j) t.push_back(static_cast<char>('a' + ch(rng)));
      tokens.push_back(coin(rng) ? "##" + t : t);
    }
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    Vocab v = MakeVocab(tokens);
    FastWordPiece wp(v);
    for (int w = 0; w < 200; ++w) {
      std::string word;
      for (int j = len(rng) * 2; j > 0; --j) word.push_back(static_cast<char>('a' + ch(rng)));
      EXPECT_EQ(Pieces(v, wp, word), NaiveMaxMatch(v, word)) << word;
    }
  }
}

}  // namespace
}  // namespace electra
