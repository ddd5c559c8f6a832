// evaluate: GLUE tables from the fine-tuner's results (per task: mean, median, std, min, max
// over runs; the GLUE score), as Markdown and JSON.
#include <cstdio>

#include "absl/flags/flag.h"
#include "base/file_util.h"
#include "base/tool_main.h"
#include "eval/aggregate.h"

ABSL_FLAG(std::string, results_dir, "", "The fine-tuner's --output_dir (RESULTS/<task>/run-K/). Required.");
ABSL_FLAG(std::string, reference, "both",
          "Reference rows: official (ELECTRA-Small-OWT, google-research/electra; median of >= 10 runs), seed "
          "(the PyTorch replication richarddwang/electra_pytorch; mean of 10 runs), both or none. The old names "
          "electra-small-owt and electra-small-replication still work.");
ABSL_FLAG(std::string, aggregate, "auto",
          "How our runs are aggregated per task: auto (as the reference row beside them: median next to the "
          "official row, mean next to the seed's; median without one), median or mean.");
ABSL_FLAG(std::string, json, "", "Also write the results as JSON to this path (default: RESULTS/glue_results.json).");
ABSL_FLAG(std::string, format, "markdown", "What to print: markdown or json.");
ABSL_FLAG(std::string, label, "ours", "Name of the results' rows in the table.");
ABSL_FLAG(std::string, baseline_dir, "",
          "Also show these results (another fine-tuner --output_dir, e.g. the untrained model's) and the difference.");
ABSL_FLAG(std::string, baseline_label, "baseline", "Name of the --baseline_dir rows.");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv,
                          "evaluate --results_dir=DIR [--reference=official|seed|both|none] [--aggregate=auto|median|mean] "
                          "[--baseline_dir=DIR]");
  return electra::RunTool("evaluate", []() -> absl::Status {
    std::string dir = absl::GetFlag(FLAGS_results_dir);
    if (dir.empty()) return electra::FlagError("results_dir", "is required");
    std::string aggregate = absl::GetFlag(FLAGS_aggregate), format = absl::GetFlag(FLAGS_format);
    std::string reference = absl::GetFlag(FLAGS_reference);
    if (format != "markdown" && format != "json") return electra::FlagError("format", "must be markdown or json");
    absl::StatusOr<std::vector<electra::TableBlock>> blocks = electra::PlanTable(reference, aggregate);
    if (!blocks.ok()) return blocks.status();
    // The JSON's glue_score is the first block's aggregation; both are in it as well.
    const bool median = blocks->front().median;
    auto results = electra::CollectResults(dir, median);
    if (!results.ok()) return results.status();
    if (results->tasks.empty()) {
      return absl::NotFoundError("no finished fine-tuning runs under " + dir + " (expected <task>/run-K/DONE)");
    }
    std::string json = electra::ResultsJson(*results);
    std::string json_path = absl::GetFlag(FLAGS_json).empty() ? electra::JoinPath(dir, "glue_results.json")
                                                              : absl::GetFlag(FLAGS_json);
    absl::Status s = electra::WriteFileAtomically(json_path, json);
    if (!s.ok()) return s;
    electra::TableOptions table;
    table.blocks = *blocks;
    table.label = absl::GetFlag(FLAGS_label);
    table.baseline_label = absl::GetFlag(FLAGS_baseline_label);
    absl::StatusOr<electra::GlueResults> baseline;
    std::string baseline_dir = absl::GetFlag(FLAGS_baseline_dir);
    if (!baseline_dir.empty()) {
      baseline = electra::CollectResults(baseline_dir, median);
      if (!baseline.ok()) return absl::Status(baseline.status().code(), "--baseline_dir: " + std::string(baseline.status().message()));
      if (baseline->tasks.empty()) {
        return absl::NotFoundError("--baseline_dir: no finished fine-tuning runs under " + baseline_dir);
      }
      table.baseline = &*baseline;
    }
    std::string out = format == "json" ? json : electra::MarkdownTable(*results, table);
    std::fputs(out.c_str(), stdout);
    return absl::OkStatus();
  });
}
