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
  std::string column;  // CoLA, SST-2, MRPC, STS-B, QQP, MNLI-m, MNLI-mm, QNLI, RTE, WNLI, or a user task's name
  std::string metric;  // the metric of `scores` (PrimaryMetric, or a user task's task_metric)
  std::vector<double> scores;                    // per run: the task's primary metric (PrimaryMetric)
  std::map<std::string, std::vector<double>> metrics;  // per metric, per run
  Stats stats;
};

struct GlueResults {
  // In GLUE column order, only those with runs; then the user's own tasks (finetune --task_spec),
  // by name, which the GLUE average leaves out.
  std::vector<TaskResult> tasks;
  // The plain mean over the 8 tasks of the ELECTRA tables (WNLI and MNLI-mm excluded) present, of
  // each task's median over runs or its mean over runs.
  double glue_median = 0, glue_mean = 0;
  double glue_score = 0;          // glue_median or glue_mean, as use_median says
  int glue_tasks = 0;
  bool use_median = true;
  double glue(bool median) const { return median ? glue_median : glue_mean; }
};

// Reads every finished run (a DONE marker) under `results_dir`: GLUE task folders, and any other
// folder whose runs' metrics.json name their task_metric (the user's own tasks).
absl::StatusOr<GlueResults> CollectResults(const std::string& results_dir, bool use_median);

// The reference rows: "official" (google-research/electra's ELECTRA-Small-OWT, medians of at least
// 10 runs; also "electra-small-owt") and "seed" (richarddwang/electra_pytorch, means of 10 runs; also
// "electra-small-replication"); empty map if unknown. `*label` names the row and its aggregation,
// `*median` says which aggregation it is.
std::map<std::string, double> ReferenceRow(const std::string& name, std::string* label, bool* median = nullptr);

// One group of table rows: ours (and the baseline and the difference) aggregated one way, then the
// reference rows aggregated the same way.
struct TableBlock {
  bool median = true;
  std::vector<std::string> references;  // ReferenceRow names
};

// The blocks for evaluate's --reference (official, seed, both or none) and --aggregate (auto, median
// or mean): "auto" aggregates our rows as each reference row is aggregated (official: median, seed:
// mean; none: median).
absl::StatusOr<std::vector<TableBlock>> PlanTable(const std::string& reference, const std::string& aggregate);

struct TableOptions {
  std::string reference = "none";  // a ReferenceRow name, or "none" (used when `blocks` is empty)
  std::vector<TableBlock> blocks;  // empty: one block, aggregated as the results say
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
