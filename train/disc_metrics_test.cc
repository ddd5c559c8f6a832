#include "train/disc_metrics.h"

#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace electra {
namespace {

// The AUC by definition: over all (positive, negative) pairs, 1 if the positive scores higher,
// 1/2 on ties.
double PairwiseAuc(const std::vector<float>& s, const std::vector<uint8_t>& y) {
  double sum = 0, pairs = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    for (size_t j = 0; j < s.size(); ++j) {
      if (!y[i] || y[j]) continue;
      sum += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
      pairs += 1;
    }
  }
  return sum / pairs;
}

TEST(DiscMetricsTest, ExactAucEqualsThePairwiseDefinitionWithTies) {
  std::mt19937 rng(3);
  std::vector<float> s;
  std::vector<uint8_t> y;
  for (int i = 0; i < 400; ++i) {
    y.push_back(rng() % 4 == 0);
    s.push_back(static_cast<float>(rng() % 20) + (y.back() ? 3.0f : 0.0f));  // many ties
  }
  EXPECT_NEAR(ExactAuc(s, y), PairwiseAuc(s, y), 1e-12);
  EXPECT_GT(ExactAuc(s, y), 0.6);
}

TEST(DiscMetricsTest, ConstantScoresGiveOneHalfAndSeparatedScoresOne) {
  std::vector<uint8_t> y = {1, 0, 0, 1, 0, 0, 0};
  EXPECT_DOUBLE_EQ(ExactAuc(std::vector<float>(7, 0.13f), y), 0.5);
  std::vector<float> separated = {0.9f, 0.1f, 0.2f, 0.8f, 0.3f, 0.1f, 0.0f};
  EXPECT_DOUBLE_EQ(ExactAuc(separated, y), 1.0);
  std::vector<float> reversed = {0.0f, 0.9f, 0.8f, 0.1f, 0.7f, 0.6f, 0.5f};
  EXPECT_DOUBLE_EQ(ExactAuc(reversed, y), 0.0);
  EXPECT_DOUBLE_EQ(ExactAuc({0.1f, 0.2f}, {0, 0}), 0.5);  // one class only
}

TEST(DiscMetricsTest, HistogramAucMatchesExactAucUpToBinning) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0, 1);
  const int n = 20000;
  std::vector<float> logits(n);
  std::vector<uint8_t> y(n);
  for (int i = 0; i < n; ++i) {
    y[i] = rng() % 7 == 0;
    logits[i] = -2.0f + normal(rng) + (y[i] ? 0.8f : 0.0f);
  }
  auto t = torch::from_blob(logits.data(), {1, n}, torch::kFloat32);
  auto labels = torch::empty({1, n});
  for (int i = 0; i < n; ++i) labels[0][i] = y[i];
  auto pos = LogitHistogram(t, labels), neg = LogitHistogram(t, 1 - labels);
  EXPECT_DOUBLE_EQ(pos.sum().item<double>() + neg.sum().item<double>(), n);
  std::vector<double> p(pos.data_ptr<float>(), pos.data_ptr<float>() + kAucBins);
  std::vector<double> q(neg.data_ptr<float>(), neg.data_ptr<float>() + kAucBins);
  double exact = ExactAuc(logits, y);
  EXPECT_NEAR(HistogramAuc(p, q), exact, 2e-3);
  EXPECT_GT(exact, 0.65);  // the signal is real (0.5 + ~0.21 for a 0.8-sigma shift)
  // A constant predictor puts everything in one bin: exactly one half.
  auto constant = torch::full({1, n}, -1.9f);
  auto cp = LogitHistogram(constant, labels), cn = LogitHistogram(constant, 1 - labels);
  std::vector<double> a(cp.data_ptr<float>(), cp.data_ptr<float>() + kAucBins);
  std::vector<double> b(cn.data_ptr<float>(), cn.data_ptr<float>() + kAucBins);
  EXPECT_DOUBLE_EQ(HistogramAuc(a, b), 0.5);
}

TEST(DiscMetricsTest, TfMetricsAucApproximatesTheExactAucOnProbabilities) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<float> probs;
  std::vector<uint8_t> y;
  for (int i = 0; i < 5000; ++i) {
    y.push_back(rng() % 3 == 0);
    probs.push_back(y.back() ? std::sqrt(u(rng)) : u(rng));  // positives skew high
  }
  EXPECT_NEAR(TfMetricsAuc(probs, y), ExactAuc(probs, y), 5e-3);
  EXPECT_NEAR(TfMetricsAuc(std::vector<float>(5000, 0.3f), y), 0.5, 1e-6);
  // With 200 thresholds, scores that differ only inside one bin look tied: the binned AUC
  // loses resolution that the exact AUC keeps.
  std::vector<float> narrow;
  for (size_t i = 0; i < y.size(); ++i) narrow.push_back(0.131f + (y[i] ? 0.002f : 0.0f));
  EXPECT_DOUBLE_EQ(ExactAuc(narrow, y), 1.0);
  EXPECT_NEAR(TfMetricsAuc(narrow, y), 0.5, 1e-6);
}

TEST(DiscMetricsTest, BinaryEntropyIsTheConstantPredictorsLoss) {
  EXPECT_DOUBLE_EQ(BinaryEntropy(0.0), 0.0);
  EXPECT_NEAR(BinaryEntropy(0.5), std::log(2.0), 1e-15);
  // The best constant prediction for a replaced fraction p is p itself; its mean log loss is H(p).
  double p = 0.135;
  double loss = -(p * std::log(p) + (1 - p) * std::log(1 - p));
  EXPECT_NEAR(BinaryEntropy(p), loss, 1e-15);
  EXPECT_NEAR(BinaryEntropy(p), 0.396, 1e-3);
}

}  // namespace
}  // namespace electra
