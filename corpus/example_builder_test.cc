#include "corpus/example_builder.h"

#include <deque>

#include "gtest/gtest.h"

namespace electra {
namespace {

constexpr int32_t CLS = 101, SEP = 102;

// The builder keeps views of the token lists it is given, so tests keep them alive here.
absl::Span<const int32_t> Range(int32_t from, int n) {
  static std::deque<std::vector<int32_t>>* keep = new std::deque<std::vector<int32_t>>();
  std::vector<int32_t> v;
  for (int i = 0; i < n; ++i) v.push_back(from + i);
  keep->push_back(std::move(v));
  return keep->back();
}

std::vector<int32_t> Concat(std::initializer_list<absl::Span<const int32_t>> parts) {
  std::vector<int32_t> v;
  for (const auto& p : parts) v.insert(v.end(), p.begin(), p.end());
  return v;
}

// Builds the expected padded example.
PretrainingExample Expect(absl::Span<const int32_t> a, absl::Span<const int32_t> b, int max_len) {
  PretrainingExample e;
  const int32_t cls[] = {CLS}, sep[] = {SEP};
  e.input_ids = Concat({cls, a, sep});
  e.segment_ids.assign(e.input_ids.size(), 0);
  if (!b.empty()) {
    e.input_ids = Concat({e.input_ids, b, sep});
    e.segment_ids.resize(e.input_ids.size(), 1);
  }
  e.input_mask.assign(e.input_ids.size(), 1);
  e.input_ids.resize(max_len, 0);
  e.segment_ids.resize(max_len, 0);
  e.input_mask.resize(max_len, 0);
  return e;
}

TEST(ExampleBuilderTest, DocumentEndFlushesShortExampleAsOneSegment) {
  // Draws: 0.5 (two-segment mode, first target (128-3)/2 = 62), 0.9 (next target = max).
  ExampleBuilder b(128, CLS, SEP, BuilderRandom::Scripted({0.5, 0.9}, {}));
  PretrainingExample out;
  EXPECT_FALSE(b.AddLine(Range(1, 3), false, &out));
  EXPECT_FALSE(b.AddLine(Range(10, 2), false, &out));
  ASSERT_TRUE(b.AddLine({}, true, &out));  // blank line = document end
  EXPECT_EQ(out, Expect(Concat({Range(1, 3), Range(10, 2)}), {}, 128));
  EXPECT_EQ(b.random().uniforms_used(), 2u);
}

TEST(ExampleBuilderTest, SplitsIntoSegmentsAndTruncatesB) {
  // max 16: first target (16-3)/2 = 6. Sentences of 4: s1 -> A; s2 would make A 8 >= 6, B is
  // empty and A < 6, so a coin flip (0.7: no) -> B; s3, s4 -> B. B is cut to 16-4-3 = 9.
  ExampleBuilder b(16, CLS, SEP, BuilderRandom::Scripted({0.5, 0.7, 0.9}, {}));
  PretrainingExample out;
  EXPECT_FALSE(b.AddLine(Range(1, 4), false, &out));
  EXPECT_FALSE(b.AddLine(Range(11, 4), false, &out));
  EXPECT_FALSE(b.AddLine(Range(21, 4), false, &out));
  ASSERT_TRUE(b.AddLine(Range(31, 4), false, &out));  // 16 >= target 16
  EXPECT_EQ(out, Expect(Range(1, 4), Concat({Range(11, 4), Range(21, 4), Range(31, 1)}), 16));
  EXPECT_EQ(out.length(), 16);
}

TEST(ExampleBuilderTest, CoinFlipCanOverfillA) {
  // As above but the coin flip says yes (0.3): s2 joins A (8 tokens); s3: A is no longer under
  // the target, so B. B cut to 16-8-3 = 5.
  ExampleBuilder b(16, CLS, SEP, BuilderRandom::Scripted({0.5, 0.3, 0.9}, {}));
  PretrainingExample out;
  b.AddLine(Range(1, 4), false, &out);
  b.AddLine(Range(11, 4), false, &out);
  b.AddLine(Range(21, 4), false, &out);
  ASSERT_TRUE(b.AddLine(Range(31, 4), false, &out));
  EXPECT_EQ(out, Expect(Concat({Range(1, 4), Range(11, 4)}), Concat({Range(21, 4), Range(31, 1)}), 16));
}

TEST(ExampleBuilderTest, SingleSegmentModeTakesEverythingAndCutsToMaxMinusTwo) {
  ExampleBuilder b(16, CLS, SEP, BuilderRandom::Scripted({0.05, 0.9}, {}));
  PretrainingExample out;
  b.AddLine(Range(1, 10), false, &out);
  ASSERT_TRUE(b.AddLine(Range(11, 10), false, &out));
  EXPECT_EQ(out, Expect(Concat({Range(1, 10), Range(11, 4)}), {}, 16));
}

TEST(ExampleBuilderTest, RandomShorterTargetAppliesToTheNextExample) {
  // After the first example: 0.01 < 0.05 -> target = randint(5, 16) = 7.
  ExampleBuilder b(16, CLS, SEP, BuilderRandom::Scripted({0.05, 0.01, 0.5, 0.9}, {7}));
  PretrainingExample out;
  ASSERT_TRUE(b.AddLine(Range(1, 16), false, &out));
  EXPECT_EQ(b.target_length(), 7);
  EXPECT_FALSE(b.AddLine(Range(40, 3), false, &out));
  ASSERT_TRUE(b.AddLine(Range(50, 4), false, &out));  // 7 >= 7
  // first target (7-3)/2 = 2: s1 -> A (empty); s2: 3+4 >= 2, B empty but A (3) is not under 2.
  EXPECT_EQ(out, Expect(Range(40, 3), Range(50, 4), 16));
  EXPECT_EQ(b.target_length(), 16);
}

TEST(ExampleBuilderTest, NoExampleCrossesADocument) {
  ExampleBuilder b(16, CLS, SEP, BuilderRandom::Scripted({0.5, 0.9, 0.5, 0.9}, {}));
  PretrainingExample first, second;
  b.AddLine(Range(1, 3), false, &first);
  ASSERT_TRUE(b.EndDocument(&first));
  EXPECT_FALSE(b.EndDocument(&second));  // nothing pending: no empty example
  b.AddLine(Range(20, 2), false, &second);
  ASSERT_TRUE(b.EndDocument(&second));
  EXPECT_EQ(first, Expect(Range(1, 3), {}, 16));
  EXPECT_EQ(second, Expect(Range(20, 2), {}, 16));
}

TEST(ExampleBuilderTest, SeededBuilderIsDeterministic) {
  auto run = [](uint64_t seed) {
    ExampleBuilder b(32, CLS, SEP, seed);
    std::vector<PretrainingExample> out;
    PretrainingExample e;
    for (int i = 0; i < 200; ++i) {
      if (b.AddLine(Range(i, 1 + i % 9), i % 17 == 0, &e)) out.push_back(e);
    }
    return out;
  };
  EXPECT_EQ(run(1), run(1));
  EXPECT_NE(run(1), run(2));
}

}  // namespace
}  // namespace electra
