#include "eval/aggregate.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "base/file_util.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

void AddRun(const std::string& dir, const std::string& task, int run, const std::string& metrics, bool done = true) {
  std::string d = JoinPath(dir, absl::StrCat(task, "/run-", run));
  ASSERT_TRUE(MakeDirectories(d).ok());
  ASSERT_TRUE(WriteFileAtomically(d + "/metrics.json", absl::StrCat("{\"metrics\": ", metrics, "}")).ok());
  if (done) {
    ASSERT_TRUE(WriteFileAtomically(d + "/DONE", "").ok());
  }
}

TEST(AggregateTest, SummarizeByHand) {
  Stats s = Summarize({3, 1, 2, 10});
  EXPECT_EQ(s.n, 4);
  EXPECT_DOUBLE_EQ(s.mean, 4);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.min, 1);
  EXPECT_DOUBLE_EQ(s.max, 10);
  EXPECT_NEAR(s.std, std::sqrt((1 + 9 + 4 + 36) / 3.0), 1e-12);  // sample std
  EXPECT_DOUBLE_EQ(Summarize({5}).std, 0);
}

TEST(AggregateTest, PerTaskStatisticsAndGlueScore) {
  std::string dir = JoinPath(testing::TempDir(), "results");
  AddRun(dir, "CoLA", 0, R"({"mcc": 50})");
  AddRun(dir, "CoLA", 1, R"({"mcc": 60})");
  AddRun(dir, "CoLA", 2, R"({"mcc": 40})");
  AddRun(dir, "CoLA", 3, R"({"mcc": 99})", /*done=*/false);  // unfinished: ignored
  AddRun(dir, "MRPC", 0, R"({"f1": 90, "accuracy": 80})");
  AddRun(dir, "MNLI", 0, R"({"accuracy_m": 70, "accuracy_mm": 72})");
  AddRun(dir, "WNLI", 0, R"({"accuracy": 56})");
  auto r = CollectResults(dir, /*use_median=*/true);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->tasks.size(), 5u);  // CoLA, MRPC, MNLI-m, MNLI-mm, WNLI
  EXPECT_EQ(r->tasks[0].column, "CoLA");
  EXPECT_DOUBLE_EQ(r->tasks[0].stats.median, 50);
  EXPECT_EQ(r->tasks[0].stats.n, 3);
  EXPECT_DOUBLE_EQ(r->tasks[1].stats.median, 85);  // MRPC: mean of F1 and accuracy
  // GLUE score over the tasks of the ELECTRA tables present: CoLA, MRPC, MNLI-m (not -mm, not WNLI).
  EXPECT_EQ(r->glue_tasks, 3);
  EXPECT_DOUBLE_EQ(r->glue_score, (50 + 85 + 70) / 3.0);
  std::string table = MarkdownTable(*r, "electra-small-owt");
  EXPECT_NE(table.find("| ELECTRA-Small-OWT, official (1M steps) | 56.80 | 87.40 | 78.90 | - | - | 80.36 |"), std::string::npos)
      << table;
  EXPECT_NE(ResultsJson(*r).find("\"glue_score\""), std::string::npos);
}

TEST(AggregateTest, BaselineRowsAndTheDifference) {
  std::string dir = JoinPath(testing::TempDir(), "pretrained"), base = JoinPath(testing::TempDir(), "untrained");
  AddRun(dir, "CoLA", 0, R"({"mcc": 20})");
  AddRun(dir, "SST-2", 0, R"({"accuracy": 80})");
  AddRun(base, "CoLA", 0, R"({"mcc": 5})");
  AddRun(base, "SST-2", 0, R"({"accuracy": 82})");
  auto r = CollectResults(dir, true), b = CollectResults(base, true);
  ASSERT_TRUE(r.ok() && b.ok());
  TableOptions o;
  o.label = "pretrained";
  o.baseline = &*b;
  o.baseline_label = "untrained";
  std::string table = MarkdownTable(*r, o);
  EXPECT_NE(table.find("| pretrained (median of runs) | 20.00 | 80.00 | 50.00 (2 tasks) |"), std::string::npos) << table;
  EXPECT_NE(table.find("| untrained (median of runs) | 5.00 | 82.00 | 43.50 (2 tasks) |"), std::string::npos) << table;
  EXPECT_NE(table.find("| difference (pretrained - untrained) | +15.00 | -2.00 | +6.50 |"), std::string::npos) << table;
  // A task only one side has: shown, without a difference or an average difference.
  AddRun(base, "RTE", 0, R"({"accuracy": 55})");
  b = CollectResults(base, true);
  table = MarkdownTable(*r, o);
  EXPECT_NE(table.find("| pretrained (median of runs) | 20.00 | 80.00 | - | 50.00 (2 tasks) |"), std::string::npos) << table;
  EXPECT_NE(table.find("| difference (pretrained - untrained) | +15.00 | -2.00 | - | - |"), std::string::npos) << table;
}

TEST(AggregateTest, BadResultsAreErrors) {
  std::string dir = JoinPath(testing::TempDir(), "bad_results");
  AddRun(dir, "SST-2", 0, "\"oops\"");
  auto r = CollectResults(dir, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("SST-2/run-0/metrics.json"), std::string::npos);
  EXPECT_TRUE(absl::IsNotFound(CollectResults(JoinPath(dir, "missing"), true).status()));
}

}  // namespace
}  // namespace electra
