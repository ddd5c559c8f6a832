// evaluate: GLUE tables from the fine-tuner's results (per task: mean, median, std, min, max
// over runs; the GLUE score), as Markdown and JSON.
#include <cstdio>

#include "absl/flags/flag.h"
#include "base/file_util.h"
#include "base/tool_main.h"
#include "eval/aggregate.h"

ABSL_FLAG(std::string, results_dir, "", "The fine-tuner's --output_dir (RESULTS/<task>/run-K/). Required.");
ABSL_FLAG(std::string, reference, "electra-small-owt",
          "Reference row: electra-small-owt, electra-small-replication or none.");
ABSL_FLAG(std::string, aggregate, "median", "median or mean over runs for the table and the GLUE score.");
ABSL_FLAG(std::string, json, "", "Also write the results as JSON to this path (default: RESULTS/glue_results.json).");
ABSL_FLAG(std::string, format, "markdown", "What to print: markdown or json.");
ABSL_FLAG(std::string, label, "ours", "Name of the results' rows in the table.");
ABSL_FLAG(std::string, baseline_dir, "",
          "Also show these results (another fine-tuner --output_dir, e.g. the untrained model's) and the difference.");
ABSL_FLAG(std::string, baseline_label, "baseline", "Name of the --baseline_dir rows.");

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv, "evaluate --results_dir=DIR [--reference=NAME] [--aggregate=median|mean] [--baseline_dir=DIR]");
  return electra::RunTool("evaluate", []() -> absl::Status {
    std::string dir = absl::GetFlag(FLAGS_results_dir);
    if (dir.empty()) return electra::FlagError("results_dir", "is required");
    std::string aggregate = absl::GetFlag(FLAGS_aggregate), format = absl::GetFlag(FLAGS_format);
    std::string reference = absl::GetFlag(FLAGS_reference);
    if (aggregate != "median" && aggregate != "mean") return electra::FlagError("aggregate", "must be median or mean");
    if (format != "markdown" && format != "json") return electra::FlagError("format", "must be markdown or json");
    std::string label;
    if (reference != "none" && electra::ReferenceRow(reference, &label).empty()) {
      return electra::FlagError("reference", "must be electra-small-owt, electra-small-replication or none");
    }
    auto results = electra::CollectResults(dir, aggregate == "median");
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
    table.reference = reference;
    table.label = absl::GetFlag(FLAGS_label);
    table.baseline_label = absl::GetFlag(FLAGS_baseline_label);
    absl::StatusOr<electra::GlueResults> baseline;
    std::string baseline_dir = absl::GetFlag(FLAGS_baseline_dir);
    if (!baseline_dir.empty()) {
      baseline = electra::CollectResults(baseline_dir, aggregate == "median");
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
