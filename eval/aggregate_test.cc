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
  EXPECT_DOUBLE_EQ(r->tasks[1].stats.median, 80);  // MRPC: accuracy, as the paper scores it (F1 is a diagnostic)
  // GLUE score over the tasks of the ELECTRA tables present: CoLA, MRPC, MNLI-m (not -mm, not WNLI).
  EXPECT_EQ(r->glue_tasks, 3);
  EXPECT_DOUBLE_EQ(r->glue_score, (50 + 80 + 70) / 3.0);
  EXPECT_DOUBLE_EQ(r->glue_mean, (50 + 80 + 70) / 3.0);
  std::string table = MarkdownTable(*r, "electra-small-owt");
  EXPECT_NE(table.find("| model | CoLA (MCC) | MRPC (acc) | MNLI (acc) | MNLI-mm (acc) | WNLI (acc) | GLUE avg |"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("| ELECTRA-Small-OWT, official (1M steps; median of >= 10 runs) | 56.80 | 87.40 | 78.90 | - | - | 80.36 |"),
            std::string::npos)
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

TEST(AggregateTest, StsbIsScoredBySpearmanAlone) {
  std::string dir = JoinPath(testing::TempDir(), "stsb");
  AddRun(dir, "STS-B", 0, R"({"pearson": 40, "spearman": 20})");
  AddRun(dir, "STS-B", 1, R"({"pearson": 50, "spearman": 30})");
  AddRun(dir, "STS-B", 2, R"({"pearson": 60, "spearman": 70})");
  auto r = CollectResults(dir, /*use_median=*/false);
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->glue_mean, 40);
  EXPECT_DOUBLE_EQ(r->glue_median, 30);
  EXPECT_DOUBLE_EQ(r->glue_score, 40);  // use_median false
}

TEST(AggregateTest, EachReferenceRowBesideOurRowsAggregatedItsWay) {
  auto both = PlanTable("both", "auto");
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->size(), 2u);
  EXPECT_TRUE((*both)[0].median);
  EXPECT_EQ((*both)[0].references, std::vector<std::string>{"official"});
  EXPECT_FALSE((*both)[1].median);
  EXPECT_EQ((*both)[1].references, std::vector<std::string>{"seed"});
  auto forced = PlanTable("both", "mean");
  ASSERT_TRUE(forced.ok());
  ASSERT_EQ(forced->size(), 1u);
  EXPECT_EQ((*forced)[0].references, (std::vector<std::string>{"official", "seed"}));
  EXPECT_FALSE(PlanTable("bert", "auto").ok());
  EXPECT_FALSE(PlanTable("both", "mode").ok());
  auto none = PlanTable("none", "auto");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)[0].median);

  std::string dir = JoinPath(testing::TempDir(), "blocks");
  AddRun(dir, "RTE", 0, R"({"accuracy": 50})");
  AddRun(dir, "RTE", 1, R"({"accuracy": 60})");
  AddRun(dir, "RTE", 2, R"({"accuracy": 100})");
  auto r = CollectResults(dir, true);
  ASSERT_TRUE(r.ok());
  TableOptions o;
  o.blocks = *both;
  std::string table = MarkdownTable(*r, o);
  size_t median_row = table.find("| ours (median of runs) | 60.00 | 60.00 (1 tasks) |");
  size_t official = table.find("| ELECTRA-Small-OWT, official (1M steps; median of >= 10 runs) | 68.50 | 80.36 |");
  size_t mean_row = table.find("| ours (mean of runs) | 70.00 | 70.00 (1 tasks) |");
  size_t seed = table.find("| ELECTRA-Small-OWT, PyTorch replication (mean of 10 runs) | 67.46 | 80.36 |");
  ASSERT_NE(median_row, std::string::npos) << table;
  ASSERT_NE(official, std::string::npos) << table;
  ASSERT_NE(mean_row, std::string::npos) << table;
  ASSERT_NE(seed, std::string::npos) << table;
  EXPECT_TRUE(median_row < official && official < mean_row && mean_row < seed) << table;
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
