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

TEST(MetricsTest, BioSpansReadAsConllevalDoes) {
  auto spans = BioSpans({"B-NP", "I-NP", "O", "B-VP", "I-NP", "I-NP"});
  // I-NP after B-VP starts a chunk of its own.
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0], (Span{0, 2, "NP"}));
  EXPECT_EQ(spans[1], (Span{3, 4, "VP"}));
  EXPECT_EQ(spans[2], (Span{4, 6, "NP"}));
  // I- at the start, and B- right after a chunk of the same type.
  spans = BioSpans({"I-NP", "I-NP", "B-NP", "O"});
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0], (Span{0, 2, "NP"}));
  EXPECT_EQ(spans[1], (Span{2, 3, "NP"}));
}

TEST(MetricsTest, TaggingAccuracyAndSpanF1ByHand) {
  std::vector<std::vector<std::string>> gold = {{"B-NP", "I-NP", "O", "B-VP", "B-NP", "I-NP"}, {"O"}};
  std::vector<std::vector<std::string>> pred = {{"B-NP", "O", "O", "B-VP", "B-NP", "I-NP"}, {"B-NP"}};
  auto m = TaggingMetrics(pred, gold, true);
  // Words: 5 of 7 right. Chunks: predicted (0,1) NP, (3,4) VP, (4,6) NP, (0,1) NP; gold (0,2) NP,
  // (3,4) VP, (4,6) NP: 2 right, precision 2/4, recall 2/3, F1 4/7.
  EXPECT_NEAR(m["accuracy"], 100.0 * 5 / 7, 1e-9);
  EXPECT_NEAR(m["span_precision"], 50, 1e-9);
  EXPECT_NEAR(m["span_recall"], 100.0 * 2 / 3, 1e-9);
  EXPECT_NEAR(m["span_f1"], 100.0 * 4 / 7, 1e-9);
  EXPECT_EQ(TaggingMetrics(pred, gold, false).count("span_f1"), 0u);
  // Part-of-speech tags without B-/I- score by accuracy alone.
  EXPECT_NEAR(TaggingMetrics({{"nn", "vb"}}, {{"nn", "nn"}}, false)["accuracy"], 50, 1e-9);
}

TEST(MetricsTest, UserTaskMetrics) {
  auto m = UserTaskMetrics("f1", {1, 1, 0, 0, 1}, {1, 0, 0, 1, 1});
  EXPECT_NEAR(m["f1"], 66.6667, 1e-3);
  EXPECT_NEAR(m["accuracy"], 60, 1e-9);
  EXPECT_EQ(UserTaskMetrics("accuracy", {1}, {1}).size(), 1u);
  EXPECT_EQ(UserTaskMetrics("mcc", {1, 0}, {1, 0}).count("mcc"), 1u);
  EXPECT_NEAR(UserTaskMetrics("pearson", {}, {}, {1, 2, 3}, {2, 4, 6})["pearson"], 100, 1e-9);
}

}  // namespace
}  // namespace electra
