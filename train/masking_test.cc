#include "train/masking.h"

#include <cmath>
#include <set>

#include "gtest/gtest.h"

namespace electra {
namespace {

PretrainingExample Example(int real, int total) {
  PretrainingExample e;
  for (int i = 0; i < total; ++i) {
    int32_t id = i == 0 ? 101 : (i == real - 1 ? 102 : (i < real ? 1000 + i : 0));
    e.input_ids.push_back(id);
    e.input_mask.push_back(i < real ? 1 : 0);
    e.segment_ids.push_back(0);
  }
  return e;
}

TEST(MaskingTest, OfficialMaxPredictions) {
  EXPECT_EQ(OfficialMaxPredictions(0.15, 128), 19);
  EXPECT_EQ(OfficialMaxPredictions(0.15, 512), 79);
  EXPECT_EQ(OfficialMaxPredictions(0.25, 512), 130);
}

TEST(MaskingTest, WithoutReplacementMasksExactlyKDistinctCandidates) {
  MaskingOptions o;
  o.seed = 9;
  o.with_replacement = false;
  for (int real : {3, 10, 60, 128}) {
    PretrainingExample e = Example(real, 128);
    std::vector<int32_t> masked;
    std::vector<int64_t> positions, labels;
    std::vector<float> weights;
    MaskExample(e, 17, o, 19, &masked, &positions, &weights, &labels);
    int k = std::max(1, std::min(19, static_cast<int>(std::nearbyint(real * 0.15))));
    k = std::min(k, real - 2);
    std::set<int64_t> chosen;
    for (int s = 0; s < 19; ++s) {
      if (weights[s] == 0) {
        EXPECT_EQ(positions[s], 0);
        continue;
      }
      chosen.insert(positions[s]);
      EXPECT_GT(positions[s], 0);           // never [CLS]
      EXPECT_LT(positions[s], real - 1);    // never [SEP] or padding
      EXPECT_EQ(labels[s], e.input_ids[positions[s]]);
      EXPECT_TRUE(masked[positions[s]] == 103 || masked[positions[s]] == e.input_ids[positions[s]]);
    }
    EXPECT_EQ(static_cast<int>(chosen.size()), k) << real;
    for (int i = 0; i < 128; ++i) {
      if (!chosen.count(i)) {
        EXPECT_EQ(masked[i], e.input_ids[i]);
      }
    }
  }
}

TEST(MaskingTest, EightyFivePercentBecomeMaskNoneRandom) {
  MaskingOptions o;
  o.seed = 3;
  o.with_replacement = false;  // one slot per position, so slots and positions count alike
  PretrainingExample e = Example(128, 128);
  int chosen = 0, mask = 0;
  for (uint64_t pos = 0; pos < 2000; ++pos) {
    std::vector<int32_t> masked;
    std::vector<int64_t> positions, labels;
    std::vector<float> weights;
    MaskExample(e, pos, o, 19, &masked, &positions, &weights, &labels);
    for (int s = 0; s < 19; ++s) {
      if (weights[s] == 0) continue;
      ++chosen;
      if (masked[positions[s]] == 103) {
        ++mask;
      } else {
        EXPECT_EQ(masked[positions[s]], e.input_ids[positions[s]]);
      }
    }
  }
  EXPECT_EQ(chosen, 2000 * 19);
  EXPECT_NEAR(static_cast<double>(mask) / chosen, 0.85, 0.01);
}

// tf.random.categorical draws the k slots independently: all k slots are used, a position may
// fill several, and the expected number of distinct positions is n (1 - (1 - 1/n)^k).
TEST(MaskingTest, WithReplacementFillsKSlotsWithOfficialDuplicateRate) {
  MaskingOptions o;
  o.seed = 4;
  ASSERT_TRUE(o.with_replacement);  // the official default
  PretrainingExample e = Example(128, 128);  // 126 candidates
  const int n = 126, k = 19, examples = 3000;
  double distinct_total = 0;
  for (uint64_t pos = 0; pos < examples; ++pos) {
    std::vector<int32_t> masked;
    std::vector<int64_t> positions, labels;
    std::vector<float> weights;
    MaskExample(e, pos, o, k, &masked, &positions, &weights, &labels);
    std::set<int64_t> distinct;
    for (int s = 0; s < k; ++s) {
      ASSERT_EQ(weights[s], 1.0f);
      ASSERT_GT(positions[s], 0);
      ASSERT_LT(positions[s], 127);
      ASSERT_EQ(labels[s], e.input_ids[positions[s]]);
      distinct.insert(positions[s]);
    }
    distinct_total += distinct.size();
    for (int i = 0; i < 128; ++i) {
      if (!distinct.count(i)) ASSERT_EQ(masked[i], e.input_ids[i]);
    }
  }
  double expected = n * (1 - std::pow(1 - 1.0 / n, k));  // 17.64
  EXPECT_NEAR(distinct_total / examples, expected, 0.05);
}

TEST(MaskingTest, DependsOnlyOnSeedAndStreamPosition) {
  MaskingOptions o;
  o.seed = 5;
  StreamBatch a, b;
  for (int i = 0; i < 4; ++i) {
    a.examples.push_back(Example(50 + i, 64));
    a.positions.push_back(100 + i);
  }
  b.examples = {a.examples[2], a.examples[3]};
  b.positions = {102, 103};
  MaskedBatch ma = MaskBatch(a, o), mb = MaskBatch(b, o);
  EXPECT_TRUE(torch::equal(ma.masked_ids.slice(0, 2, 4), mb.masked_ids));
  EXPECT_TRUE(torch::equal(ma.masked_positions.slice(0, 2, 4), mb.masked_positions));
  b.positions = {202, 203};  // another epoch: fresh masks
  EXPECT_FALSE(torch::equal(ma.masked_positions.slice(0, 2, 4), MaskBatch(b, o).masked_positions));
}

TEST(MaskingTest, BernoulliMasksEachCandidateWithProbabilityP) {
  MaskingOptions o;
  o.style = MaskStyle::kBernoulli;
  StreamBatch batch;
  for (int i = 0; i < 64; ++i) {
    batch.examples.push_back(Example(128, 128));
    batch.positions.push_back(i);
  }
  MaskedBatch m = MaskBatch(batch, o);
  double used = m.masked_weights.sum().item<double>();
  EXPECT_NEAR(used / (64 * 126), 0.15, 0.02);
  EXPECT_GE(m.masked_positions.size(1), 19);  // as many slots as the busiest example needs
}

}  // namespace
}  // namespace electra
