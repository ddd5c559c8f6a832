// Aggregation of fine-tuning results (RESULTS/<task>/run-K/metrics.json) into per-task
// statistics over runs and the GLUE score, rendered as a Markdown table in the layout of the
// ELECTRA tables (and as JSON).
#ifndef ELECTRA_EVAL_AGGREGATE_H_
#define ELECTRA_EVAL_AGGREGATE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace electra {

struct Stats {
  double mean = 0, median = 0, std = 0, min = 0, max = 0;
  int n = 0;
};
Stats Summarize(std::vector<double> values);  // std: sample standard deviation (n - 1)

struct TaskResult {
  std::string column;                            // CoLA, SST-2, MRPC, STS-B, QQP, MNLI-m, MNLI-mm, QNLI, RTE, WNLI
  std::vector<double> scores;                    // per run: the mean of the task's metrics
  std::map<std::string, std::vector<double>> metrics;  // per metric, per run
  Stats stats;
};

struct GlueResults {
  std::vector<TaskResult> tasks;  // in GLUE column order, only those with runs
  double glue_score = 0;          // mean over the 8 tasks of the ELECTRA tables (WNLI excluded) present
  int glue_tasks = 0;
  bool use_median = true;
};

// Reads every finished run (a DONE marker) under `results_dir`.
absl::StatusOr<GlueResults> CollectResults(const std::string& results_dir, bool use_median);

// The reference rows: "electra-small-owt" (official ELECTRA-Small-OWT) and
// "electra-small-replication" (richarddwang/electra_pytorch); empty map if unknown.
std::map<std::string, double> ReferenceRow(const std::string& name, std::string* label);

struct TableOptions {
  std::string reference = "none";  // a ReferenceRow name, or "none"
  std::string label = "ours";
  // Optional second set of results shown beside the first with the difference per task, e.g. the
  // same architecture fine-tuned from its untrained initialisation.
  const GlueResults* baseline = nullptr;
  std::string baseline_label = "baseline";
};

std::string MarkdownTable(const GlueResults& results, const TableOptions& options);
std::string MarkdownTable(const GlueResults& results, const std::string& reference);
std::string ResultsJson(const GlueResults& results);

}  // namespace electra

#endif  // ELECTRA_EVAL_AGGREGATE_H_
