#include "eval/metrics.h"

#include <cmath>

#include "gtest/gtest.h"

namespace electra {
namespace {

TEST(MetricsTest, AccuracyAndF1ByHand) {
  std::vector<int> p = {1, 1, 0, 0, 1}, l = {1, 0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(Accuracy(p, l), 0.6);
  // tp 2, fp 1, fn 1: precision 2/3, recall 2/3, F1 2/3
  EXPECT_NEAR(F1(p, l), 2.0 / 3, 1e-12);
  EXPECT_EQ(F1({0, 0}, {1, 1}), 0.0);  // no positives predicted
}

TEST(MetricsTest, MatthewsByHandAndDegenerate) {
  // tp 2, tn 1, fp 1, fn 1: (2*1 - 1*1) / sqrt(3*3*2*2) = 1/6
  EXPECT_NEAR(MatthewsCorrelation({1, 1, 0, 0, 1}, {1, 0, 0, 1, 1}), 1.0 / 6, 1e-12);
  EXPECT_DOUBLE_EQ(MatthewsCorrelation({1, 0, 1}, {1, 0, 1}), 1.0);
  EXPECT_DOUBLE_EQ(MatthewsCorrelation({1, 1, 1}, {1, 0, 1}), 0.0);  // one predicted class
  EXPECT_DOUBLE_EQ(MatthewsCorrelation({0, 1}, {1, 1}), 0.0);        // one true class
}

TEST(MetricsTest, PearsonAndSpearmanWithTies) {
  std::vector<double> x = {1, 2, 3, 4}, y = {2, 4, 5, 9};
  // means 2.5 and 5; sxy = 1.5*3 + .5*1 + .5*0 + 1.5*4 = 11; sxx = 5; syy = 9+1+0+16 = 26
  EXPECT_NEAR(Pearson(x, y), 11 / std::sqrt(5.0 * 26), 1e-12);
  EXPECT_NEAR(Spearman(x, y), 1.0, 1e-12);
  EXPECT_EQ(Ranks({10, 20, 20, 5}), (std::vector<double>{2, 3.5, 3.5, 1}));
  // Spearman with ties = Pearson of the average ranks: ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4).
  EXPECT_NEAR(Spearman({1, 2, 2, 3}, {1, 2, 3, 4}), Pearson({1, 2.5, 2.5, 4}, {1, 2, 3, 4}), 1e-12);
  EXPECT_NEAR(Pearson({1, 2.5, 2.5, 4}, {1, 2, 3, 4}), 4.5 / std::sqrt(4.5 * 5), 1e-12);
  EXPECT_DOUBLE_EQ(Pearson({3, 3, 3}, {1, 2, 3}), 0.0);  // zero variance
  EXPECT_DOUBLE_EQ(Spearman({3, 3, 3}, {1, 2, 3}), 0.0);
}

TEST(MetricsTest, TaskMetricsAndScore) {
  auto m = TaskMetrics("MRPC", {1, 1, 0, 0, 1}, {1, 0, 0, 1, 1});
  EXPECT_NEAR(m["f1"], 66.6667, 1e-3);
  EXPECT_NEAR(m["accuracy"], 60, 1e-9);
  // Scored as the paper scores it: accuracy, not the mean with F1.
  EXPECT_NEAR(TaskScore("MRPC", m), 60, 1e-9);
  EXPECT_EQ(TaskMetrics("CoLA", {1, 0}, {1, 0}).count("mcc"), 1u);
  auto s = TaskMetrics("STS-B", {}, {}, {1, 2, 3}, {1, 2, 3});
  EXPECT_NEAR(s["pearson"], 100, 1e-9);
  EXPECT_NEAR(s["spearman"], 100, 1e-9);
}

TEST(MetricsTest, PrimaryMetricIsThePapers) {
  EXPECT_EQ(PrimaryMetric("CoLA"), "mcc");
  EXPECT_EQ(PrimaryMetric("STS-B"), "spearman");
  for (const char* t : {"SST-2", "MRPC", "QQP", "MNLI", "MNLI-m", "MNLI-mm", "QNLI", "RTE", "WNLI"}) {
    EXPECT_EQ(PrimaryMetric(t), "accuracy") << t;
  }
  // STS-B: Spearman alone, whatever Pearson says.
  EXPECT_DOUBLE_EQ(TaskScore("STS-B", {{"pearson", 10}, {"spearman", 30}}), 30);
  // A model that always answers "not duplicate" on QQP scores its accuracy, not (F1 + acc) / 2.
  std::vector<int> always0(100, 0), gold(100, 0);
  for (int i = 0; i < 37; ++i) gold[i] = 1;
  auto q = TaskMetrics("QQP", always0, gold);
  EXPECT_DOUBLE_EQ(q["f1"], 0);
  EXPECT_DOUBLE_EQ(TaskScore("QQP", q), 63);
  EXPECT_DOUBLE_EQ(TaskScore("CoLA", {}), 0);
}

}  // namespace
}  // namespace electra
