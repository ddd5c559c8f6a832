#include "glue/submission.h"

#include "absl/strings/str_cat.h"
#include "base/file_util.h"
#include "gtest/gtest.h"

namespace electra {
namespace {

// A finished MRPC run whose test outputs predict `label` for both rows.
void AddMrpcRun(const std::string& results, int run, const std::string& metrics, int label) {
  std::string d = JoinPath(results, absl::StrCat("MRPC/run-", run));
  ASSERT_TRUE(MakeDirectories(d).ok());
  ASSERT_TRUE(WriteFileAtomically(JoinPath(d, "metrics.json"),
                                  absl::StrCat(R"({"metrics": )", metrics, R"(, "test_outputs": ["test_outputs.tsv:MRPC.tsv"]})"))
                  .ok());
  std::string logits = label == 1 ? "-1\t2" : "2\t-1";
  ASSERT_TRUE(WriteFileAtomically(JoinPath(d, "test_outputs.tsv"),
                                  absl::StrCat("index\tlogit_0\tlogit_1\n0\t", logits, "\n1\t", logits, "\n"))
                  .ok());
  ASSERT_TRUE(WriteFileAtomically(JoinPath(d, "DONE"), "done\n").ok());
}

TEST(SubmissionTest, BestRunIsChosenByThePapersTaskScore) {
  std::string results = JoinPath(testing::TempDir(), "best_results"), out = JoinPath(testing::TempDir(), "best_out");
  // Run 0 has the higher (F1 + accuracy) / 2 (80 against 67.5); run 1 the higher accuracy, which
  // is what the paper scores MRPC by.
  AddMrpcRun(results, 0, R"({"f1": 90, "accuracy": 70})", 0);
  AddMrpcRun(results, 1, R"({"f1": 60, "accuracy": 75})", 1);
  SubmissionOptions o;
  o.results_dir = results;
  o.output_dir = out;
  o.zip = false;
  auto report = WriteSubmission(o);
  ASSERT_TRUE(report.ok()) << report.status();
  auto tsv = ReadFile(JoinPath(out, "MRPC.tsv"));
  ASSERT_TRUE(tsv.ok());
  EXPECT_EQ(*tsv, "index\tprediction\n0\t1\n1\t1\n");  // run 1's predictions
  o.select = "run-0";
  ASSERT_TRUE(WriteSubmission(o).ok());
  EXPECT_EQ(*ReadFile(JoinPath(out, "MRPC.tsv")), "index\tprediction\n0\t0\n1\t0\n");
}

}  // namespace
}  // namespace electra
