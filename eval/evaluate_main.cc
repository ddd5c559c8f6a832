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

int main(int argc, char** argv) {
  electra::ParseToolFlags(argc, argv, "evaluate --results_dir=DIR [--reference=NAME] [--aggregate=median|mean]");
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
    std::string out = format == "json" ? json : electra::MarkdownTable(*results, reference);
    std::fputs(out.c_str(), stdout);
    return absl::OkStatus();
  });
}
