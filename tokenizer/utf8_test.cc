#include "tokenizer/utf8.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace electra {
namespace {

std::vector<char32_t> DecodeAll(const std::string& s) {
  std::vector<char32_t> out;
  const uint8_t* p = reinterpret_cast<const uint8_t*>(s.data());
  const uint8_t* end = p + s.size();
  while (p < end) {
    char32_t cp;
    p += DecodeUtf8(p, end, &cp);
    out.push_back(cp);
  }
  return out;
}

constexpr char32_t R = kReplacementChar;

TEST(Utf8Test, DecodesValidSequences) {
  EXPECT_EQ(DecodeAll("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
            (std::vector<char32_t>{'a', 0xE9, 0x20AC, 0x1F600}));
}

TEST(Utf8Test, OneReplacementPerMaximalInvalidSubsequence) {
  // WHATWG / Unicode "maximal subpart" examples.
  EXPECT_EQ(DecodeAll("\x80"), (std::vector<char32_t>{R}));
  EXPECT_EQ(DecodeAll("\xe2\x82"), (std::vector<char32_t>{R}));          // truncated 3-byte
  EXPECT_EQ(DecodeAll("\xe2\x82x"), (std::vector<char32_t>{R, 'x'}));    // broken, x kept
  EXPECT_EQ(DecodeAll("\xf0\x9f\x98"), (std::vector<char32_t>{R}));
  EXPECT_EQ(DecodeAll("\xc0\xaf"), (std::vector<char32_t>{R, R}));       // overlong lead
  EXPECT_EQ(DecodeAll("\xe0\x80\xaf"), (std::vector<char32_t>{R, R, R}));
  EXPECT_EQ(DecodeAll("\xed\xa0\x80"), (std::vector<char32_t>{R, R, R}));  // surrogate
  EXPECT_EQ(DecodeAll("\xf4\x90\x80\x80"), (std::vector<char32_t>{R, R, R, R}));
  EXPECT_EQ(DecodeAll("\xe2\x28\xa1"), (std::vector<char32_t>{R, '(', R}));
}

TEST(Utf8Test, EncodeRoundTrips) {
  for (char32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F600u, 0x10FFFFu}) {
    std::string s;
    AppendUtf8(cp, &s);
    EXPECT_EQ(DecodeAll(s), (std::vector<char32_t>{cp}));
  }
}

TEST(Utf8Test, FindInvalidUtf8ReportsOffset) {
  EXPECT_EQ(FindInvalidUtf8("plain \xc3\xa9 text \xef\xbf\xbd"), -1);
  EXPECT_EQ(FindInvalidUtf8("abc\xff"), 3);
  EXPECT_EQ(FindInvalidUtf8("ab\xe2\x82"), 2);
}

}  // namespace
}  // namespace electra
